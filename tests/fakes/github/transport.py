"""The HTTP side: a threaded HTTP/1.1 server that turns sockets into `Request`s for the `Api`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .exchange import Request, Response

logger = logging.getLogger(__name__)

Handler = Callable[[Request], "Response | None"]


def make_server(handle: Handler) -> ThreadingHTTPServer:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as clients' connection pools expect
        disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls
        server_version = "GitHub.com"
        sys_version = ""

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=parts.path,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
            )
            response = handle(request)
            if response is None:  # an injected dropped connection: close without a status line
                self.close_connection = True
                return
            try:
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if response.body:
                    self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout, cancelled scan)
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            logger.debug("fake github: " + format, *args)

    return _Server(("127.0.0.1", 0), RequestHandler)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # a client that vanishes mid-request is normal in fault tests; keep it out of the test output
        logger.debug("fake github: connection from %s failed", client_address, exc_info=True)
