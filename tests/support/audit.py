"""Shared test helpers (moved from tests/registry/test_audit.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from eth_account import Account
from microcred.registry import MerkleTree, Receipt, RegistryClient, leaf_hash
from microcred.registry.audit import (
    AuditReport,
    from_registry_events,
)
from microcred.registry.ledger import registry_client


GENERATED_AT = datetime(2030, 1, 15, 9, 30, tzinfo=timezone.utc)


def _root(n: int = 4) -> bytes:
    return MerkleTree([leaf_hash(os.urandom(32)) for _ in range(n)]).root


def latest_time(chain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"])


def travel_to(chain, ts: int) -> None:
    """Mine a block at (about) unix time ``ts``, later than the latest block."""
    if chain.name == "memory":
        chain.w3.provider.ethereum_tester.time_travel(ts + 1)  # the block it mines is one second earlier
    else:
        chain.w3.provider.make_request("evm_increaseTime", [ts - latest_time(chain)])
        chain.w3.provider.make_request("evm_mine", [])
    assert latest_time(chain) >= ts


def pause(chain, seconds: int = 3600) -> None:
    """Let time pass, so that each change of the scenario has its own block time."""
    travel_to(chain, latest_time(chain) + seconds)


def next_month_start(ts: int) -> datetime:
    """Day 2, 00:00 UTC, of the month after ``ts`` (day 2: clear of any month boundary)."""
    d = datetime.fromtimestamp(ts, timezone.utc)
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return datetime(y, m, 2, tzinfo=timezone.utc)


@dataclass
class Scenario:
    """What the issuer did, and what the report must therefore say."""

    issuer: str
    reg: RegistryClient
    operator: str
    receipts: dict[str, Receipt] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)


def run_scenario(chain, account) -> Scenario:
    """Three months of an issuer's life: 3 batches (35 credentials), 4 revocations, 4 suspensions, 1
    reinstatement, 1 operator authorisation."""
    reg = registry_client(chain, account)
    s = Scenario(account.address, reg, Account.create().address)
    r = s.receipts
    for month in range(3):
        start = next_month_start(latest_time(chain))
        travel_to(chain, int(start.timestamp()))
        s.months.append(start.strftime("%Y-%m"))
        steps = {
            0: [("anchor1", lambda: reg.anchor(_root(10), 0, 10)),
                ("anchor2", lambda: reg.anchor(_root(5), 10, 5)),
                ("revoke_fraud", lambda: reg.revoke([1, 2], "fraud")),
                ("operator", lambda: reg.authorize_operator(s.operator, latest_time(chain) + 10 * 86400))],
            1: [("suspend", lambda: reg.suspend([3, 4], "under-investigation")),
                ("revoke_error", lambda: reg.revoke([5], "issued-in-error"))],
            2: [("reinstate", lambda: reg.reinstate([3], "investigation-closed")),
                ("revoke_suspended", lambda: reg.revoke([4], 2)),
                ("anchor3", lambda: reg.anchor(_root(20), 15, 20)),
                ("suspend_new", lambda: reg.suspend([6, 20], 5))],
        }[month]
        for name, act in steps:
            r[name] = act()
            pause(chain)
    return s


def build_report(chain, s: Scenario, **kwargs) -> AuditReport:
    timeline = from_registry_events(s.reg.history(s.issuer))
    return AuditReport.build(s.issuer, timeline, chain.caip2, s.reg.address, GENERATED_AT, **kwargs)


