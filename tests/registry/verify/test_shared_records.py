"""What the verdicts of one run share: a check result for each different answer, and a sources record (which
endpoints the chain answers came from) for each different set of sources, each still saying what that credential's
answers were and came from. A run of 1,000 credentials of one issuer makes a handful of each, not thousands."""

from __future__ import annotations

import dataclasses

import pytest

from microcred.errors import NetworkError
from microcred.registry.verify import Verifier
from microcred.registry.verify._check import ChainView
from microcred.registry.verify._model import FAIL, PASS
from microcred.registry.verify._sources import Endpoint, LedgerState


class _Ledger:
    def __init__(self) -> None:
        self.reads = 0

    def read(self, registry, account, roots, indexes, *, at, block=None):
        self.reads += 1
        return LedgerState(batches={}, statuses={}, block=42, assurance="storage-proof")


class _ReadsUnlessOdd:
    """Asks the chain for every credential, but reads the ledger only for the even ones (as the status check does
    not read for a credential whose anchor failed)."""

    name = "on_chain"

    def run(self, subject, view):
        if view is None:
            return None
        if subject.entry["statusIndex"] % 2:
            return FAIL, "did not read"
        view.state()
        return PASS, "read"


def _items(n: int) -> list[tuple[str, dict]]:
    entry = {"type": "MicrocredRegistryEntry2026", "chain": "eip155:1", "registry": "0x" + "ab" * 20,
             "issuerAccount": "0x" + "cd" * 20}
    return [(f"{i}.json", {"id": f"urn:{i}", "credentialStatus": {**entry, "statusIndex": i}}) for i in range(n)]


def test_verdicts_with_the_same_sources_share_one_record_and_each_says_its_own() -> None:
    ledger = _Ledger()
    verifier = Verifier([_ReadsUnlessOdd()], endpoints=[Endpoint("node", "eip155:1", ledger=ledger)])
    # the first credential asks the chain before any read: its record must not become the readers' record
    items = _items(6)
    items = items[1:2] + items[:1] + items[2:]
    results = verifier.verify(items)
    assert ledger.reads == 1
    by_index = {int(r.file.split(".")[0]): r for r in results}
    readers = [by_index[i].sources for i in (0, 2, 4)]
    assert readers[0]["trusted"] == [{"endpoint": "node", "block": 42, "assurance": "storage-proof"}]
    assert readers[0]["single_source"] is True and readers[0]["chain"] == "eip155:1"
    assert all(s is readers[0] for s in readers)
    first = by_index[1].sources
    assert first["trusted"] == [] and first["single_source"] is False
    # the later odd ones asked after the read: their answers came from the node's state, read once
    assert by_index[3].sources is readers[0]


class _Says:
    """Answers what the credential's id says: the same answer for most, another for one."""

    name = "says"

    def run(self, subject, view):
        return (FAIL, "odd one out") if subject.doc["id"] == "urn:3" else (PASS, "fine")


class _Unhashable:
    name = "unhashable"

    def run(self, subject, view):
        return PASS, ["a detail that is not text"]


def test_verdicts_with_the_same_answer_share_one_result_and_each_keeps_its_own() -> None:
    results = Verifier([_Says(), _Unhashable()]).verify([(f"{i}.json", {"id": f"urn:{i}"}) for i in range(5)])
    says = [r.result_of("says") for r in results]
    assert [s.result for s in says] == [PASS, PASS, PASS, FAIL, PASS]
    assert says[0] is says[1] is says[4] and says[3] is not says[0] and says[3].detail == "odd one out"
    odd = [r.result_of("unhashable") for r in results]
    assert all(o.detail == ["a detail that is not text"] for o in odd)
    with pytest.raises(dataclasses.FrozenInstanceError):
        says[0].result = FAIL  # type: ignore[misc]



class _Source:
    """A run's reads as a view sees them: the first fails, the others answer."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, endpoint, subject):
        self.reads += 1
        if self.reads == 1:
            raise NetworkError("the node hung up")
        return LedgerState(batches={}, statuses={}, block=7, assurance="storage-proof")


def test_a_view_keeps_the_state_it_read_but_not_a_failed_read() -> None:
    source = _Source()
    view = ChainView(Endpoint("node", "eip155:1"), source, subject=None)  # type: ignore[arg-type]
    with pytest.raises(NetworkError, match="hung up"):
        view.state()
    state = view.state()
    assert state.block == 7 and view.state() is state and view.state() is state
    assert source.reads == 2
