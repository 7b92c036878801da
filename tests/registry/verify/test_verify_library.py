"""The verifier as a library: pluggable checks, real signature and issuer checks on did:key, quorum across
endpoints, and the offline checks that always run."""

from __future__ import annotations

import pytest

import microcred.registry.verify as verify
from microcred.did import KeyPair
from microcred.errors import InvalidInputError, NetworkError
from microcred.registry.ledger._client import Status
from tests.support.verify import (
    CHAIN,
    TableLedger,
    detail,
    endpoint,
    make_verifier,
    results,
    root_of,
    signed_credential,
)

OFFLINE = ("format", "signature", "validity")


@pytest.fixture(scope="module")
def key() -> KeyPair:
    return KeyPair.generate("ed25519")


def anchored_ledger(doc, **kw) -> TableLedger:
    return TableLedger({root_of(doc): (doc["credentialStatus"]["statusIndex"], 1)}, **kw)


def test_public_names_are_complete():
    assert all(hasattr(verify, name) for name in verify.__all__)
    for name in ("Verifier", "Check", "Endpoint", "RegistryLedger", "LedgerState", "default_checks", "agree"):
        assert name in verify.__all__


def test_valid_with_real_signature_and_issuer_checks(key):
    doc = signed_credential(key)
    (v,) = make_verifier([endpoint("http://a", anchored_ledger(doc))]).verify([("a.json", doc)])
    assert v.valid, v.as_json()
    assert results(v) == {"format": "pass", "validity": "pass", "anchor": "pass", "signature": "pass",
                          "issuer": "pass", "status": "pass", "accreditation": "skipped"}
    assert v.sources["single_source"] and v.sources["trusted"] == [
        {"endpoint": "http://a", "block": 100, "assurance": "trusted"}]


def test_a_check_of_your_own_is_one_object(key):
    class HasName:
        name = "named-learner"

        def run(self, subject, view):
            return ("pass", "named") if subject.doc["credentialSubject"].get("name") else ("fail", "no name")

    doc = signed_credential(key)
    (v,) = make_verifier([endpoint("http://a", anchored_ledger(doc))], extra_checks=[HasName()]).verify([(None, doc)])
    assert results(v)["named-learner"] == "pass" and v.valid
    assert isinstance(HasName(), verify.Check)


def test_tampered_signature_fails_without_any_chain(key):
    doc = signed_credential(key)
    doc["credentialSubject"]["name"] = "Mallory"
    (v,) = make_verifier([]).verify([(None, doc)])
    r = results(v)
    assert r["signature"] == "fail" and r["anchor"] == "fail" and v.outcome == "invalid"


@pytest.mark.parametrize("endpoints", [
    [],  # none given
    "down",  # every endpoint unreachable
    "wrong-chain",  # an endpoint of another chain
])
def test_offline_checks_run_whatever_the_endpoints(key, endpoints):
    doc = signed_credential(key)
    if endpoints == "down":
        endpoints = [endpoint("http://a", TableLedger(down=True)), endpoint("http://b", TableLedger(down=True))]
    elif endpoints == "wrong-chain":
        endpoints = [endpoint("http://a", anchored_ledger(doc), caip2="eip155:1")]
    (v,) = make_verifier(endpoints).verify([(None, doc)])
    r = results(v)
    assert all(r[name] == "pass" for name in OFFLINE), v.as_json()
    assert all(r[name] == "error" for name in ("anchor", "status", "issuer")), v.as_json()
    assert v.outcome == "unknown" and "fail" not in r.values()


def test_the_wrong_chain_is_named(key):
    doc = signed_credential(key)
    (v,) = make_verifier([endpoint("http://a", anchored_ledger(doc), caip2="eip155:1")]).verify([(None, doc)])
    assert "http://a" in detail(v, "anchor") and "eip155:1" in detail(v, "anchor") and CHAIN in detail(v, "anchor")


def test_a_credential_naming_no_registry_never_asks_a_chain(key):
    doc = signed_credential(key, anchored=False, with_status=False)
    asked = []
    verifier = make_verifier(lambda: asked.append(1) or [])
    (v,) = verifier.verify([(None, doc)])
    assert not asked and results(v)["signature"] == "pass"


def test_one_unreachable_of_three_is_left_out_and_named(key):
    doc = signed_credential(key)
    eps = [endpoint("http://a", anchored_ledger(doc)), endpoint("http://down", TableLedger(down=True)),
           endpoint("http://c", anchored_ledger(doc))]
    (v,) = make_verifier(eps).verify([(None, doc)])
    assert v.valid, v.as_json()
    assert v.sources["left_out"][0]["endpoint"] == "http://down"
    assert [t["endpoint"] for t in v.sources["trusted"]] == ["http://a", "http://c"]


def test_one_unreachable_of_two_is_could_not_check_but_the_signature_is_still_checked(key):
    doc = signed_credential(key)
    eps = [endpoint("http://a", anchored_ledger(doc)), endpoint("http://down", TableLedger(down=True))]
    (v,) = make_verifier(eps).verify([(None, doc)])
    r = results(v)
    assert r["signature"] == "pass" and r["format"] == "pass" and r["validity"] == "pass"
    assert r["anchor"] == "error" and "http://down" in detail(v, "anchor") and "disagree" not in detail(v, "anchor")
    assert v.outcome == "unknown"
    # with --quorum 1 the one that answers is enough
    (v,) = make_verifier(eps, quorum=1).verify([(None, doc)])
    assert v.valid, v.as_json()


def test_a_liar_is_caught_by_a_second_endpoint(key):
    doc = signed_credential(key)
    honest = anchored_ledger(doc, statuses={0: Status.REVOKED})
    liar = anchored_ledger(doc, statuses={0: Status.ACTIVE})
    (v,) = make_verifier([endpoint("http://honest", honest), endpoint("http://liar", liar)]).verify([(None, doc)])
    assert results(v)["status"] == "error" and v.status == "unknown"
    assert "disagree" in detail(v, "status") and "http://honest" in detail(v, "status") \
        and "http://liar" in detail(v, "status")
    assert results(v)["signature"] == "pass" and results(v)["anchor"] == "pass"


def test_one_read_per_endpoint_and_issuer(key):
    docs = [signed_credential(key, i) for i in range(5)]
    ledger = TableLedger({root_of(d): (i, 1) for i, d in enumerate(docs)})
    found = make_verifier([endpoint("http://a", ledger)]).verify([(None, d) for d in docs])
    assert all(v.valid for v in found) and ledger.reads == 1


def test_quorum_larger_than_the_endpoints_is_misuse():
    with pytest.raises(InvalidInputError, match="more endpoints"):
        verify.require_quorum(3, 2)


def test_agree():
    assert verify.agree({"a": 1, "b": 1}, quorum=2) == 1
    with pytest.raises(verify.EndpointsDisagreeError, match="a says 1; b says 2"):
        verify.agree({"a": 1, "b": 2}, quorum=1)
    with pytest.raises(verify.NoQuorumError, match="b left out: down"):
        verify.agree({"a": 1}, quorum=2, left_out={"b": "down"})
    assert verify.default_quorum(1) == 1 and verify.default_quorum(3) == 2


def test_a_ledger_reader_of_another_kind_plugs_in_without_changing_a_check(key):
    """E.g. one that checks status words with storage proofs: it says so in ``assurance``, the checks are the same."""
    doc = signed_credential(key)

    class Proven(TableLedger):
        def read(self, *args, **kw):
            state = super().read(*args, **kw)
            state.assurance = "storage-proof"
            return state

    (v,) = make_verifier([endpoint("http://a", Proven({root_of(doc): (0, 1)}))]).verify([(None, doc)])
    assert v.valid and v.sources["trusted"][0]["assurance"] == "storage-proof"


def test_a_block_is_asked_of_every_endpoint_and_they_must_agree(key):
    doc = signed_credential(key)
    blocks = {"http://a": ("0xaa", 1_790_000_000), "http://b": ("0xaa", 1_790_000_000), "http://c": ("0xcc", 1)}

    def eps(*names):
        return [endpoint(n, anchored_ledger(doc), block_info=lambda number, n=n: blocks[n]) for n in names]

    when = make_verifier(eps("http://a", "http://b")).time_of_block(7)
    assert when.timestamp() == 1_790_000_000
    with pytest.raises(NetworkError, match="could not check block 7: .*disagree.*http://c"):
        make_verifier(eps("http://a", "http://c")).time_of_block(7)
    (v,) = make_verifier(eps("http://a", "http://b")).verify([(None, doc)], block=7)
    assert v.valid, v.as_json()["checks"]


def test_a_block_no_endpoint_has_is_misuse(key):
    from microcred.chain import BlockNotFoundError

    def missing(number):
        raise BlockNotFoundError(f"block {number} is not on the chain of http://a yet (its head is block 3)")

    with pytest.raises(InvalidInputError, match="block 9 is not on the chain"):
        make_verifier([endpoint("http://a", TableLedger(), block_info=missing)]).time_of_block(9)
