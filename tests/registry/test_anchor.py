"""Anchoring: inclusion proofs that verify offline and on chain, idempotence, and crash safety."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_account import Account

from microcred.registry import leaf_hash, verify_proof
from microcred.registry.anchoring._anchor import (
    ANCHOR_PROOF_TYPE,
    AnchorError,
    Anchorer,
    BatchLimitError,
    anchor_proofs,
    credential_digest,
    load_credential,
)
from microcred.registry.credential import strip_anchor
from tests.support.paths import ROOT
from microcred.registry.ledger import registry_client
from tests.support.anchoring import make_credentials


@pytest.fixture
def issuer(chain):
    account = Account.create()
    chain.fund(account.address)
    return account


def _anchorer(chain, issuer, tmp_path, **kw):
    return Anchorer(registry_client(chain, issuer), tmp_path / "journal", chain_caip2=chain.caip2, **kw)


def test_anchored_credentials_carry_a_proof_that_verifies_offline_and_on_chain(chain, issuer, tmp_path):
    reg = registry_client(chain, issuer)
    files = make_credentials(tmp_path / "out", chain.caip2, reg.address, issuer.address, range(0, 7))
    originals = [load_credential(f) for f in files]
    result = _anchorer(chain, issuer, tmp_path).anchor(files)
    assert len(result.anchored) == 1 and result.anchored[0]["credentials"] == 7
    for original, path in zip(originals, files):
        doc = load_credential(path)
        (proof,) = anchor_proofs(doc)
        assert proof["type"] == ANCHOR_PROOF_TYPE and proof["chain"] == chain.caip2
        # the signed credential is untouched (its proof given as an array, as OB 3.0 asks of --plain)
        assert strip_anchor(doc) == {**original, "proof": [original["proof"]]}
        assert credential_digest(strip_anchor(doc)) == credential_digest(original)
        leaf = leaf_hash(credential_digest(doc))
        path_nodes = [bytes.fromhex(p[2:]) for p in proof["merklePath"]]
        assert verify_proof(leaf, path_nodes, bytes.fromhex(proof["merkleRoot"][2:]))
        assert reg.verify_inclusion(issuer.address, proof["merkleRoot"], leaf, path_nodes)
        batch = reg.batch_of(issuer.address, proof["merkleRoot"])
        assert batch.covers(doc["credentialStatus"]["statusIndex"]) and batch.block_number == proof["blockNumber"]


def test_running_again_pays_nothing(chain, issuer, tmp_path):
    reg = registry_client(chain, issuer)
    files = make_credentials(tmp_path / "out", chain.caip2, reg.address, issuer.address, range(3))
    _anchorer(chain, issuer, tmp_path).anchor(files)
    nonce = chain.w3.eth.get_transaction_count(issuer.address)
    again = _anchorer(chain, issuer, tmp_path).anchor(files)
    assert again.anchored == [] and len(again.skipped) == 3
    assert chain.w3.eth.get_transaction_count(issuer.address) == nonce


def test_large_sets_are_split_into_batches(chain, issuer, tmp_path):
    reg = registry_client(chain, issuer)
    files = make_credentials(tmp_path / "out", chain.caip2, reg.address, issuer.address, range(10))
    result = _anchorer(chain, issuer, tmp_path, batch_limit=4).anchor(files)
    assert [b["credentials"] for b in result.anchored] == [4, 4, 2]
    assert [b["firstIndex"] for b in result.anchored] == [0, 4, 8]


@pytest.mark.parametrize("field, value, message", [
    ("chain", "eip155:1", "chain eip155:1"),
    ("registry", "0x" + "12" * 20, "registry"),
    ("issuerAccount", "0x" + "34" * 20, "issuer account"),
])
def test_credentials_for_another_chain_registry_or_issuer_are_refused(chain, issuer, tmp_path, field, value, message):
    reg = registry_client(chain, issuer)
    (path,) = make_credentials(tmp_path / "out", chain.caip2, reg.address, issuer.address, [0])
    doc = load_credential(path)
    doc["credentialStatus"][field] = value
    path.write_text(json.dumps(doc))
    with pytest.raises(AnchorError, match=message):
        _anchorer(chain, issuer, tmp_path).anchor([path])


def test_bad_files_are_named(chain, issuer, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(Exception, match="bad.json: not valid JSON"):
        _anchorer(chain, issuer, tmp_path).anchor([bad])
    bad.write_text("[1, 2]")
    with pytest.raises(Exception, match="JSON object"):
        _anchorer(chain, issuer, tmp_path).anchor([bad])


class Crash(Exception):
    pass


@pytest.mark.parametrize("stage", ["prepared", "sent", "mined", "file", "done"])
def test_a_crash_at_any_stage_is_finished_by_the_next_run(chain, issuer, tmp_path, stage):
    reg = registry_client(chain, issuer)
    files = make_credentials(tmp_path / "out", chain.caip2, reg.address, issuer.address, range(6))

    def crash(at, entry):
        if at == stage:
            raise Crash(at)

    with pytest.raises(Crash):
        _anchorer(chain, issuer, tmp_path, batch_limit=3, hook=crash).anchor(files)
    _anchorer(chain, issuer, tmp_path, batch_limit=3).anchor(files)
    roots = [e.data["root"] for e in reg.history(issuer.address, with_times=False) if e.kind == "anchored"]
    assert len(roots) == len(set(roots)) == 2
    docs = [load_credential(f) for f in files]
    assert all(len(anchor_proofs(d)) == 1 for d in docs)
    assert {anchor_proofs(d)[0]["merkleRoot"] for d in docs} == set(roots)


def test_a_file_changed_between_batch_and_rewrite_is_caught(chain, issuer, tmp_path):
    reg = registry_client(chain, issuer)
    files = make_credentials(tmp_path / "out", chain.caip2, reg.address, issuer.address, range(2))

    def tamper(at, entry):
        if at == "mined":
            doc = load_credential(files[1])
            doc["credentialSubject"]["id"] = "did:example:mallory"
            files[1].write_text(json.dumps(doc))

    with pytest.raises(AnchorError, match="changed after"):
        _anchorer(chain, issuer, tmp_path, hook=tamper).anchor(files)


def test_killed_twenty_times_then_completed(request, tmp_path):
    """The fault test: SIGKILL at random moments over a batch of 200, then a run to completion."""
    from microcred.registry import connect

    node, home = request.getfixturevalue("anvil_node")
    chain = connect("local", home=home, rpc_urls=(node.url,))
    issuer = Account.create()
    chain.fund(issuer.address)
    reg = registry_client(chain, issuer)
    out = tmp_path / "out"
    files = make_credentials(out, chain.caip2, reg.address, issuer.address, range(200))
    args = [sys.executable, "-m", "tests.registry.anchor_driver", node.url, str(home), str(out),
            "0x" + issuer.key.hex(), "25"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}  # this checkout's sources
    rng = random.Random(20261128)
    for _ in range(20):
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 1.6))  # a random moment to kill at, not a timing assertion
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    docs = [load_credential(f) for f in files]
    assert not list(out.glob(".*.tmp")), "a half-written file was left behind"
    indexes = [d["credentialStatus"]["statusIndex"] for d in docs]
    assert len(set(indexes)) == 200
    history = [e for e in reg.history(issuer.address, with_times=False) if e.kind == "anchored"]
    roots = [e.data["root"] for e in history]
    assert len(roots) == len(set(roots)), "a root was anchored twice"
    assert sum(e.data["count"] for e in history) == 200, "every credential anchored exactly once"
    for doc in docs:
        (proof,) = anchor_proofs(doc)
        leaf = leaf_hash(credential_digest(doc))
        assert verify_proof(leaf, [bytes.fromhex(p[2:]) for p in proof["merklePath"]],
                            bytes.fromhex(proof["merkleRoot"][2:]))
        assert proof["merkleRoot"] in roots


def test_a_gap_of_unissued_indexes_stays_free_and_is_anchored_later(chain, issuer, tmp_path):
    """A batch covers exactly its own indexes: indexes between two batches (another course's, not ready yet, or
    never issued) are reserved on chain, not covered, so the credentials that hold them can still be anchored."""
    reg = registry_client(chain, issuer)
    first = make_credentials(tmp_path / "a", chain.caip2, reg.address, issuer.address, range(3))
    _anchorer(chain, issuer, tmp_path).anchor(first)
    later = make_credentials(tmp_path / "b", chain.caip2, reg.address, issuer.address, range(7, 9))  # 3..6 unused
    result = _anchorer(chain, issuer, tmp_path).anchor(later)
    assert (result.anchored[0]["firstIndex"], result.anchored[0]["count"]) == (7, 2)
    assert reg.issuer_state(issuer.address)[0] == 9
    gap = make_credentials(tmp_path / "c", chain.caip2, reg.address, issuer.address, range(3, 7))
    result = _anchorer(chain, issuer, tmp_path).anchor(gap)
    assert (result.anchored[0]["firstIndex"], result.anchored[0]["count"]) == (3, 4)
    reg.revoke([3, 6, 7], "fraud")  # every index now anchored: all of them change status
    assert [s.label for s in reg.status_of(issuer.address, [2, 3, 6, 7])] == ["active", "revoked", "revoked", "revoked"]


def _verified_on_chain(reg, account: str, files) -> None:
    """Each file's anchor proof leads to a root the registry holds, and the registry proves the leaf in it."""
    for path in files:
        doc = json.loads(Path(path).read_text())
        (proof,) = anchor_proofs(doc)
        batch = reg.batch_of(account, proof["merkleRoot"])
        assert batch is not None, f"{path}: root never anchored"
        index = doc["credentialStatus"]["statusIndex"] if isinstance(doc["credentialStatus"], dict) else None
        if index is not None:
            assert batch.first_index <= int(index) < batch.first_index + batch.count
        leaf = leaf_hash(credential_digest(doc))
        assert reg.verify_inclusion(account, proof["merkleRoot"], leaf, proof["merklePath"])


def test_course_b_anchored_before_course_a_both_anchor(chain, issuer, tmp_path):
    """Issue course A (0-2) then B (3-5), anchor B first: B is anchored ahead, A then fills its reserved indexes;
    both verify, every credential in exactly one batch, and each changes status."""
    reg = registry_client(chain, issuer)
    a = make_credentials(tmp_path / "a", chain.caip2, reg.address, issuer.address, range(0, 3))
    b = make_credentials(tmp_path / "b", chain.caip2, reg.address, issuer.address, range(3, 6))
    rb = _anchorer(chain, issuer, tmp_path).anchor(b)
    assert [(x["firstIndex"], x["count"]) for x in rb.anchored] == [(3, 3)]
    ra = _anchorer(chain, issuer, tmp_path).anchor(a)
    assert [(x["firstIndex"], x["count"]) for x in ra.anchored] == [(0, 3)]
    assert reg.issuer_state(issuer.address)[0] == 6
    _verified_on_chain(reg, issuer.address, a + b)
    history = reg.history(issuer.address)
    assert sorted(e.data["count"] for e in history if e.kind == "anchored") == [3, 3]
    reg.revoke([1, 4], "fraud")
    assert [s.label for s in reg.status_of(issuer.address, range(6))] == \
        ["active", "revoked", "active", "active", "revoked", "active"]


def test_three_courses_in_any_order(chain, issuer, tmp_path):
    """A (0-3), B (4-6), C (7-9) anchored C, A, B: nothing stranded."""
    reg = registry_client(chain, issuer)
    files = {name: make_credentials(tmp_path / name, chain.caip2, reg.address, issuer.address, r)
             for name, r in (("a", range(0, 4)), ("b", range(4, 7)), ("c", range(7, 10)))}
    for name in "cab":
        _anchorer(chain, issuer, tmp_path).anchor(files[name])
    _verified_on_chain(reg, issuer.address, [f for fs in files.values() for f in fs])


def test_one_run_over_two_courses_with_a_third_missing_anchors_two_exact_batches(chain, issuer, tmp_path):
    """Files of A (0-2) and C (6-8) in one run, B's (3-5) not ready: two batches, B's indexes left free."""
    reg = registry_client(chain, issuer)
    a = make_credentials(tmp_path / "a", chain.caip2, reg.address, issuer.address, range(0, 3))
    b = make_credentials(tmp_path / "b", chain.caip2, reg.address, issuer.address, range(3, 6))
    c = make_credentials(tmp_path / "c", chain.caip2, reg.address, issuer.address, range(6, 9))
    result = _anchorer(chain, issuer, tmp_path).anchor(a + c)
    assert [(x["firstIndex"], x["count"]) for x in result.anchored] == [(0, 3), (6, 3)]
    _anchorer(chain, issuer, tmp_path).anchor(b)
    _verified_on_chain(reg, issuer.address, a + b + c)


@pytest.mark.parametrize("limit", [0, -3, 65_537, 2.5, True])
def test_a_batch_limit_outside_1_to_max_is_refused_by_name(chain, issuer, tmp_path, limit):
    with pytest.raises(BatchLimitError, match="from 1 to 65,536"):
        _anchorer(chain, issuer, tmp_path, batch_limit=limit)


def test_a_skip_beyond_the_registry_bound_names_the_indexes_to_anchor_first(chain, issuer, tmp_path):
    reg = registry_client(chain, issuer)
    far = make_credentials(tmp_path / "far", chain.caip2, reg.address, issuer.address, [70_000])
    with pytest.raises(AnchorError, match=r"skip 70,000 indexes not anchored yet \(0 to 69999\)"):
        _anchorer(chain, issuer, tmp_path).anchor(far)
