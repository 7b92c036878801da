"""What the wallet and presentation tests share: an issuer and a holder with did:key keys, Open Badges signed
offline (no chain), and an offline verifier (did:key and did:web; no chain endpoint)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from microcred.did import KeyPair, Resolver
from microcred.registry.issuance import CourseTemplate, IssuerProfile, load_template
from microcred.registry.proofs import add_proof
from microcred.registry.verify import Verifier, default_checks
from tests.support.paths import EXAMPLES

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def issuer_profile(did: str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK") -> IssuerProfile:
    return IssuerProfile.from_json({
        "name": "tux", "legalName": "Technische Universität Example", "displayName": "TU Example", "country": "DE",
        "region": "Bavaria", "did": did, "verificationMethod": f"{did}#{did[8:]}", "key": "tux-signing",
        "account": "0x4b91651416eAf1BE5AeFA7C9Ae61397d888Fd0a7", "chain": "eip155:31337",
        "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3"})


def course_template() -> CourseTemplate:
    return load_template(EXAMPLES / "course-template.json")


def vm_of(key: KeyPair) -> str:
    return f"{key.did}#{key.public_key_multibase}"


def badge(issuer: KeyPair, subject: str | None, i: int = 1, name: str = "Data literacy", *,
          cryptosuite: str | None = None) -> dict[str, Any]:
    """An Open Badge 3.0 credential issued by ``issuer`` to ``subject`` (a DID), signed (eddsa-rdfc-2022 for an
    ed25519 key, ecdsa-rdfc-2019 for p256, unless ``cryptosuite`` says)."""
    doc: dict[str, Any] = {
        "@context": CONTEXT, "id": f"urn:uuid:8b0c5a52-6f1c-4b7e-9d2a-{i:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": name,
        "issuer": {"id": issuer.did, "type": ["Profile"], "name": "TU Example"},
        "validFrom": "2026-01-15T09:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
            "id": f"urn:uuid:0c8e1f06-8e0b-4d55-9a57-{i:012d}", "type": ["Achievement"], "name": name,
            "description": "Reads, cleans and charts data", "criteria": {"narrative": "Passed the assessment"}}},
    }
    if subject is not None:
        doc["credentialSubject"]["id"] = subject
    suite = cryptosuite or ("eddsa-rdfc-2022" if issuer.key_type == "ed25519" else "ecdsa-rdfc-2019")
    return add_proof(doc, issuer, verification_method=vm_of(issuer), cryptosuite=suite)


def tampered(credential: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Something else"
    return changed


def offline_verifier() -> Verifier:
    """The library verifier with no chain: signature, validity and format checks answer; chain checks cannot."""
    return Verifier(default_checks(resolver=Resolver(), trusted_registries=lambda _caip2: set()))


PASS = "test passphrase"


def issued_to_holders(tmp_path: Path, run: Any, monkeypatch: Any) -> dict[str, Any]:
    """An issuer's home and a learner's home on the memory chain: one credential issued to the learner's did:key
    ("mine") and one to someone else's ("theirs"), anchored; and an empty home for the verifier. ``run(*args)``
    runs the CLI in-process and answers (exit code, stdout, stderr)."""
    import json

    from microcred.chain._connect import connect
    from microcred.cli._app import _MEMORY
    from microcred.did import Keystore

    monkeypatch.setenv("MICROCRED_PASSPHRASE", PASS)
    monkeypatch.delenv("MICROCRED_HOME", raising=False)
    chain = _MEMORY.setdefault("memory", connect("memory"))
    issuer_home, learner_home, verifier_home = tmp_path / "issuer", tmp_path / "learner", tmp_path / "verifier"
    holder = Keystore(learner_home / "keys", scrypt_n=2**4).create("learner", "ed25519", PASS)
    other = Keystore(tmp_path / "other" / "keys", scrypt_n=2**4).create("other", "ed25519", PASS)
    issuer_keys = Keystore(issuer_home / "keys", scrypt_n=2**4)
    issuer_keys.create("sig", "ed25519", PASS)
    issuer_keys.create("acct", "secp256k1", PASS)
    learners = tmp_path / "learners.csv"
    learners.write_text("name,did,email,student_id,completion_date,grade\n"
                        f"Ada Lovelace,{holder.did},ada@example.org,S-1,2026-02-27,1.3\n"
                        f"Bob Other,{other.did},bob@example.org,S-2,2026-02-27,2.0\n", encoding="utf-8")
    base = ["--home", str(issuer_home), "--network", "memory"]
    out = tmp_path / "out"
    for args in (("issuer", "init", "x", "--legal-name", "Université Exemple", "--country", "FR", "--key", "sig",
                  "--account-key", "acct", "--chain", chain.caip2, "--registry",
                  chain.address_of("CredentialRegistry")),
                 ("issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"), "--learners",
                  str(learners), "--out", str(out)),
                 ("issuer", "bind", "x"), ("anchor", str(out), "--issuer", "x")):
        code, _, err = run(*base, *args)
        assert code == 0, (args, err)
    files = sorted(p for p in out.glob("*.json") if not p.name.startswith(".") and "journal" not in p.name)
    docs = [json.loads(p.read_text()) for p in files]
    mine = [p for p, d in zip(files, docs) if d["credentialSubject"]["id"] == holder.did]
    theirs = [p for p, d in zip(files, docs) if d["credentialSubject"]["id"] == other.did]
    assert len(mine) == 1 and len(theirs) == 1
    return {"issuer": base, "learner": ["--home", str(learner_home), "--network", "memory"],
            "verifier": ["--home", str(verifier_home), "--network", "memory"], "holder": holder, "other": other,
            "mine": mine[0], "theirs": theirs[0], "tmp": tmp_path, "learner_home": learner_home,
            "verifier_home": verifier_home}

