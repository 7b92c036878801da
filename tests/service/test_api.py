"""The service's API on the memory chain: VC-API verify, the upload, problems, limits, health, counts."""

from __future__ import annotations

import json

from microcred.cli._app import AppContext
from microcred.registry.verify import Verification


def checks(body: dict) -> dict[str, str]:
    return {c["name"]: c["result"] for c in body["checks"]}


def test_credentials_verify_answers_like_verify_json(service, issued, capsys):
    from tests.support.cli import run

    r = service.post("/credentials/verify", json={"verifiableCredential": issued["valid"], "options": {}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["valid"] is True and body["verified"] is True and body["status"] == "active"
    assert body["errors"] == [] and body["warnings"] == []
    assert body["summary"]["awardingBody"] == "Université Exemple" and body["summary"]["country"] == "FR"
    # the same record as the CLI's --json line
    path = issued["home"].parent / "valid.json"
    path.write_text(json.dumps(issued["valid"]))
    code, out, _ = run(capsys, *issued["base"], "--json", "verify", str(path))
    line = json.loads(out)
    assert code == 0 and line["checks"] == body["checks"] and line["status"] == body["status"]
    assert {"file", "id", "valid", "status", "checks", "summary", "sources"} <= set(body)


def test_revoked_and_tampered_are_invalid_with_errors(service, issued):
    revoked = service.post("/credentials/verify", json={"verifiableCredential": issued["revoked"]}).json()
    assert revoked["valid"] is False and revoked["status"] == "revoked" and checks(revoked)["status"] == "fail"
    assert any(e["title"] == "status failed" for e in revoked["errors"])
    tampered = service.post("/credentials/verify", json={"verifiableCredential": issued["tampered"]}).json()
    assert tampered["valid"] is False and checks(tampered)["signature"] == "fail"
    assert all(e["type"].startswith("urn:microcred:problem:") for e in tampered["errors"])


def test_upload_json_file_and_raw_body(service, issued):
    data = json.dumps(issued["valid"]).encode()
    r = service.post("/verify", files={"file": ("ada.json", data, "application/json")})
    assert r.status_code == 200 and r.json()["valid"] is True and r.json()["file"] == "ada.json"
    r = service.post("/verify", content=data, headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["valid"] is True


def test_baked_images_and_pdf_certificates_are_read(service, issued):
    from microcred.registry.credential import bake_png
    from microcred.service import verification_link
    from microcred.wallet import certificate_pdf
    from tests.support.images import tiny_png

    pdf = certificate_pdf(issued["valid"], link_of=lambda d: verification_link(d, "https://v.example/")).data
    for name, data in (("cert.pdf", pdf), ("badge.png", bake_png(tiny_png(), issued["valid"]))):
        r = service.post("/verify", files={"file": (name, data, "application/octet-stream")})
        assert r.status_code == 200 and r.json()["valid"] is True, (name, r.text)
        page = service.post("/", files={"file": (name, data, "application/octet-stream")}, data={"lang": "en"})
        assert page.status_code == 200 and 'data-outcome="valid"' in page.text, name  # dropped on the page
    for name, data, reason in (("b.png", b"\x89PNG\r\n\x1a\n...", "PNG"),
                               ("c.pdf", b"%PDF-1.7\n...", "a PDF that cannot be read"),
                               ("b.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a badge")):
        r = service.post("/verify", files={"file": (name, data, "application/octet-stream")})
        assert r.status_code == 422 and reason in r.json()["detail"], r.text
    r = service.post("/verify", files={"file": ("a.zip", b"PK\x03\x04...", "application/zip")})
    assert r.status_code == 415 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 415 and problem["type"] == "urn:microcred:problem:unsupported-media-type"
    assert "a ZIP archive" in problem["detail"] and "PDF certificates" in problem["detail"]


def test_malformed_requests_are_problems_never_tracebacks(service, issued):
    cases = [(b"not json", "not valid JSON"), (b"[1]", "JSON object"), (b'{"x": NaN}', "NaN"),
             (b"{" * 100 + b"}" * 100, "nested deeper"), (b'{"options": {}}', "verifiableCredential"),
             (json.dumps({"verifiableCredential": issued["valid"], "options": 3}).encode(), "'options'")]
    for data, reason in cases:
        r = service.post("/credentials/verify", content=data, headers={"content-type": "application/json"})
        assert r.status_code == 400, (data[:20], r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert reason in r.json()["detail"] and "Traceback" not in r.text
    r = service.post("/verify", content=b'{"id": "\xff"}')
    assert r.status_code == 422 and "not UTF-8" in r.json()["detail"]
    r = service.get("/nowhere")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = service.get("/credentials/verify")
    assert r.status_code == 405 and r.json()["status"] == 405


def test_a_body_over_the_limit_is_refused_413(service):
    big = b'{"verifiableCredential": {"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}}'
    r = service.post("/credentials/verify", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["type"] == "urn:microcred:problem:body-too-large"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 65536

    r = service.post("/verify", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_an_internal_failure_is_a_500_problem_without_traceback(issued, caplog):
    from fastapi.testclient import TestClient

    from microcred.service import ServiceConfig, create_app

    def broken(app, trust):
        class V:
            def verify(self, items):
                raise RuntimeError("secret internals /etc/passwd")
        return V()

    app = create_app(ServiceConfig(app=AppContext(home=issued["home"], network="memory"), build=broken))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/credentials/verify", json={"verifiableCredential": issued["valid"]})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert "secret" not in r.text and "Traceback" not in r.text
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text  # the log names the failure, not its text


def test_the_verifier_is_rebuilt_after_its_time_to_live(issued):
    from microcred.service import ServiceConfig, VerifierCache

    now = [0.0]
    built = []

    def build(app, trust):
        built.append(now[0])

        class V:
            def verify(self, items):
                v = Verification(file=None, id=None)
                v.add("format", "pass", "ok")
                return [v]
        return V()

    cache = VerifierCache(ServiceConfig(app=None, build=build, cache_ttl=30, clock=lambda: now[0]))
    cache.verify(None, {})
    now[0] = 10
    cache.verify(None, {})
    now[0] = 41
    cache.verify(None, {})
    assert built == [0.0, 41]


def test_health_openapi_and_counts_only(service, issued):
    assert service.get("/healthz").json() == {"status": "ok"}
    spec = service.get("/openapi.json").json()
    assert {"/credentials/verify", "/presentations/verify", "/verify", "/healthz", "/metrics"} <= set(spec["paths"])
    service.post("/credentials/verify", json={"verifiableCredential": issued["valid"]})
    service.post("/credentials/verify", json={"verifiableCredential": issued["revoked"]})
    text = service.get("/metrics").text
    assert 'microcred_verifications_total{outcome="valid"} 1' in text
    assert 'microcred_verifications_total{outcome="invalid"} 1' in text
    assert 'microcred_http_requests_total{route="/credentials/verify",status="200"} 2' in text
    # each credential was asked of the chain once; verified again, it is answered from the chain-read cache
    assert 'microcred_chain_reads_total{answered="asked"} 2' in text
    assert service.post("/credentials/verify", json={"verifiableCredential": issued["valid"]}).json()["valid"]
    assert 'microcred_chain_reads_total{answered="cached"} 1' in service.get("/metrics").text
    learner = issued["valid"]["credentialSubject"].get("name") or "Ada"
    assert learner not in text and issued["valid"]["id"] not in text


def test_presentations_verify_checks_each_credential(service, issued):
    vp = {"type": ["VerifiablePresentation"], "verifiableCredential": [issued["valid"], issued["revoked"]]}
    body = service.post("/presentations/verify", json={"verifiablePresentation": vp,
                                                       "options": {"challenge": "c"}}).json()
    assert body["verified"] is False and [r["valid"] for r in body["credentialResults"]] == [True, False]


def test_every_response_carries_a_strict_csp(service):
    for path in ("/", "/healthz", "/nowhere"):
        csp = service.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_a_verification_that_takes_too_long_is_a_503_problem(issued):
    import threading

    from fastapi.testclient import TestClient

    from microcred.service import ServiceConfig, create_app

    release = threading.Event()

    def stuck(app, trust):
        class V:
            def verify(self, items):
                release.wait(30)  # held until the test has its answer
                raise RuntimeError("released")
        return V()

    app = create_app(ServiceConfig(app=AppContext(home=issued["home"], network="memory"), build=stuck, timeout=0.2))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            r = client.post("/credentials/verify", json={"verifiableCredential": issued["valid"]})
    finally:
        release.set()
    assert r.status_code == 503 and r.json()["type"] == "urn:microcred:problem:timeout"


def test_a_body_that_does_not_arrive_in_time_is_a_408_problem(issued):
    import asyncio

    from microcred.service import ServiceConfig, create_app

    app = create_app(ServiceConfig(app=AppContext(home=issued["home"], network="memory"), timeout=0.1))
    sent: list[dict] = []

    async def scenario():
        parts = [{"type": "http.request", "body": b'{"verifiableCredential": ', "more_body": True}]

        async def receive():  # the first part, then nothing more ever comes
            if parts:
                return parts.pop()
            await asyncio.Event().wait()

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/credentials/verify", "headers": [
            (b"content-type", b"application/json")], "query_string": b"", "scheme": "http",
            "server": ("testserver", 80), "client": ("127.0.0.1", 1), "root_path": "", "http_version": "1.1"}
        await asyncio.wait_for(app(scope, receive, send), 10)

    asyncio.run(scenario())
    assert sent[0]["status"] == 408
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert body["type"] == "urn:microcred:problem:body-too-slow" and "Traceback" not in json.dumps(body)
