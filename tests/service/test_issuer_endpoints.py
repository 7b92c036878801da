"""``serve --issuer NAME``: the issuer's OB 3.0 Profile and its status lists, signed, from the chain, with ETags."""

from __future__ import annotations

import pytest


@pytest.fixture
def face(issued):
    from fastapi.testclient import TestClient

    from microcred.cli._app import AppContext
    from microcred.service import ServiceConfig, create_app

    app = AppContext(home=issued["home"], network="memory")
    with TestClient(create_app(ServiceConfig(app=app, issuer="x"))) as client:
        yield client


def test_the_profile_is_the_issuer_of_its_credentials(face, issued):
    profile = face.get("/issuer").json()
    embedded = issued["valid"]["issuer"]
    assert profile["type"] == ["Profile"] and profile["id"] == embedded["id"]
    assert {k: profile[k] for k in embedded if k != "@context"} == embedded


def test_status_lists_say_what_the_chain_says_with_an_etag(face, issued):
    import base64
    import gzip

    r = face.get("/status/revocation")
    assert r.status_code == 200 and r.headers["etag"] and r.headers["cache-control"].startswith("public, max-age=")
    doc = r.json()
    assert doc["credentialSubject"]["statusPurpose"] == "revocation" and doc["proof"]
    encoded = doc["credentialSubject"]["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    revoked_index = int(issued["revoked"]["credentialStatus"][0]["statusIndex"]) \
        if isinstance(issued["revoked"]["credentialStatus"], list) else \
        int(issued["revoked"]["credentialStatus"]["statusIndex"])
    assert bits[revoked_index // 8] >> (7 - revoked_index % 8) & 1 == 1
    assert bits[0] >> 7 & 1 == 0  # the valid one (index 0) is not revoked
    again = face.get("/status/revocation", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304
    assert face.get("/status/nope").status_code == 404
