"""The modules whose pydantic models every scan makes are annotated with objects: pydantic
compiles an annotation written as text (`from __future__ import annotations`) as each class is
made."""

from __future__ import annotations

import importlib

import pytest
from pydantic import BaseModel


@pytest.mark.parametrize("module", ["scanner.model", "scanner.config", "scanner.kinds.spec", "scanner.kinds.file_signals",
                                    "scanner.kinds.git_host"])
def test_the_models_every_scan_makes_are_annotated_with_objects_not_text(module: str) -> None:
    loaded = importlib.import_module(module)
    models = [value for value in vars(loaded).values()
              if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module]
    assert models
    for model in models:
        assert not [name for name, hint in vars(model).get("__annotations__", {}).items() if isinstance(hint, str)], model
