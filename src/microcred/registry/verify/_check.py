"""The check protocol, and what a check is given: the credential (:class:`Subject`) and, for checks that need a
chain, one endpoint's view of it (:class:`ChainView`).

A check answers ``(result, detail)``. It is first asked with no view: a check that needs no chain (or that can
already tell, offline — a forged inclusion proof, an untrusted registry) answers then; one that needs the chain
returns ``None`` and is then asked once per usable endpoint, and the answers are put to the quorum. A check may
record what it found in ``subject.facts`` (offline) or ``view.facts`` (per endpoint); facts every endpoint agreed on
are copied into ``subject.facts`` for the checks after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from eth_utils import is_address, to_checksum_address

from microcred.errors import InvalidInputError, MicrocredError
from microcred.registry.credential._documents import (anchor_proofs, status_entry, unsecured_form,
                                                      verification_digests)
from microcred.registry.credential._jsonld import canonize_jcs
from microcred.registry.verify._model import CheckResult, Outcome
from microcred.registry.verify._sources import Endpoint, LedgerState

__all__ = ["ChainView", "Check", "Subject"]


@lru_cache(maxsize=1024)
def _checksum(address: str) -> str | None:
    """The checksummed form of an address, ``None`` for what is not one (remembered: one issuer's credentials name
    the same two addresses, and checking a checksum hashes)."""
    return to_checksum_address(address) if is_address(address) else None


@runtime_checkable
class Check(Protocol):
    """One check of the verifier: ``format``, ``signature``, ``issuer``, ``anchor``, ``status``, ``validity``,
    ``accreditation``, or one of your own."""

    name: str

    def run(self, subject: Subject, view: ChainView | None) -> Outcome | None:
        """The answer; with ``view=None``, ``None`` means "this needs a chain". A check may also have
        ``applies(subject) -> bool``: when it says ``False``, the check is not run nor reported for that
        credential (``status_list`` for a credential without a list entry); and ``begin()``, called when a run of
        :meth:`Verifier.verify` starts (to forget what it kept from the last run)."""


@dataclass(slots=True, weakref_slot=True)
class Subject:
    """One credential under verification, with what its document says about where it lives."""

    file: str | None
    doc: dict
    when: datetime  # the time of the check
    at: datetime | None  # the past time asked for (``--at``), if any
    block: int | None = None  # the block asked for (``--at block:N``): chain reads are made at that block
    entry: dict | None = None  # the registry status entry, checked for shape
    entry_problem: str | None = None
    anchor_proof: dict | None = None
    anchor_problem: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    results: dict[str, CheckResult] = field(default_factory=dict)
    _unsecured_jcs: str | None = field(default=None, repr=False)
    _unsecured_sha256: bytes | None = field(default=None, repr=False)
    _digest: bytes | None = field(default=None, repr=False)
    _ledger_key: tuple[str, str, str] | None = field(default=None, repr=False)

    def unsecured_jcs(self) -> str | None:
        """The JCS text of the credential without its proofs, made once: an ``eddsa-jcs-2022`` signature starts
        from it. ``None`` when the document cannot be canonicalised (each check then finds and names the problem
        itself)."""
        if self._unsecured_jcs is None:
            if self.anchor_proof is not None:  # the anchor check will want the digest too: made together
                self.digest()
            else:
                try:
                    self._unsecured_jcs = canonize_jcs(unsecured_form(self.doc))
                except InvalidInputError:
                    return None
        return self._unsecured_jcs

    def made_unsecured_jcs(self) -> tuple[str | None, bytes | None]:
        """:meth:`unsecured_jcs` and its SHA-256 if they were made already, else ``None`` for each (nothing is
        made here)."""
        return self._unsecured_jcs, self._unsecured_sha256

    def digest(self) -> bytes | None:
        """The credential's digest (:func:`~microcred.registry.credential.credential_digest`), made together with
        :meth:`unsecured_jcs` and its SHA-256 (:func:`verification_digests`); ``None`` when the document cannot be
        canonicalised."""
        if self._digest is None:
            try:
                self._unsecured_jcs, self._unsecured_sha256, self._digest = verification_digests(self.doc)
            except InvalidInputError:
                return None
        return self._digest

    @classmethod
    def of(cls, file: str | None, doc: dict, *, when: datetime, at: datetime | None,
           block: int | None = None) -> Subject:
        subject = cls(file, doc, when, at, block)
        try:
            entry = status_entry(doc)
        except MicrocredError as exc:
            subject.entry_problem = str(exc)
            return subject
        registry, account = _checksum(str(entry["registry"])), _checksum(str(entry["issuerAccount"]))
        if registry is None or account is None:
            subject.entry_problem = "the status entry's registry or issuer account is not an address"
            return subject
        entry["registry"], entry["issuerAccount"] = registry, account
        subject.entry = entry
        subject._ledger_key = (str(entry["chain"]), registry, account)
        found = anchor_proofs(doc)
        if len(found) > 1:
            subject.anchor_problem = "the credential carries more than one anchor proof"
        elif not found:
            subject.anchor_problem = ("anchor proof removed; verify the original (this copy names its registry entry "
                                      "but carries no anchor proof: a plain export, or a credential not anchored "
                                      "yet)")
        else:
            subject.anchor_proof = found[0]
        return subject

    @property
    def chain(self) -> str | None:
        if self._ledger_key is not None:
            return self._ledger_key[0]
        return str(self.entry["chain"]) if self.entry else None

    def ledger_key(self) -> tuple[str, str, str]:
        """(chain, registry, issuer account) of a credential with a status entry: the reads it shares."""
        if self._ledger_key is None:
            raise ValueError("a credential without a status entry has no registry to read")
        return self._ledger_key

    @property
    def group(self) -> tuple[str, str] | None:
        """(registry, issuer account): the credentials read together."""
        return (self.entry["registry"], self.entry["issuerAccount"]) if self.entry else None

    def result(self, name: str) -> str | None:
        found = self.results.get(name)
        return found.result if found else None


class _LedgerSource(Protocol):
    def read(self, endpoint: Endpoint, subject: Subject) -> LedgerState: ...


class ChainView:
    """One endpoint's view of one credential: its ledger state (read once per group, on first use, from
    ``source``) and what the checks found in it (``facts``)."""

    __slots__ = ("endpoint", "facts", "_source", "_subject", "_state")

    def __init__(self, endpoint: Endpoint, source: _LedgerSource, subject: Subject) -> None:
        self.endpoint = endpoint
        self.facts: dict[str, Any] = {}
        self._source = source
        self._subject = subject
        self._state: LedgerState | None = None

    def state(self) -> LedgerState:
        """The registry state of the credential's issuer on this endpoint; raises NetworkError. Kept once read
        (the anchor, issuer and status checks each ask it; a failed read is asked again)."""
        found = self._state
        if found is None:
            found = self._state = self._source.read(self.endpoint, self._subject)
        return found
