"""GitHubConfig: defaults, validation and what it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from collectors.github import GitHubConfig


def test_defaults_scan_github_com_with_a_token() -> None:
    config = GitHubConfig(organizations=["acme"])
    assert config.base_url == "https://api.github.com" and config.token_env == "GITHUB_TOKEN" and config.app is None
    assert (config.include_archived, config.include_forks, config.window_days) == (False, False, 90)
    assert config.platform_team == "platform*" and config.graphql_batch_size == 21


def test_enterprise_server_base_url_and_app_settings() -> None:
    config = GitHubConfig.model_validate(
        {
            "organizations": ["acme", "acme"],
            "base_url": "https://ghe.example.test/api/v3/",
            "app": {"app_id": 12, "private_key_file": "keys/app.pem"},
        }
    )
    assert config.base_url == "https://ghe.example.test/api/v3"
    assert config.organizations == ["acme"]
    assert config.app is not None and config.app.private_key_file == Path("keys/app.pem")
    assert config.app.installation_id is None


@pytest.mark.parametrize(
    "settings",
    [
        {"organizations": []},
        {"organizations": ["acme/repo"]},
        {"organizations": ["acme"], "base_url": "ftp://example.test"},
        {"organizations": ["acme"], "base_url": "api.github.com"},
        {"organizations": ["acme"], "tokn_env": "X"},
        {"organizations": ["acme"], "graphql_batch_size": 0},
        {"organizations": ["acme"], "request_timeout_seconds": 0},
        {"organizations": ["acme"], "app": {"app_id": 1}},
    ],
)
def test_bad_settings_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        GitHubConfig.model_validate(settings)


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8080", "http://127.8.9.10/api/v3", "http://[::1]:9000", "http://localhost:8000"]
)
def test_plain_http_is_accepted_on_this_machine(base_url: str) -> None:
    assert GitHubConfig.model_validate({"organizations": ["acme"], "base_url": base_url}).base_url == base_url


def test_plain_http_elsewhere_would_send_the_token_in_clear_unless_explicitly_allowed() -> None:
    settings: dict[str, Any] = {"organizations": ["acme"], "base_url": "http://ghe.example.test/api/v3"}
    with pytest.raises(ValidationError, match="plain http:// would send the token in clear"):
        GitHubConfig.model_validate(settings)
    with pytest.raises(ValidationError, match="in clear"):
        GitHubConfig.model_validate({**settings, "base_url": "http://10.0.0.7/api/v3"})
    assert GitHubConfig.model_validate({**settings, "allow_insecure_http": True}).base_url == settings["base_url"]
