"""chain.advance_time: a dev chain's clock moved forward, on the in-process EVM and on anvil."""

from __future__ import annotations

from microcred.chain import advance_time


def test_advance_time_mines_a_block_later_by_the_seconds_asked(chain):
    before = chain.w3.eth.get_block("latest")
    advance_time(chain.w3, 3600)
    after = chain.w3.eth.get_block("latest")
    assert after["number"] > before["number"]
    assert 3599 <= after["timestamp"] - before["timestamp"] <= 3600 + 60  # a busy machine's seconds on top
