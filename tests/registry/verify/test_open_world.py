"""Open-world verification: a badge from another issuer is valid as a credential without being an EU
micro-credential or anchored; --require makes those levels mandatory; https verification methods are fetched, and
when they cannot be the signature is could-not-check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred.did import KeyPair, Resolver
from microcred.did._net import FetchTimeoutError
from microcred.registry.proofs import add_proof
from microcred.registry.verify import Verifier, default_checks, required_levels
from microcred.errors import InvalidInputError

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "05-openbadges3" / "extracted"


def badge(issuer: str, vm: str, key: KeyPair, suite: str = "eddsa-rdfc-2022") -> dict:
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Another Issuer"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Teamwork Badge",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
            "id": "https://example.com/achievements/teamwork", "type": ["Achievement"], "name": "Teamwork",
            "criteria": {"narrative": "Worked well in a team."}, "description": "Teamwork."}},
    }
    return add_proof(doc, key, verification_method=vm, cryptosuite=suite)


def verifier(**kw) -> Verifier:
    return Verifier(default_checks(resolver=Resolver(), trusted_registries={}), **kw)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
@pytest.mark.parametrize("bare", [True, False])
def test_a_badge_from_another_did_key_issuer_is_valid_but_not_a_microcredential(suite, bare):
    key = KeyPair.generate("ed25519")
    vm = key.did if bare else f"{key.did}#{key.did[8:]}"
    [v] = verifier().verify([("other.json", badge(key.did, vm, key, suite))])
    assert v.outcome == "valid", v.checks
    levels = v.as_record()["levels"]
    assert levels["credential"]["result"] == "valid"
    assert levels["microcredential"] == {"result": "invalid", "required": False, "checks": ["format"]}
    assert levels["anchored"]["result"] == "invalid" and not levels["anchored"]["required"]
    assert v.result_of("issuer").result == "pass"
    assert v.result_of("status").result == "skipped"


def test_require_makes_the_levels_mandatory():
    key = KeyPair.generate("ed25519")
    doc = badge(key.did, key.did, key)
    [v] = verifier(require=["microcredential", "anchored"]).verify([("b.json", doc)])
    assert v.outcome == "invalid" and not v.valid
    assert v.as_record()["levels"]["microcredential"]["required"] is True
    with pytest.raises(InvalidInputError, match="unknown verification level"):
        required_levels(["anchord"])


def test_a_changed_badge_is_invalid_as_a_credential():
    key = KeyPair.generate("ed25519")
    doc = badge(key.did, key.did, key)
    doc["name"] = "Leadership Badge"
    [v] = verifier().verify([("b.json", doc)])
    assert v.outcome == "invalid"
    assert v.as_record()["levels"]["credential"]["result"] == "invalid"


def test_a_key_of_another_did_than_the_issuer_fails_the_issuer_check():
    key, other = KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    [v] = verifier().verify([("b.json", badge(other.did, key.did, key))])
    assert v.result_of("issuer").result == "fail" and v.outcome == "invalid"


def test_the_ob3_signed_vector_verifies_with_its_issuer_profile_and_is_could_not_check_without_it():
    doc = json.loads((VECTORS / "ob3-eddsa-rdfc-2022" / "credential-signed.json").read_text())
    vm = doc["proof"]["verificationMethod"] if isinstance(doc["proof"], dict) else doc["proof"][0]["verificationMethod"]
    issuer = vm.split("#")[0]
    profile = {"id": issuer, "type": ["Profile"], "verificationMethod": [
        {"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": vm.split("#")[1]}]}
    [v] = Verifier(_checks(_Fetcher(profile))).verify([("ob3.json", doc)], at=_parse("2026-06-01"))
    assert v.result_of("signature").result == "pass", v.result_of("signature").detail
    assert v.as_record()["levels"]["credential"]["required"] is True
    [v] = Verifier(_checks(_Fetcher(None))).verify([("ob3.json", doc)])
    assert v.result_of("signature").result == "error" and v.outcome == "unknown"  # never guessed from the fragment


def _parse(text):
    from microcred.registry.verify import parse_time

    return parse_time(text)


class _Fetcher:
    def __init__(self, body: dict | None) -> None:
        self.body, self.asked = body, []

    def get(self, url, *, accept="*/*"):
        self.asked.append(url)
        if self.body is None:
            raise FetchTimeoutError(f"{url} did not answer within 5 s", url=url, host="issuer.example")

        class R:
            body = json.dumps(self.body).encode()
        return R()


def _checks(fetcher):
    from microcred.registry.verify import SignatureCheck

    checks = default_checks(resolver=Resolver(), trusted_registries={})
    return [SignatureCheck(Resolver(), fetcher=fetcher) if c.name == "signature" else c for c in checks]


def test_an_https_verification_method_is_fetched_from_the_issuer_profile():
    key = KeyPair.generate("ed25519")
    issuer = "https://issuer.example/profile"
    vm = f"{issuer}#key-1"
    profile = {"id": issuer, "type": ["Profile"], "verificationMethod": [
        {"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": key.did[8:]}]}
    fetcher = _Fetcher(profile)
    [v] = Verifier(_checks(fetcher)).verify([("b.json", badge(issuer, vm, key))])
    assert fetcher.asked == [issuer]
    assert v.result_of("signature").result == "pass", v.result_of("signature").detail
    assert v.result_of("issuer").result == "pass", v.result_of("issuer").detail
    assert v.outcome == "valid"


def test_an_https_verification_method_that_cannot_be_fetched_is_could_not_check():
    key = KeyPair.generate("ed25519")
    issuer = "https://issuer.example/profile"
    [v] = Verifier(_checks(_Fetcher(None))).verify([("b.json", badge(issuer, f"{issuer}#key-1", key))])
    assert v.result_of("signature").result == "error"
    assert v.outcome == "unknown"
