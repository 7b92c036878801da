"""The ASGI application: the VC-API verification routes, a file upload, the page, health and counts.

Safe by construction: bodies above ``max_body`` are refused while they arrive (413), and bodies that take longer
than ``timeout`` to arrive are answered 408; a verification that takes longer than ``timeout`` is answered 503;
outbound requests follow the verifier's rules (did:web refuses loopback and private addresses); nothing submitted is
stored or logged (the access log is off, only counts are kept); every error is an RFC 9457 problem, never a
traceback."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microcred.errors import MicrocredError
from microcred.service._assets import CSS, JS
from microcred.service._i18n import choose_language
from microcred.service._metrics import Metrics
from microcred.service._page import render_page, render_problem, render_result
from microcred.service._problems import PROBLEM_TYPE, ServiceProblem, problem_response
from microcred.service._verifying import Batcher, ServiceConfig, VerifierCache

if TYPE_CHECKING:
    from microcred.registry.verify import Verification

__all__ = ["CONTENT_SECURITY_POLICY", "api_result", "create_app"]

_LOG = logging.getLogger("microcred.service")

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_HEADERS = [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
_ROUTES = {"/issuer", "/status/revocation", "/status/suspension",
           "/", "/credentials/verify", "/presentations/verify", "/verify", "/healthz", "/metrics", "/openapi.json",
           "/static/page.css", "/static/page.js"}


def _too_large(limit: int) -> ServiceProblem:
    return ServiceProblem(413, "body-too-large", "Request body too large",
                          f"the request body is larger than {limit} bytes, the most this service accepts")


def _too_slow(seconds: float) -> ServiceProblem:
    return ServiceProblem(408, "body-too-slow", "Request body too slow",
                          f"the request body did not arrive within {seconds:g} s")


class _Guard:
    """ASGI middleware: the body limit (refused as it arrives) and its time limit (the whole body within
    ``body_seconds``), the security headers, and the counts."""

    def __init__(self, app: ASGIApp, limit: int, metrics: Metrics, routes: set[str], body_seconds: float) -> None:
        self.app, self.limit, self.metrics, self.routes = app, limit, metrics, routes
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = scope["path"] if scope["path"] in self.routes else "other"
        status_seen: list[int] = []

        async def send_guarded(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(message["status"])
                message["headers"] = [h for h in message.get("headers", []) if h[0] not in dict(_HEADERS)] + _HEADERS
            await send(message)

        async def answer(problem: ServiceProblem) -> None:
            await problem_response(problem, headers={"connection": "close"})(scope, receive, send_guarded)

        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await answer(_too_large(self.limit) if declared.isdigit() else ServiceProblem(
                400, "bad-request", "Bad request", "the Content-Length header is not a number"))
            self.metrics.request(route, status_seen[0] if status_seen else 413)
            return
        received, complete = 0, False
        deadline = asyncio.get_running_loop().time() + self.body_seconds

        async def receive_limited() -> Message:
            nonlocal received, complete
            if complete:  # after the body: only a disconnection can come, and it may come late
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - asyncio.get_running_loop().time()))
            except TimeoutError:  # answered 408 by the problem handler
                raise _too_slow(self.body_seconds) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > self.limit:  # answered 413 by the problem handler
                    raise _too_large(self.limit)
            return message

        try:
            await self.app(scope, receive_limited, send_guarded)
        except Exception as exc:  # already answered 500 by the handler; its message may quote what was submitted,
            # so only its type is logged
            _LOG.error("internal error while answering %s: %s", route, type(exc).__name__)
            if not status_seen:
                await answer(ServiceProblem(500, "internal-error", "Internal error",
                                            "the service failed while answering; nothing was kept"))
        self.metrics.request(route, status_seen[0] if status_seen else 500)


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def api_result(v: Any, warnings: list[dict] | None = None) -> dict[str, Any]:
    """``verify --json``'s record (``valid``, ``status``, ``checks``, ``summary``, ``sources``) with the VC-API's
    ``verified``, ``warnings`` and ``errors`` (problem details, one per check that failed or could not run)."""
    errors = [{"type": PROBLEM_TYPE + ("check-failed" if c.result == "fail" else "check-not-possible"),
               "title": f"{c.name} {'failed' if c.result == 'fail' else 'could not be checked'}", "detail": c.detail}
              for c in v.ordered_checks() if c.result in ("fail", "error")]
    return {**_jsonable(v.as_record()), "outcome": v.outcome, "verified": v.valid, "warnings": warnings or [],
            "errors": errors}


def _malformed(detail: str) -> ServiceProblem:
    return ServiceProblem(400, "malformed-request", "Malformed request", detail)


def _parse(data: bytes, source: str) -> dict[str, Any]:
    from microcred.registry.credential._documents import parse_credential  # not yet in the public face

    try:
        return parse_credential(data, source=source)
    except MicrocredError as exc:
        raise _malformed(str(exc)) from None


def _vc_api_request(data: bytes, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The object ``key`` of a VC-API request body and its ``options`` (empty when there are none)."""
    body = _parse(data, "the request")
    item = body.get(key)
    if not isinstance(item, dict):
        raise _malformed(f"the request has no {key!r} object")
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise _malformed("'options' is not an object")
    return item, options


_NOT_JSON = ((b"PK\x03\x04", "a ZIP archive"), (b"\xff\xd8\xff", "a JPEG image"))


def _unsupported(data: bytes) -> ServiceProblem | None:
    head = data[:512].lstrip()
    for magic, what in _NOT_JSON:
        if head.startswith(magic):
            return ServiceProblem(415, "unsupported-media-type", "Unsupported media type",
                                  f"this file is {what}; this service reads credentials as JSON, baked PNG or SVG "
                                  "badges, PDF certificates (`microcred pdf`) and VC-JWT")
    return None


def create_app(config: ServiceConfig) -> ASGIApp:
    """The service over the verifier ``config`` describes."""
    app = FastAPI(title="microcred verification service", version="1", docs_url=None, redoc_url=None,
                  description="Verifies EU micro-credentials (Open Badges 3.0 / VC 2.0) anchored in a registry on "
                              "an EVM chain. Compatible with the W3C VC-API where it overlaps.")
    cache = VerifierCache(config)
    batcher = Batcher(cache)
    metrics = Metrics()
    network = config.app.network if not config.app.rpc_urls else ", ".join(config.app.rpc_urls)
    trust_name = config.trust.name if config.trust is not None else None

    async def verify(name: str | None, doc: dict[str, Any]) -> Verification:
        try:
            v = await asyncio.wait_for(batcher.verify(name, doc), config.timeout)
        except TimeoutError:
            raise ServiceProblem(503, "timeout", "Verification took too long",
                                 f"the verification did not end within {config.timeout:g} s; try again") from None
        except MicrocredError as exc:
            raise ServiceProblem(503, "cannot-verify", "The service cannot verify now", str(exc)) from None
        metrics.verdict(v.outcome)
        return v

    @app.exception_handler(ServiceProblem)
    async def _problem(request: Request, exc: ServiceProblem) -> Response:
        return problem_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed"}
        return problem_response(ServiceProblem(exc.status_code, "http-" + str(exc.status_code),
                                               titles.get(exc.status_code, "HTTP error"), str(exc.detail)))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return problem_response(_malformed("; ".join(str(e.get("msg")) for e in exc.errors()[:5])))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        return problem_response(ServiceProblem(500, "internal-error", "Internal error",
                                               "the service failed while answering; nothing was kept"))

    @app.post("/credentials/verify", summary="Verify a credential (VC-API)",
              responses={200: {"description": "The verdict (valid or not)"}, 400: {"description": "Problem"}})
    async def credentials_verify(request: Request) -> JSONResponse:
        credential, _ = _vc_api_request(await request.body(), "verifiableCredential")
        return JSONResponse(api_result(await verify(None, credential)))

    @app.post("/presentations/verify", summary="Verify a presentation: the holder's proof, challenge, domain, "
                                                "subjects, and each credential (VC-API)")
    async def presentations_verify(request: Request) -> JSONResponse:
        from microcred.registry.presentation import verify_presentation

        vp, options = _vc_api_request(await request.body(), "verifiablePresentation")
        challenge, domain = options.get("challenge"), options.get("domain")
        if not isinstance(challenge, str) or not challenge:
            raise _malformed("options.challenge is required: the challenge the holder was given, so a replayed "
                             "presentation cannot pass")
        if domain is not None and not (isinstance(domain, str) or (
                isinstance(domain, list) and all(isinstance(d, str) for d in domain))):
            raise _malformed("options.domain is a string or a list of strings")

        class OneByOne:  # the service's verifier, one credential at a time (as /credentials/verify)
            def verify(self, items: Any, *, at: Any = None) -> list[Any]:
                verdicts = [cache.verify(name, doc) for name, doc in items]
                for v in verdicts:
                    metrics.verdict(v.outcome)
                return verdicts

        try:
            p = await asyncio.wait_for(run_in_threadpool(
                lambda: verify_presentation(vp, verifier=OneByOne(), challenge=challenge, domain=domain)),
                config.timeout)
        except TimeoutError:
            raise ServiceProblem(503, "timeout", "Verification took too long",
                                 f"the verification did not end within {config.timeout:g} s; try again") from None
        except MicrocredError as exc:
            raise ServiceProblem(503, "cannot-verify", "The service cannot verify now", str(exc)) from None
        results = [api_result(v) for v in p.credentials]
        errors = [{"type": PROBLEM_TYPE + f"presentation-{c.reason}", "title": f"{c.name} "
                   f"{'failed' if c.result == 'fail' else 'could not be checked'}", "detail": c.detail}
                  for c in p.checks if c.result in ("fail", "error") and c.name != "credentials"]
        return JSONResponse({"verified": p.valid, "outcome": p.outcome, "presentationResult": p.as_json(),
                             "credentialResults": results,
                             "checks": [c.as_json() for c in p.checks] + [c for r in results for c in r["checks"]],
                             "warnings": [], "errors": errors + [e for r in results for e in r["errors"]]})

    @app.post("/verify", summary="Verify an uploaded credential file (multipart field 'file', or the raw body)")
    async def verify_upload(request: Request) -> JSONResponse:
        name, data = await _upload(request, config.max_body)
        unsupported = _unsupported(data)
        if unsupported:
            raise unsupported
        doc = _credential_or_none(data, name)
        if isinstance(doc, ServiceProblem):
            raise doc
        return JSONResponse(api_result(await verify(name, doc)))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request, lang: str | None = None) -> HTMLResponse:
        chosen = choose_language(lang, request.headers.get("accept-language"))
        return HTMLResponse(render_page(chosen), headers={"content-language": chosen, "vary": "Accept-Language"})

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def page_verify(request: Request) -> HTMLResponse:
        form = await request.form(max_files=1, max_fields=4, max_part_size=config.max_body)
        chosen = choose_language(str(form.get("lang") or ""), request.headers.get("accept-language"))
        upload, pasted = form.get("file"), str(form.get("credential") or "")
        data, name = b"", None
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data, name = await upload.read(), upload.filename
        elif pasted.strip():
            data = pasted.encode("utf-8")
        status = 200
        if not data.strip():
            result = render_problem({"en": "Choose a file or paste a credential first.",
                                     "fr": "Choisissez d'abord un fichier ou collez une certification.",
                                     "de": "Wählen Sie zuerst eine Datei oder fügen Sie einen Nachweis ein."}[chosen],
                                    chosen)
            status = 400
        else:
            problem = _unsupported(data)
            doc = problem or _credential_or_none(data, name)
            if isinstance(doc, ServiceProblem):
                result, status = render_problem(doc.detail, chosen), doc.status
            else:
                try:
                    v = await verify(name, doc)
                    result = render_result(v, doc, chosen, network=network, trust_name=trust_name)
                except ServiceProblem as exc:
                    result, status = render_problem(exc.detail, chosen), exc.status
        return HTMLResponse(render_page(chosen, result), status_code=status,
                            headers={"content-language": chosen, "cache-control": "no-store"})

    @app.get("/static/page.css", include_in_schema=False)
    async def css() -> Response:
        return Response(CSS, media_type="text/css", headers={"cache-control": "public, max-age=3600"})

    @app.get("/static/page.js", include_in_schema=False)
    async def js() -> Response:
        return Response(JS, media_type="text/javascript", headers={"cache-control": "public, max-age=3600"})

    routes = set(_ROUTES)
    if config.issuer:
        from microcred.service._issuer import PURPOSES, IssuerFace, etag_of

        face = IssuerFace(config.app, config.issuer, ttl=config.status_ttl, clock=config.clock)
        did_web = face.did_document()
        profile = face.profile_json()
        from microcred.service._oid4vci import IssuerEndpoints, add_oid4vci_routes

        add_oid4vci_routes(app, IssuerEndpoints(config.app, config.issuer, config.public_url))

        @app.get("/issuer", summary="The issuer's Open Badges 3.0 Profile")
        async def issuer_profile(request: Request) -> Response:
            return _cached(request, profile, etag_of(profile), config.status_ttl, "application/ld+json")

        if did_web is not None:
            did_path, did_document = did_web
            did_etag = etag_of(did_document)
            routes.add(did_path)

            async def did_json(request: Request) -> Response:
                return _cached(request, did_document, did_etag, config.status_ttl, "application/did+json")

            app.add_api_route(did_path, did_json, methods=["GET"], summary="The issuer's did:web DID document")

        @app.get("/status/{purpose}", summary="The issuer's Bitstring Status List of a purpose, from the chain")
        async def status_list(purpose: str, request: Request) -> Response:
            if purpose not in PURPOSES:
                raise ServiceProblem(404, "no-such-list", "No such status list",
                                     f"the lists are {', '.join('/status/' + p for p in PURPOSES)}")
            base = face.profile.status_list_url or str(request.base_url).rstrip("/") + "/status"
            try:
                doc, etag, left = await run_in_threadpool(face.status_list, purpose, f"{base.rstrip('/')}/{purpose}")
            except MicrocredError as exc:
                raise ServiceProblem(503, "status-unavailable", "Status list unavailable", str(exc)) from None
            return _cached(request, doc, etag, left, "application/vc+ld+json")

    @app.get("/healthz", summary="Health: the process answers")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/metrics", summary="Counts (Prometheus text format)", response_class=PlainTextResponse)
    async def metrics_text() -> PlainTextResponse:
        caches = list(cache.chain_caches.values())
        reads = (sum(c.hits for c in caches), sum(c.misses for c in caches))
        return PlainTextResponse(metrics.text(reads), media_type="text/plain; version=0.0.4")

    return _Guard(app, config.max_body, metrics, routes, config.timeout)


def _cached(request: Request, doc: dict[str, Any], etag: str, max_age: float, media_type: str) -> Response:
    """``doc`` with its ETag and how long it may be cached; 304 when the client holds that version."""
    headers = {"etag": etag, "cache-control": f"public, max-age={int(max_age)}"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return JSONResponse(doc, media_type=media_type, headers=headers)


def _credential_or_none(data: bytes, name: str | None) -> dict[str, Any] | ServiceProblem:
    from microcred.registry.credential import read_container  # JSON, baked PNG/SVG, PDF certificate, VC-JWT

    try:
        return read_container(data, source=name or "the credential")
    except MicrocredError as exc:
        return ServiceProblem(422, "unreadable-credential", "Unreadable credential", str(exc))


async def _upload(request: Request, limit: int) -> tuple[str | None, bytes]:
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=2, max_part_size=limit)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise _malformed("the form has no 'file' part")
        return upload.filename, await upload.read()
    return None, await request.body()
