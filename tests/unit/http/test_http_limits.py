"""The limit settings every HTTP source's config takes, under the same keys and checks everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from collectors.azure.config import AzureConfig
from collectors.github.config import GitHubConfig
from collectors.gitlab.config import GitLabConfig
from collectors.http_limits import HttpLimits, RequestLimits
from collectors.kubernetes.config import KubernetesConfig

SOURCES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (GitHubConfig, {"organizations": ["acme"]}),
    (GitLabConfig, {"groups": ["acme"]}),
    (AzureConfig, {"subscriptions": ["00000000-0000-0000-0000-000000000001"]}),
]
LIMITS = {"request_timeout_seconds": 12, "max_retries": 5, "max_rate_limit_wait_seconds": 30, "rate_limit_wait_budget_seconds": 90}


@pytest.mark.parametrize(("model", "required"), SOURCES)
def test_every_source_takes_the_limit_keys_of_a_config_in_the_wild(model: type[BaseModel], required: dict[str, Any]) -> None:
    config = model.model_validate({**required, **LIMITS})
    assert isinstance(config, HttpLimits)
    assert {key: getattr(config, key) for key in LIMITS} == LIMITS
    defaults = model.model_validate(required)
    assert {key: getattr(defaults, key) for key in LIMITS} == {
        "request_timeout_seconds": 30, "max_retries": 3, "max_rate_limit_wait_seconds": 60, "rate_limit_wait_budget_seconds": 600}


@pytest.mark.parametrize(("model", "required"), SOURCES)
@pytest.mark.parametrize(("key", "value"), [("max_retries", 11), ("request_timeout_seconds", 0), ("max_rate_limit_wait_seconds", -1),
                                            ("rate_limit_wait_budget_seconds", -1), ("max_retry", 2)])
def test_a_bad_limit_is_refused_naming_its_key(model: type[BaseModel], required: dict[str, Any], key: str, value: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        model.model_validate({**required, key: value})
    assert [error["loc"] for error in raised.value.errors()] == [(key,)]


def test_kubernetes_takes_the_request_limits_and_its_own_per_cluster_budget() -> None:
    config = KubernetesConfig.model_validate({"kubeconfig": "kube.yaml", "max_retries": 0, "request_timeout_seconds": 5})
    assert isinstance(config, RequestLimits) and not isinstance(config, HttpLimits)
    assert (config.max_retries, config.request_timeout_seconds, config.rate_limit_wait_budget_seconds) == (0, 5, 300)
    with pytest.raises(ValidationError):
        KubernetesConfig.model_validate({"kubeconfig": "kube.yaml", "max_rate_limit_wait_seconds": 10})
