"""Read-only connections: never deploy, never send, never write a file, for any network; a fresh empty home finds
the issuer's registries on its anvil chain at their deterministic addresses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from eth_account import Account

from microcred.chain import (
    LocalNode,
    NoTrustedRegistryError,
    ReadOnlyError,
    TrustedRegistries,
    connect,
    deterministic_addresses,
)
from microcred.did._ethr import EthrResolver
from microcred.registry.ledger import registry_client
from tests.support.chain import free_port


def _tree(path: Path) -> dict[str, bytes]:
    if not path.exists():
        return {}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture
def issued(anvil_node):
    """The issuer's anvil chain with one anchored batch; its home and account."""
    node, home = anvil_node
    chain = connect("local", home=home, rpc_urls=(node.url,))
    issuer = Account.create()
    chain.fund(issuer.address)
    registry_client(chain, issuer).anchor(os.urandom(32), 0, 4)
    return node, home, issuer


def test_a_fresh_home_reads_the_issuers_chain_without_changing_anything(issued, tmp_path):
    node, issuer_home, issuer = issued
    fresh = tmp_path / "verifier-home"
    fresh.mkdir()
    before_home, before_issuer_home = _tree(fresh), _tree(issuer_home / "deployments.json")
    probe = connect(node.url, read_only=True)
    block = probe.w3.eth.block_number

    for network, kwargs in (("local", {"rpc_urls": (node.url,)}), (node.url, {})):
        chain = connect(network, home=fresh, read_only=True, **kwargs)
        assert chain.read_only and chain.addresses == deterministic_addresses()  # found, with no deployments.json
        client = registry_client(chain)
        next_index, head = client.issuer_state(issuer.address)
        assert next_index == 4 and head > 0
        assert [e.kind for e in client.history(issuer.address)] == ["anchored"]
        resolver = EthrResolver(chain.w3, chain.address_of("EthereumDIDRegistry"), chain.chain_id)
        assert resolver.resolve(resolver.did_for(issuer.address)).document.id.endswith(issuer.address.lower())
        trusted = TrustedRegistries.for_home(fresh)
        assert trusted.addresses(chain.w3, chain.chain_id, "CredentialRegistry") == {
            deterministic_addresses()["CredentialRegistry"]}
        with pytest.raises(ReadOnlyError, match="read-only"):
            chain.sender(Account.create())
        with pytest.raises(ReadOnlyError):
            chain.fund(Account.create().address)

    assert probe.w3.eth.block_number == block, "a read-only connection sent a transaction"
    assert _tree(fresh) == before_home and not (fresh / "deployments.json").exists()
    assert _tree(issuer_home / "deployments.json") == before_issuer_home


def test_read_only_never_deploys_even_on_an_empty_dev_chain(tmp_path):
    home = tmp_path / "empty-node"
    node = LocalNode(home, port=free_port())
    node.start()
    try:
        before = _tree(home)
        chain = connect("local", home=home, rpc_urls=(node.url,), read_only=True)
        assert chain.addresses == {}
        assert chain.w3.eth.block_number == 0
        with pytest.raises(NoTrustedRegistryError, match="microcred deploy"):
            TrustedRegistries().addresses(chain.w3, chain.chain_id, "CredentialRegistry")
        with pytest.raises(ReadOnlyError):
            chain.sender(chain.dev_account)
        assert chain.w3.eth.block_number == 0
        after = {k: v for k, v in _tree(home).items() if not k.endswith(("state.json", "anvil.log"))}
        assert after == {k: v for k, v in before.items() if not k.endswith(("state.json", "anvil.log"))}
        # a connection that may write deploys at the deterministic addresses
        writer = connect("local", home=home, rpc_urls=(node.url,))
        assert writer.addresses == deterministic_addresses()
        assert not (home / "deployments.json").exists()
    finally:
        node.stop()


def test_read_only_memory_is_a_view_that_cannot_send():
    chain = connect("memory")
    view = chain.as_read_only()
    assert view.read_only and not chain.read_only and view.addresses == chain.addresses
    with pytest.raises(ReadOnlyError):
        view.sender(chain.dev_account)
    empty = connect("memory", read_only=True)
    assert empty.addresses == {} and empty.w3.eth.block_number == 0


def test_the_cli_context_reads_read_only(tmp_path):
    from microcred.cli._app import AppContext

    app = AppContext(home=tmp_path, network="memory")
    assert app.chain(read_only=True).read_only
    assert not app.chain().read_only
