"""The GitLab client holds its requests in flight to `in_flight` however many threads ask: the
scan examines projects in twice as many threads (some unpack and detect while others wait on the
network) without sending more requests at once than limits.max_workers allows."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from collectors.gitlab.client import GitLabClient
from scanner.contract import RequestCounter
from tests.fakes.virtual_time import VirtualTimer


class _Counting(ThreadingHTTPServer):
    """Answers every GET with {} after 50 ms, and keeps the most requests it held at once."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Counting

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        with self.server.lock:
            self.server.now += 1
            self.server.most = max(self.server.most, self.server.now)
        time.sleep(0.05)
        with self.server.lock:
            self.server.now -= 1
        body = json.dumps({}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def counting() -> Iterator[_Counting]:
    server = _Counting()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _most_at_once(server: _Counting, in_flight: int | None) -> int:
    server.most = 0
    client = GitLabClient(f"http://127.0.0.1:{server.server_address[1]}", "glpat-x", in_flight=in_flight,
                          counter=RequestCounter(), timeout=10, max_retries=0, max_rate_limit_wait=0,
                          rate_limit_wait_budget=0, timer=VirtualTimer(time.time, lambda _seconds: None))
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: client.get("projects", f"/projects/{n}"), range(32)))
    finally:
        client.close()
    return server.most


def test_requests_in_flight_are_held_to_the_limit_whatever_the_threads(counting: _Counting) -> None:
    assert _most_at_once(counting, 2) == 2
    assert _most_at_once(counting, None) > 2  # eight threads unheld: more at once (the check can fail)
