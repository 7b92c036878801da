"""Counts, and only counts: requests by route and status, verdicts by outcome. Prometheus text format 0.0.4."""

from __future__ import annotations

import threading
from collections import Counter

__all__ = ["Metrics"]


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()
        self.verdicts: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()

    def request(self, route: str, status: int) -> None:
        with self._lock:
            self.requests[(route, str(status))] += 1

    def verdict(self, outcome: str) -> None:
        with self._lock:
            self.verdicts[outcome] += 1

    def text(self, chain_reads: tuple[int, int] = (0, 0)) -> str:
        """The counts; ``chain_reads``: registry reads answered from this process's cache, and asked of a chain."""
        with self._lock:
            lines = ["# HELP microcred_http_requests_total HTTP requests answered, by route and status.",
                     "# TYPE microcred_http_requests_total counter"]
            lines += [f'microcred_http_requests_total{{route="{route}",status="{status}"}} {count}'
                      for (route, status), count in sorted(self.requests.items())]
            lines += ["# HELP microcred_verifications_total Credentials verified, by verdict.",
                      "# TYPE microcred_verifications_total counter"]
            lines += [f'microcred_verifications_total{{outcome="{o}"}} {self.verdicts.get(o, 0)}'
                      for o in ("valid", "invalid", "unknown")]
            lines += ["# HELP microcred_chain_reads_total Registry reads, answered from this process's cache or "
                      "asked of a chain endpoint.", "# TYPE microcred_chain_reads_total counter",
                      f'microcred_chain_reads_total{{answered="cached"}} {chain_reads[0]}',
                      f'microcred_chain_reads_total{{answered="asked"}} {chain_reads[1]}']
        return "\n".join(lines) + "\n"
