"""The learner's story on the memory chain, in-process: an issuer issues to the learner's did:key and anchors; the
learner keeps the credentials in an encrypted wallet (add, list, show in three languages, check, remove) and
presents them; a verifier with an empty home of its own verifies the presentation, and a replayed one, one of
another subject's credential and one with a tampered credential fail with named reasons (exit 1)."""

from __future__ import annotations

import copy
import json
import stat
from pathlib import Path
from typing import Any

import pytest

import microcred.cli._wallet as wallet_cli
from microcred.did import Keystore
from microcred.registry.credential import bake_png
from tests.support.cli import run as cli_run
from tests.support.images import tiny_png
from tests.support.wallet import PASS, issued_to_holders

CHALLENGE, DOMAIN = "5d2c9e-challenge", "https://hr.example"


run = cli_run


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.strip().splitlines()]


@pytest.fixture
def story(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(wallet_cli, "SCRYPT_N", 2**4)  # test speed only
    return issued_to_holders(tmp_path, lambda *args: run(capsys, *args), monkeypatch)


def test_the_learners_wallet_and_a_presentation_verified_from_an_empty_home(
        story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    learner, verifier = story["learner"], story["verifier"]
    code, out, err = run(capsys, *learner, "--json", "wallet", "add", str(story["mine"]))
    assert code == 0, err
    [added] = lines(out)
    assert added["action"] == "added" and added["achievement"] == "Data Stewardship for Research"
    wid = added["id"]
    wallet_file = story["learner_home"] / "wallet" / "wallet.json"
    assert stat.S_IMODE(wallet_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(wallet_file.parent.stat().st_mode) == 0o700
    raw = wallet_file.read_text()
    assert "Ada Lovelace" not in raw and "Data Stewardship" not in raw and "ada@example.org" not in raw  # encrypted
    assert json.loads(raw)["crypto"]["cipher"] == "aes-256-gcm"

    code, out, _ = run(capsys, *learner, "wallet", "list")
    head, row = out.strip().splitlines()
    assert head.split()[:4] == ["ID", "ACHIEVEMENT", "ISSUER", "DATE"] and row.startswith(wid)
    assert "Université Exemple" in row and "not checked" in row

    code, out, _ = run(capsys, *learner, "wallet", "check")
    assert code == 0, out
    [row] = lines(run(capsys, *learner, "--json", "wallet", "list")[1])
    assert (row["outcome"], row["status"]) == ("valid", "active") and row["checkedAt"]

    shown = {lang: run(capsys, *learner, "wallet", "show", wid[:6], "--lang", lang)[1] for lang in ("en", "fr", "de")}
    assert "Awarded by" in shown["en"] and "Délivré par" in shown["fr"] and "Verliehen von" in shown["de"]
    assert "Lernergebnisse" in shown["de"] and "Acquis d'apprentissage" in shown["fr"]
    for text in shown.values():
        assert "Ada Lovelace" in text and "5 ECTS" in text and "EQF 6" in text and story["holder"].did in text
    assert "Valide (statut: active)" in shown["fr"] or "Valide (statut : active)" in shown["fr"]

    vp = story["tmp"] / "vp.json"
    code, _, err = run(capsys, *learner, "present", wid, "--holder", "learner", "--challenge", CHALLENGE,
                       "--domain", DOMAIN, "--out", str(vp))
    assert code == 0, err
    assert json.loads(vp.read_text())["holder"] == story["holder"].did

    code, out, err = run(capsys, *verifier, "--json", "verify", str(vp), "--challenge", CHALLENGE, "--domain", DOMAIN)
    assert code == 0, (out, err)
    [line] = lines(out)
    assert {"file", "id", "valid", "status", "checks"} <= set(line) and line["valid"] and line["status"] == "active"
    assert line["presentation"]["valid"] and line["presentation"]["holder"] == story["holder"].did
    assert [c["name"] for c in line["presentation"]["checks"]] == ["presentation", "challenge", "domain",
                                                                   "holder_proof", "subjects", "credentials"]
    assert not (story["tmp"] / "verifier").exists() or not any((story["tmp"] / "verifier").rglob("*.key.json"))

    code, out, _ = run(capsys, *verifier, "verify", str(vp), "--challenge", CHALLENGE, "--domain", DOMAIN)
    assert code == 0 and "presentation by " + story["holder"].did + ": VALID" in out

    code, out, _ = run(capsys, *verifier, "--json", "verify", str(vp), "--challenge", "replayed", "--domain", DOMAIN)
    assert code == 1 and lines(out)[0]["presentation"]["reasons"] == ["wrong-challenge"]
    assert lines(out)[0]["valid"] is True  # the credential itself is fine; the presentation is not
    code, out, _ = run(capsys, *verifier, "verify", str(vp), "--challenge", CHALLENGE, "--domain", "https://x.example")
    assert code == 1 and "INVALID (wrong-domain)" in out
    code, _, err = run(capsys, *verifier, "verify", str(vp))
    assert code == 2 and "--challenge" in err

    code, out, _ = run(capsys, *learner, "--json", "wallet", "remove", wid)
    assert code == 0 and lines(out)[0]["action"] == "removed"
    assert run(capsys, *learner, "wallet", "list")[2].startswith("the wallet")
    code, _, err = run(capsys, *learner, "wallet", "show", wid)
    assert code == 2 and f"no credential {wid!r} in the wallet" in err


def test_another_subjects_credential_and_a_tampered_one_fail(story: dict[str, Any],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    learner, verifier = story["learner"], story["verifier"]
    code, out, _ = run(capsys, *learner, "--json", "wallet", "add", str(story["mine"]), str(story["theirs"]))
    assert code == 0
    mine, theirs = (row["id"] for row in lines(out))
    vp = story["tmp"] / "vp.json"
    code, _, err = run(capsys, *learner, "present", mine, theirs, "--holder", "learner", "--challenge", CHALLENGE,
                       "--out", str(vp))
    assert code == 2 and "not the holder" in err and not vp.exists()

    # a presentation signed by the holder with someone else's credential inside (built by the library)
    from microcred.registry.presentation import create_presentation

    key = Keystore(story["learner_home"] / "keys").load("learner", PASS)
    docs = [json.loads(story["mine"].read_text()), json.loads(story["theirs"].read_text())]
    vm = f"{key.did}#{key.public_key_multibase}"
    vp.write_text(json.dumps(create_presentation(docs, key, holder=key.did, verification_method=vm,
                                                 challenge=CHALLENGE, domain=DOMAIN, check_subjects=False)))
    code, out, _ = run(capsys, *verifier, "--json", "verify", str(vp), "--challenge", CHALLENGE, "--domain", DOMAIN)
    assert code == 1 and lines(out)[0]["presentation"]["reasons"] == ["subject-not-holder"]
    assert len(lines(out)) == 2

    tampered = copy.deepcopy(docs[0])
    tampered["credentialSubject"]["result"][0]["value"] = "1.0"
    vp.write_text(json.dumps(create_presentation([tampered], key, holder=key.did, verification_method=vm,
                                                 challenge=CHALLENGE, domain=DOMAIN)))
    code, out, _ = run(capsys, *verifier, "--json", "verify", str(vp), "--challenge", CHALLENGE, "--domain", DOMAIN)
    [line] = lines(out)
    assert code == 1 and line["presentation"]["reasons"] == ["credential-invalid"] and not line["valid"]
    assert {c["name"]: c["result"] for c in line["checks"]}["signature"] == "fail"


def test_wallet_add_reads_badges_and_presentations_and_check_sees_a_revocation(
        story: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    learner = story["learner"]
    doc = json.loads(story["mine"].read_text())
    png = story["tmp"] / "badge.png"
    png.write_bytes(bake_png(tiny_png(), doc))
    code, out, err = run(capsys, *learner, "--json", "wallet", "add", str(png))
    assert code == 0, err
    [row] = lines(out)
    assert row["action"] == "added"
    plain = story["tmp"] / "plain.json"  # a copy without the anchor proof: the same credential, kept once
    plain.write_text(json.dumps({**doc, "proof": doc["proof"][0]}))
    assert lines(run(capsys, *learner, "--json", "wallet", "add", str(plain))[1])[0]["action"] == "kept"
    vp = story["tmp"] / "vp.json"
    run(capsys, *learner, "present", row["id"], "--holder", "learner", "--challenge", CHALLENGE, "--out", str(vp))
    assert lines(run(capsys, *learner, "--json", "wallet", "add", str(vp))[1])[0]["action"] == "kept"
    pdf = story["tmp"] / "cert.pdf"  # a certificate from `microcred pdf`: its embedded credential is kept once
    assert run(capsys, *learner, "pdf", str(story["mine"]), "--out", str(pdf))[0] == 0
    assert lines(run(capsys, *learner, "--json", "wallet", "add", str(pdf))[1])[0]["action"] == "kept"
    not_a_credential = story["tmp"] / "x.json"
    not_a_credential.write_text('{"hello": "world"}')
    code, _, err = run(capsys, *learner, "wallet", "add", str(not_a_credential))
    assert code == 2 and "not a Verifiable Credential" in err

    code, _, err = run(capsys, *story["issuer"], "revoke", str(story["mine"]), "--issuer", "x", "--reason", "fraud",
                       "--yes")
    assert code == 0, err
    code, out, _ = run(capsys, *learner, "--json", "wallet", "check")
    assert code == 1 and lines(out)[0]["status"] == "revoked" and lines(out)[0]["walletId"] == row["id"]
    [listed] = lines(run(capsys, *learner, "--json", "wallet", "list")[1])
    assert (listed["outcome"], listed["status"]) == ("invalid", "revoked")


def test_a_wrong_passphrase_opens_nothing(story: dict[str, Any], capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    learner = story["learner"]
    assert run(capsys, *learner, "wallet", "add", str(story["mine"]))[0] == 0
    monkeypatch.setenv("MICROCRED_PASSPHRASE", "not the passphrase")
    code, _, err = run(capsys, *learner, "wallet", "list")
    assert code == 2 and "wrong passphrase for the wallet" in err and "Traceback" not in err

