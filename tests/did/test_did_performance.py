"""did:key resolution stays cheap: the issue's bar is 20,000 resolutions per second on one core.

Measured by the benchmark itself (best of three rounds over distinct DIDs, no cache); today's figure is about
twice the bar, so a failure here means a real regression (validation crept into the hot path), not noise.
"""

from __future__ import annotations

from bench.bench_did import TARGET, bench_didkey_resolve


def test_didkey_resolution_throughput() -> None:
    rate = bench_didkey_resolve(count=2000, rounds=3)
    assert rate >= TARGET, f"did:key resolution at {rate:,.0f}/s, under the bar of {TARGET:,}/s"
