"""Request counters and the per-request log tests assert on.

`requests` counts every request received; `charged` counts REST requests charged against a
token's primary budget: every authenticated request the fake answered, except 304s, `/rate_limit`,
codeload downloads, rate-limit rejections and injected faults (GitHub does not charge 304s or
`/rate_limit`; a rejected or failed request did no work). GraphQL requests charge their point
cost into `graphql_cost` instead.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: str
    family: str
    status: int  # 0 when the connection was dropped without a response
    charged: bool
    cost: int  # GraphQL points charged; 0 for REST
    token: str | None
    api_version: str | None = None  # the X-GitHub-Api-Version header sent, if any


@dataclass
class Stats:
    requests: int = 0
    charged: int = 0
    graphql_cost: int = 0
    by_family: Counter[str] = field(default_factory=Counter)
    charged_by_family: Counter[str] = field(default_factory=Counter)
    log: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self.requests += 1
            self.by_family[entry.family] += 1
            self.log.append(entry)
            if entry.charged:
                self.charged_by_family[entry.family] += 1
                if entry.family == "graphql":
                    self.graphql_cost += entry.cost
                else:
                    self.charged += 1

    def for_family(self, family: str) -> list[RequestRecord]:
        with self._lock:
            return [entry for entry in self.log if entry.family == family]

    def clear(self) -> None:
        with self._lock:
            self.requests = self.charged = self.graphql_cost = 0
            self.by_family.clear()
            self.charged_by_family.clear()
            self.log.clear()
