"""Gas of the credential registry, measured on a real anvil node: writes bench/gas.json."""

from __future__ import annotations

import os

from eth_account import Account
from web3 import Web3

from bench._util import RPCCounter, anvil, write_result
from microcred.chain import DEV_KEY, TxSender, install_factory
from microcred.registry import MerkleTree, connect, deploy_contracts, leaf_hash
from microcred.registry.ledger import registry_client

#: figures of comparable registries, measured by their projects on the same EVM (from the issue's table)
PEERS = {
    "anchor_batch": {"OpenAttestation issue(root)": 48168, "EAS attest (per credential)": 200260},
    "status_change": {"uPort EthrStatusRegistry revoke": 45513, "EAS revoke": 59890, "OpenAttestation revoke": 62436},
    "status_change_bulk_per_item": {"EAS multiRevoke": 29003},
}
BARS = {"anchor_batch": 55000, "status_change_used_word": 36000, "status_change_fresh_word": 53000,
        "status_change_bulk_100_per_item": 5000}


def _root() -> bytes:
    return MerkleTree([leaf_hash(os.urandom(32)) for _ in range(16)]).root


def measure() -> dict:
    with anvil() as (node, home):
        # the registry's deployment is measured before connecting, which deploys whatever is missing on a dev chain
        w3 = Web3(Web3.HTTPProvider(node.url))
        dev = TxSender(w3, Account.from_key(DEV_KEY), chain_id=int(w3.eth.chain_id))
        install_factory(w3, dev)
        address, deploy_gas = deploy_contracts(w3, dev, ("CredentialRegistry",))["CredentialRegistry"]
        if not deploy_gas:
            raise RuntimeError("the CredentialRegistry was already deployed: its deployment gas cannot be measured")
        chain = connect("local", home=home, rpc_urls=(node.url,))
        issuer = Account.create()
        chain.fund(issuer.address)
        reg = registry_client(chain, issuer, address=address)
        first_anchor = reg.anchor(_root(), 0, 1000).gas_used  # the issuer's first batch creates its record
        anchor = reg.anchor(_root(), 1000, 10_000).gas_used  # any later batch, of any size
        anchor_small = reg.anchor(_root(), 11_000, 1).gas_used
        fresh = reg.revoke([5], 1).gas_used  # first change in word 0
        used = reg.revoke([6], 1).gas_used  # word 0 already written
        bulk = reg.revoke(list(range(1024, 1124)), 1).gas_used  # 100 neighbours in one fresh word
        # status of 1,000 credentials of one issuer: count the RPC requests through a proxy
        counter = RPCCounter(node.url)
        try:
            from microcred.chain._connect import _http_web3
            from microcred.registry import RegistryClient

            reader = RegistryClient(_http_web3(counter.url), address, endpoint=counter.url)
            reader.w3.eth.chain_id  # connecting: web3 asks the chain id once, then caches it
            counter.reset()
            statuses = reader.status_of(issuer.address, list(range(1000)))
            read_requests = counter.requests
            assert counter.methods == ["eth_call"] * read_requests
        finally:
            counter.close()
        assert statuses[5].label == "revoked"
    return {
        "deploy_registry": deploy_gas,
        "anchor_batch": anchor,
        "anchor_batch_first_of_issuer": first_anchor,
        "anchor_batch_single_credential": anchor_small,
        "status_change_fresh_word": fresh,
        "status_change_used_word": used,
        "status_change_bulk_100_per_item": bulk // 100,
        "status_read_1000_eth_calls": read_requests,
    }


def main() -> dict:
    figures = measure()
    path = write_result("gas", figures, {"node": "anvil (npm @foundry-rs/anvil)", "bars": BARS, "peers": PEERS,
                                         "notes": "anchor_batch is any batch after the issuer's first; the first "
                                                  "also creates the issuer's record (anchor_batch_first_of_issuer)"})
    print(f"wrote {path}")
    for k, v in figures.items():
        bar = BARS.get(k)
        print(f"  {k:34} {v:>10,}" + (f"   (bar <= {bar:,}: {'ok' if v <= bar else 'OVER'})" if bar else ""))
    return figures


if __name__ == "__main__":
    main()
