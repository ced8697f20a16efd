"""What the workers of one Azure scan share: reads done once (ReadOnce) and one token (SharedToken)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from collectors.azure.credentials import REFRESH_MARGIN_SECONDS, SharedToken
from collectors.azure.shared import ReadOnce


def test_each_key_is_read_once_whichever_worker_needs_it_and_every_worker_gets_every_value() -> None:
    shared: ReadOnce[int, str] = ReadOnce()
    reads: list[int] = []
    start = threading.Barrier(4)
    results: list[list[str]] = []

    def read(key: int) -> str:
        reads.append(key)  # list.append is atomic
        return f"page {key}"

    def worker() -> None:
        start.wait()
        results.append(shared.get(list(range(20)), read))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(reads) == list(range(20))
    assert results == [[f"page {key}" for key in range(20)]] * 4


def test_a_read_that_failed_fails_for_every_worker_that_needs_it_and_is_not_repeated() -> None:
    shared: ReadOnce[str, str] = ReadOnce()
    reads: list[str] = []

    def read(key: str) -> str:
        reads.append(key)
        raise LookupError(key)

    for _ in range(2):
        with pytest.raises(LookupError):
            shared.get(["refused"], read)
    assert reads == ["refused"]


class _CountingCredential:
    """azure-identity's side, counted: a token valid for an hour, or `lifetime` seconds."""

    def __init__(self, lifetime: int = 3600) -> None:
        self.asked: list[tuple[tuple[str, ...], dict[str, Any]]] = []
        self.lifetime = lifetime

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.asked.append((scopes, kwargs))
        return AccessToken(f"token-{len(self.asked)}", int(time.time()) + self.lifetime)


def test_one_token_serves_every_client_until_it_is_close_to_expiry() -> None:
    credential = _CountingCredential()
    shared = SharedToken(credential)
    tokens = {shared.get_token("https://management.azure.com/.default").token for _ in range(5)}
    assert tokens == {"token-1"} and len(credential.asked) == 1
    shared.get_token("https://other/.default")  # another audience: a token of its own
    assert len(credential.asked) == 2

    expiring = _CountingCredential(lifetime=REFRESH_MARGIN_SECONDS - 1)
    renewing = SharedToken(expiring)
    assert renewing.get_token("s").token == "token-1" and renewing.get_token("s").token == "token-2"


def test_a_token_asked_with_claims_is_not_shared() -> None:
    credential = _CountingCredential()
    shared = SharedToken(credential)
    shared.get_token("s")
    assert shared.get_token("s", claims='{"access_token":{}}').token == "token-2"
    assert shared.get_token("s").token == "token-1"
