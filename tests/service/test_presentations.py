"""POST /presentations/verify (VC-API): the library's presentation verification, with the options challenge and
domain, from a verifier's empty home; a replay and a missing challenge are named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from microcred.did import Keystore
from microcred.registry.presentation import create_presentation
from tests.support.cli import run as cli_run
from tests.support.wallet import PASS, issued_to_holders

CHALLENGE, DOMAIN = "9a7c-challenge", "https://hr.example"


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from microcred.cli._app import AppContext
    from microcred.service import ServiceConfig, create_app

    story = issued_to_holders(tmp_path, lambda *a: cli_run(capsys, *a), monkeypatch)
    key = Keystore(story["learner_home"] / "keys").load("learner", PASS)
    vm = f"{key.did}#{key.public_key_multibase}"
    mine, theirs = (json.loads(story[k].read_text()) for k in ("mine", "theirs"))
    story["vp"] = create_presentation([mine], key, holder=key.did, verification_method=vm, challenge=CHALLENGE,
                                      domain=DOMAIN)
    story["vp_theirs"] = create_presentation([mine, theirs], key, holder=key.did, verification_method=vm,
                                             challenge=CHALLENGE, domain=DOMAIN, check_subjects=False)
    app = AppContext(home=story["verifier_home"], network="memory")
    with TestClient(create_app(ServiceConfig(app=app)), raise_server_exceptions=False) as client:
        story["client"] = client
        yield story


def _post(client: Any, vp: dict[str, Any], **options: Any) -> Any:
    return client.post("/presentations/verify", json={"verifiablePresentation": vp, "options": options})


def test_a_presentation_verifies_over_the_api(setup: dict[str, Any]) -> None:
    r = _post(setup["client"], setup["vp"], challenge=CHALLENGE, domain=DOMAIN)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verified"] is True and body["errors"] == []
    assert body["presentationResult"]["holder"] == setup["holder"].did
    assert [c["valid"] for c in body["credentialResults"]] == [True]
    assert {c["name"] for c in body["checks"]} >= {"holder_proof", "challenge", "domain", "signature", "status"}


def test_replays_and_other_subjects_fail_by_name(setup: dict[str, Any]) -> None:
    client = setup["client"]
    body = _post(client, setup["vp"], challenge="an old one", domain=DOMAIN).json()
    assert body["verified"] is False and body["presentationResult"]["reasons"] == ["wrong-challenge"]
    assert body["errors"][0]["type"] == "urn:microcred:problem:presentation-wrong-challenge"
    body = _post(client, setup["vp"], challenge=CHALLENGE, domain="https://evil.example").json()
    assert body["presentationResult"]["reasons"] == ["wrong-domain"]
    body = _post(client, setup["vp_theirs"], challenge=CHALLENGE, domain=DOMAIN).json()
    assert body["verified"] is False and body["presentationResult"]["reasons"] == ["subject-not-holder"]


def test_a_missing_challenge_is_a_400_problem(setup: dict[str, Any]) -> None:
    r = _post(setup["client"], setup["vp"], domain=DOMAIN)
    assert r.status_code == 400 and "options.challenge is required" in r.json()["detail"]
    r = _post(setup["client"], setup["vp"], challenge=CHALLENGE, domain=3)
    assert r.status_code == 400 and "options.domain" in r.json()["detail"]
