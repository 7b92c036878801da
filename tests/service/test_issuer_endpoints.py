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


def test_the_profile_has_an_etag_and_is_not_sent_again(face):
    r = face.get("/issuer")
    assert r.headers["etag"] and r.headers["cache-control"].startswith("public, max-age=")
    assert face.get("/issuer", headers={"if-none-match": r.headers["etag"]}).status_code == 304
    assert face.get("/.well-known/did.json").status_code == 404  # a did:key issuer has no did:web document


@pytest.fixture
def did_web_issuer(issued, tmp_path, capsys):
    """Issuer ``w`` whose DID is the path-form did:web of a port on loopback, and one credential it signed."""
    import json

    from microcred.registry.issuance import IssuerStore
    from tests.support.chain import free_port
    from tests.support.cli import run
    from tests.support.paths import EXAMPLES

    port = free_port()
    did = f"did:web:localhost%3A{port}:issuers:w"
    out = tmp_path / "out-w"
    x = IssuerStore(issued["home"]).load("x")  # the same chain account and registry as issuer x
    for args in (("key", "new", "wsig"),
                 ("issuer", "init", "w", "--legal-name", "Hochschule Web", "--country", "DE", "--key", "wsig",
                  "--did", did, "--verification-method", f"{did}#key-1", "--account", str(x.account),
                  "--chain", str(x.chain), "--registry", str(x.registry)),
                 ("issue", "--issuer", "w", "--template", str(EXAMPLES / "course-template.json"), "--learners",
                  str(EXAMPLES / "learners.csv"), "--out", str(out))):
        code, _, err = run(capsys, *issued["base"], *args)
        assert code == 0, (args, err)
    doc = json.loads(next(p for p in sorted(out.glob("*.json")) if not p.name.startswith(".")).read_text())
    return {"port": port, "did": did, "credential": doc}


def test_the_did_web_document_resolves_over_https_and_verifies_what_the_issuer_signed(did_web_issuer, issued,
                                                                                     tmp_path):
    import socket
    import threading

    import uvicorn

    from microcred.cli._app import AppContext
    from microcred.did import DIDWebResolver, Keystore, Resolver
    from microcred.did._didweb import DIDAddressNotAllowedError
    from microcred.registry.verify import Verifier, default_checks
    from microcred.service import ServiceConfig, create_app
    from tests.support.pki import make_pki

    tls = make_pki(tmp_path / "pki")
    did, port = did_web_issuer["did"], did_web_issuer["port"]
    app = create_app(ServiceConfig(app=AppContext(home=issued["home"], network="memory"), issuer="w"))
    server = uvicorn.Server(uvicorn.Config(app, ssl_certfile=str(tls.cert_file), ssl_keyfile=str(tls.key_file),
                                           log_level="warning", lifespan="off"))
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen()  # connections wait in the backlog until the server accepts: no polling for it to start
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        web = DIDWebResolver(ca_file=tls.ca_file, timeout=5, allow_private_network=True)
        resolved = web(did)
        document = resolved.document.to_json()
        assert resolved.did == did and resolved.resolution_metadata["contentType"] == "application/did+json"
        method = document["verificationMethod"][0]
        public = Keystore(issued["home"] / "keys").public_key("wsig")
        assert method == {"id": f"{did}#key-1", "type": "Multikey", "controller": did,
                          "publicKeyMultibase": public.multibase}
        assert document["assertionMethod"] == [f"{did}#key-1"]
        assert set(method) == {"id", "type", "controller", "publicKeyMultibase"}  # the public half only
        # a verifier that resolves through it accepts the issuer's signature, and a tampered copy fails
        verifier = Verifier(default_checks(resolver=Resolver(web=web), trusted_registries=lambda caip2: set()))
        credential = did_web_issuer["credential"]
        tampered = {**credential, "name": "Something else"}
        good, bad = verifier.verify([(None, credential), (None, tampered)])
        assert {c.name: c.result for c in good.checks}["signature"] == "pass", good.as_json()
        assert {c.name: c.result for c in bad.checks}["signature"] == "fail"
        # the default resolver never fetches from loopback: the address is refused before any connection
        with pytest.raises(DIDAddressNotAllowedError):
            DIDWebResolver(ca_file=tls.ca_file, timeout=5)(did)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
    assert not thread.is_alive()


def test_the_did_web_document_has_an_etag(did_web_issuer, issued):
    from fastapi.testclient import TestClient

    from microcred.cli._app import AppContext
    from microcred.service import ServiceConfig, create_app

    app = create_app(ServiceConfig(app=AppContext(home=issued["home"], network="memory"), issuer="w"))
    with TestClient(app) as client:
        r = client.get("/issuers/w/did.json")
        assert r.status_code == 200 and r.json()["id"] == did_web_issuer["did"]
        assert r.headers["content-type"] == "application/did+json" and r.headers["etag"]
        assert r.headers["cache-control"].startswith("public, max-age=")
        assert client.get("/issuers/w/did.json", headers={"if-none-match": r.headers["etag"]}).status_code == 304
        assert client.get("/.well-known/did.json").status_code == 404  # the path form only: the DID says where
        assert 'route="/issuers/w/did.json"' in client.get("/metrics").text


def test_a_status_list_is_read_from_the_chain_again_after_its_ttl(issued, capsys, tmp_path):
    import json

    from fastapi.testclient import TestClient

    from microcred.cli._app import AppContext
    from microcred.service import ServiceConfig, create_app
    from tests.support.cli import run

    now = [1000.0]
    app = create_app(ServiceConfig(app=AppContext(home=issued["home"], network="memory"), issuer="x",
                                   status_ttl=60, clock=lambda: now[0]))
    with TestClient(app) as client:
        first = client.get("/status/revocation")
        assert first.json()["credentialSubject"]["ttl"] == 60_000
        assert first.headers["cache-control"] == "public, max-age=60"
        path = tmp_path / "valid.json"
        path.write_text(json.dumps(issued["valid"]))
        code, _, err = run(capsys, *issued["base"], "revoke", str(path), "--issuer", "x", "--reason", "issued-in-error")
        assert code == 0, err
        now[0] += 59
        cached = client.get("/status/revocation")
        assert cached.headers["etag"] == first.headers["etag"] and cached.headers["cache-control"].endswith("=1")
        now[0] += 2
        fresh = client.get("/status/revocation")
        assert fresh.headers["etag"] != first.headers["etag"]
        encoded = fresh.json()["credentialSubject"]["encodedList"]
        import base64
        import gzip

        bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
        assert bits[0] >> 7 & 1 == 1  # the credential at index 0 is revoked now


def test_the_service_never_fetches_from_an_address_a_credential_names_on_loopback(did_web_issuer, service):
    import socket

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", did_web_issuer["port"]))  # where the credential's did:web points
    listener.listen()
    listener.setblocking(False)
    try:
        body = service.post("/credentials/verify", json={"verifiableCredential": did_web_issuer["credential"]}).json()
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
    signature = next(c for c in body["checks"] if c["name"] == "signature")
    assert body["valid"] is False and signature["result"] != "pass" and "loopback" in signature["detail"]
