"""During a verification run the objects that existed before it (the loaded credentials) are kept out of the
cyclic garbage collector's passes, and the collector is left as it was found: unfrozen, or frozen by the caller,
or disabled."""

from __future__ import annotations

import gc

from microcred.registry.verify import Verifier
from microcred.registry.verify._model import PASS


class _Recording:
    name = "recording"

    def __init__(self) -> None:
        self.frozen: list[int] = []

    def run(self, subject, view):
        self.frozen.append(gc.get_freeze_count())
        return PASS, "seen"


def _verify(check: _Recording) -> None:
    results = Verifier([check]).verify([("a.json", {"id": "urn:a"}), ("b.json", {"id": "urn:b"})])
    assert [r.checks[0].result for r in results] == [PASS, PASS]


def test_earlier_objects_are_frozen_during_a_run_and_thawed_after() -> None:
    gc.unfreeze()
    loaded = [{"n": i} for i in range(1000)]  # long-lived, like loaded credentials
    check = _Recording()
    _verify(check)
    assert len(check.frozen) == 2 and all(count >= len(loaded) for count in check.frozen)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_callers_frozen_objects_stay_frozen_and_a_disabled_collector_stays_off() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        check = _Recording()
        _verify(check)
        assert check.frozen == [before, before] and gc.get_freeze_count() == before
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        check = _Recording()
        _verify(check)
        assert check.frozen == [0, 0] and not gc.isenabled()
    finally:
        gc.enable()
