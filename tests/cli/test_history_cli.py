"""`microcred history`: the time → block bisection it stands on, and an issuer's timeline as of a time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from eth_account import Account

from microcred.registry.ledger import registry_client
from microcred.chain._blocks import block_at
from microcred.chain._connect import connect
from microcred.cli import main


def run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code or 0, capsys.readouterr().out


def test_block_at_is_the_last_block_at_or_before_the_time():
    chain = connect("memory")
    tester = chain.w3.provider.ethereum_tester
    start = chain.w3.eth.get_block("latest")["timestamp"]
    for step in (10, 10, 30, 5, 100):
        start += step
        tester.time_travel(start)
        tester.mine_blocks(1)
    head = chain.w3.eth.block_number
    times = [chain.w3.eth.get_block(n)["timestamp"] for n in range(head + 1)]
    assert block_at(chain.w3, None) == "latest"
    for t in sorted(set(times)) + [times[-1] + 1000, times[0] - 1]:
        expected = max((n for n, ts in enumerate(times) if ts <= t), default=0)
        assert block_at(chain.w3, datetime.fromtimestamp(t, timezone.utc)) == expected, t
    for t in times:  # between two blocks: the earlier one
        expected = max(n for n, ts in enumerate(times) if ts <= t + 0.5)
        assert block_at(chain.w3, datetime.fromtimestamp(t + 0.5, timezone.utc)) == expected


def _issuer_on_memory(root: bytes):
    """A funded issuer account on the CLI's memory chain that has anchored ``root`` (indexes 0-3)."""
    from microcred.cli._app import _MEMORY

    chain = _MEMORY.setdefault("memory", connect("memory"))
    issuer = Account.create()
    chain.fund(issuer.address)
    reg = registry_client(chain, issuer)
    reg.anchor(root, 0, 4)
    return chain, issuer, reg


def test_history_as_of_a_time(capsys, tmp_path):
    chain, issuer, reg = _issuer_on_memory(b"\x01" * 32)
    before = datetime.fromtimestamp(chain.w3.eth.get_block("latest")["timestamp"], timezone.utc)
    chain.w3.provider.ethereum_tester.time_travel(int(before.timestamp()) + 100)
    reg.revoke([1], "fraud")
    base = ["--home", str(tmp_path / "h"), "--network", "memory", "--json", "history", issuer.address]
    code, out = run(capsys, *base)
    assert code == 0 and [json.loads(r)["kind"] for r in out.strip().splitlines()] == ["anchored", "revoked"]
    code, out = run(capsys, *base, "--at", (before + timedelta(seconds=10)).isoformat())
    assert code == 0 and [json.loads(r)["kind"] for r in out.strip().splitlines()] == ["anchored"]


def test_history_as_of_a_block(capsys, tmp_path):
    chain, issuer, reg = _issuer_on_memory(b"\x02" * 32)
    anchored_in = chain.w3.eth.block_number
    reg.revoke([2], "fraud")
    base = ["--home", str(tmp_path / "h"), "--network", "memory", "--json", "history", issuer.address]
    code, out = run(capsys, *base, "--at", f"block:{anchored_in}")
    rows = [json.loads(r) for r in out.strip().splitlines()]
    assert code == 0 and [r["kind"] for r in rows] == ["anchored"] and rows[0]["block"] == anchored_in
    code, out = run(capsys, *base, "--at", f"block:{anchored_in + 1}")
    assert code == 0 and [json.loads(r)["kind"] for r in out.strip().splitlines()] == ["anchored", "revoked"]
    for at, message in ((f"block:{anchored_in + 1000}", "is not on the chain"), ("block:12x", "not a block number")):
        with pytest.raises(SystemExit) as exc:
            main([*base, "--at", at])
        assert exc.value.code == 2 and message in capsys.readouterr().err
