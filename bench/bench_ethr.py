"""did:ethr resolution cost in RPC requests: a DID with K = 10 changes hidden among 10,000 unrelated blocks.

The resolver walks the ERC-1056 linked history: ``changed(identity)`` (one ``eth_call``), one ``eth_getLogs`` per
changed block, and the header of the latest change for the ``updated`` metadata when the node does not put
``blockTimestamp`` in its logs. The bar is K + 2 = 12 requests, whatever the number of unrelated blocks.

``bench_ethr_rpc_requests()`` measures on the in-process EVM (eth-tester; its logs carry no block time, so this is
the worst case), counting every request that reaches the provider. ``bench_ethr_rpc_requests_anvil()`` measures
against a real anvil node through a counting HTTP proxy (one HTTP request = one count); anvil's logs carry block
times, so it needs one request less.

    python bench/bench_ethr.py           # the in-process EVM (about 15 s), printed as JSON
    python bench/bench_ethr.py --anvil   # also anvil (about a minute: anvil's mining slows as its chain grows)
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

from eth_account import Account
from web3 import EthereumTesterProvider, HTTPProvider, Web3

from microcred.contracts import load_artifact
from microcred.did._ethr import EthrDIDController, EthrResolver

#: changes of the DID, unrelated blocks around them, and the bar of the issue
CHANGES = 10
UNRELATED_BLOCKS = 10_000
TARGET = CHANGES + 2

_ROOT = Path(__file__).resolve().parents[1]
_ANVIL = _ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


def _deploy(w3: Web3) -> str:
    art = load_artifact("EthereumDIDRegistry")
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    tx = factory.constructor().transact({"from": w3.eth.accounts[0]})
    return w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]


def _make_history(w3: Web3, registry: str, mine: Callable[[int], None], changes: int,
                  unrelated_blocks: int) -> tuple[str, list[int]]:
    """A funded identity changed ``changes`` times, ``unrelated_blocks`` blocks (with other transactions) between."""
    owner = Account.create()
    bystander = Account.create()
    w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": owner.address, "value": 10**19})
    ctl = EthrDIDController(w3, registry, owner, chain_id=w3.eth.chain_id, poll_latency=0.01)
    blocks = []
    gap = unrelated_blocks // changes
    for i in range(changes):
        w3.eth.send_transaction({"from": w3.eth.accounts[1], "to": bystander.address, "value": i + 1})
        mine(gap - 1)
        if i % 3 == 0:
            receipt = ctl.add_delegate("veriKey", Account.create().address, 86400)
        elif i % 3 == 1:
            receipt = ctl.set_attribute("did/pub/Ed25519/veriKey", bytes([i]) * 32, 86400)
        else:
            receipt = ctl.set_attribute("did/svc/HubService", f"https://hub.example/{i}", 86400)
        blocks.append(int(receipt["blockNumber"]))
    mine(unrelated_blocks - gap * changes)
    return ctl.did, blocks


def bench_ethr_rpc_requests(changes: int = CHANGES, unrelated_blocks: int = UNRELATED_BLOCKS) -> int:
    """Requests to resolve a DID with ``changes`` changes among ``unrelated_blocks`` blocks (in-process EVM)."""
    w3 = Web3(EthereumTesterProvider())
    registry = _deploy(w3)
    tester = w3.provider.ethereum_tester
    did, blocks = _make_history(w3, registry, lambda n: tester.mine_blocks(n) if n > 0 else None, changes,
                                unrelated_blocks)
    resolver = EthrResolver(w3, registry, w3.eth.chain_id, call_from=w3.eth.accounts[0])
    calls: list[str] = []
    provider = w3.provider
    original = provider.make_request

    def counting(method: Any, params: Any) -> Any:
        calls.append(str(method))
        return original(method, params)

    provider.make_request = counting  # type: ignore[method-assign]
    provider._request_func_cache = ((), None)  # web3 caches the middleware chain built around make_request
    try:
        result = resolver.resolve(did)
    finally:
        provider.make_request = original  # type: ignore[method-assign]
        provider._request_func_cache = ((), None)
    if result.metadata.version_id != str(blocks[-1]):
        raise AssertionError(f"resolved version {result.metadata.version_id}, expected {blocks[-1]}")
    return len(calls)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_ethr_rpc_requests_anvil(changes: int = CHANGES, unrelated_blocks: int = UNRELATED_BLOCKS) -> int | None:
    """The same against an anvil node (started on a free port and stopped), counted at the HTTP level; ``None``
    when no anvil binary is installed."""
    binary = _ANVIL if _ANVIL.exists() else shutil.which("anvil")
    if binary is None:
        return None
    sys.path.insert(0, str(_ROOT))
    from bench._util import RPCCounter

    port = _free_port()
    node = subprocess.Popen([str(binary), "--port", str(port), "--silent", "--prune-history", "64"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    counter = None
    try:
        url = f"http://127.0.0.1:{port}"
        w3 = Web3(HTTPProvider(url))
        deadline = time.monotonic() + 20
        while not w3.is_connected():
            if time.monotonic() > deadline:
                raise RuntimeError(f"anvil did not start on port {port}")
            time.sleep(0.05)
        registry = _deploy(w3)
        did, blocks = _make_history(w3, registry, lambda n: w3.provider.make_request("anvil_mine", [hex(n)])
                                    if n > 0 else None, changes, unrelated_blocks)
        counter = RPCCounter(url)
        resolver = EthrResolver(Web3(HTTPProvider(counter.url)), registry, int(w3.eth.chain_id))
        result = resolver.resolve(did)
        if result.metadata.version_id != str(blocks[-1]):
            raise AssertionError(f"resolved version {result.metadata.version_id}, expected {blocks[-1]}")
        return counter.requests
    finally:
        if counter is not None:
            counter.close()
        node.terminate()
        try:
            node.wait(timeout=10)
        except subprocess.TimeoutExpired:
            node.kill()


def main(argv: list[str] | None = None) -> None:
    """Measure and print JSON (``--anvil``: also against an anvil node)."""
    argv = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()
    memory = bench_ethr_rpc_requests()
    anvil = bench_ethr_rpc_requests_anvil() if "--anvil" in argv else None
    print(json.dumps({
        "ethr_rpc_requests": memory,
        "ethr_rpc_requests_anvil": anvil,
        "target_max": TARGET,
        "changes": CHANGES,
        "unrelated_blocks": UNRELATED_BLOCKS,
        "seconds": round(time.perf_counter() - started, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
