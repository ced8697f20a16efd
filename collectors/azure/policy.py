"""The pipeline step that makes every Azure SDK request wait, retry and count through pecm's policy.

It takes the place of azure-core's RetryPolicy (which sleeps in real time and knows nothing of
other workers): throttling (429 with `Retry-After`) pauses the whole source through the shared
`RateGate`, 5xx answers and network errors are retried with back-off on the context's timer,
and every request sent is counted per endpoint family.
"""

from __future__ import annotations

from datetime import datetime, timezone

from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HTTPPolicy

from collectors.http_policy import RateGate, Refusal, retry_after
from scanner.contract import RequestCounter, Timer

RETRY_BACKOFF_SECONDS = 0.5  # doubled on each retry of a 5xx or network error
_RESOURCE = "arm"  # ARM throttles reads per identity and subscription; one gate keeps it simple


class Throttled(Exception):
    """The source stopped waiting for throttling (the wait would pass the configured limits)."""

    def __init__(self, until: float) -> None:
        super().__init__(f"throttled by Azure Resource Manager until {datetime.fromtimestamp(until, timezone.utc):%H:%M:%S} UTC")


class GatedRetryPolicy(HTTPPolicy):  # type: ignore[type-arg]
    def __init__(self, gate: RateGate, timer: Timer, counter: RequestCounter, max_retries: int) -> None:
        super().__init__()
        self._gate = gate
        self._timer = timer
        self._counter = counter
        self._max_retries = max_retries

    def send(self, request: PipelineRequest) -> PipelineResponse:  # type: ignore[type-arg]
        family = endpoint_family(request.http_request.url)
        failures = 0
        while True:
            closed_until = self._gate.before(_RESOURCE)
            if closed_until is not None:
                raise Throttled(closed_until)
            try:
                response = self.next.send(request)
            except (ServiceRequestError, ServiceResponseError):
                self._counter.add(family, sent=1)
                if failures >= self._max_retries:
                    raise
                self._timer.sleep(RETRY_BACKOFF_SECONDS * 2**failures)
                failures += 1
                continue
            self._counter.add(family, sent=1)
            status = response.http_response.status_code
            headers = {name.lower(): value for name, value in response.http_response.headers.items()}
            if status == 429:
                self._gate.refused(_RESOURCE, Refusal(primary=False, retry_after=retry_after(headers), reset=None))
                continue
            self._gate.succeeded(_RESOURCE)
            if status >= 500 and failures < self._max_retries:
                self._timer.sleep(retry_after(headers) or RETRY_BACKOFF_SECONDS * 2**failures)
                failures += 1
                continue
            return response


def endpoint_family(url: str) -> str:
    """The resource type a request reads: 'azure:policyassignments' for
    …/providers/Microsoft.Authorization/policyAssignments?…, 'azure:subscriptions' for /subscriptions."""
    segments = url.split("?", 1)[0].split("://", 1)[-1].lower().strip("/").split("/")[1:]  # next links change casing
    if "providers" in segments:
        after = segments[len(segments) - 1 - segments[::-1].index("providers") + 2 :]
        return f"azure:{after[0] if after else segments[-1]}"
    return f"azure:{segments[0] if segments else ''}"
