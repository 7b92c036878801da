"""During a verification run the cyclic garbage collector makes no passes of its own (they found nothing to free
and walked every result again and again); the run collects the young generation itself, after the chunk that
reaches each multiple of COLLECT_EVERY credentials and at its end, makes no garbage cycles per credential, lets a
chunk's credentials go before the next chunk, and leaves the collector as it found it."""

from __future__ import annotations

import gc
import weakref

import pytest

from microcred.registry.verify import Verifier
from microcred.registry.verify import _verifier
from microcred.registry.verify._model import PASS
from microcred.registry.verify._sources import Endpoint


class _Recording:
    name = "recording"

    def __init__(self) -> None:
        self.enabled: list[bool] = []

    def run(self, subject, view):
        self.enabled.append(gc.isenabled())
        return PASS, "seen"


def _items(n: int) -> list[tuple[str, dict]]:
    return [(f"{i}.json", {"id": f"urn:{i}"}) for i in range(n)]


def test_the_collector_pauses_during_a_run_and_resumes_after() -> None:
    check = _Recording()
    results = Verifier([check]).verify(_items(3))
    assert [r.checks[0].result for r in results] == [PASS] * 3
    assert check.enabled == [False] * 3 and gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        check = _Recording()
        Verifier([check]).verify(_items(2))
        assert check.enabled == [False, False] and not gc.isenabled()
    finally:
        gc.enable()


def test_the_young_generation_is_collected_every_so_many_credentials_and_at_the_end(monkeypatch) -> None:
    collected: list[int] = []
    real = gc.collect
    monkeypatch.setattr(_verifier, "COLLECT_EVERY", 3)
    monkeypatch.setattr(_verifier, "CHUNK", 2)
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation) or real(generation))
    Verifier([_Recording()]).verify(_items(9))
    # after the chunks that end with the 4th (past the 3rd), the 6th and the 9th credential, and at the end
    assert collected == [0, 0, 0, 0]


class _OnChain:
    """A check answered through each endpoint's view (views refer back to the run that made them)."""

    name = "on_chain"

    def run(self, subject, view):
        return None if view is None else (PASS, "seen through the view")


def _anchored(n: int) -> list[tuple[str, dict]]:
    entry = {"type": "MicrocredRegistryEntry2026", "chain": "eip155:1", "registry": "0x" + "ab" * 20,
             "issuerAccount": "0x" + "cd" * 20}
    return [(f"{i}.json", {"id": f"urn:{i}", "credentialStatus": {**entry, "statusIndex": i}}) for i in range(n)]


@pytest.mark.parametrize("n", [10, 300])
def test_a_run_leaves_no_garbage_cycles(n: int) -> None:
    gc.collect()
    gc.disable()
    try:
        results = Verifier([_Recording(), _OnChain()], endpoints=[Endpoint("node", "eip155:1")]).verify(_anchored(n))
        assert [c.result for c in results[-1].checks] == [PASS, PASS]
        assert gc.collect() == 0
    finally:
        gc.enable()


class _Watching:
    """A check that notes, for each credential, which of the ones before it are still held by anyone."""

    name = "watching"

    def __init__(self) -> None:
        self.seen: list[weakref.ref] = []
        self.alive_before: list[list[bool]] = []

    def run(self, subject, view):
        if view is None:
            return None
        self.alive_before.append([ref() is not None for ref in self.seen])
        self.seen.append(weakref.ref(subject))
        subject.unsecured_jcs()  # the run's largest per-credential text
        return PASS, "seen"


def test_a_chunks_subjects_and_views_are_let_go_before_the_next_chunk(monkeypatch) -> None:
    monkeypatch.setattr(_verifier, "CHUNK", 2)
    check = _Watching()
    gc.disable()  # nothing may rest on the collector: what is let go is freed by its reference count
    try:
        results = Verifier([check], endpoints=[Endpoint("node", "eip155:1")]).verify(_anchored(5))
    finally:
        gc.enable()
    assert [r.checks[0].result for r in results] == [PASS] * 5
    # chunks [0, 1], [2, 3], [4]: a credential's chunk-mate is held while the chunk is checked, no earlier one is
    assert check.alive_before == [[], [True], [False, False], [False, False, True], [False] * 4]
