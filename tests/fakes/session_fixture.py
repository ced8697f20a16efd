"""A pytest fixture that starts one fake server per test session and resets it before each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

import pytest


class _Resettable(Protocol):
    def reset(self) -> None: ...

    def stop(self) -> None: ...


F = TypeVar("F", bound=_Resettable)


def session_fake_fixture(start: Callable[[], F]) -> Any:
    """A function-scoped fixture yielding the fake `start()` made on first use, reset for each test."""
    started: list[F] = []

    @pytest.fixture
    def fixture(request: pytest.FixtureRequest) -> Iterator[F]:
        if not started:
            fake = start()
            request.config.add_cleanup(fake.stop)
            started.append(fake)
        fake = started[0]
        fake.reset()
        yield fake

    return fixture
