"""A run takes its credentials in chunks, each check through a whole chunk before the next check: whatever the
chunk size, every verdict is the one of its own file, in the order given (things that are not credentials among
them), and each check of a credential sees what the checks before it found for that credential, and nothing of
its chunk-mates'."""

from __future__ import annotations

import pytest

from microcred.registry.verify import Verifier
from microcred.registry.verify import _verifier
from microcred.registry.verify._model import FAIL, PASS
from microcred.registry.verify._sources import Endpoint, LedgerState


class _Ledger:
    def read(self, registry, account, roots, indexes, *, at, block=None):
        return LedgerState(batches={}, statuses={i: f"status {i}" for i in indexes}, block=9,
                           assurance="storage-proof")


class _Notes:
    """Offline: notes the credential's own number."""

    name = "notes"

    def run(self, subject, view):
        subject.facts["number"] = subject.doc["n"]
        return (FAIL, f"{subject.doc['n']} is odd") if subject.doc["n"] % 2 else (PASS, f"{subject.doc['n']}")


class _Reads:
    """On the chain: reads the status of the credential's index, and says what the check before it found."""

    name = "reads"

    def run(self, subject, view):
        if view is None:
            return None
        state = view.state().statuses[subject.entry["statusIndex"]]
        return PASS, f"{state}, after notes {subject.results['notes'].detail!r} of {subject.facts['number']}"


def _items(n: int) -> list[tuple[str, object]]:
    entry = {"type": "MicrocredRegistryEntry2026", "chain": "eip155:1", "registry": "0x" + "ab" * 20,
             "issuerAccount": "0x" + "cd" * 20}
    items: list[tuple[str, object]] = []
    for i in range(n):
        items.append((f"{i}.json", {"id": f"urn:{i}", "n": i, "credentialStatus": {**entry, "statusIndex": i}}))
        if i % 3 == 1:
            items.append((f"not-{i}.json", ["not", "an", "object"]))
    return items


def _run(items, chunk: int, monkeypatch) -> list[dict]:
    monkeypatch.setattr(_verifier, "CHUNK", chunk)
    verifier = Verifier([_Notes(), _Reads()], endpoints=[Endpoint("node", "eip155:1", ledger=_Ledger())])
    return [r.as_record() for r in verifier.verify(items)]


@pytest.mark.parametrize("chunk", [1, 2, 3, 64])
def test_every_chunk_size_gives_each_file_its_own_verdict(chunk: int, monkeypatch) -> None:
    items = _items(11)
    records = _run(items, chunk, monkeypatch)
    assert [r["file"] for r in records] == [name for name, _ in items]
    for (_name, doc), record in zip(items, records):
        checks = {c["name"]: c for c in record["checks"]}
        if not isinstance(doc, dict):
            assert checks == {"format": {"name": "format", "result": FAIL, "detail": "a credential is a JSON object"}}
            continue
        n = doc["n"]
        assert checks["notes"]["result"] == (FAIL if n % 2 else PASS)
        assert checks["reads"]["detail"] == f"status {n}, after notes {checks['notes']['detail']!r} of {n}"
        assert record["sources"]["trusted"] == [{"endpoint": "node", "block": 9, "assurance": "storage-proof"}]
    assert records == _run(items, 1, monkeypatch)  # one credential at a time: the same verdicts
