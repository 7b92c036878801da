"""Concurrent requests verified together (one call per batch, each verdict its own), and the per-process chain-read
cache (answers reused for its time-to-live only, reads of the past never cached, failures never kept)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from microcred.registry.verify import LedgerState, Verification
from microcred.service import ServiceConfig, VerifierCache
from microcred.service._chaincache import ChainReadCache
from microcred.service._verifying import Batcher


def _verdict(doc: dict) -> Verification:
    v = Verification(file=None, id=doc.get("id"))
    v.add("format", "pass" if doc.get("good") else "fail", "ok")
    return v


def test_requests_that_arrive_while_one_is_verified_are_verified_together_in_order():
    calls: list[list[str]] = []
    first_started, release = threading.Event(), threading.Event()

    class V:
        def verify(self, items):
            calls.append([d["id"] for _, d in items])
            if len(calls) == 1:
                first_started.set()
                release.wait(10)
            return [_verdict(d) for _, d in items]

    batcher = Batcher(VerifierCache(ServiceConfig(app=None, build=lambda app, trust: V(), max_batch=3)))

    async def scenario():
        first = asyncio.ensure_future(batcher.verify(None, {"id": "a", "good": True}))
        await asyncio.get_running_loop().run_in_executor(None, first_started.wait, 10)
        rest = [asyncio.ensure_future(batcher.verify(None, {"id": i, "good": i != "c"})) for i in "bcdef"]
        await asyncio.sleep(0)  # let them queue
        release.set()
        return await asyncio.gather(first, *rest)

    results = asyncio.run(scenario())
    assert calls == [["a"], ["b", "c", "d"], ["e", "f"]]  # one call per batch, oldest first, at most max_batch
    assert [r.id for r in results] == list("abcdef")
    assert [r.checks[0].result for r in results] == ["pass", "pass", "fail", "pass", "pass", "pass"]


def test_a_batch_that_fails_as_a_whole_is_verified_one_by_one():
    class V:
        def verify(self, items):
            if len(items) > 1 or items[0][1].get("poison"):
                raise RuntimeError("boom")
            return [_verdict(items[0][1])]

    batcher = Batcher(VerifierCache(ServiceConfig(app=None, build=lambda app, trust: V())))
    hold = threading.Event()
    original = batcher.cache.verify_many

    def slow_first(items):
        hold.wait(10)
        return original(items)

    batcher.cache.verify_many = slow_first  # type: ignore[method-assign]

    async def scenario():
        first = asyncio.ensure_future(batcher.verify(None, {"id": "x", "good": True}))
        await asyncio.sleep(0)
        others = [asyncio.ensure_future(batcher.verify(None, d))
                  for d in ({"id": "p", "poison": True}, {"id": "q", "good": True})]
        await asyncio.sleep(0)
        hold.set()
        return await asyncio.gather(first, *others, return_exceptions=True)

    x, p, q = asyncio.run(scenario())
    assert x.id == "x" and isinstance(p, RuntimeError) and q.id == "q" and q.checks[0].result == "pass"


class _Ledger:
    def __init__(self) -> None:
        self.asked: list[tuple] = []
        self.fail = False

    def read(self, registry, account, roots, indexes, *, at, block=None):
        self.asked.append((tuple(roots), tuple(indexes), at))
        if self.fail:
            from microcred.errors import NetworkError

            raise NetworkError("down")
        return LedgerState(batches={r: f"batch-{r}" for r in roots}, statuses={i: f"status-{i}" for i in indexes},
                           block=100 + len(self.asked), assurance="storage-proof")


def test_chain_answers_are_reused_for_their_time_to_live_only():
    now = [0.0]
    inner = _Ledger()
    cache = ChainReadCache(inner, ttl=5, clock=lambda: now[0])
    first = cache.read("0xR", "0xA", ["r1"], [1, 2], at=None)
    again = cache.read("0xr", "0xa", ["r1"], [2], at=None)  # addresses compared without case
    assert len(inner.asked) == 1 and again.statuses == {2: "status-2"} and again.batches == {"r1": "batch-r1"}
    assert again.block == first.block and again.assurance == "storage-proof"
    now[0] = 1
    cache.read("0xR", "0xA", ["r1"], [3], at=None)  # index 3 was never read: asked, with what was asked lately
    assert inner.asked[-1] == (("r1",), (3, 1, 2), None)
    now[0] = 5.5
    cache.read("0xR", "0xA", ["r1"], [2], at=None)  # index 2 was read again at 1: still fresh
    assert len(inner.asked) == 2
    now[0] = 6.1
    cache.read("0xR", "0xA", ["r1"], [2], at=None)  # too old now: read again, with 3 and 1, asked lately
    assert inner.asked[-1] == (("r1",), (2, 3, 1), None) and (cache.hits, cache.misses) == (2, 3)
    now[0] = 20
    cache.read("0xR", "0xA", ["r2"], [7], at=None)  # nothing asked in the last 10 s comes along
    assert inner.asked[-1] == (("r2",), (7,), None)


def test_reads_of_the_past_and_failures_are_never_kept():
    from datetime import datetime, timezone

    from microcred.errors import NetworkError

    inner = _Ledger()
    cache = ChainReadCache(inner, ttl=60, clock=lambda: 0.0)
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cache.read("0xR", "0xA", ["r1"], [1], at=when)
    cache.read("0xR", "0xA", ["r1"], [1], at=when)
    assert [a[2] for a in inner.asked] == [when, when]
    inner.fail = True
    with pytest.raises(NetworkError):
        cache.read("0xR", "0xA", ["r9"], [9], at=None)
    inner.fail = False
    cache.read("0xR", "0xA", ["r9"], [9], at=None)
    assert len(inner.asked) == 4  # the failure was not kept: asked again
