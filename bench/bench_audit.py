"""Audit reads on a real anvil node: an issuer's whole history, and "status at T" for 1,000 credentials.

``history_rpc_requests`` / ``history_seconds``
    An issuer makes 100 changes (10 batches anchored, 90 suspensions / reinstatements / revocations) spread over
    a chain of more than 10,000 blocks: 100 empty blocks are mined (``anvil_mine``) after each change, and another
    issuer of the same registry changes things in between. Then :meth:`RegistryClient.history` reads the issuer's
    history through a counting JSON-RPC proxy (:class:`bench._util.RPCCounter`). The walk follows the events'
    ``previousChange`` links, so it costs one ``eth_getLogs`` per changed block (100), whatever the chain's length;
    the total adds the head read (one ``eth_call``) and one batched request for the block times.
``status_at_1000_seconds``
    An issuer anchors 1,000 credentials in 4 batches, revokes and suspends some before a time T, changes more after
    it (and anchors the last batch after it). The figure is the wall time of the auditor's answer for all 1,000:
    one history walk from the node plus an in-memory replay (:func:`statuses_at`). The answer is checked against
    the contract's own state at T's block.

    python -m bench.bench_audit         # prints the figures and writes bench/audit.json
"""

from __future__ import annotations

import functools
import os
import time
from collections import Counter
from typing import Any

from eth_account import Account
from web3 import HTTPProvider, Web3

from microcred.registry import MerkleTree, RegistryClient, Status, connect, leaf_hash
from microcred.registry.audit._timeline import statuses_at
from microcred.registry.ledger import registry_client

#: the bars the issue sets
MAX_HISTORY_LOG_QUERIES = 102
MAX_HISTORY_SECONDS = 5.0
MAX_STATUS_AT_1000_SECONDS = 2.0

CHANGES = 100
BLOCKS_BETWEEN = 100  # x 100 changes: 10,000 unrelated blocks


def _root() -> bytes:
    return MerkleTree([leaf_hash(os.urandom(32)) for _ in range(4)]).root


def _mine(chain, blocks: int) -> None:
    """Mine ``blocks`` empty blocks, 12 s apart (as on mainnet): block times then order the changes strictly."""
    chain.w3.provider.make_request("anvil_mine", [hex(blocks), hex(12)])


def _history_issuer(chain):
    """An issuer with ``CHANGES`` changes spread over ``CHANGES * BLOCKS_BETWEEN`` other blocks."""
    issuer, other = Account.create(), Account.create()
    chain.fund(issuer.address)
    chain.fund(other.address)
    reg, theirs = registry_client(chain, issuer), registry_client(chain, other)
    next_index, their_next = 0, 0
    suspended: list[int] = []
    cycle = 0
    for k in range(CHANGES):
        if k % 10 == 0:
            reg.anchor(_root(), next_index, 50)
            next_index += 50
            theirs.anchor(_root(), their_next, 10)  # another issuer's log in the same contract
            their_next += 10
        elif suspended and cycle % 3 == 1:
            reg.reinstate([suspended.pop()], 8)
        else:
            target = next_index - 50 + (k % 10) * 5
            if cycle % 3 == 0:
                reg.suspend([target], 5)
                suspended.append(target)
            else:
                reg.revoke([target, target + 1], 2)
        if k % 10:
            cycle += 1
        _mine(chain, BLOCKS_BETWEEN)
    return issuer.address, reg.address


@functools.lru_cache(maxsize=1)
def measure_history() -> dict[str, Any]:
    """One run of the history benchmark: log queries, total requests, seconds, chain length."""
    from bench._util import RPCCounter, anvil

    with anvil() as (node, home):
        chain = connect("local", home=home, rpc_urls=(node.url,))
        issuer, registry = _history_issuer(chain)
        head = chain.w3.eth.block_number
        counter = RPCCounter(node.url)
        try:
            reader = RegistryClient(Web3(HTTPProvider(counter.url)), registry, endpoint=counter.url)
            _ = reader.w3.eth.chain_id  # open the connection before counting
            counter.reset()
            start = time.perf_counter()
            events = reader.history(issuer)
            elapsed = time.perf_counter() - start
            methods = list(counter.methods)
            requests = counter.requests
        finally:
            counter.close()
    if len(events) != CHANGES:
        raise AssertionError(f"the history has {len(events)} events, not {CHANGES}")
    return {"log_queries": methods.count("eth_getLogs"), "requests": requests, "methods": len(methods),
            "seconds": elapsed, "blocks": head, "calls": dict(Counter(methods))}


def history_rpc_requests() -> int:
    """``eth_getLogs`` queries to read the history of an issuer with 100 changes over > 10,000 blocks."""
    return int(measure_history()["log_queries"])


def history_seconds() -> float:
    """Wall time of that read, from a local node."""
    return float(measure_history()["seconds"])


def status_at_1000_seconds() -> float:
    """Wall time of "status at T" for 1,000 credentials of one issuer: history walk + in-memory replay."""
    from bench._util import anvil

    with anvil() as (node, home):
        chain = connect("local", home=home, rpc_urls=(node.url,))
        issuer = Account.create()
        chain.fund(issuer.address)
        reg = registry_client(chain, issuer)
        for b in range(3):
            reg.anchor(_root(), b * 250, 250)
            _mine(chain, 50)
        reg.revoke(list(range(0, 250, 10)), 2)
        reg.suspend(list(range(300, 310)), 5)
        reg.revoke(list(range(500, 505)), 1)
        _mine(chain, 50)
        at_block = chain.w3.eth.get_block("latest")
        t, block_t = int(at_block["timestamp"]), int(at_block["number"])
        _mine(chain, 50)
        reg.reinstate(list(range(300, 305)), 8)
        reg.revoke(list(range(600, 630)), 3)
        reg.anchor(_root(), 750, 250)
        reg.revoke(list(range(900, 910)), 2)
        indexes = list(range(1000))

        reader = RegistryClient(Web3(HTTPProvider(node.url)), reg.address, endpoint=node.url)
        _ = reader.w3.eth.chain_id  # open the connection before timing
        start = time.perf_counter()
        answer = statuses_at(reader.history(issuer.address), indexes, t)
        elapsed = time.perf_counter() - start

        on_chain = reg.status_of(issuer.address, indexes, block=block_t)
    for i, status in zip(indexes, on_chain, strict=True):
        got = answer[i][0]
        expected = "unknown" if i >= 750 else status.label
        if got != expected or (got == "unknown" and status is not Status.ACTIVE):
            raise AssertionError(f"status at T of credential {i}: replay says {got}, the contract {status.label}")
    return elapsed


def main() -> None:
    """Measure, print, and write bench/audit.json."""
    from bench._util import write_result

    h = measure_history()
    s = status_at_1000_seconds()
    figures = {
        "history_rpc_requests": int(h["log_queries"]),
        "history_s": round(h["seconds"], 4),
        "status_at_1000_s": round(s, 4),
        "history_total_rpc_requests": int(h["requests"]),
    }
    print(f"history of {CHANGES} changes over {h['blocks']:,} blocks: {figures['history_rpc_requests']} eth_getLogs "
          f"(bar <= {MAX_HISTORY_LOG_QUERIES}), {figures['history_total_rpc_requests']} HTTP requests in all "
          f"({int(h['methods'])} JSON-RPC calls), {figures['history_s']:.3f} s (bar < {MAX_HISTORY_SECONDS:g})")
    print(f"status at T of 1,000 credentials (history + replay): {figures['status_at_1000_s']:.3f} s "
          f"(bar < {MAX_STATUS_AT_1000_SECONDS:g})")
    write_result("audit", figures, {
        "node": "anvil on loopback, fresh per measurement",
        "history": f"{CHANGES} changes of one issuer, {BLOCKS_BETWEEN} empty blocks mined after each "
                   f"({int(h['blocks'])} blocks in all), another issuer active in the same registry; read through "
                   "a counting proxy; history_rpc_requests counts eth_getLogs, history_total_rpc_requests every HTTP "
                   "request (a JSON-RPC batch counts once)",
        "status_at_1000": "4 batches of 250, 70 credentials changed before T and 45 after, last batch anchored "
                          "after T; one history walk + in-memory replay; answer checked against the contract's "
                          "state at T's block",
        "history_json_rpc_calls": h["calls"],
        "bars": {"history_rpc_requests": MAX_HISTORY_LOG_QUERIES, "history_s": MAX_HISTORY_SECONDS,
                 "status_at_1000_s": MAX_STATUS_AT_1000_SECONDS},
    })


if __name__ == "__main__":
    main()
