"""Every branch of the chain-side checks (anchor, status, validity) and the could-not-check rule.

Format, signature and issuer checks are the DID and proof layers' (tested there, in tests/registry/verify/ and end
to end); here they are stand-ins so each chain-side branch can be reached on purpose.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
from eth_account import Account

from microcred.errors import NetworkError
from microcred.registry import RegistryClient
from microcred.registry.anchoring._anchor import Anchorer, anchor_proofs, load_credential
from microcred.chain._connect import _http_web3
from microcred.registry.verify import (
    parse_time,
)
from tests.support.chain import free_port
from tests.support.anchoring import make_credentials
from microcred.registry.ledger import registry_client
from tests.support.verify import verifier


@pytest.fixture
def anchored(chain, tmp_path):
    """Five credentials of one issuer, anchored; returns (issuer account, registry client, files)."""
    issuer = Account.create()
    chain.fund(issuer.address)
    reg = registry_client(chain, issuer)
    files = make_credentials(tmp_path / "out", chain.caip2, reg.address, issuer.address, range(5))
    Anchorer(reg, tmp_path / "j", chain_caip2=chain.caip2).anchor(files)
    return issuer, reg, files


def _checks(v):
    return {c.name: c.result for c in v.checks}


def _detail(v, name):
    return next(c.detail for c in v.checks if c.name == name)


def test_valid_credentials(chain, anchored):
    _, _, files = anchored
    results = verifier(chain).verify([(str(f), load_credential(f)) for f in files])
    for v in results:
        assert v.valid and v.status == "active", v.as_json()
        assert _checks(v) == {"format": "pass", "validity": "pass", "anchor": "pass", "signature": "pass",
                              "issuer": "pass", "status": "pass", "accreditation": "skipped"}
    line = results[0].as_json()
    assert set(line) == {"file", "id", "valid", "status", "checks"}
    assert [c["name"] for c in line["checks"]][:3] == ["format", "signature", "issuer"]


def test_revoked_and_suspended_say_why_and_when(chain, anchored):
    issuer, reg, files = anchored
    reg.revoke([1], "fraud")
    reg.suspend([2], "under-investigation")
    v0, v1, v2 = verifier(chain).verify([(None, load_credential(f)) for f in files[:3]])
    assert v0.valid and v0.status == "active"
    assert not v1.valid and v1.status == "revoked" and "fraud" in _detail(v1, "status")
    assert v2.status == "suspended" and "under-investigation" in _detail(v2, "status")
    assert "UTC" in _detail(v1, "status")


def test_as_of_a_time_before_the_revocation_it_was_valid(chain, anchored):
    issuer, reg, files = anchored
    before = datetime.fromtimestamp(chain.w3.eth.get_block("latest")["timestamp"], timezone.utc)
    if chain.name == "memory":
        chain.w3.provider.ethereum_tester.time_travel(int(before.timestamp()) + 100)
    else:
        chain.w3.provider.make_request("evm_increaseTime", [100])
        chain.w3.provider.make_request("evm_mine", [])
    reg.revoke([3], 2)
    now = verifier(chain).verify([(None, load_credential(files[3]))])[0]
    then = verifier(chain).verify([(None, load_credential(files[3]))], at=before + timedelta(seconds=10))[0]
    assert now.status == "revoked" and not now.valid
    assert then.status == "active" and then.valid, then.as_json()


def test_forged_inclusion_proof_fails(chain, anchored):
    _, _, files = anchored
    doc = load_credential(files[0])
    proof = anchor_proofs(doc)[0]
    proof["merklePath"][0] = "0x" + "ab" * 32
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["anchor"] == "fail" and "does not lead" in _detail(v, "anchor")


def test_tampered_credential_fails_the_anchor(chain, anchored):
    _, _, files = anchored
    doc = load_credential(files[0])
    doc["credentialSubject"]["id"] = "did:example:mallory"
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["anchor"] == "fail" and not v.valid


def test_root_anchored_by_another_issuer_fails(chain, anchored, tmp_path):
    """Mallory anchors a tree holding the victim's credential under her own account: the verifier looks the root
    up under the account the credential names, where it is not."""
    issuer, reg, files = anchored
    mallory = Account.create()
    chain.fund(mallory.address)
    doc = load_credential(files[0])
    forged = copy.deepcopy(doc)
    # she re-anchors the same credential content under her account; the credential still names the issuer
    m_reg = registry_client(chain, mallory)
    from microcred.registry import MerkleTree, leaf_hash
    from microcred.registry.anchoring._anchor import credential_digest

    leaf = leaf_hash(credential_digest(doc))
    other = leaf_hash(b"\x07" * 32)
    tree = MerkleTree([leaf, other])
    m_reg.anchor(tree.root, 0, 2)
    proof = anchor_proofs(forged)[0]
    proof["merkleRoot"] = "0x" + tree.root.hex()
    proof["merklePath"] = ["0x" + p.hex() for p in tree.proof(0)]
    v = verifier(chain).verify([(None, forged)])[0]
    assert _checks(v)["anchor"] == "fail" and "not anchored by issuer account" in _detail(v, "anchor")


def test_credential_for_another_chain_or_registry(chain, anchored):
    _, _, files = anchored
    doc = load_credential(files[0])
    doc["credentialStatus"]["chain"] = "eip155:11155111"
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["anchor"] == "fail" and "eip155:11155111" in _detail(v, "anchor")
    assert _checks(v)["status"] == "error"
    doc = load_credential(files[0])
    doc["credentialStatus"]["registry"] = "0x" + "12" * 20
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["anchor"] == "fail" and "registry" in _detail(v, "anchor")


def test_wrong_status_index_fails(chain, anchored):
    _, _, files = anchored
    doc = load_credential(files[0])
    doc["credentialStatus"]["statusIndex"] = 4  # claims another credential's index: digest no longer matches
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["anchor"] == "fail" and "does not lead" in _detail(v, "anchor")


def test_index_outside_the_anchored_range(chain, tmp_path):
    issuer = Account.create()
    chain.fund(issuer.address)
    reg = registry_client(chain, issuer)
    files = make_credentials(tmp_path / "o", chain.caip2, reg.address, issuer.address, [0, 1])
    Anchorer(reg, tmp_path / "j", chain_caip2=chain.caip2).anchor(files)
    # a second credential with index 5, put by hand into the first batch's tree, is outside [0, 2)
    from microcred.registry import MerkleTree, leaf_hash
    from microcred.registry.anchoring._anchor import credential_digest

    (extra,) = make_credentials(tmp_path / "o2", chain.caip2, reg.address, issuer.address, [5])
    doc = load_credential(extra)
    tree = MerkleTree([leaf_hash(credential_digest(doc)), leaf_hash(b"\x01" * 32)])
    reg.anchor(tree.root, 2, 2)  # anchored for indexes [2, 4): 5 is not among them
    proof = {"type": "MicrocredAnchorProof2026", "chain": chain.caip2, "registry": reg.address,
             "issuerAccount": issuer.address, "merkleRoot": "0x" + tree.root.hex(),
             "merklePath": ["0x" + p.hex() for p in tree.proof(0)]}
    doc["proof"] = [doc["proof"], proof]
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["anchor"] == "fail" and "outside the anchored range" in _detail(v, "anchor")


def test_never_anchored(chain, tmp_path):
    issuer = Account.create()
    reg = registry_client(chain, issuer)
    (f,) = make_credentials(tmp_path / "o", chain.caip2, reg.address, issuer.address, [0])
    v = verifier(chain).verify([(None, load_credential(f))])[0]
    assert _checks(v)["anchor"] == "fail" and "anchor proof removed; verify the original" in _detail(v, "anchor")


def test_expired_and_not_yet_valid(chain, anchored):
    _, _, files = anchored
    doc = load_credential(files[0])
    doc["validUntil"] = "2020-01-01T00:00:00Z"
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["validity"] == "fail" and "expired" in _detail(v, "validity")
    doc = load_credential(files[0])
    doc["validFrom"] = "2999-01-01T00:00:00Z"
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["validity"] == "fail" and "not yet valid" in _detail(v, "validity")
    doc["validFrom"] = "yesterday-ish"
    v = verifier(chain).verify([(None, doc)])[0]
    assert _checks(v)["validity"] == "fail"


def test_rpc_down_is_could_not_check_never_invalid(chain, anchored):
    _, reg, files = anchored
    dead = f"http://127.0.0.1:{free_port()}"

    def dead_registry(address):
        return RegistryClient(_http_web3(dead, timeout=1), address, endpoint=dead)

    def dead_issuer(doc, **kw):
        raise NetworkError("the DID registry cannot be reached")

    v = verifier(chain, registry_for=dead_registry, issuer_checker=dead_issuer).verify(
        [(None, load_credential(files[0]))])[0]
    results = _checks(v)
    assert results["anchor"] == "error" and results["status"] == "error"
    assert "fail" not in results.values() and v.outcome == "unknown" and not v.valid
    assert v.status == "unknown"


def test_signature_and_issuer_failures_are_reported(chain, anchored):
    _, _, files = anchored
    bad_sig = verifier(chain, signature_checker=lambda doc, at: (False, "signature does not verify", []))
    v = bad_sig.verify([(None, load_credential(files[0]))])[0]
    assert _checks(v)["signature"] == "fail" and v.outcome == "invalid"
    unbound = verifier(chain, issuer_checker=lambda doc, **kw: (False, "DID not bound to the account"))
    v = unbound.verify([(None, load_credential(files[0]))])[0]
    assert _checks(v)["issuer"] == "fail" and not v.valid


def test_many_credentials_one_round_trip(request, tmp_path):
    """All of one issuer's credentials are read with one call (no status event query when all are active)."""
    from bench._util import RPCCounter
    from microcred.registry import connect

    node, home = request.getfixturevalue("anvil_node")
    chain = connect("local", home=home, rpc_urls=(node.url,))
    issuer = Account.create()
    chain.fund(issuer.address)
    reg = registry_client(chain, issuer)
    files = make_credentials(tmp_path / "o", chain.caip2, reg.address, issuer.address, range(40))
    Anchorer(reg, tmp_path / "j", chain_caip2=chain.caip2, batch_limit=16).anchor(files)
    counter = RPCCounter(node.url)
    try:
        w3 = _http_web3(counter.url)
        assert w3.eth.chain_id  # connect first, so the count is of the reads alone
        counter.reset()
        v = verifier(chain, registry_for=lambda a: RegistryClient(w3, a, endpoint=counter.url))
        results = v.verify([(None, load_credential(f)) for f in files])
        assert all(r.valid for r in results)
        assert counter.methods == ["eth_call"]
    finally:
        counter.close()


def test_parse_time():
    assert parse_time("2026-05-01") == datetime(2026, 5, 1, tzinfo=timezone.utc)
    assert parse_time("1700000000") == datetime.fromtimestamp(1700000000, timezone.utc)
    with pytest.raises(Exception, match="not a time"):
        parse_time("next tuesday")
