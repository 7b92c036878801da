"""`issue --stack` and the `components` check, on the memory chain: two micro-credentials of one learner make the
Certificate of examples/stacked-template.json, which references each by id and digest and is a valid Open Badges
3.0 AchievementCredential; it verifies with its components, could not be checked without them, fails when a
component is revoked; a stack of two learners' credentials, or with a revoked component, is refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

import microcred.cli._wallet as wallet_cli
from microcred.registry.credential import credential_digest
from microcred.registry.issuance import component_digest
from tests.support.cli import run
from tests.support.issuing import credentials
from tests.support.paths import EXAMPLES, VECTORS
from tests.support.wallet import issued_to_holders

STACK = EXAMPLES / "stacked-template.json"


@pytest.fixture
def story(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Ada's and Bob's Data Stewardship credentials (issued_to_holders), and their FAIR Research Software ones."""
    monkeypatch.setattr(wallet_cli, "SCRYPT_N", 2**4)  # test speed only
    s = issued_to_holders(tmp_path, lambda *args: run(capsys, *args), monkeypatch)
    fair = tmp_path / "fair"
    for args in (("issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template-fair.json"),
                  "--learners", str(tmp_path / "learners.csv"), "--out", str(fair)),
                 ("anchor", str(fair), "--issuer", "x")):
        code, _, err = run(capsys, *s["issuer"], *args)
        assert code == 0, (args, err)
    docs = {p: json.loads(p.read_text()) for p in credentials(fair)}
    s["fair_mine"] = next(p for p, d in docs.items() if d["credentialSubject"]["id"] == s["holder"].did)
    s["fair_theirs"] = next(p for p, d in docs.items() if d["credentialSubject"]["id"] == s["other"].did)
    return s


def _stack(story: dict[str, Any], capsys: pytest.CaptureFixture[str], *components: Path) -> tuple[int, str, str]:
    return run(capsys, *story["issuer"], "--json", "issue", "--issuer", "x", "--stack", "--template", str(STACK),
               *map(str, components), "--out", str(story["tmp"] / "stacked"))


def _verify(story: dict[str, Any], capsys: pytest.CaptureFixture[str], stacked: Path,
            *components: Path) -> tuple[int, dict[str, Any]]:
    extra = [a for c in components for a in ("--component", str(c))]
    code, out, _ = run(capsys, *story["verifier"], "--json", "verify", str(stacked), *extra)
    return code, json.loads(out)


def _check(record: dict[str, Any], name: str) -> dict[str, str]:
    return next(c for c in record["checks"] if c["name"] == name)


def test_a_stacked_credential_references_its_components_and_verifies_with_them(
        story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    mine, fair = story["mine"], story["fair_mine"]
    code, out, err = _stack(story, capsys, mine, fair)
    assert code == 0, err
    made = json.loads(out)
    stacked = Path(made["file"])
    doc = json.loads(stacked.read_text())
    assert doc["credentialSubject"]["id"] == story["holder"].did
    assert doc["credentialSubject"]["achievement"]["name"] == "Certificate in Research Data Management"
    components = [json.loads(p.read_text()) for p in (mine, fair)]
    assert doc["relatedResource"] == [{"id": c["id"], "mediaType": "application/vc",
                                       "digestMultibase": component_digest(c)} for c in components]
    for ref, component in zip(doc["relatedResource"], components):  # multibase base64url of a sha2-256 multihash
        raw = base64.urlsafe_b64decode(ref["digestMultibase"][1:] + "==")
        assert ref["digestMultibase"][0] == "u" and raw[:2] == b"\x12\x20" and len(raw) == 34
        assert raw[2:] == credential_digest(component)
    schema = json.loads((VECTORS / "10-ob3-schema" / "achievementcredential.json").read_text(encoding="utf-8"))
    assert [e.message for e in Draft201909Validator(schema).iter_errors(doc)] == []
    code, _, err = run(capsys, *story["issuer"], "anchor", str(stacked.parent), "--issuer", "x")
    assert code == 0, err

    code, record = _verify(story, capsys, stacked, mine, fair)
    assert code == 0 and record["valid"] is True, [c for c in record["checks"] if c["result"] != "pass"]
    assert _check(record, "components")["result"] == "pass"
    assert "2 components" in _check(record, "components")["detail"]

    code, record = _verify(story, capsys, stacked, mine)  # one component missing: could not check, never invalid
    assert code == 2 and _check(record, "components")["result"] == "error"
    assert "could not check" in _check(record, "components")["detail"]
    code, record = _verify(story, capsys, stacked)
    assert code == 2 and "2 of 2 components not given" in _check(record, "components")["detail"]

    changed = json.loads(fair.read_text())
    changed["credentialSubject"]["result"][0]["value"] = "1.0"
    forged = story["tmp"] / "forged-fair.json"
    forged.write_text(json.dumps(changed))
    code, record = _verify(story, capsys, stacked, mine, forged)
    assert code == 1 and "its digest is not the one" in _check(record, "components")["detail"]

    # from the learner's wallet: the components are found there
    code, _, err = run(capsys, *story["learner"], "wallet", "add", str(mine), str(fair))
    assert code == 0, err
    code, out, _ = run(capsys, *story["learner"], "--json", "verify", str(stacked))
    assert code == 0 and _check(json.loads(out), "components")["result"] == "pass"

    code, _, err = run(capsys, *story["issuer"], "revoke", str(fair), "--issuer", "x", "--reason", "fraud", "--yes")
    assert code == 0, err
    code, record = _verify(story, capsys, stacked, mine, fair)
    assert code == 1 and record["valid"] is False
    components_check = _check(record, "components")
    assert components_check["result"] == "fail" and "status: revoked" in components_check["detail"]


def test_a_revoked_component_is_refused(story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *story["issuer"], "revoke", str(story["fair_mine"]), "--issuer", "x", "--reason",
                       "fraud", "--yes")
    assert code == 0, err
    code, _, err = _stack(story, capsys, story["mine"], story["fair_mine"])
    assert code == 2 and "cannot be stacked" in err and "revoked" in err
    assert not (story["tmp"] / "stacked").exists() or not credentials(story["tmp"] / "stacked")


def test_components_of_two_learners_are_refused(story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _stack(story, capsys, story["mine"], story["fair_theirs"])
    assert code == 2 and "different learners" in err
    code, _, err = _stack(story, capsys, story["mine"], story["theirs"])  # the same component twice, no FAIR one
    assert code == 2 and "already given" in err and "no credential for component FAIR Research Software" in err


def test_usage_of_stack(story: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *story["issuer"], "issue", "--issuer", "x", "--stack", "--template", str(STACK),
                       "--out", str(story["tmp"] / "s"))
    assert code == 2 and "COMPONENT" in err
    code, _, err = run(capsys, *story["issuer"], "issue", "--issuer", "x", "--stack", "--template",
                       str(EXAMPLES / "course-template.json"), str(story["mine"]), str(story["fair_mine"]), "--out",
                       str(story["tmp"] / "s"))
    assert code == 2 and "not a stack template" in err
