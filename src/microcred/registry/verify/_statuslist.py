"""``status_list``: each ``BitstringStatusListEntry``: its list credential (offline or fetched), whose signature
must verify and whose issuer must be the credential's, and the status it reads there; a disagreement with the
registry's status (when both are present) is reported, purpose by purpose, never settled by a guess.

microcred's own status object is a list entry carrying the registry coordinates: its list is derived from the
registry, which the ``status`` check reads itself, so a list that cannot be had (not given with ``--status-list``,
not published, not reachable) is skipped, never "could not check"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from microcred.errors import InvalidInputError, MicrocredError, NetworkError
from microcred.registry.credential._documents import is_registry_entry
from microcred.registry.proofs import verify_proofs
from microcred.registry.status import StatusLists, list_entries, read_entry
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._issuer import issuer_did
from microcred.registry.verify._model import ERROR, FAIL, PASS, SKIPPED, Outcome, parse_time
from microcred.registry.verify._signature import SignatureCheck

__all__ = ["LIST_CLOCK_SKEW", "StatusListCheck"]

#: a list dated this far ahead of the verifier's clock is still read (lists are dated by the chain's block time,
#: which may run ahead of the verifier's clock)
LIST_CLOCK_SKEW = timedelta(minutes=5)
#: the registry status a list of each purpose shows as a set bit
_STATE = {"revocation": "revoked", "suspension": "suspended"}


class StatusListCheck:
    """``lists``: a :class:`microcred.registry.status.StatusLists`; ``resolver`` checks the lists' signatures."""

    name = "status_list"

    def __init__(self, resolver: Any, lists: StatusLists | None = None, *, fetcher: Any = None) -> None:
        self.lists = lists or StatusLists()
        self._signature = SignatureCheck(resolver, fetcher=fetcher)
        self._verified: dict[str, str | None] = {}

    def _list_problem(self, url: str, doc: dict, issuer: str | None, subject: Subject) -> str | None:
        if url not in self._verified:
            problem = None
            try:
                result = verify_proofs(doc, self._signature._lookup(None), expected_purpose="assertionMethod")
                if not result.verified:
                    problem = "its signature does not verify: " + ("; ".join(
                        str(r.message) for r in result.failed_proofs) or str(result.problem))
            except NetworkError:
                raise
            except MicrocredError as exc:
                problem = f"its signature cannot be checked: {exc}"
            self._verified[url] = problem
        if self._verified[url]:
            return self._verified[url]
        if issuer_did(doc) != issuer:
            return f"it was issued by {issuer_did(doc)}, not by the credential's issuer {issuer}"
        try:
            if doc.get("validUntil") and parse_time(doc["validUntil"]) < subject.when:
                return f"it expired at {doc['validUntil']}"
            if doc.get("validFrom") and parse_time(doc["validFrom"]) > subject.when + LIST_CLOCK_SKEW:
                return f"it is valid only from {doc['validFrom']}"
        except MicrocredError as exc:
            return f"its dates cannot be read: {exc}"
        return None

    def applies(self, subject: Subject) -> bool:
        """Only a credential with a ``BitstringStatusListEntry`` is given this check; microcred's own entry only
        when its list can be had (given offline, or published at an ``https:`` address)."""
        return any(not is_registry_entry(e) or self._reachable(e.get("statusListCredential"))
                   for e in list_entries(subject.doc))

    def _reachable(self, url: object) -> bool:
        return isinstance(url, str) and (url in self.lists.offline or url.startswith("https://"))

    def run(self, subject: Subject, view: ChainView | None) -> Outcome:
        entries = list_entries(subject.doc)
        if not entries:
            return SKIPPED, "the credential has no Bitstring Status List entry"
        issuer = issuer_did(subject.doc)
        chain = subject.facts.get("status")
        found: list[str] = []
        bad: list[str] = []
        labels: list[str] = []
        unread: list[str] = []
        disagree: list[str] = []
        for entry in entries:
            url = entry.get("statusListCredential")
            if not isinstance(url, str):
                return FAIL, "a BitstringStatusListEntry names no statusListCredential"
            try:
                doc = self.lists.get(url)
            except (NetworkError, InvalidInputError) as exc:
                if is_registry_entry(entry):  # a list derived from the registry, which the status check reads
                    unread.append(f"{url} ({exc})")
                    continue
                if isinstance(exc, NetworkError):
                    return ERROR, f"could not check: the status list {url} could not be fetched: {exc}"
                raise
            problem = self._list_problem(url, doc, issuer, subject)
            if problem:
                return FAIL, f"the status list {url} cannot be believed: {problem}"
            try:
                status = read_entry(entry, doc)
            except InvalidInputError as exc:
                return FAIL, f"the status list entry cannot be read in {url}: {exc}"
            found.append(f"{status.purpose}: {status.label} (index {entry.get('statusListIndex')})")
            if status.purpose in _STATE:
                labels.append(status.label)
                if status.value:
                    bad.append(status.label)
                if chain is not None and bool(status.value) != (chain == _STATE[status.purpose]):
                    disagree.append(f"{status.purpose}: {status.label}")
        if not found:
            return SKIPPED, ("the status list derived from the registry was not read (" + "; ".join(unread)
                             + "); the status check read the registry itself")
        listed = "revoked" if "revoked" in labels else "suspended" if "suspended" in labels else \
            "active" if labels else None
        if listed is not None:
            subject.facts["list_status"] = listed
            subject.facts.setdefault("status", listed)
        if disagree:
            return ERROR, (f"could not check: the status list says {', '.join(disagree)} but the registry says "
                           f"{chain} (they disagree; {'; '.join(found)})")
        agree = " (agrees with the registry)" if chain is not None and listed is not None else ""
        if bad:
            return FAIL, f"{', '.join(sorted(set(bad)))} by its status list: {'; '.join(found)}{agree}"
        return PASS, "; ".join(found) + agree
