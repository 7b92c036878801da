"""An issuer's timeline: every on-chain change that matters to an auditor, from several sources, in chain order.

Three sources feed it, each turned into :class:`TimelineEntry` values by its own adapter:

``credentials``
    The CredentialRegistry history of the issuer (:meth:`RegistryClient.history`), adapted here by
    :func:`from_registry_events`: batches anchored, credentials revoked / suspended / reinstated, operators
    authorised.
``did``
    Key and delegate changes of the issuer's DID in an ERC-1056 registry, built elsewhere (``microcred.did``).
``accreditation``
    Accreditations granted to or withdrawn from the issuer, built elsewhere.

:func:`merge_timelines` puts entries of any sources in chain order, ``(block, log_index)``.

Status replay
-------------
:func:`status_at` and :func:`statuses_at` answer "what was the status of credential *i* at time *T*?" from an
issuer's registry events alone: one history walk (done by the caller, one ``eth_getLogs`` per changed block) and an
in-memory replay, O(events + indexes), with no further RPC. A credential is ``unknown`` before a batch covering its
index was anchored, ``active`` afterwards, and then follows its status changes. Events at time ``T`` count
(the answer is the state at the end of the last block whose timestamp is ``<= T``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, get_args
from collections.abc import Iterable, Mapping, Sequence

from microcred.errors import InvalidInputError
from microcred.registry.ledger._client import HistoryEvent, reason_label

__all__ = [
    "SOURCES",
    "CredentialStatus",
    "Source",
    "StatusReplay",
    "TimelineEntry",
    "format_indexes",
    "from_registry_events",
    "iso_date",
    "merge_timelines",
    "status_at",
    "statuses_at",
]

Source = Literal["credentials", "did", "accreditation"]
CredentialStatus = Literal["unknown", "active", "suspended", "revoked"]

#: the sources of a timeline, in the order reports list them
SOURCES: tuple[str, ...] = get_args(Source)
_SOURCES = SOURCES
_TX_HASH = re.compile(r"^0x[0-9a-f]{64}$")
#: registry event kinds that change a credential's status, and the status each one sets
_STATUS_KINDS: dict[str, CredentialStatus] = {"revoked": "revoked", "suspended": "suspended", "reinstated": "active"}


@dataclass(frozen=True)
class TimelineEntry:
    """One change on the chain, as an auditor reads it.

    Fields common to every source:

    ``time``       block timestamp, unix seconds (``None`` when the history was read without times)
    ``block``      block number
    ``tx_hash``    ``0x`` + 64 lower-case hex digits: the transaction anyone can re-check with any RPC
    ``log_index``  position of the event's log in its block (entries sort by ``(block, log_index)``)
    ``source``     ``"credentials"`` | ``"did"`` | ``"accreditation"``
    ``kind``       what happened, a short kebab-case word of the source
    ``summary``    one plain sentence for people
    ``details``    JSON-compatible facts behind the sentence (str keys; str, int, bool, None, lists, dicts)

    Kinds and details by source:

    ``credentials`` (built by :func:`from_registry_events`; every one has ``issuer`` and ``previous_change``)
        ``anchored``            ``root``, ``first_index``, ``count``, ``last_index``
        ``revoked`` / ``suspended`` / ``reinstated``
                                ``indexes`` (list of int), ``count``, ``reason`` (code), ``reason_label``
        ``operator-authorized`` ``operator``, ``valid_until`` (unix seconds; 0 = withdrawn)
    ``did`` (ERC-1056 registry; built by the DID package)
        ``owner-changed``       ``identity``, ``owner``
        ``delegate-added`` / ``delegate-revoked``
                                ``identity``, ``delegate_type`` (e.g. ``veriKey``, ``sigAuth``), ``delegate``,
                                ``valid_to`` (unix seconds)
        ``attribute-changed``   ``identity``, ``name`` (e.g. ``did/pub/Ed25519/veriKey/base58``), ``value``,
                                ``valid_to``
    ``accreditation`` (built by the accreditation package)
        ``accreditation-granted`` / ``accreditation-withdrawn``
                                ``body`` (the accrediting body's account or DID), ``scope`` (what kind of
                                credential), ``valid_until`` (unix seconds, when granted)

    The audit report reads only the common fields of ``did`` and ``accreditation`` entries and shows their
    ``summary``; their ``details`` are carried into the JSON as they are.
    """

    time: int | None
    block: int
    tx_hash: str
    log_index: int
    source: Source
    kind: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.source not in _SOURCES:
            raise InvalidInputError(f"a timeline entry's source is one of {', '.join(_SOURCES)}, not {self.source!r}")
        for name in ("block", "log_index"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidInputError(f"a timeline entry's {name} is a whole number >= 0, not {value!r}")
        if self.time is not None and (isinstance(self.time, bool) or not isinstance(self.time, int) or self.time < 0):
            raise InvalidInputError(f"a timeline entry's time is unix seconds or None, not {self.time!r}")
        if not isinstance(self.tx_hash, str) or not _TX_HASH.match(self.tx_hash):
            raise InvalidInputError(
                f"a timeline entry's tx_hash is 0x and 64 lower-case hex digits, not {self.tx_hash!r}")
        if not isinstance(self.kind, str) or not self.kind:
            raise InvalidInputError("a timeline entry needs a kind")
        if not isinstance(self.summary, str):
            raise InvalidInputError("a timeline entry's summary is text")
        if not isinstance(self.details, dict):
            raise InvalidInputError("a timeline entry's details are a dict")

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.block, self.log_index)

    @property
    def when(self) -> datetime | None:
        """The block time as an aware UTC datetime."""
        return None if self.time is None else datetime.fromtimestamp(self.time, timezone.utc)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``time`` in unix seconds (the chain's own number) and ``date``, the same instant in
        ISO 8601 UTC for people (``None`` without a time)."""
        return {"time": self.time, "date": None if self.time is None else iso_date(self.time),
                "block": self.block, "tx_hash": self.tx_hash, "log_index": self.log_index,
                "source": self.source, "kind": self.kind, "summary": self.summary, "details": self.details}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TimelineEntry:
        try:
            return cls(time=data["time"], block=data["block"], tx_hash=data["tx_hash"], log_index=data["log_index"],
                       source=data["source"], kind=data["kind"], summary=data["summary"],
                       details=dict(data.get("details") or {}))
        except KeyError as exc:
            raise InvalidInputError(f"a timeline entry lacks {exc.args[0]!r}") from None
        except TypeError as exc:
            raise InvalidInputError(f"a timeline entry is malformed: {exc}") from None


def merge_timelines(*timelines: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    """Entries of every source in chain order, ``(block, log_index)``.

    The same entry given twice appears once; two different entries claiming the same log raise
    :class:`InvalidInputError` (one of the sources is wrong).
    """
    seen: dict[tuple[int, int], TimelineEntry] = {}
    for timeline in timelines:
        for entry in timeline:
            if not isinstance(entry, TimelineEntry):
                raise InvalidInputError(
                    f"merge_timelines takes TimelineEntry values, not {type(entry).__name__} "
                    "(convert registry history with from_registry_events)")
            earlier = seen.get(entry.sort_key)
            if earlier is None:
                seen[entry.sort_key] = entry
            elif earlier != entry:
                raise InvalidInputError(
                    f"two different timeline entries claim log {entry.log_index} of block {entry.block} "
                    f"({earlier.source} {earlier.kind} in {earlier.tx_hash}, {entry.source} {entry.kind} in "
                    f"{entry.tx_hash})")
    return [seen[k] for k in sorted(seen)]


# -- registry events → entries -------------------------------------------------------------------------------------
def format_indexes(indexes: Iterable[int], limit: int = 12) -> str:
    """``[0, 1, 2, 7, 9, 10]`` → ``"0–2, 7, 9–10"``; after ``limit`` ranges, ``"… (N more)"``."""
    values = sorted(set(indexes))
    ranges: list[tuple[int, int]] = []
    for v in values:
        if ranges and v == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], v)
        else:
            ranges.append((v, v))
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in ranges[:limit]]
    if len(ranges) > limit:
        rest = sum(b - a + 1 for a, b in ranges[limit:])
        parts.append(f"… ({rest} more)")
    return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


#: unix seconds of 10000-01-01T00:00:00Z: later "times" (2^64 - 1, 2^256 - 1) mean "no end"
_YEAR_10000 = 253_402_300_800


def iso_date(ts: int) -> str:
    """Unix seconds as an ISO 8601 UTC date-time, ``2026-05-01T12:00:00Z``; a time beyond year 9999 (what
    contracts use for "forever") is ``"no end"``."""
    if ts >= _YEAR_10000:
        return "no end"
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_utc = iso_date


def _registry_entry(event: HistoryEvent) -> TimelineEntry:
    data = event.data
    details: dict[str, Any] = {"issuer": event.issuer}
    if event.kind == "anchored":
        first, count = int(data["first_index"]), int(data["count"])
        details.update(root=data["root"], first_index=first, count=count, last_index=first + count - 1)
        span = f"index {first}" if count == 1 else f"indexes {first}–{first + count - 1}"
        summary = f"Anchored a batch of {_plural(count, 'credential')} ({span}) with Merkle root {data['root']}."
    elif event.kind in _STATUS_KINDS:
        indexes = [int(i) for i in data["indexes"]]
        code = int(data["reason"])
        label = data.get("reason_label") or reason_label(code)
        details.update(indexes=indexes, count=len(indexes), reason=code, reason_label=label)
        which = "index" if len(indexes) == 1 else "indexes"
        summary = (f"{event.kind.capitalize()} {_plural(len(indexes), 'credential')} ({which} "
                   f"{format_indexes(indexes)}) for reason {code} ({label}).")
    elif event.kind == "operator-authorized":
        until = int(data["valid_until"])
        details.update(operator=data["operator"], valid_until=until)
        summary = (f"Withdrew the authorisation of operator {data['operator']}." if until == 0 else
                   f"Authorised operator {data['operator']} to act for the issuer until {_utc(until)}.")
    else:
        raise InvalidInputError(f"unknown registry event kind {event.kind!r} in transaction {event.tx_hash}")
    details["previous_change"] = int(event.previous_change)
    return TimelineEntry(time=event.time, block=int(event.block_number), tx_hash=event.tx_hash.lower(),
                         log_index=int(event.log_index), source="credentials", kind=event.kind, summary=summary,
                         details=details)


def from_registry_events(events: Iterable[HistoryEvent]) -> list[TimelineEntry]:
    """The CredentialRegistry history of an issuer (:meth:`RegistryClient.history`) as timeline entries."""
    return merge_timelines([_registry_entry(e) for e in events])


# -- status replay -------------------------------------------------------------------------------------------------
Change = HistoryEvent | TimelineEntry


def _unix(t: int | datetime) -> int:
    if isinstance(t, datetime):
        if t.tzinfo is None:
            raise InvalidInputError(f"give the time with a time zone (e.g. UTC), not the naive {t.isoformat()}")
        return int(t.timestamp())
    if isinstance(t, bool) or not isinstance(t, int):
        raise InvalidInputError(f"a time is unix seconds or an aware datetime, not {t!r}")
    return t


def _normalised(event: Change) -> tuple[int, int, int | None, str, Mapping[str, Any]] | None:
    """(block, log_index, time, kind, data) of a credential-registry change; ``None`` for other sources."""
    if isinstance(event, HistoryEvent):
        return event.block_number, event.log_index, event.time, event.kind, event.data
    if isinstance(event, TimelineEntry):
        if event.source != "credentials":
            return None
        return event.block, event.log_index, event.time, event.kind, event.details
    raise InvalidInputError(f"status replay takes registry history events or timeline entries, not "
                            f"{type(event).__name__}")


class StatusReplay:
    """The statuses of one issuer's credentials after replaying its registry events up to time ``at``.

    ``events``: :class:`HistoryEvent` values of one issuer, or :class:`TimelineEntry` values (entries of sources
    other than ``credentials`` are ignored), in any order. ``at``: unix seconds or an aware datetime; ``None``
    replays everything. Building costs O(events + indexes they name); each lookup O(log batches).
    Raises :class:`InvalidInputError` when an event has no time (and ``at`` is given) or the history is
    inconsistent (a change to a revoked credential, a reinstatement of one not suspended…).
    """

    def __init__(self, events: Iterable[Change], at: int | datetime | None = None) -> None:
        self.at = None if at is None else _unix(at)
        rows = []
        for event in events:
            norm = _normalised(event)
            if norm is not None:
                rows.append((norm, event))
        rows.sort(key=lambda r: (r[0][0], r[0][1]))
        starts: list[tuple[int, int, Change]] = []  # (first_index, end, event)
        self._changes: dict[int, tuple[CredentialStatus, Change]] = {}
        self.applied = 0
        for (block, _, time, kind, data), event in rows:
            if self.at is not None:
                if time is None:
                    raise InvalidInputError(
                        f"the event in block {block} has no time: read the history with block times to ask "
                        "about a time")
                if time > self.at:
                    break  # block times never decrease along the chain
            self.applied += 1
            if kind == "anchored":
                first = int(data["first_index"])
                starts.append((first, first + int(data["count"]), event))
            elif kind in _STATUS_KINDS:
                self._apply(kind, data["indexes"], event, block)
        starts.sort(key=lambda s: s[0])
        self._firsts = [s[0] for s in starts]
        self._batches = starts

    def _apply(self, kind: str, indexes: Sequence[int], event: Change, block: int) -> None:
        target = _STATUS_KINDS[kind]
        changes = self._changes
        for raw in indexes:
            index = int(raw)
            before = changes[index][0] if index in changes else None
            if before == "revoked":
                raise InvalidInputError(
                    f"inconsistent history: credential {index} is {kind} in block {block} after its revocation")
            if target == "suspended" and before == "suspended":
                raise InvalidInputError(
                    f"inconsistent history: credential {index} is suspended twice (block {block})")
            if target == "active" and before != "suspended":
                raise InvalidInputError(
                    f"inconsistent history: credential {index} is reinstated in block {block} without being "
                    "suspended")
            changes[index] = (target, event)

    def _batch(self, index: int) -> Change | None:
        k = bisect_right(self._firsts, index) - 1
        if k >= 0 and index < self._batches[k][1]:
            return self._batches[k][2]
        return None

    def status(self, index: int) -> tuple[CredentialStatus, Change | None]:
        """(status, the event that set it): the latest status change of ``index``, else the anchoring of its
        batch (``active``), else ``("unknown", None)``."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise InvalidInputError(f"a status index is a whole number >= 0, not {index!r}")
        changed = self._changes.get(index)
        if changed is not None:
            return changed
        batch = self._batch(index)
        return ("active", batch) if batch is not None else ("unknown", None)

    def changed(self) -> dict[int, tuple[CredentialStatus, Change]]:
        """Every index that has had a status change, with its latest status and the event that set it."""
        return dict(self._changes)


def status_at(events: Iterable[Change], index: int, t: int | datetime) -> tuple[CredentialStatus, Change | None]:
    """Status of credential ``index`` at time ``t`` (unix seconds or aware datetime), replaying ``events`` (the
    issuer's registry history), with the event that set it: the latest status change, else the anchoring of its
    batch; ``("unknown", None)`` before any batch covering it was anchored."""
    return StatusReplay(events, t).status(index)


def statuses_at(events: Iterable[Change], indexes: Iterable[int],
                t: int | datetime) -> dict[int, tuple[CredentialStatus, Change | None]]:
    """:func:`status_at` for many indexes with one replay: index → (status, event that set it)."""
    replay = StatusReplay(events, t)
    return {i: replay.status(i) for i in indexes}
