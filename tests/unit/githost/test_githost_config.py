"""The settings every Git host's config shares (collectors/githost/config.py), same keys on GitHub and GitLab."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from collectors.githost.config import PRODUCTION_ENVIRONMENTS, GitHostConfig
from collectors.github.config import GitHubConfig
from collectors.gitlab.config import GitLabConfig

HOSTS: list[tuple[type[GitHostConfig], dict[str, Any]]] = [
    (GitHubConfig, {"organizations": ["acme"]}),
    (GitLabConfig, {"groups": ["acme"]}),
]
SHARED = {
    "include": ["svc-*"], "exclude": ["svc-old"], "topics": ["service"], "include_archived": True, "include_forks": True,
    "window_days": 30, "production_environments": ["prd"], "cache_max_age_days": 7, "max_retries": 1,
}


@pytest.mark.parametrize(("model", "required"), HOSTS)
def test_every_git_host_reads_the_shared_keys_alike(model: type[GitHostConfig], required: dict[str, Any]) -> None:
    config = model.model_validate({**required, **SHARED})
    assert {key: getattr(config, key) for key in SHARED} == SHARED
    assert model.model_validate(required).production_environments == list(PRODUCTION_ENVIRONMENTS)


@pytest.mark.parametrize(("model", "required"), HOSTS)
def test_allow_insecure_http_is_read_before_the_hosts_base_url(model: type[GitHostConfig], required: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="token in clear"):
        model.model_validate({**required, "base_url": "http://git.example.test"})
    allowed = model.model_validate({**required, "base_url": "http://git.example.test/", "allow_insecure_http": True})
    assert allowed.model_dump()["base_url"] == "http://git.example.test"


@pytest.mark.parametrize(("model", "required"), HOSTS)
def test_a_misspelt_shared_key_is_refused(model: type[GitHostConfig], required: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as raised:
        model.model_validate({**required, "include_fork": True})
    assert [error["loc"] for error in raised.value.errors()] == [("include_fork",)]
