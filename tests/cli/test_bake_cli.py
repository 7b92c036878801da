"""`microcred bake` and `microcred verify` of baked badges: the round trip through a PNG and an SVG, and an image
that is not a badge as a named invalid input."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import run
from microcred.did import KeyPair
from microcred.registry.proofs import add_proof
from tests.support.images import tiny_png




@pytest.fixture
def badge_file(tmp_path):
    key = KeyPair.generate("ed25519")
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2",
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"], "id": "urn:uuid:1",
           "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": key.did,
           "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"name": "Ada"}}
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(add_proof(doc, key, verification_method=key.did, cryptosuite="eddsa-rdfc-2022")))
    return path


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_bake_then_verify(home, tmp_path, capsys, badge_file, kind):
    image = tmp_path / f"image.{kind}"
    if kind == "png":
        image.write_bytes(tiny_png())
    else:
        image.write_text('<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>')
    out = tmp_path / f"baked.{kind}"
    code, _, err = run(capsys, "--home", str(home), "bake", str(badge_file), "--image", str(image), "--out", str(out))
    assert code == 0, err
    code, stdout, err = run(capsys, "--home", str(home), "--json", "verify", str(out))
    line = json.loads(stdout.strip().splitlines()[0])
    assert code == 0, (stdout, err)
    assert line["valid"] is True and line["id"] == "urn:uuid:1"
    assert line["levels"]["credential"]["result"] == "valid"
    assert line["levels"]["microcredential"]["required"] is False
    code, stdout, err = run(capsys, "--home", str(home), "--json", "verify", str(out),
                            "--require", "microcredential")
    assert code == 1 and json.loads(stdout.strip().splitlines()[0])["valid"] is False


def test_verify_a_png_that_is_not_a_badge(home, tmp_path, capsys):
    image = tmp_path / "cat.png"
    image.write_bytes(tiny_png())
    code, stdout, _ = run(capsys, "--home", str(home), "--json", "verify", str(image))
    line = json.loads(stdout.strip().splitlines()[0])
    assert code == 1
    assert "not a badge" in line["checks"][0]["detail"]


def test_bake_refuses_an_image_that_is_neither_png_nor_svg(home, tmp_path, capsys, badge_file):
    image = tmp_path / "x.gif"
    image.write_bytes(b"GIF89a\x00\x00")
    code, _, err = run(capsys, "--home", str(home), "bake", str(badge_file), "--image", str(image),
                       "--out", str(tmp_path / "o"))
    assert code == 2 and "neither a PNG nor an SVG" in err
