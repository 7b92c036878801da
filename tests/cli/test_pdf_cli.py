"""`microcred pdf` and `wallet share` on the memory chain: the certificate verifies from its embedded credential
(from a verifier's empty home), its page 1 rendered with poppler's pdftoppm holds a QR code that zbar decodes to the
verification link (poppler-utils and zbar-tools come from `make setup`), it is PDF/A-3 style (XMP pdfaid part 3,
embedded fonts, credential.json an associated file with AFRelationship Data), a tampered embedded credential fails,
and a PDF without one is a named error."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pikepdf
import pytest

import microcred.cli._wallet as wallet_cli
from microcred.did import KeyPair
from microcred.registry.credential import read_container, strip_anchor
from microcred.service import credential_from_link, verification_link
from microcred.wallet import certificate_pdf
from tests.support.cli import run
from tests.support.wallet import badge, issued_to_holders

VERIFIER = "https://verify.example.org/"


@pytest.fixture
def story(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(wallet_cli, "SCRYPT_N", 2**4)  # test speed only
    return issued_to_holders(tmp_path, lambda *args: run(capsys, *args), monkeypatch)


def _pdf(story: dict[str, Any], capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[Path, dict[str, Any]]:
    out = story["tmp"] / "cert.pdf"
    code, text, err = run(capsys, *story["learner"], "--json", "pdf", str(story["mine"]), "--out", str(out),
                          "--verifier", VERIFIER, *extra)
    assert code == 0, err
    return out, json.loads(text)


def _page_one(pdf: Path, tmp: Path) -> Path:
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp / "page")], check=True)
    return tmp / "page.png"


def test_the_certificate_verifies_and_its_qr_code_is_the_verification_link(
        story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    pdf, written = _pdf(story, capsys)
    doc = json.loads(story["mine"].read_text())
    # this credential (a DID, an e-mail and a student number; anchored) makes a link of 3,014 bytes, more than a QR
    # code holds: its QR code carries the credential without the anchor proof, and the embedded file is the original
    assert len(verification_link(doc, VERIFIER)) > 2953 and written["linkHasAnchorProof"] is False
    assert written["link"] == verification_link(strip_anchor(doc), VERIFIER)
    code, out, err = run(capsys, *story["verifier"], "--json", "verify", str(pdf))
    assert code == 0, out + err
    record = json.loads(out)
    assert record["valid"] is True and record["id"] == doc["id"]
    assert {c["name"]: c["result"] for c in record["checks"]}["anchor"] == "pass"

    page = _page_one(pdf, story["tmp"])
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == written["link"]
    assert credential_from_link(decoded.stdout.strip()) == strip_anchor(doc)

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for fact in ("Data Stewardship for Research", "Ada Lovelace", "Université Exemple (FR)", "5 ECTS", "EQF 6",
                 "Learning outcomes", "Assessment", "Form of participation", "Quality assurance",
                 "without its anchor proof"):
        assert fact in text, fact


def test_a_credential_whose_link_fits_has_it_whole_in_the_qr_code(tmp_path: Path) -> None:
    doc = badge(KeyPair.generate("ed25519"), "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    made = certificate_pdf(doc, link_of=lambda d: verification_link(d, VERIFIER), lang="en")
    assert made.anchor_in_link and made.link == verification_link(doc, VERIFIER)
    pdf = tmp_path / "small.pdf"
    pdf.write_bytes(made.data)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(_page_one(pdf, tmp_path))], capture_output=True,
                             text=True, check=True)
    assert decoded.stdout.strip() == made.link
    assert read_container(made.data) == doc


def test_the_certificate_is_pdf_a3_style_with_the_credential_associated(
        story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    pdf, _ = _pdf(story, capsys, "--lang", "de")
    with pikepdf.open(pdf) as opened:
        assert opened.pdf_version >= "1.7"
        meta = opened.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
        assert str(meta["dc:title"]).startswith("Leistungsnachweis")
        [spec] = list(opened.Root.AF)
        assert spec.AFRelationship == pikepdf.Name.Data and str(spec.F) == "credential.json"
        embedded = opened.attachments["credential.json"].get_file()
        assert embedded.mime_type == "application/json"
        assert json.loads(embedded.read_bytes()) == json.loads(story["mine"].read_text())
        assert opened.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split() for line in listed.splitlines()[2:]]
    assert fonts and all(row[-5] == "yes" for row in fonts), listed  # every font embedded (the "emb" column)


def test_a_tampered_embedded_credential_fails(story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    pdf, _ = _pdf(story, capsys)
    doc = json.loads(story["mine"].read_text())
    doc["credentialSubject"]["achievement"]["name"] = "Something grander"
    with pikepdf.open(pdf) as opened:
        opened.attachments["credential.json"] = pikepdf.AttachedFileSpec(
            opened, json.dumps(doc).encode(), mime_type="application/json", filename="credential.json")
        buffer = io.BytesIO()
        opened.save(buffer)
    forged = story["tmp"] / "forged.pdf"
    forged.write_bytes(buffer.getvalue())
    code, out, _ = run(capsys, *story["verifier"], "--json", "verify", str(forged))
    assert code == 1
    checks = {c["name"]: c["result"] for c in json.loads(out)["checks"]}
    assert checks["signature"] == "fail"


def test_a_pdf_without_a_credential_is_named(story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    pdf, _ = _pdf(story, capsys)
    with pikepdf.open(pdf) as opened:
        del opened.attachments["credential.json"]
        if "/AF" in opened.Root:
            del opened.Root.AF
        buffer = io.BytesIO()
        opened.save(buffer)
    bare = story["tmp"] / "bare.pdf"
    bare.write_bytes(buffer.getvalue())
    code, out, _ = run(capsys, *story["verifier"], "verify", str(bare))
    assert code == 1 and "no embedded credential" in out  # not a credential: the format check fails, as for a PNG
    code, _, err = run(capsys, *story["learner"], "wallet", "add", str(bare))
    assert code == 2 and "no embedded credential" in err


def test_pdf_of_a_wallet_entry_in_french(story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *story["learner"], "--json", "wallet", "add", str(story["mine"]))
    assert code == 0, err
    wid = json.loads(out)["id"]
    out_pdf = story["tmp"] / "fr.pdf"
    code, _, err = run(capsys, *story["learner"], "pdf", wid, "--out", str(out_pdf), "--lang", "fr")
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(out_pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "CERTIFICAT DE RÉUSSITE" in text and "décerné à" in text and "Acquis d'apprentissage" in text
    code, _, err = run(capsys, *story["learner"], "pdf", "ffffffffff", "--out", str(out_pdf))
    assert code == 2 and "ffffffffff" in err


def test_share_prints_the_link_and_a_linkedin_url(story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *story["learner"], "--json", "wallet", "share", str(story["mine"]), "--verifier",
                         VERIFIER)
    assert code == 0, err
    shared = json.loads(out)
    doc = json.loads(story["mine"].read_text())
    assert shared["link"] == verification_link(doc, VERIFIER)
    url = urlsplit(shared["linkedin"])
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["startTask"] == "CERTIFICATION_NAME" and query["name"] == "Data Stewardship for Research"
    assert query["organizationName"] == "Université Exemple"
    issued = doc.get("awardedDate") or doc["validFrom"]
    assert (query["issueYear"], query["issueMonth"]) == (issued[:4], str(int(issued[5:7])))
    assert query["certUrl"] == shared["link"] and query["certId"] == doc["id"]
    code, out, _ = run(capsys, *story["learner"], "wallet", "share", str(story["mine"]))
    assert code == 0 and "verification link:" in out and "http://127.0.0.1:8080/#vc=" in out


def test_a_plain_export_says_its_anchor_proof_was_removed(story: dict[str, Any],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    plain = story["tmp"] / "plain.json"
    code, _, err = run(capsys, *story["learner"], "export", str(story["mine"]), "--plain", "--out", str(plain))
    assert code == 0, err
    code, out, _ = run(capsys, *story["verifier"], "--json", "verify", str(plain))
    record = json.loads(out)
    checks = {c["name"]: c for c in record["checks"]}
    assert checks["anchor"]["result"] == "fail"
    assert "anchor proof removed; verify the original" in checks["anchor"]["detail"]
    assert "never anchored" not in out
    # the verdict's levels are unchanged (without the anchor proof, the status index is not known to be this
    # credential's, so the status fails too), but the signature verifies and the reason names what happened
    assert checks["signature"]["result"] == "pass" and checks["format"]["result"] == "pass"
    assert code == 1 and record["levels"]["anchored"]["result"] == "invalid"
    code, out, _ = run(capsys, *story["verifier"], "--json", "verify", str(story["mine"]))
    assert code == 0 and json.loads(out)["levels"]["anchored"]["result"] == "valid"
