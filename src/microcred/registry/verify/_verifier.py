"""The verifier: runs its checks on each credential, asks the chain through its endpoints, and puts every
chain-dependent answer to the quorum.

Checks (one module each): ``format``, ``validity``, ``anchor``, ``signature``, ``issuer``, ``status``,
``accreditation`` (run in that order: each may use what the ones before it found; a run takes its credentials in
chunks, each check through a whole chunk before the next check). A check that needs no chain always
runs, whatever the endpoints do; a check that needs one is asked once per endpoint serving the credential's chain,
and its answer is believed only when every endpoint that answered gave the same one and at least ``quorum`` did.
An RPC outage, a disagreement or an endpoint of another chain makes a check ``error`` ("could not check"), never
``fail``. Malformed input is one credential's ``fail``, never an abort.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from functools import cached_property
from datetime import datetime, timezone
from typing import Any, Final
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from microcred.chain import ChainError, RPCUnavailableError
from microcred.errors import InvalidInputError, MicrocredError, NetworkError
from microcred.registry.verify._accreditation import AccreditationCheck
from microcred.registry.verify._anchor import AnchorCheck, TrustedRegistries, is_bytes32
from microcred.registry.verify._check import ChainView, Check, Subject
from microcred.registry.verify._components import ComponentsCheck
from microcred.registry.verify._consensus import (EndpointsDisagreeError, NoQuorumError, agree, agreed_block_time,
                                                  require_quorum)
from microcred.registry.verify._format import FormatCheck
from microcred.registry.verify._issuer import IssuerCheck
from microcred.registry.credential._documents import has_registry_entry
from microcred.registry.verify._model import ERROR, FAIL, LEVELS, CheckResult, Outcome, Verification, parse_time
from microcred.registry.verify._signature import SignatureCheck
from microcred.registry.verify._sources import Endpoint, LedgerState
from microcred.registry.verify._status import StatusCheck
from microcred.registry.verify._statuslist import StatusListCheck
from microcred.registry.verify._summary import credential_summary
from microcred.registry.verify._validity import ValidityCheck

__all__ = ["Check", "CheckResult", "Verification", "Verifier", "default_checks", "parse_time", "required_levels"]


def required_levels(names: Iterable[str]) -> tuple[str, ...]:
    """The levels named (``microcredential``, ``anchored``; ``credential`` is always required), checked."""
    out: list[str] = []
    for name in names:
        name = str(name).strip()
        if not name or name == "credential":
            continue
        if name not in LEVELS:
            raise InvalidInputError(f"unknown verification level {name!r} (known: {', '.join(LEVELS[1:])})")
        if name not in out:
            out.append(name)
    return tuple(out)


def default_checks(*, resolver: Any, trusted_registries: TrustedRegistries, accreditation: bool = False,
                   format_problems: Callable[[Any], list[str]] | None = None, status_lists: Any = None,
                   fetcher: Any = None, components: Iterable[Mapping[str, Any]] = ()) -> list[Check]:
    """The checks, in the order they run: ``resolver`` (a :class:`microcred.did.Resolver`) for signature and
    issuer, ``trusted_registries`` for anchor, ``accreditation``: a trust list was given (the endpoints carry the
    checkers); ``components``: the credentials a stacked credential's ``components`` check may find its
    components among (that check runs only for a stacked credential)."""
    return [FormatCheck(format_problems) if format_problems else FormatCheck(), ValidityCheck(),
            AnchorCheck(trusted_registries), SignatureCheck(resolver, fetcher=fetcher), IssuerCheck(resolver),
            StatusCheck(), StatusListCheck(resolver, status_lists, fetcher=fetcher),
            AccreditationCheck(enabled=accreditation), ComponentsCheck(components)]


#: during a run, the young generation is collected after the chunk that reaches each multiple of this many
#: credentials (and at the end)
COLLECT_EVERY = 10_000
#: credentials checked together, check by check (:meth:`_Run.verify_chunk`)
CHUNK = 64
#: the levels a credential carrying a registry entry must hold (one tuple for every verdict)
_ALL_LEVELS: Final = LEVELS[1:]


@contextmanager
def _collector_paused() -> Iterator[Callable[[], None]]:
    """The cyclic garbage collector makes no passes of its own during a run; the run collects the young
    generation itself after the chunk that reaches each multiple of :data:`COLLECT_EVERY` credentials, and at its
    end (the context gives that call).

    A run keeps what it allocates until it ends (results, facts, views), so the collector's own passes found
    nothing to free: they walked the results again and again, and the loaded credentials too (a full pass: 110 ms
    of a 1,000-file run). One young collection at the end takes 5 ms for 1,000 credentials. A run makes no garbage
    cycles of its own (tested); the periodic young collection bounds what a library it calls might leave. A
    collector that was off stays off."""
    if not gc.isenabled():
        yield lambda: None
        return
    gc.disable()
    try:
        yield _collect_young
    finally:
        gc.enable()


def _collect_young() -> None:
    gc.collect(0)


class Verifier:
    """Verifies credentials with ``checks`` (see :func:`default_checks`).

    ``require``: the levels besides ``credential`` that must hold (``microcredential``, ``anchored``); by default
    both for a credential carrying microcred's own registry entry (``MicrocredRegistryEntry2026``), none for any
    other credential (an Open Badge from elsewhere is valid when its signature, key, dates and status are).
    ``endpoints``: the chain sources (:class:`Endpoint`), or a callable giving them, called only when some
    credential needs a chain (so a credential that names no registry never connects). ``quorum``: how many
    endpoints must answer, and agree (default: 2 where 2 or more are given, else 1; every endpoint that answers
    must agree in any case). ``clock``: the time of the check when ``at`` is not given.
    """

    def __init__(self, checks: Sequence[Check], *,
                 endpoints: Sequence[Endpoint] | Callable[[], Sequence[Endpoint]] = (), quorum: int | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 require: Iterable[str] | None = None) -> None:
        self.checks = list(checks)
        for check in self.checks:  # a check that verifies other credentials (components) does so with this verifier
            bind = getattr(check, "bind", None)
            if bind is not None:
                bind(self)
        self.require = None if require is None else required_levels(require)
        self._endpoints_arg = endpoints
        self._endpoints: list[Endpoint] | None = None
        self._quorum_arg = quorum
        self.clock = clock

    @property
    def endpoints(self) -> list[Endpoint]:
        if self._endpoints is None:
            given = self._endpoints_arg() if callable(self._endpoints_arg) else self._endpoints_arg
            self._endpoints = list(given)
            seen: dict[str, int] = {}
            for ep in self._endpoints:  # the same URL given twice is asked twice, under two names
                seen[ep.name] = seen.get(ep.name, 0) + 1
                if seen[ep.name] > 1:
                    ep.name = f"{ep.name} (#{seen[ep.name]})"
            require_quorum(self._quorum_arg, len(self._endpoints))
        return self._endpoints

    @property
    def quorum(self) -> int:
        return require_quorum(self._quorum_arg, len(self.endpoints))

    # ------------------------------------------------------------------------------------------------------------
    def time_of_block(self, number: int) -> datetime:
        """The time of block ``number`` of the endpoints' chain, as a quorum of them agrees (hash and time), for
        ``--at block:N``. Raises :class:`~microcred.errors.NetworkError` when no quorum answers alike, and
        :class:`~microcred.errors.InvalidInputError` when no endpoint has such a block."""
        left_out = {ep.name: ep.problem or "it cannot read blocks" for ep in self.endpoints
                    if ep.problem or ep.block_info is None}
        headers = {ep.name: ep.block_info for ep in self.endpoints
                   if ep.name not in left_out and ep.block_info is not None}
        return agreed_block_time(headers, number, quorum=self.quorum, left_out=left_out)

    def verify(self, items: Iterable[tuple[str | None, Any]], *, at: datetime | None = None,
               block: int | None = None) -> list[Verification]:
        """Verify each ``(file name, credential)``; ``at`` answers every check as of that time. ``block``: read the
        chain at that block (``at`` is then its time, :meth:`time_of_block`, unless given)."""
        with _collector_paused() as collect:
            return self._verify(items, at=at, block=block, collect=collect)

    def _verify(self, items: Iterable[tuple[str | None, Any]], *, at: datetime | None, block: int | None,
                collect: Callable[[], None]) -> list[Verification]:
        if block is not None and at is None:
            at = self.time_of_block(block)
        when = at or self.clock()
        for check in self.checks:  # a check may keep what it asked during one run (AnchorCheck: trusted registries)
            begin = getattr(check, "begin", None)
            if begin is not None:
                begin()
        verdicts: list[Verification] = []
        subjects: list[Subject | None] = []  # in step with the verdicts (None: nothing to verify)
        for name, doc in items:
            v = Verification(file=name, id=doc.get("id") if isinstance(doc, dict) else None)
            verdicts.append(v)
            if not isinstance(doc, dict):
                v.add("format", FAIL, "a credential is a JSON object")
                subjects.append(None)
                continue
            v.summary = credential_summary(doc)
            subject = Subject.of(name, doc, when=when, at=at, block=block)
            v.required = self.require if self.require is not None else \
                (_ALL_LEVELS if subject.entry is not None or has_registry_entry(doc) else ())
            subjects.append(subject)
        run = _Run(self, [s for s in subjects if s is not None])
        for start in range(0, len(verdicts), CHUNK):
            end = min(start + CHUNK, len(verdicts))
            chunk = [(v, s) for v, s in zip(verdicts[start:end], subjects[start:end]) if s is not None]
            subjects[start:end] = [None] * (end - start)  # nothing here holds a verified subject (_Run.done)
            run.verify_chunk(chunk)
            run.done(chunk)
            del chunk
            if start // COLLECT_EVERY != end // COLLECT_EVERY:
                collect()
        collect()
        return verdicts


class _Run:
    """One call of :meth:`Verifier.verify`: the ledger reads it made, per endpoint and group."""

    def __init__(self, verifier: Verifier, subjects: list[Subject]) -> None:
        self.verifier = verifier
        self.reads: dict[tuple[Any, ...], LedgerState | Exception] = {}
        #: the position of each read among the run's reads (they are only ever added to)
        self._read_at: dict[tuple[Any, ...], int] = {}
        #: per credential that asked the chain: how many reads the run had made when its last such check answered
        self._seen: dict[int, int] = {}
        # per (chain, registry, account): the roots and indexes its credentials name, each once, in order (dicts:
        # a list's `in` made grouping 1,000 credentials take 5 ms)
        groups: dict[tuple[str, str, str], tuple[dict[str, None], dict[int, None]]] = {}
        for s in subjects:
            if s.entry is None:
                continue
            roots, indexes = groups.setdefault(s.ledger_key(), ({}, {}))
            root = s.anchor_proof.get("merkleRoot") if s.anchor_proof else None
            if isinstance(root, str) and root not in roots and is_bytes32(root):
                roots[root] = None
            indexes[s.entry["statusIndex"]] = None
        self.groups = {key: (list(roots), list(indexes)) for key, (roots, indexes) in groups.items()}
        #: per credential that asked the chain: its view on each endpoint serving its chain, and the endpoints left
        #: out of its chain-dependent checks (and why)
        self.asked: dict[int, tuple[dict[str, ChainView], dict[str, str]]] = {}
        #: per chain: the endpoints serving it, and those left out (and why) when the run first asked
        self._usable: dict[str, tuple[list[Endpoint], dict[str, str]]] = {}
        #: the check results made, by what they say (verdicts with the same answer share one)
        self._results: dict[tuple[str, ...], CheckResult] = {}
        #: the sources records made, by what they say (verdicts with the same sources share one)
        self._sources_of: dict[tuple[Any, ...], dict[str, Any]] = {}
        #: the same records, by the credential's group, the number of reads made and the endpoints left out
        self._sources_by_reads: dict[tuple[Any, ...], dict[str, Any]] = {}
        #: asked once per run: each check with its name and its ``applies``
        self.checks = [(check, check.name, getattr(check, "applies", None)) for check in verifier.checks]

    @cached_property
    def quorum(self) -> int:
        """The verifier's quorum, worked out once per run (asking it connects: only when a credential needs a
        chain)."""
        return self.verifier.quorum

    def verify_chunk(self, chunk: list[tuple[Verification, Subject]]) -> None:
        """Each check, in order, for each credential of ``chunk``; then each verdict is concluded. A credential's
        checks still run in their order and each sees what the ones before it found; taking a check through a
        chunk before the next keeps its code and data in the processor's caches: a run of 1,000 JCS credentials
        took 445 ms one credential at a time and 395 ms in chunks of 64 (the format check alone, 71 µs a
        credential among the others, takes 49 µs a credential back to back)."""
        guarded, on_chain, made = self._guarded, self._on_chain, self._result
        for check, name, applies in self.checks:
            for v, subject in chunk:
                if applies is not None and not applies(subject):  # a check for what this credential does not carry
                    continue
                try:
                    outcome = guarded(check, subject, None)
                except RPCUnavailableError as exc:
                    outcome = ERROR, f"could not check: {exc}"
                if outcome is None:
                    outcome = on_chain(check, subject)
                result = subject.results[name] = made(name, outcome)
                v.checks.append(result)
        for v, subject in chunk:
            self._conclude(v, subject)

    def _conclude(self, v: Verification, subject: Subject) -> None:
        results = subject.results
        status = results.get("status")
        v.status = subject.facts.get("status", "unknown") if status and status.result != ERROR else "unknown"
        v.facts.update(subject.facts)
        v.facts.pop("vms", None)
        asked = self.asked.get(id(subject))
        if asked is not None:  # some check asked the chain
            v.sources = self._sources(subject, asked[1])

    def _result(self, name: str, outcome: Outcome) -> CheckResult:
        """The result of a check, one object for each different answer of a run: the credentials of a batch
        mostly get the same answers (a run of 1,000 makes a handful of results, not 7,000)."""
        key = (name, *outcome)
        try:
            found = self._results.get(key)
        except TypeError:  # an answer that is not text (a check of someone else's): its own result
            return CheckResult(name, *outcome)
        if found is None:
            found = self._results[key] = CheckResult(name, *outcome)
        return found

    @staticmethod
    def _guarded(check: Check, subject: Subject, view: ChainView | None) -> Outcome | None:
        try:
            return check.run(subject, view)
        except RPCUnavailableError:
            raise
        except InvalidInputError as exc:
            return FAIL, f"malformed credential: {exc}"
        except (NetworkError, ChainError) as exc:
            return ERROR, f"could not check: {exc}"
        except MicrocredError as exc:
            return ERROR, f"could not check: {exc}"
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as exc:
            # input this check did not expect: this credential cannot be checked, the others still are (never
            # "invalid" on a guess)
            return ERROR, f"could not check: the {check.name} check cannot read this credential " \
                          f"({type(exc).__name__}: {exc})"

    def _on_chain(self, check: Check, subject: Subject) -> Outcome:
        """The check's answer through the credential's views, put to the quorum; the number of reads made by then
        is noted (the credential's sources are those its answers could come from, whatever the credentials checked
        after it in the same chunk read)."""
        answer = self._through_views(check, subject)
        self._seen[id(subject)] = len(self.reads)
        return answer

    def _through_views(self, check: Check, subject: Subject) -> Outcome:
        asked = self.asked.get(id(subject))
        if asked is None:
            chain = subject.chain
            if chain is None:
                return ERROR, "could not check: the credential names no chain"
            asked = self._views_of(subject, chain)
            if asked is None:
                return ERROR, f"could not check: no RPC endpoint of chain {chain} was given (--network / --rpc)"
        views, left_out = asked
        answers: dict[str, Outcome] = {}
        for name, view in views.items():
            ep = view.endpoint
            if ep.problem:  # found unreachable since this credential's views were made
                left_out[name] = ep.problem
                continue
            try:
                answer = self._guarded(check, subject, view)
            except RPCUnavailableError as exc:
                ep.problem = f"unreachable ({exc})"
                left_out[name] = ep.problem
                continue
            answers[name] = answer or (ERROR, f"could not check: {name} gave no answer")
        if len(answers) == 1 and self.quorum <= 1:  # one endpoint, and one is enough: its answer and its facts
            name, agreed = next(iter(answers.items()))
            subject.facts.update(views[name].facts)
            return agreed
        try:
            agreed = agree(answers, quorum=self.quorum, left_out=left_out, what=f"the {check.name} check",
                           show=lambda: {n: f"{a[0]} ({a[1]})" for n, a in answers.items()})
        except (NoQuorumError, EndpointsDisagreeError) as exc:
            return ERROR, f"could not check: {exc}"
        facts = [views[n].facts for n in answers]
        if all(f == facts[0] for f in facts[1:]):
            subject.facts.update(facts[0])
        return agreed

    def _views_of(self, subject: Subject, chain: str) -> tuple[dict[str, ChainView], dict[str, str]] | None:
        """The credential's view on each endpoint serving its chain, and the endpoints left out (and why): made at
        its first chain-dependent check, kept for the others (``None``: no endpoint was given)."""
        usable = self._usable.get(chain)
        if usable is None:
            endpoints = self.verifier.endpoints
            if not endpoints:
                return None
            left: dict[str, str] = {}
            for ep in endpoints:
                if ep.problem:
                    left[ep.name] = ep.problem
                elif ep.caip2 != chain:
                    left[ep.name] = f"it serves chain {ep.caip2}, not {chain}"
            usable = self._usable[chain] = ([ep for ep in endpoints if ep.name not in left], left)
        serving, left = usable
        found = self.asked[id(subject)] = ({ep.name: ChainView(ep, self, subject) for ep in serving}, dict(left))
        return found

    def done(self, chunk: list[tuple[Verification, Subject]]) -> None:
        """Forget what the run kept for a chunk's verified credentials: their views (each refers back to the run, a
        cycle the collector would otherwise have to find) and what they left out. The subjects, their JCS texts and
        their facts are then freed at once, and the next chunk reuses their memory."""
        for _verdict, subject in chunk:
            self.asked.pop(id(subject), None)
            self._seen.pop(id(subject), None)

    def read(self, ep: Endpoint, subject: Subject) -> LedgerState:
        """The ledger state of the credential's group on ``ep``, read once per run (a :class:`ChainView`'s
        source)."""
        chain, registry, account = subject.ledger_key()
        key = (ep.name, chain, registry, account)
        if key not in self.reads:
            self._read_at[key] = len(self.reads)
            if ep.ledger is None:
                self.reads[key] = NetworkError(f"{ep.name} has no registry reader")
            else:
                roots, indexes = self.groups[(chain, registry, account)]
                try:
                    self.reads[key] = ep.ledger.read(registry, account, roots, indexes, at=subject.at,
                                                     block=subject.block)
                except (MicrocredError, ValueError) as exc:
                    self.reads[key] = exc
        got = self.reads[key]
        if isinstance(got, Exception):
            raise got
        return got

    def _sources(self, subject: Subject, left_out: dict[str, str]) -> dict[str, Any]:
        """Whom the credential's chain answers came from (the reads made by its last chain-dependent check): the
        record :attr:`Verification.sources` holds. Verdicts whose answers came from the same sources share one
        record (a run of 1,000 credentials makes one)."""
        key = subject.ledger_key()
        seen = self._seen.get(id(subject), 0)
        # the reads of a run are only ever added to, so how many there were and what was left out tell the record
        known = (key, seen, tuple(left_out.items()) if left_out else ())
        found = self._sources_by_reads.get(known)
        if found is not None:
            return found
        trusted = []
        for ep in self.verifier.endpoints:
            read = (ep.name, *key)
            got = self.reads.get(read)
            if isinstance(got, LedgerState) and ep.name not in left_out and self._read_at[read] < seen:
                trusted.append((ep.name, got.block, got.assurance))
        said = (key[0], tuple(trusted), tuple(left_out.items()))
        found = self._sources_of.get(said)
        if found is None:
            found = self._sources_of[said] = {
                "chain": key[0], "quorum": self.quorum,
                "trusted": [{"endpoint": n, "block": block, "assurance": how} for n, block, how in trusted],
                "left_out": [{"endpoint": n, "reason": why} for n, why in left_out.items()],
                "single_source": len(trusted) == 1,
            }
        self._sources_by_reads[known] = found
        return found
