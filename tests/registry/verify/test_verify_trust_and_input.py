"""Trust comes from the verifier (the stolen-key forgery fails), and hostile documents are one credential's
``fail`` with a named reason."""

from __future__ import annotations

import json

import pytest

from microcred.did import KeyPair
from microcred.errors import InvalidInputError
from microcred.registry.credential._documents import MAX_CREDENTIAL_BYTES, parse_credential, status_entry
from tests.support.verify import (
    ACCOUNT,
    CHAIN,
    REGISTRY,
    TableLedger,
    detail,
    endpoint,
    make_verifier,
    results,
    root_of,
    signed_credential,
)

ATTACKER_REGISTRY = "0x000000000000000000000000000000000000dEaD"


class SaysYes(TableLedger):
    """A contract of the attacker's: every root anchored for every index, every credential active."""

    def read(self, registry, account, roots, indexes, *, at, block=None):
        self.anchored = {r: (0, 2**63) for r in roots}
        return super().read(registry, account, roots, indexes, at=at)


def test_stolen_signing_key_and_own_registry_is_not_trusted():
    """Mallory has only the issuer's DID signing key. She deploys a registry that answers "anchored, active", signs
    a credential naming the real issuer account and her contract, with a one-leaf anchor proof."""
    issuer_key = KeyPair.generate("ed25519")
    forged = signed_credential(issuer_key, 7, registry=ATTACKER_REGISTRY, account=ACCOUNT)
    liar = SaysYes()
    (v,) = make_verifier([endpoint("http://rpc", liar)], trusted={CHAIN: [REGISTRY]}).verify([(None, forged)])
    assert results(v)["signature"] == "pass"  # the key is the issuer's: the signature is genuine
    assert results(v)["anchor"] == "fail" and not v.valid and v.outcome == "invalid"
    assert ATTACKER_REGISTRY.lower() in detail(v, "anchor").lower() and "not trusted" in detail(v, "anchor")
    assert liar.reads == 0  # the verifier never even asked the untrusted contract
    # the same credential on the trusted registry would be believed: the rule is about the registry alone
    honest = signed_credential(issuer_key, 7)
    (v,) = make_verifier([endpoint("http://rpc", TableLedger({root_of(honest): (7, 1)}))]).verify([(None, honest)])
    assert v.valid, v.as_json()


def test_trust_as_a_callable_and_no_known_registry_is_could_not_check():
    key = KeyPair.generate("ed25519")
    doc = signed_credential(key)
    ledger = TableLedger({root_of(doc): (0, 1)})
    (v,) = make_verifier([endpoint("http://rpc", ledger)], trusted=lambda chain: {REGISTRY}).verify([(None, doc)])
    assert v.valid
    (v,) = make_verifier([endpoint("http://rpc", ledger)], trusted=lambda chain: set()).verify([(None, doc)])
    assert results(v)["anchor"] == "error" and "knows no trusted CredentialRegistry" in detail(v, "anchor")
    assert v.outcome == "unknown"


@pytest.mark.parametrize("text, reason", [
    ('{"a": NaN}', "NaN"),
    ('{"a": [Infinity]}', "Infinity"),
    ('{"a": -Infinity}', "-Infinity"),
    ('{"a": 1e999}', "out of range"),
    ("[" * 65 + "]" * 65, "nested deeper than 64"),
    ('{"a": "' + "[" * 100 + '"}', None),  # brackets inside a string are not nesting
    ("[1]", "JSON object"),
    ('"text"', "JSON object"),
    ("{oops", "not valid JSON"),
    ('{"n": ' + "9" * 5000 + "}", "not valid JSON"),
])
def test_parse_credential_refuses_with_a_named_reason(text, reason):
    if reason is None:
        assert parse_credential(text)["a"].startswith("[")
        return
    with pytest.raises(InvalidInputError, match=reason.replace("[", r"\[")):
        parse_credential(text, source="f.json")


def test_size_and_encoding_limits():
    with pytest.raises(InvalidInputError, match="too large"):
        parse_credential(b"{" + b" " * MAX_CREDENTIAL_BYTES + b"}")
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        parse_credential(b'{"a": "\xff"}')
    assert parse_credential(json.dumps({"a": "é"}).encode()) == {"a": "é"}


@pytest.mark.parametrize("index", [2**64 - 1, 2**256 - 1, -1, "18446744073709551615"])
def test_status_index_out_of_range_is_refused(index):
    doc = {"credentialStatus": {"type": "MicrocredRegistryEntry2026", "chain": CHAIN, "registry": REGISTRY,
                                "issuerAccount": ACCOUNT, "statusIndex": index}}
    with pytest.raises(InvalidInputError, match="statusIndex"):
        status_entry(doc)
    doc["credentialStatus"]["statusIndex"] = 2**64 - 2
    assert status_entry(doc)["statusIndex"] == 2**64 - 2


def test_a_document_the_checks_choke_on_is_that_documents_fail(tmp_path):
    key = KeyPair.generate("ed25519")
    good = signed_credential(key, 0)
    bad = signed_credential(key, 1)
    bad["credentialSubject"]["score"] = float("nan")  # given as an object, not parsed from text
    ledger = TableLedger({root_of(good): (0, 1), root_of(bad): (1, 1)})
    v_bad, v_good = make_verifier([endpoint("http://rpc", ledger)]).verify([(None, bad), (None, good)])
    assert v_good.valid, v_good.as_json()
    assert v_bad.outcome == "invalid"
