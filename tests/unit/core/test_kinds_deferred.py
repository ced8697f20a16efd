"""The deferred families (cloud, cluster, Git-host settings, delivery): their specs name their
models by "module:Class", imported on first use, and everything stays reachable by name."""

from __future__ import annotations

import subprocess
import sys

import pytest

import scanner.kinds
from scanner.kinds import KINDS, KindSpec
from scanner.kinds.deferred import CLOUD, CLUSTER, DELIVERY, HOST_SETTINGS
from scanner.kinds.spec import KindData


@pytest.mark.parametrize("spec", CLOUD + CLUSTER + DELIVERY + HOST_SETTINGS, ids=lambda spec: spec.name)
def test_every_deferred_kind_names_a_model_of_its_family(spec: KindSpec) -> None:
    assert isinstance(spec.model, str)
    model = spec.data_model
    assert issubclass(model, KindData)
    assert f"{model.__module__}:{model.__qualname__}" == spec.model
    assert spec.data_model is model  # imported once


def test_every_name_the_package_exports_is_there() -> None:
    for name in scanner.kinds.__all__:
        assert getattr(scanner.kinds, name) is not None, name
    with pytest.raises(AttributeError):
        scanner.kinds.NoSuchModel  # noqa: B018


def test_a_reference_to_something_else_than_a_model_is_refused_by_kind_name() -> None:
    spec = KindSpec("acme.widgets", "repository", "scanner.kinds.spec:MAX_PATHS", "Widgets.")
    with pytest.raises(TypeError, match="'acme.widgets'"):
        spec.data_model


def test_the_vocabulary_is_known_without_importing_the_deferred_families() -> None:
    probe = (
        "import sys\n"
        "from scanner.kinds import KINDS, KindRegistry\n"
        "registry = KindRegistry(KINDS)\n"
        "assert 'cost.budgets' in registry and registry['cost.budgets'].subject_kind == 'subscription'\n"
        "print(sorted(m for m in sys.modules if m.startswith('scanner.kinds.') and m.rsplit('.', 1)[1]"
        " in ('cloud', 'cluster', 'delivery', 'host_settings')))\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert ran.stdout.strip() == "[]"
    assert len({spec.name for spec in KINDS}) == len(KINDS)

