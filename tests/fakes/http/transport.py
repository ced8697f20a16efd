"""A threaded HTTP/1.1 server on 127.0.0.1, plain or TLS, turning sockets into `Request`s.

TLS uses a throwaway CA made per server (trustme), for clients that refuse plain http with a
token (azure-core) or always speak https (kubernetes): tests hand the client `ca_pem`.
`wait_idle` lets a fake's reset wait for answers still being written (a slow answer the client
gave up on), so one test's requests never land in the next test's log.
"""

from __future__ import annotations

import base64
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from .exchange import Request, Response

logger = logging.getLogger(__name__)

Handler = Callable[[Request], "Response | None"]  # None: drop the connection without a status line


class HttpServer:
    def __init__(self, handle: Handler, *, name: str, tls: bool = False, server_header: str = "fake") -> None:
        self._handle = handle
        self.name = name
        self._server = _Server(("127.0.0.1", 0), _handler_class(self._serve, name, server_header))
        self._ca: object | None = None
        if tls:
            import trustme  # only the TLS fakes need it

            ca = trustme.CA()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1").configure_cert(context)
            self._server.tls = context
            self._ca = ca
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_port}"
        self._thread: threading.Thread | None = None
        self._handling = 0
        self._quiet = threading.Condition()

    @property
    def ca_pem(self) -> bytes:
        """The CA certificate a client must trust (TLS servers only)."""
        if self._ca is None:
            raise RuntimeError(f"{self.name} serves plain http: there is no CA to trust")
        pem: bytes = self._ca.cert_pem.bytes()  # type: ignore[attr-defined]
        return pem

    def write_ca(self, path: Path) -> Path:
        path.write_bytes(self.ca_pem)
        return path

    def ca_data(self) -> str:
        """The CA as a kubeconfig's `certificate-authority-data` (base64 of the PEM)."""
        return base64.b64encode(self.ca_pem).decode()

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    @contextmanager
    def running(self) -> Iterator[HttpServer]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def wait_idle(self, timeout: float = 30) -> None:
        """Wait until no request is being answered."""
        with self._quiet:
            self._quiet.wait_for(lambda: self._handling == 0, timeout=timeout)

    def _serve(self, request: Request) -> Response | None:
        with self._quiet:
            self._handling += 1
        try:
            return self._handle(request)
        finally:
            with self._quiet:
                self._handling -= 1
                self._quiet.notify_all()


def _handler_class(
    serve: Handler, name: str, server_header: str
) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as clients' connection pools expect
        disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls
        server_version = server_header
        sys_version = ""

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer()

        def do_POST(self) -> None:  # noqa: N802
            self._answer()

        def do_PUT(self) -> None:  # noqa: N802
            self._answer()

        def do_PATCH(self) -> None:  # noqa: N802
            self._answer()

        def do_DELETE(self) -> None:  # noqa: N802
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=parts.path,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers={key.lower(): value for key, value in self.headers.items()},
                body=body,
            )
            response = serve(request)
            if response is None:  # a dropped connection: close without a status line
                self.close_connection = True
                return
            try:
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if response.body:
                    self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):  # the client gave up (timeout, cancelled scan)
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            logger.debug(f"{name}: " + format, *args)

    return RequestHandler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Each connection's TLS handshake is made in that connection's thread, as a real server makes
    # them side by side: made while accepting, a pool's connections waited for each other's.
    tls: ssl.SSLContext | None = None

    def finish_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:  # type: ignore[override]
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            secured = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):  # a client that gave up, or does not trust the CA
            logger.debug("TLS handshake with %s failed", client_address, exc_info=True)
            return
        try:
            super().finish_request(secured, client_address)
        finally:
            secured.close()

    def handle_error(self, request: object, client_address: object) -> None:
        # a client that vanishes mid-request is normal in fault tests; keep it out of the test output
        logger.debug("connection from %s failed", client_address, exc_info=True)
