"""OpenID4VCI 1.0, pre-authorized code flow, end to end: `microcred offer` → `serve --issuer` endpoints → the
wallet's client, and the messages against the specification's own examples (tests/vectors/12-oid4vci)."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from microcred.did import (
    HTTPSFetcher,
    KeyPair,
    decode_compact,
    sign_compact,
    verify_signature,
)
from microcred.did._keys import _jwk_public
from microcred.did._net import AddressNotAllowedError
from microcred.oid4vci import (
    CONFIGURATION_ID,
    PROOF_TYP,
    CredentialOffer,
    OAuthError,
    OfferError,
    Pending,
    collect_deferred,
    credential_from_answer,
    parse_offer_uri,
    receive_credential,
)
from tests.support.chain import free_port
from tests.support.cli import run
from tests.support.issuing import memory_issuer
from tests.support.paths import EXAMPLES, VECTORS
from tests.support.pki import make_pki

PUBLIC = "https://issuer.test"
SPEC = VECTORS / "12-oid4vci"


@pytest.fixture
def issuer_home(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[str]]:
    """Issuer ``x`` on the in-process chain, bound to its account."""
    base = memory_issuer(home, capsys, legal_name="Hochschule Beispiel", country="DE")
    code, _, err = run(capsys, *base, "issuer", "bind", "x")
    assert code == 0, err
    return home, base


def make_offer(capsys: pytest.CaptureFixture[str], base: list[str], out: Path, *extra: str,
               url: str = PUBLIC) -> dict[str, Any]:
    code, stdout, err = run(capsys, *base, "--json", "offer", "--issuer", "x", "--template",
                            str(EXAMPLES / "course-template.json"), "--name", "Zoë Ørsted", "--email",
                            "zoe@example.org", "--completion-date", "2026-11-30", "--out", str(out), "--url", url,
                            *extra)
    assert code == 0, err
    return json.loads(stdout)


@pytest.fixture
def service(issuer_home):
    from fastapi.testclient import TestClient

    from microcred.cli._app import AppContext
    from microcred.service import InProcessFetcher, ServiceConfig, create_app

    home, _ = issuer_home
    app = AppContext(home=home, network="memory")
    asgi = create_app(ServiceConfig(app=app, issuer="x", public_url=PUBLIC))
    with TestClient(asgi, base_url=PUBLIC) as client:
        client.wallet = InProcessFetcher(asgi, PUBLIC)  # the wallet's fetcher, answered by the same service
        yield client


# -- the whole flow ----------------------------------------------------------------------------------------------
def test_the_wallet_receives_a_credential_bound_to_its_did_and_it_verifies(issuer_home, service, tmp_path, capsys):
    home, base = issuer_home
    out = tmp_path / "offered"
    made = make_offer(capsys, base, out, "--at-once")
    assert made["offer"].startswith("openid-credential-offer://?credential_offer=")
    holder = KeyPair.generate("ed25519")
    got = receive_credential(made["offer"], holder, service.wallet)
    assert got.credential is not None and got.pending is None
    subject = got.credential["credentialSubject"]
    assert subject["id"] == holder.did and got.issuer_name == "Hochschule Beispiel"
    assert "zoe@example.org" not in json.dumps(subject) and subject.get("identifier")  # e-mail kept, hashed
    files = sorted(out.glob("*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text()) == got.credential
    # the issuer anchors it as any other; then a verifier with an empty home finds the anchored file valid
    code, _, err = run(capsys, *base, "anchor", str(out), "--issuer", "x")
    assert code == 0, err
    code, stdout, err = run(capsys, "--home", str(tmp_path / "verifier"), "--network", "memory", "--json",
                            "verify", str(files[0]))
    assert code == 0, stdout + err


def test_by_default_the_wallet_gets_the_anchored_credential_later(issuer_home, service, tmp_path, capsys):
    """Deferred issuance (§9): signed at once, handed over once anchored; the transaction id serves once."""
    _, base = issuer_home
    out = tmp_path / "offered"
    made = make_offer(capsys, base, out)
    assert "deferred_credential_endpoint" in service.get("/.well-known/openid-credential-issuer").json()
    holder = KeyPair.generate("p256")
    got = receive_credential(made["offer"], holder, service.wallet)
    assert got.credential is None and got.pending is not None and got.pending.holder == holder.did
    assert len(sorted(out.glob("*.json"))) == 1  # issued (signed) already, to the holder's DID
    again = collect_deferred(got.pending, service.wallet)
    assert again.credential is None and again.pending is not None  # not anchored yet: wait
    code, _, err = run(capsys, *base, "anchor", str(out), "--issuer", "x")
    assert code == 0, err
    final = collect_deferred(got.pending, service.wallet)
    assert final.credential is not None and final.credential["credentialSubject"]["id"] == holder.did
    assert any(p.get("type") == "MicrocredAnchorProof2026" for p in final.credential["proof"])
    with pytest.raises(OAuthError) as exc:
        collect_deferred(got.pending, service.wallet)
    assert exc.value.error == "invalid_transaction_id"
    stolen = Pending(**{**got.pending.__dict__, "access_token": "forged.token"})
    with pytest.raises(OAuthError) as exc:
        collect_deferred(stolen, service.wallet)
    assert exc.value.error == "invalid_token"


def test_the_code_is_used_once(issuer_home, service, tmp_path, capsys):
    _, base = issuer_home
    made = make_offer(capsys, base, tmp_path / "out", "--at-once")
    receive_credential(made["offer"], KeyPair.generate("ed25519"), service.wallet)
    with pytest.raises(OAuthError) as exc:
        receive_credential(made["offer"], KeyPair.generate("ed25519"), service.wallet)
    assert exc.value.error == "invalid_grant" and "used already" in exc.value.description


def _token_and_nonce(service, offer_link: str) -> tuple[str, str]:
    offer, _ = parse_offer_uri(offer_link)
    assert offer is not None
    r = service.post("/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                                     "pre-authorized_code": offer.pre_authorized_code})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store", r.text
    n = service.post("/nonce")
    assert n.status_code == 200 and n.headers["cache-control"] == "no-store"
    return r.json()["access_token"], n.json()["c_nonce"]


def _ask(service, token: str | None, proof: str | None, **body: Any):
    request = {"credential_configuration_id": CONFIGURATION_ID, **body}
    if proof is not None:
        request["proofs"] = {"jwt": [proof]}
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return service.post("/credential", json=request, headers=headers)


def test_a_wrong_proof_of_possession_is_refused_and_the_offer_survives(issuer_home, service, tmp_path, capsys):
    _, base = issuer_home
    made = make_offer(capsys, base, tmp_path / "out", "--at-once")
    token, nonce = _token_and_nonce(service, made["offer"])
    holder, thief = KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    kid = f"{holder.did}#{holder.did.removeprefix('did:key:')}"
    now = int(time.time())
    good = {"aud": PUBLIC, "iat": now, "nonce": nonce}

    def proof(key: KeyPair = holder, header: dict[str, Any] | None = None, **claims: Any) -> str:
        return sign_compact(key, header if header is not None else {"typ": PROOF_TYP, "kid": kid},
                            {**good, **claims})

    cases = {
        "signed by another key than its kid": (proof(thief), "invalid_proof", "does not verify"),
        "for another issuer": (proof(aud="https://evil.example"), "invalid_proof", "audience"),
        "without the c_nonce": (sign_compact(holder, {"typ": PROOF_TYP, "kid": kid}, {"aud": PUBLIC, "iat": now}),
                                "invalid_proof", "c_nonce"),
        "with a made-up nonce": (proof(nonce="abc.def"), "invalid_nonce", "c_nonce"),
        "not typed": (proof(header={"typ": "JWT", "kid": kid}), "invalid_proof", PROOF_TYP),
        "from last hour": (proof(iat=now - 3600), "invalid_proof", "iat"),
        "with a kid and a jwk": (proof(header={"typ": PROOF_TYP, "kid": kid, "jwk": holder.to_jwk()}),
                                 "invalid_proof", "twice"),
    }
    for name, (jwt, error, words) in cases.items():
        r = _ask(service, token, jwt)
        assert r.status_code == 400 and r.json()["error"] == error, (name, r.text)
        assert words in r.json()["error_description"], (name, r.json())
    assert _ask(service, token, None).json()["error"] == "invalid_proof"
    r = _ask(service, None, proof())
    assert r.status_code == 401 and r.json()["error"] == "invalid_token" and "Bearer" in r.headers["www-authenticate"]
    r = _ask(service, "forged." + token.split(".")[1], proof())
    assert r.status_code == 401
    assert _ask(service, token, proof(), credential_configuration_id="Other").json()["error"] == \
        "unknown_credential_configuration"
    # none of it used the offer up: the holder's own proof gets the credential, bound to the holder
    r = _ask(service, token, proof())
    assert r.status_code == 200, r.text
    assert credential_from_answer(r.json())["credentialSubject"]["id"] == holder.did
    assert _ask(service, token, proof()).json()["error"] == "credential_request_denied"


def test_a_transaction_code_is_asked_for_and_checked(issuer_home, service, tmp_path, capsys):
    _, base = issuer_home
    made = make_offer(capsys, base, tmp_path / "out", "--tx-code", "4711", "--at-once")
    assert made["credentialOffer"]["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["tx_code"]
    holder = KeyPair.generate("ed25519")
    with pytest.raises(OfferError, match="transaction code"):
        receive_credential(made["offer"], holder, service.wallet)
    with pytest.raises(OAuthError) as exc:
        receive_credential(made["offer"], holder, service.wallet, tx_code="1234")
    assert exc.value.error == "invalid_grant" and "wrong" in exc.value.description
    offer, _ = parse_offer_uri(made["offer"])
    assert offer is not None
    r = service.post("/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                                     "pre-authorized_code": offer.pre_authorized_code})
    assert r.json()["error"] == "invalid_request"
    got = receive_credential(made["offer"], holder, service.wallet, tx_code="4711")
    assert got.credential["credentialSubject"]["id"] == holder.did


def test_metadata_names_this_issuer_and_its_endpoints(service):
    md = service.get("/.well-known/openid-credential-issuer").json()
    assert md["credential_issuer"] == PUBLIC and md["credential_endpoint"] == f"{PUBLIC}/credential"
    assert md["nonce_endpoint"] == f"{PUBLIC}/nonce"
    config = md["credential_configurations_supported"][CONFIGURATION_ID]
    assert config["format"] == "ldp_vc" and config["cryptographic_binding_methods_supported"] == ["did:key"]
    assert set(config["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]) == {"EdDSA", "ES256"}
    asm = service.get("/.well-known/oauth-authorization-server").json()
    assert asm["token_endpoint"] == f"{PUBLIC}/token" and asm["pre-authorized_grant_anonymous_access_supported"]
    bad = service.post("/token", data={"grant_type": "authorization_code", "code": "x"})
    assert bad.status_code == 400 and bad.json()["error"] == "unsupported_grant_type"


def test_the_offer_qr_code_decodes_to_the_link(issuer_home, tmp_path, capsys):
    _, base = issuer_home
    made = make_offer(capsys, base, tmp_path / "out", "--qr", str(tmp_path / "offer.png"))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "offer.png")], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == made["offer"]


def test_offer_refuses_what_it_cannot_offer(issuer_home, tmp_path, capsys):
    _, base = issuer_home
    common = ["offer", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"), "--name", "A",
              "--out", str(tmp_path / "o")]
    code, _, err = run(capsys, *base, *common, "--email", "a@example.org", "--url", "http://issuer.test")
    assert code == 2 and "https" in err
    code, _, err = run(capsys, *base, *common, "--url", PUBLIC)
    assert code == 2 and "--email" in err
    code, _, err = run(capsys, *base, *common, "--email", "not-an-email", "--url", PUBLIC)
    assert code != 0 and "mail" in err.lower()


# -- over real HTTPS on loopback ---------------------------------------------------------------------------------
@pytest.fixture
def tls_service(issuer_home, tmp_path):
    import uvicorn

    from microcred.cli._app import AppContext
    from microcred.service import ServiceConfig, create_app

    home, _ = issuer_home
    pki = make_pki(tmp_path / "pki")
    port = free_port()
    url = f"https://localhost:{port}"
    asgi = create_app(ServiceConfig(app=AppContext(home=home, network="memory"), issuer="x", public_url=url))
    server = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                                           ssl_certfile=str(pki.cert_file), ssl_keyfile=str(pki.key_file)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)  # waiting for a server thread to listen, not a timing assertion
    yield url, pki
    server.should_exit = True
    thread.join(timeout=10)


def test_over_https_on_loopback_and_only_when_allowed(issuer_home, tls_service, tmp_path, capsys):
    _, base = issuer_home
    url, pki = tls_service
    made = make_offer(capsys, base, tmp_path / "out", "--at-once", url=url)
    holder = KeyPair.generate("p256")
    with pytest.raises(AddressNotAllowedError):  # an offer cannot make a wallet probe the holder's network
        receive_credential(made["offer"], holder, HTTPSFetcher(ca_file=pki.ca_file))
    got = receive_credential(made["offer"], holder, HTTPSFetcher(ca_file=pki.ca_file, allow_private_network=True))
    assert got.credential["credentialSubject"]["id"] == holder.did and got.credential_issuer == url


# -- the specification's examples --------------------------------------------------------------------------------
def test_the_specifications_offers_are_read_as_it_means_them():
    offer = CredentialOffer.from_json(json.loads((SPEC / "credential_offer_pre-authz_code.json").read_text()))
    assert offer.credential_issuer == "https://credential-issuer.example.com"
    assert offer.credential_configuration_ids == ("UniversityDegreeCredential",)
    assert offer.pre_authorized_code == "adhjhdjajkdkhjhdj" and "SMS" in offer.tx_code["description"]
    empty_tx = CredentialOffer.from_json(json.loads((SPEC / "credential_offer_by_reference.json").read_text()))
    assert empty_tx.tx_code == {}  # present though empty: a transaction code is still required
    two = CredentialOffer.from_json(json.loads((SPEC / "credential_offer_multiple_credentials.json").read_text()))
    assert two.credential_configuration_ids == ("UniversityDegreeCredential", "org.iso.18013.5.1.mDL")
    assert two.tx_code == {"length": 4, "input_mode": "numeric",
                           "description": "Please provide the one-time code that was sent via e-mail"}
    # our own offers round-trip through the same reader
    assert CredentialOffer.from_json(two.to_json()) == two
    # the link by value of §4.1.2, as printed (line breaks for display only)
    text = (SPEC / "offer-by-value-link.md").read_text()
    link = "".join(re.search(r"```\n(openid-credential-offer://.*?)```", text, re.S).group(1).split())
    by_value, reference = parse_offer_uri(link)
    assert reference is None and by_value is not None
    assert by_value.credential_configuration_ids == ("org.iso.18013.5.1.mDL",)
    assert by_value.tx_code is not None and by_value.tx_code["input_mode"] == "text"
    # an authorization code offer needs a browser login: named, not misread
    authz = (SPEC / "credential_offer_authz_code.txt").read_text()
    with pytest.raises(OfferError, match="pre-authorized code"):
        CredentialOffer.from_json(json.loads(authz[authz.index("{"):]))
    with pytest.raises(OfferError, match="exactly one"):
        parse_offer_uri("openid-credential-offer://?nothing=here")


def test_the_specifications_credential_response_and_key_proof():
    text = (SPEC / "credential_response_ldp_vc.txt").read_text()
    body = json.loads(re.sub(r'"proofValue": "([^"]*)"', lambda m: '"proofValue": "' + "".join(m.group(1).split())
                             + '"', text[text.index("{"):], flags=re.S))
    assert credential_from_answer(body)["credentialSubject"]["id"] == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    # the jwt key proof example of appendix F.1: our JWS reader and ES256 check agree with it
    example = (SPEC / "jwt-proof-example.md").read_text()
    jwt = "".join(re.search(r'"jwt": \[\s*"(.*?)"', example, re.S).group(1).split())
    header, payload, signing_input, signature = decode_compact(jwt)
    assert header["typ"] == PROOF_TYP and header["alg"] == "ES256"
    assert json.loads(payload) == {"aud": "https://credential-issuer.example.com", "iat": 1701960444,
                                   "nonce": "LarRGSbmUPYtRYO6BQ4yn8"}
    key_type, key = _jwk_public(header["jwk"])
    assert key_type == "p256" and verify_signature(key_type, key, signing_input, signature)
    assert not verify_signature(key_type, key, signing_input + b"x", signature)


def test_wallet_receive_takes_the_offer_into_the_wallet(issuer_home, tls_service, tmp_path, capsys, monkeypatch):
    """The learner's own home: `key new`, then `wallet receive LINK --holder KEY` over HTTPS on loopback (the test
    CA trusted through SSL_CERT_FILE, private addresses allowed explicitly)."""
    _, base = issuer_home
    url, pki = tls_service
    made = make_offer(capsys, base, tmp_path / "out", url=url)
    learner = ["--home", str(tmp_path / "learner"), "--network", "memory"]
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca_file))
    code, stdout, err = run(capsys, *learner, "--json", "key", "new", "me")
    assert code == 0, err
    did = json.loads(stdout)["did"]
    code, _, err = run(capsys, *learner, "wallet", "receive", made["offer"], "--holder", "me")
    assert code == 2 and "refused to fetch" in err and "private networks" in err  # not without the holder's say
    code, stdout, err = run(capsys, *learner, "--allow-private-network", "--json", "wallet", "receive", made["offer"],
                            "--holder", "me")
    assert code == 0, err
    received = json.loads(stdout)
    assert received["holder"] == did and received["issuerName"] == "Hochschule Beispiel" and received["pending"]
    pending = sorted((tmp_path / "learner" / "wallet" / "pending").glob("*.json"))
    assert len(pending) == 1 and pending[0].stat().st_mode & 0o077 == 0
    assert "accessToken" not in pending[0].read_text()  # sealed with the wallet's passphrase
    code, stdout, err = run(capsys, *learner, "--allow-private-network", "wallet", "receive", "--pending")
    assert code == 0 and "not anchored yet" in stdout, err
    code, _, err = run(capsys, *base, "anchor", str(tmp_path / "out"), "--issuer", "x")
    assert code == 0, err
    code, stdout, err = run(capsys, *learner, "--allow-private-network", "--json", "wallet", "receive", "--pending")
    assert code == 0, err
    added = json.loads(stdout)
    assert added["action"] == "added" and not list((tmp_path / "learner" / "wallet" / "pending").glob("*.json"))
    code, stdout, err = run(capsys, *learner, "--json", "wallet", "list")
    assert code == 0, err
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert [r["id"] for r in rows] == [added["id"]]
    # the same link again: the issuer says the code is used, and the CLI says so
    code, _, err = run(capsys, *learner, "--allow-private-network", "wallet", "receive", made["offer"],
                       "--holder", "me")
    assert code == 2 and "used already" in err
