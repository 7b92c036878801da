"""Index allocation: durable, never reused status index reservations per batch, and what the issuer's records say of
an index.

Part of batch issuance: see :mod:`microcred.registry.issuance._batch`.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from microcred._files import write_json_atomic
from microcred.errors import InvalidInputError, MicrocredError
from microcred.registry.issuance._build import learner_name
from microcred.registry.issuance._common import (
    STATE_FORMAT,
    BatchConflictError,
    _iso,
    _read_journal,
)

__all__ = [
    "IndexAllocator",
    "IndexRange",
]


# -- index allocation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexRange:
    """``count`` consecutive status indexes from ``first``."""

    first: int
    count: int

    @property
    def last(self) -> int:
        return self.first + self.count - 1

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and self.first <= index < self.first + self.count

    def __str__(self) -> str:
        return f"{self.first}-{self.last}" if self.count > 1 else str(self.first)


@contextlib.contextmanager
def _file_lock(path: Path, *, what: str, wait: bool = False) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (created if needed) for the duration of the block.

    With ``wait`` the caller blocks until the lock is free; otherwise :class:`BatchConflictError` if it is taken.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BatchConflictError(f"{what} is in use by another microcred process ({path}); wait for it to "
                                     "finish") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class IndexAllocator:
    """Hands out status indexes so that none is ever used twice, crash or not.

    State (``<home>/issuers/NAME.state.json``)::

        {"format": "microcred-index-state", "version": 1, "nextIndex": 1200,
         "batches": {"<batch id>": {"first": 1000, "count": 200, "reservedAt": "…", "journal": "<path>"|null}}}

    :meth:`reserve` is idempotent per batch id and durable (fsync) before it returns; ``nextIndex`` only grows.
    A process lock keeps two concurrent issuers of the same profile from reading the same ``nextIndex``.
    """

    def __init__(self, path: str | os.PathLike[str], *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: datetime.now(UTC))

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        return _file_lock(self.path.with_name(self.path.name + ".lock"), what=f"index state {self.path}", wait=True)

    def _read(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": STATE_FORMAT, "version": 1, "nextIndex": 0, "batches": {}}
        except ValueError as exc:
            raise MicrocredError(f"index state {self.path} is damaged ({exc}); restore it from a backup — never "
                                 "start it again at 0, or status indexes would be reused") from None
        next_index = state.get("nextIndex") if isinstance(state, dict) else None
        if (not isinstance(state, dict) or state.get("format") != STATE_FORMAT or not isinstance(next_index, int)
                or isinstance(next_index, bool) or next_index < 0 or not isinstance(state.get("batches"), dict)):
            raise MicrocredError(f"{self.path} is not a microcred index state file")
        return state

    @property
    def next_index(self) -> int:
        """The first index no batch has reserved."""
        return int(self._read()["nextIndex"])

    def reservation(self, batch_id: str) -> tuple[IndexRange, str | None] | None:
        """(range, journal path or None) reserved for ``batch_id``, or ``None``."""
        entry = self._read()["batches"].get(batch_id)
        if entry is None:
            return None
        return IndexRange(entry["first"], entry["count"]), entry.get("journal")

    def reserve(self, batch_id: str, count: int) -> IndexRange:
        """The range of ``count`` indexes of ``batch_id``: reserved now (durably) or earlier by the same batch."""
        if count < 1:
            raise InvalidInputError(f"cannot reserve {count} indexes")
        with self._lock():
            state = self._read()
            entry = state["batches"].get(batch_id)
            if entry is not None:
                if entry["count"] != count:
                    raise BatchConflictError(f"batch {batch_id[:16]} reserved {entry['count']} indexes before, "
                                             f"not {count}")
                return IndexRange(entry["first"], entry["count"])
            first = state["nextIndex"]
            state["nextIndex"] = first + count
            state["batches"][batch_id] = {"first": first, "count": count, "reservedAt": _iso(self._clock()),
                                          "journal": None}
            write_json_atomic(self.path, state, indent=None)
            return IndexRange(first, count)

    def bind(self, batch_id: str, journal: Path) -> None:
        """Record that the batch journal (which now holds the row → index map) is written."""
        with self._lock():
            state = self._read()
            entry = state["batches"].get(batch_id)
            if entry is None:
                raise MicrocredError(f"batch {batch_id[:16]} has no reservation in {self.path}")
            if entry.get("journal") == str(journal):
                return
            entry["journal"] = str(journal)
            write_json_atomic(self.path, state, indent=None)

    def holders(self, indexes: Sequence[int]) -> dict[int, dict[str, Any]]:
        """What the issuer's own records say of each of ``indexes``: ``learner`` (name, from the credential file when
        it is there), ``course``, ``file`` (None when unknown). An index no batch of this state reserved is left out.
        Reads only; a missing or damaged batch journal leaves its indexes with what the state knows."""
        wanted = set(indexes)
        found: dict[int, dict[str, Any]] = {}
        for entry in self._read()["batches"].values():
            covered = wanted & set(range(entry["first"], entry["first"] + entry["count"]))
            if not covered:
                continue
            journal_path = Path(entry["journal"]) if entry.get("journal") else None
            journal = None
            if journal_path is not None:
                with contextlib.suppress(OSError, ValueError, BatchConflictError):
                    journal = _read_journal(journal_path)
            rows = {e["index"]: e for e in (journal or {}).get("entries", [])}
            for index in covered:
                row = rows.get(index)
                file = journal_path.parent / row["file"] if row and journal_path else None
                found[index] = {"learner": learner_name(file) if file else None, "file": str(file) if file else None,
                                "course": (journal or {}).get("course")}
        return found
