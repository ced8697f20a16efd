"""The GitHub clients of one scan: one for a token, or for a GitHub App one per installation
(an App acts in each account as the installation there, found by asking the App)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collectors.githost.cache import ConditionalStore
from collectors.github import credentials
from collectors.github.client import ApiError, Credential, GitHubClient
from collectors.github.config import GitHubConfig
from scanner.contract import CollectContext

if TYPE_CHECKING:
    from github import Auth


class ScanClients:
    """Makes the client each account is read with, and closes every one it made."""

    def __init__(self, ctx: CollectContext, config: GitHubConfig, conditional: ConditionalStore | None) -> None:
        self._ctx = ctx
        self._config = config
        self._conditional = conditional
        self._made: list[GitHubClient] = []
        self._shared: GitHubClient | None = None  # every account's, unless an App must look up each installation
        self._app: Auth.AppAuth | None = None
        if config.app is None:
            self._shared = self._client(credentials.token_auth(ctx, config))
        else:
            self._app = credentials.app_auth(ctx, config)
            if config.app.installation_id is not None:
                self._shared = self._client(self._app.get_installation_auth(config.app.installation_id))

    def for_account(self, login: str) -> GitHubClient:
        """The client that reads `login`; ApiError when the App's installation there cannot be found."""
        if self._shared is not None:
            return self._shared
        assert self._app is not None
        as_app = self._client(self._app)
        try:
            installation = as_app.get("app", f"/orgs/{login}/installation").data
        except ApiError as exc:
            if exc.status != 404:
                raise
            installation = as_app.get("app", f"/users/{login}/installation").data
        return self._client(self._app.get_installation_auth(int(installation["id"])))

    def close(self) -> None:
        for client in self._made:
            client.close()

    def _client(self, auth: Credential) -> GitHubClient:
        config = self._config
        client = GitHubClient(
            config.base_url,
            auth,
            counter=self._ctx.requests,
            timeout=config.request_timeout_seconds,
            max_retries=config.max_retries,
            max_rate_limit_wait=config.max_rate_limit_wait_seconds,
            rate_limit_wait_budget=config.rate_limit_wait_budget_seconds,
            timer=self._ctx.timer,
            conditional=self._conditional,
        )
        self._made.append(client)
        return client
