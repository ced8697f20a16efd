"""How the collector proves who it is: a token from the environment, or a GitHub App's key.

The token is read through `ctx.secret` only (the pipeline redacts what it hands out) and sent
as the client's own header; App installation tokens are minted by PyGithub, which logs their issuing answer at DEBUG, so a
filter on its logger scrubs anything shaped like a GitHub token before any handler sees it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from collectors.github.client import TokenAuth
from collectors.github.config import GitHubConfig
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable, read_user_text

if TYPE_CHECKING:
    from github import Auth

REDACTED = "***"

# ghp_/gho_/ghu_/ghs_/ghr_ tokens, fine-grained github_pat_ tokens, and JSON "token" values.
_TOKEN_SHAPES = re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{20,})")
_TOKEN_FIELD = re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+(['"])""")


class _TokenScrubber(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = _TOKEN_FIELD.sub(rf"\g<1>{REDACTED}\g<2>", _TOKEN_SHAPES.sub(REDACTED, message))
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def scrub_pygithub_logs() -> None:
    """Install the scrubber on PyGithub's request logger (once per process).

    PyGithub also attaches its own stderr handler to the `github` logger at import, which would
    print past the CLI's handler and its redaction: its records go to the root handlers instead.
    """
    pygithub = logging.getLogger("github")
    pygithub.handlers.clear()
    pygithub.setLevel(logging.NOTSET)
    logger = logging.getLogger("github.Requester")
    if not any(isinstance(existing, _TokenScrubber) for existing in logger.filters):
        logger.addFilter(_TokenScrubber())


def token_auth(ctx: CollectContext, config: GitHubConfig) -> TokenAuth:
    token = ctx.secret(config.token_env)
    if not token:
        raise SourceUnavailable(
            f"github: environment variable {config.token_env} is not set",
            hint="export a fine-grained read-only token in it, or configure a GitHub App",
        )
    return TokenAuth(token)


_MAX_KEY_BYTES = 64 * 1024


class _KeyUnreadable(SourceUnavailable):
    def __init__(self, message: str) -> None:
        super().__init__(message, hint="set app.private_key_file to the .pem file downloaded from the App's settings")


def app_auth(ctx: CollectContext, config: GitHubConfig) -> Auth.AppAuth:
    from github import Auth  # PyGithub loads for an App only: a token scan never needs it

    assert config.app is not None
    path = config.app.private_key_file
    path = path if path.is_absolute() else Path(ctx.base_dir) / path
    # A regular file of at most 64 KiB (a PEM key is about 2 KB): a FIFO or a device never blocks the scan.
    key = read_user_text(path, f"github: the GitHub App private key {path}", _KeyUnreadable, limit=_MAX_KEY_BYTES)
    app = Auth.AppAuth(config.app.app_id, key)
    try:
        app.create_jwt()
    except Exception as exc:  # PyJWT and cryptography raise several types for a bad key
        raise SourceUnavailable(
            f"github: the GitHub App private key {path} cannot sign ({type(exc).__name__})",
            hint="use the PEM private key generated in the App's settings",
        ) from None
    return app


def refused(config: GitHubConfig, detail: str) -> SourceUnavailable:
    if config.app is not None:
        return SourceUnavailable(
            f"github: GitHub App {config.app.app_id} was refused ({detail})",
            hint="check app.app_id, the private key and that the App is installed on the organization",
        )
    return SourceUnavailable(
        f"github: the token in {config.token_env} was refused ({detail})",
        hint="create a new fine-grained read-only token; it may have expired or been revoked",
    )
