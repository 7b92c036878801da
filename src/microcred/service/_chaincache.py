"""The chain-read cache of one service process: what an endpoint said about an issuer's batches and statuses, kept
for a short time-to-live so the credentials of one issuer verified within seconds cost one read.

Only reads of the present are kept (a check ``at`` a past time or block always asks), only answers (a failed read is
asked again), and never what was submitted: the keys are registry, account, Merkle roots and status indexes, the values
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
    holds when every root and index asked was read less than ``ttl`` seconds ago. Otherwise it reads them all again
    in one request (the status changes of an index are read with its batch), with the roots and indexes of that
    issuer asked in the last ``2 * ttl`` seconds (at most ``refresh_limit``): one request a ``ttl`` per issuer,
    however many of its credentials are verified, instead of one per credential."""

    def __init__(self, inner: Any, *, ttl: float, clock: Callable[[], float], max_items: int = 200_000,
                 refresh_limit: int = 256) -> None:
        self.inner, self.ttl, self.clock = inner, ttl, clock
        self.max_items, self.refresh_limit = max_items, refresh_limit
        self._lock = threading.Lock()
        #: (registry, account) -> ("root", r) | ("index", i) -> what was read, and when each was last asked
        self._groups: dict[tuple[str, str], dict[tuple[str, Any], _Held]] = {}
        self._asked: dict[tuple[str, str], dict[tuple[str, Any], float]] = {}
        self._count = 0
        self.hits = self.misses = 0

    def read(self, registry: str, account: str, roots: Sequence[str], indexes: Sequence[int], *,
             at: datetime | None, block: int | None = None) -> Any:
        if at is not None or block is not None or self.ttl <= 0:
            return self.inner.read(registry, account, roots, indexes, at=at, block=block)
        group = (registry.lower(), account.lower())
        keys = [("root", r) for r in roots] + [("index", i) for i in indexes]
        now = self.clock()
        with self._lock:
            held, asked = self._groups.setdefault(group, {}), self._asked.setdefault(group, {})
            asked.update(dict.fromkeys(keys, now))
            current = [h for h in (held.get(k) for k in keys) if h is not None and h.until > now]
            if len(current) == len(keys):
                self.hits += 1
                return _state(roots, indexes, current)
            self.misses += 1
            wanted = set(keys)
            along = [k for k, when in sorted(asked.items(), key=lambda kv: -kv[1])
                     if k not in wanted and when > now - 2 * self.ttl][:self.refresh_limit]
            for k in [k for k, when in asked.items() if when <= now - 2 * self.ttl]:
                del asked[k]
        read_roots = list(roots) + [k[1] for k in along if k[0] == "root"]
        read_indexes = list(indexes) + [k[1] for k in along if k[0] == "index"]
        state = self.inner.read(registry, account, read_roots, read_indexes, at=None)
        until = self.clock() + self.ttl
        fresh = {("root", r): _Held(until, state.batches.get(r), state.block, state.assurance) for r in read_roots}
        fresh.update({("index", i): _Held(until, (state.statuses[i], state.changes.get(i)), state.block,
                                          state.assurance) for i in read_indexes})
        with self._lock:
            held = self._groups.setdefault(group, {})
            self._count += len(set(fresh) - set(held))
            if self._count > self.max_items:
                self._groups, self._asked, self._count = {group: {}}, {group: {}}, len(fresh)
                held = self._groups[group]
            held.update(fresh)
        return _state(roots, indexes, [fresh[k] for k in keys])


def _state(roots: Sequence[str], indexes: Sequence[int], held: list[_Held]) -> Any:
    """The state the held answers make: the oldest block they were read at, and the weakest assurance."""
    from microcred.registry.verify import LedgerState

    blocks = [h.block for h in held]
    assurances = {h.assurance for h in held}
    by_index = dict(zip(indexes, held[len(roots):]))
    return LedgerState(batches={r: h.value for r, h in zip(roots, held)},
                       statuses={i: h.value[0] for i, h in by_index.items()},
                       changes={i: h.value[1] for i, h in by_index.items() if h.value[1] is not None},
                       block=None if None in blocks or not blocks else min(b for b in blocks if b is not None),
                       assurance=assurances.pop() if len(assurances) == 1 else "trusted")
