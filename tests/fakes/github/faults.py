"""GitHub's faults: the kit's (errors, delays, drops, rate limits) worded as GitHub words them,
plus secondary rate limits and a next-page link that points back at the page just served."""

from __future__ import annotations

from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.faults import Fault, Faults, PathMatch, as_matcher

_RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
_ERROR_PAGE = b"<!DOCTYPE html>\n<html><head><title>Unicorn! &middot; GitHub</title></head><body>No server is currently available to service your request.</body></html>\n"


class GitHubErrors:
    def error(self, request: Request, status: int, reason: str | None, html: bool) -> Response:
        if html:  # a proxy's, or GitHub's own unicorn page
            return Response(status, _ERROR_PAGE, {"Content-Type": "text/html; charset=utf-8"})
        return json_response({"message": reason or "Server Error"}, status)

    def rate_limited(self, request: Request, status: int) -> Response:
        body = {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
            "again. If you reach out to GitHub Support for help, please include the request ID FAKE:0000.",
            "documentation_url": f"{_RATE_DOCS}#about-secondary-rate-limits",
            "status": str(status),
        }
        return json_response(body, status)


class GitHubFaults(Faults):
    def __init__(self) -> None:
        super().__init__(GitHubErrors())

    def secondary_limit(
        self, route: str | PathMatch = "*", retry_after: int | None = 1, status: int = 403, every: int = 1,
        times: int | None = 1,
    ) -> Fault:
        """GitHub's secondary-rate-limit answer (403 by default), with Retry-After unless None (GitHub
        often sends none); the primary budget's headers come with it, as on every answer."""
        return self.rate_limit(route, status=status, retry_after=retry_after, every=every, times=times)

    def link_loop(self, route: str | PathMatch = "*", times: int | None = None) -> Fault:
        """Answer normally, but with a `Link: rel="next"` pointing at the page just served."""
        return self.add(Fault("link_loop", as_matcher(route), 1, None, times))
