"""The generic parts of every fake service, so that a fake holds only its service's shapes.

- `transport.HttpServer`: a threaded HTTP/1.1 server on 127.0.0.1, plain or TLS (a throwaway CA).
- `exchange`: `Request`, `Response`, `json_response`.
- `exchanges`: every `Exchange` (request, route name, status, fake time) and per-route counts.
- `faults.Faults`: error answers in the service's shape (its `ErrorShapes`), dropped connections,
  slow answers, rate limits with or without Retry-After, fixed answers; served in order.
- `clock.FakeClock`: real time plus an offset, or standing still; `timer()` gives a collector a
  `VirtualTimer` on it, so its waits move the fake's time instead of taking any.
- `routes.RouteTable`: method + path template ("{name}", "{name+}") -> handler and route name.

A fake composes them: `HttpServer(self._handle)`, and in `_handle` intercept faults, route,
answer, record the exchange. `tests/fakes/session_fixture.py` turns a fake with `reset()` and
`stop()` into a session-wide pytest fixture.
"""
