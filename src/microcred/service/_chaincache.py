"""The chain-read cache of one service process: what an endpoint said about an issuer's batches and statuses, kept
for a short time-to-live so the credentials of one issuer verified within seconds cost one read.

Only reads of the present are kept (a check ``at`` a past time always asks), only answers (a failed read is asked
again), and never what was submitted: the keys are registry, account, Merkle roots and status indexes, the values
what the chain answered. A credential revoked on the chain is seen revoked at most ``ttl`` seconds later."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["ChainReadCache"]


@dataclass(frozen=True, slots=True)
class _Held:
    until: float
    value: Any  # a Batch (or None: not anchored by that issuer), or (Status, StatusChange | None)
    block: int | None
    assurance: str


class ChainReadCache:
    """A ledger reader (``read(registry, account, roots, indexes, at=)``) over ``inner``, answering from what it
    holds when every root and index asked was read less than ``ttl`` seconds ago, else reading them all again (one
    request, as before: the status changes of an index are read with its batch)."""

    def __init__(self, inner: Any, *, ttl: float, clock: Callable[[], float], max_items: int = 200_000) -> None:
        self.inner, self.ttl, self.clock, self.max_items = inner, ttl, clock, max_items
        self._lock = threading.Lock()
        self._items: dict[tuple[Any, ...], _Held] = {}
        self.hits = self.misses = 0

    def read(self, registry: str, account: str, roots: Sequence[str], indexes: Sequence[int], *,
             at: datetime | None) -> Any:
        from microcred.registry.verify import LedgerState

        if at is not None or self.ttl <= 0:
            return self.inner.read(registry, account, roots, indexes, at=at)
        group = (registry.lower(), account.lower())
        keys = [(*group, "root", r) for r in roots] + [(*group, "index", i) for i in indexes]
        now = self.clock()
        with self._lock:
            held = [self._items.get(k) for k in keys]
            if all(h is not None and h.until > now for h in held):
                self.hits += 1
                return self._state(LedgerState, roots, indexes, held)  # type: ignore[arg-type]
            self.misses += 1
        state = self.inner.read(registry, account, roots, indexes, at=None)
        until = self.clock() + self.ttl
        fresh = [_Held(until, state.batches.get(r), state.block, state.assurance) for r in roots]
        fresh += [_Held(until, (state.statuses[i], state.changes.get(i)), state.block, state.assurance)
                  for i in indexes]
        with self._lock:
            if len(self._items) + len(keys) > self.max_items:
                self._items = {k: h for k, h in self._items.items() if h.until > now}
                if len(self._items) + len(keys) > self.max_items:
                    self._items.clear()
            self._items.update(zip(keys, fresh))
        return state

    @staticmethod
    def _state(cls: Any, roots: Sequence[str], indexes: Sequence[int], held: list[_Held]) -> Any:
        """The state the held answers make: the oldest block they were read at, and the weakest assurance."""
        blocks = [h.block for h in held]
        assurances = {h.assurance for h in held}
        by_index = dict(zip(indexes, held[len(roots):]))
        return cls(batches={r: h.value for r, h in zip(roots, held)},
                   statuses={i: h.value[0] for i, h in by_index.items()},
                   changes={i: h.value[1] for i, h in by_index.items() if h.value[1] is not None},
                   block=None if None in blocks or not blocks else min(b for b in blocks if b is not None),
                   assurance=assurances.pop() if len(assurances) == 1 else "trusted")
