"""RPC cost of the accreditation check: verifying many credentials of several issuers with a trust list, on a
local anvil node started here. Adds `accreditation_rpc_requests_per_issuer` to bench/audit.json."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from eth_account import Account

from bench._util import BENCH_DIR, RPCCounter, anvil, write_result
from microcred.registry import RegistryClient, connect
from microcred.registry.accreditation._client import AccreditationClient, Scope
from microcred.registry.anchoring._anchor import load_credential
from microcred.chain._connect import _http_web3
from microcred.registry.accreditation._trust import AccreditationChecker
from tests.support.accreditation import MICRO, YEAR, anchored_credentials, make_world, trust_de_fr
from tests.support.verify import verifier


def measure(issuers: int = 3, per_issuer: int = 50) -> int:
    with anvil() as (node, home), tempfile.TemporaryDirectory() as tmp:
        chain = connect("local", home=home, rpc_urls=(node.url,))
        world = make_world(chain)
        a, _ = world.standard_chain()
        files = anchored_credentials(world, Path(tmp) / "0", per_issuer)
        for k in range(1, issuers):
            other = Account.create()
            chain.fund(other.address)
            world.client(world.agency).grant(other.address, Scope(MICRO, 6, "0613"), world.now - 10,
                                             world.now + YEAR, a)
            files += anchored_credentials(world, Path(tmp) / str(k), per_issuer, issuer=other)
        trust = trust_de_fr(world)
        counter = RPCCounter(node.url)
        try:
            w3 = _http_web3(counter.url)
            w3.eth.chain_id
            check = AccreditationChecker(trust, lambda addr: AccreditationClient(w3, addr, endpoint=counter.url),
                                         chain=chain.caip2)
            without = verifier(chain, registry_for=lambda addr: RegistryClient(w3, addr, endpoint=counter.url))
            items = [(None, load_credential(f)) for f in files]
            counter.reset()
            without.verify(items)
            base = counter.requests
            with_trust = verifier(chain, registry_for=lambda addr: RegistryClient(w3, addr, endpoint=counter.url),
                                  accreditation_checker=check)
            counter.reset()
            results = with_trust.verify(items)
            assert all(r.valid for r in results)
            return (counter.requests - base) // issuers
        finally:
            counter.close()


def main() -> dict:
    per_issuer = measure()
    path = BENCH_DIR / "audit.json"
    figures = json.loads(path.read_text()) if path.exists() else {}
    notes = figures.pop("_meta", {})
    figures["accreditation_rpc_requests_per_issuer"] = per_issuer
    notes.setdefault("bars", {})
    write_result("audit", figures, {k: v for k, v in notes.items() if k not in ("measured_at", "machine", "python")}
                 | {"accreditation": "3 issuers x 50 credentials, extra requests with --trust per issuer (bar <= 2)"})
    print(f"accreditation_rpc_requests_per_issuer = {per_issuer}")
    return figures


if __name__ == "__main__":
    main()
