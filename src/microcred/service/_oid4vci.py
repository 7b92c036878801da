"""The OID4VCI endpoints of ``serve --issuer NAME``: issuer and authorization server metadata, token, nonce and
credential (pre-authorized code flow). Errors are OAuth error objects (RFC 6749 §5.2, OID4VCI §8.3.1), as wallets
expect them there, not problem details; answers that carry tokens or nonces are ``Cache-Control: no-store``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from microcred.errors import MicrocredError
from microcred.oid4vci import CredentialIssuer, OAuthError

if TYPE_CHECKING:
    from microcred.registry.issuance import Sign

NO_STORE = {"cache-control": "no-store"}
_FORM_LIMIT = 16 * 1024


def _error(exc: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["www-authenticate"] = f'Bearer error="{exc.error}"'
    return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)


def add_oid4vci_routes(app: FastAPI, issuer_for: Callable[[Request], CredentialIssuer]) -> None:
    """Add the endpoints to ``app``; ``issuer_for(request)`` gives the :class:`CredentialIssuer` (built once, at
    the service's public URL)."""

    @app.get("/.well-known/openid-credential-issuer", summary="OID4VCI Credential Issuer Metadata")
    async def credential_issuer_metadata(request: Request) -> JSONResponse:
        return JSONResponse(issuer_for(request).metadata())

    @app.get("/.well-known/oauth-authorization-server", summary="OAuth 2.0 Authorization Server Metadata")
    async def authorization_server_metadata(request: Request) -> JSONResponse:
        return JSONResponse(issuer_for(request).authorization_server_metadata())

    @app.post("/token", summary="OID4VCI token endpoint (pre-authorized code grant)")
    async def token(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            if len(body) > _FORM_LIMIT:
                raise OAuthError("invalid_request", "the token request is too large")
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
            answer = await run_in_threadpool(issuer_for(request).token, form)
        except UnicodeDecodeError:
            return _error(OAuthError("invalid_request", "the token request is not UTF-8 form data"))
        except OAuthError as exc:
            return _error(exc)
        return JSONResponse(answer, headers=NO_STORE)

    @app.post("/nonce", summary="OID4VCI nonce endpoint")
    async def nonce(request: Request) -> JSONResponse:
        return JSONResponse(issuer_for(request).nonce(), headers=NO_STORE)

    async def json_request(request: Request, answer_for: Callable[[str | None, object], dict[str, Any]],
                           what: str) -> JSONResponse:
        """A JSON request with a Bearer token: 200 with the credentials, 202 with a transaction id to ask again."""
        raw = await request.body()
        try:
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_credential_request", f"the {what} is not JSON") from None
            answer = await run_in_threadpool(answer_for, request.headers.get("authorization"), body)
        except OAuthError as exc:
            return _error(exc)
        except MicrocredError as exc:  # the credential could not be issued or read (a named error)
            return _error(OAuthError("credential_request_denied", str(exc), status=400))
        return JSONResponse(answer, status_code=202 if "transaction_id" in answer else 200, headers=NO_STORE)

    @app.post("/credential", summary="OID4VCI credential endpoint")
    async def credential(request: Request) -> JSONResponse:
        return await json_request(request, issuer_for(request).credential, "credential request")

    @app.post("/deferred_credential", summary="OID4VCI deferred credential endpoint (the anchored credential)")
    async def deferred_credential(request: Request) -> JSONResponse:
        return await json_request(request, issuer_for(request).deferred_credential, "deferred request")


class IssuerHome(Protocol):
    """What the issuer's endpoints need of the application: its home folder and the issuer key's passphrase."""

    @property
    def home(self) -> Path: ...

    def passphrase(self, purpose: str) -> str: ...


class IssuerEndpoints:
    """The :class:`CredentialIssuer` of ``serve --issuer NAME``, built on the first OID4VCI request: at
    ``public_url`` (``--public-url``), else at the URL the request came to. Its key is unlocked (passphrase from
    ``$MICROCRED_PASSPHRASE``) only when a wallet first asks for a credential."""

    def __init__(self, app_context: IssuerHome, issuer: str, public_url: str | None = None) -> None:
        self._app = app_context
        self._issuer = issuer
        self._public_url = public_url.rstrip("/") if public_url else None
        self._built: CredentialIssuer | None = None

    def __call__(self, request: Request) -> CredentialIssuer:
        if self._built is None:
            url = self._public_url or str(request.base_url).rstrip("/")
            self._built = CredentialIssuer(self._app.home, self._issuer, url, self._signer)
        return self._built

    def _signer(self) -> Sign:
        from microcred.did import Keystore
        from microcred.registry.issuance import credential_signer

        assert self._built is not None
        profile = self._built.profile
        key = Keystore(self._app.home / "keys").load(profile.key, self._app.passphrase("unlock the issuer key"))
        return credential_signer(key, profile)
