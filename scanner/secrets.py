"""Secrets come from the environment by name and never leave the process in clear.

Every value handed out is remembered so that logs and problem messages can be scrubbed of it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

REDACTED = "***"


class SecretStore:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self._values: set[str] = set()

    def get(self, variable: str) -> str | None:
        value = self._environ.get(variable) or None
        if value:
            self._values.add(value)
        return value

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text


class RedactingFilter(logging.Filter):
    """Scrubs handed-out secrets from every record that reaches a handler."""

    def __init__(self, store: SecretStore) -> None:
        super().__init__()
        self._store = store

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._store.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        # Another handler may have formatted the traceback first: its cached text is scrubbed too.
        if record.exc_text:
            record.exc_text = self._store.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._store.redact(record.stack_info)
        return True
