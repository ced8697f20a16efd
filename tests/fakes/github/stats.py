"""GitHub's request counters on top of the kit's exchange log: what each request was charged.

`requests` counts every request received; `charged` counts REST requests charged against a
token's primary budget: every authenticated request the fake answered, except 304s, `/rate_limit`,
codeload downloads, rate-limit rejections and injected faults (GitHub does not charge 304s or
`/rate_limit`; a rejected or failed request did no work). GraphQL requests charge their point
cost into `graphql_cost` instead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tests.fakes.http.exchanges import Exchange, Exchanges


@dataclass(frozen=True)
class RequestRecord(Exchange):
    charged: bool = False
    cost: int = 0  # GraphQL points charged; 0 for REST
    token: str | None = None

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def query(self) -> str:
        return self.request.query_string

    @property
    def family(self) -> str:
        return self.route

    @property
    def api_version(self) -> str | None:
        """The X-GitHub-Api-Version header sent, if any."""
        return self.request.headers.get("x-github-api-version")


@dataclass
class Stats(Exchanges):
    requests: int = 0
    charged: int = 0
    graphql_cost: int = 0
    by_family: Counter[str] = field(default_factory=Counter)
    charged_by_family: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        super().__init__()

    @property
    def log(self) -> list[RequestRecord]:
        return [entry for entry in self.all() if isinstance(entry, RequestRecord)]

    def record(self, entry: Exchange) -> None:
        super().record(entry)
        assert isinstance(entry, RequestRecord)
        with self._lock:
            self.requests += 1
            self.by_family[entry.family] += 1
            if entry.charged:
                self.charged_by_family[entry.family] += 1
                if entry.family == "graphql":
                    self.graphql_cost += entry.cost
                else:
                    self.charged += 1

    def for_family(self, family: str) -> list[RequestRecord]:
        return [entry for entry in self.log if entry.family == family]

    def clear(self) -> None:
        super().clear()
        with self._lock:
            self.requests = self.charged = self.graphql_cost = 0
            self.by_family.clear()
            self.charged_by_family.clear()
