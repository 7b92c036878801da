"""did:web: a DID document served over HTTPS by the domain the DID names (W3C CCG did:web method).

``did:web:example.com`` → ``https://example.com/.well-known/did.json``;
``did:web:example.com:user:alice`` → ``https://example.com/user/alice/did.json``;
a port is percent-encoded: ``did:web:localhost%3A8443`` → ``https://localhost:8443/.well-known/did.json``.

The fetch is the safe HTTPS fetch of :mod:`microcred.did._net`: the DID comes from a credential, so a host that is
or resolves to a loopback, private, link-local, multicast or other non-public address is refused before any
connection (:class:`DIDAddressNotAllowedError`) unless the verifier passes ``allow_private_network=True``, and the
connection goes to the address that was checked. TLS is verified (an injected :class:`ssl.SSLContext` or CA file,
else the system's trust store), no redirect is followed, the fetch stops after ``timeout`` seconds in total and
after ``max_bytes`` bytes, and the document's ``id`` must be the DID.

Errors are named: :class:`DIDAddressNotAllowedError` (non-public host), :class:`DIDNetworkError` with one message,
"could not fetch URL from host H", for every failure before a trusted TLS session (not found, refused, timed out,
TLS failed, certificate not trusted: the message never tells an open port from a closed one);
after it, :class:`DIDNotFoundError` (404/410), :class:`DIDTimeoutError`, :class:`DIDNetworkError` (another HTTP
status, a redirect, garbage) and :class:`InvalidDIDDocumentError` (not JSON, not a DID document, wrong id, too large).

did:web keeps no history: resolving ``at`` a past time returns the current document with a warning in the
resolution metadata.
"""

from __future__ import annotations

import json
import re
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Unpack
from urllib.parse import quote, unquote

from microcred.did._document import DIDDocument, DIDResolutionResult, parse_did
from microcred.did._errors import (
    DIDNetworkError,
    DIDNotFoundError,
    DIDTimeoutError,
    InvalidDIDDocumentError,
    MalformedDIDError,
)
from microcred.did._net import (
    AddressNotAllowedError,
    FetchError,
    FetchTimeoutError,
    FetchOptions,
    HTTPSFetcher,
    HTTPSResponse,
    HTTPStatusError,
    ResponseTooLargeError,
)

PREFIX: Final = "did:web:"
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_ACCEPT = "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8, */*;q=0.1"


class DIDAddressNotAllowedError(DIDNetworkError):
    """A did:web host is, or resolves to, a non-public address and the verifier did not allow private networks.

    Nothing was connected to. ``url``, ``host`` and ``reason`` (e.g. ``"a loopback address"``) say what was refused.
    """

    def __init__(self, message: str, *, did: str, url: str, host: str, reason: str) -> None:
        super().__init__(message, did=did)
        self.url = url
        self.host = host
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DIDWebLocation:
    """Where a did:web document lives."""

    host: str
    port: int
    path: str

    @property
    def url(self) -> str:
        netloc = self.host if self.port == 443 else f"{self.host}:{self.port}"
        return f"https://{netloc}{self.path}"


def did_web_location(did: str) -> DIDWebLocation:
    """Host, port and path of the document of ``did``; :class:`MalformedDIDError` says what is wrong."""
    if not isinstance(did, str) or not did.startswith(PREFIX):
        raise MalformedDIDError(f"not a did:web: {did!r} (it must start with {PREFIX!r})", did=did)
    parse_did(did)
    encoded_host, *segments = did[len(PREFIX):].split(":")
    authority = unquote(encoded_host)
    host, sep, port_text = authority.partition(":")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise MalformedDIDError(f"invalid did:web {did}: {host!r} is not a domain name", did=did)
    port = 443
    if sep:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise MalformedDIDError(f"invalid did:web {did}: port {port_text!r} is not in 1-65535", did=did)
        port = int(port_text)
    parts = []
    for segment in segments:
        decoded = unquote(segment)
        if not decoded or decoded in (".", "..") or "/" in decoded or "\\" in decoded:
            raise MalformedDIDError(f"invalid did:web {did}: path segment {segment!r} is empty or unsafe", did=did)
        parts.append(quote(decoded, safe=""))
    path = ("/" + "/".join(parts) + "/did.json") if parts else "/.well-known/did.json"
    return DIDWebLocation(host=host, port=port, path=path)


def did_web_url(did: str) -> str:
    """The HTTPS URL of the document of ``did`` (no request is made)."""
    return did_web_location(did).url


class DIDWebResolver:
    """Resolve did:web DIDs over HTTPS; a :class:`~microcred.did.Resolver` plug-in: ``resolver(did, at=None)``.

    ``ssl_context`` (or ``ca_file``, a PEM bundle) decides which certificates are trusted; by default the system's.
    ``timeout`` bounds the whole fetch (connect, TLS, headers, body); ``max_bytes`` the body.
    ``allow_private_network`` lets DIDs name loopback and private hosts (tests, an intranet); off by default,
    because the DID comes from the credential. ``lookup`` replaces the system's name resolution (tests).
    """

    def __init__(self, *, user_agent: str = "microcred-did-web", **options: Unpack[FetchOptions]) -> None:
        self.fetcher = HTTPSFetcher(user_agent=user_agent, **options)

    @property
    def ssl_context(self) -> ssl.SSLContext:
        return self.fetcher.ssl_context

    @property
    def timeout(self) -> float:
        return self.fetcher.timeout

    @property
    def max_bytes(self) -> int:
        return self.fetcher.max_bytes

    @property
    def allow_private_network(self) -> bool:
        return self.fetcher.allow_private_network

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        """Fetch and check the document of ``did``; ``at`` only adds a no-history warning to the metadata."""
        location = did_web_location(did)
        response = self._fetch(did, location)
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidDIDDocumentError(f"the document at {location.url} for {did} is not JSON: {exc}",
                                          did=did) from None
        document = DIDDocument.from_json(data, did=did)
        resolution = {"contentType": response.content_type or "application/did+json"}
        if at is not None:
            resolution["warning"] = (
                f"did:web keeps no history: the current document was returned for a resolution at {at.isoformat()}"
            )
        return DIDResolutionResult(document=document, resolution_metadata=resolution)

    def _fetch(self, did: str, location: DIDWebLocation) -> HTTPSResponse:
        """GET the document. Every failure becomes a named DID error."""
        url = location.url
        try:
            return self.fetcher.get(url, accept=_ACCEPT)
        except AddressNotAllowedError as exc:
            raise DIDAddressNotAllowedError(f"cannot resolve {did}: {exc}", did=did, url=url, host=exc.host,
                                            reason=exc.reason) from None
        except HTTPStatusError as exc:
            if exc.status in (404, 410):
                raise DIDNotFoundError(f"{did} not found: {url} answered HTTP {exc.status}", did=did) from None
            if exc.location is not None or 300 <= exc.status < 400:
                raise DIDNetworkError(
                    f"cannot resolve {did}: {url} redirects (HTTP {exc.status}) to {exc.location!r}; "
                    f"a did:web document must be served at its own URL", did=did) from None
            raise DIDNetworkError(f"cannot resolve {did}: {url} answered HTTP {exc.status} {exc.reason}",
                                  did=did) from None
        except ResponseTooLargeError as exc:
            size = (f"is {exc.declared} bytes, over the limit of {exc.limit} bytes" if exc.declared is not None
                    else f"is larger than the limit of {exc.limit} bytes")
            raise InvalidDIDDocumentError(f"the document at {url} for {did} {size}", did=did) from None
        except FetchTimeoutError as exc:
            raise DIDTimeoutError(f"cannot resolve {did}: {exc}", did=did) from None
        except FetchError as exc:  # could not fetch from the host (one message), or garbage after a trusted TLS
            raise DIDNetworkError(f"cannot resolve {did}: {exc}", did=did) from None

    def __repr__(self) -> str:
        return (f"DIDWebResolver(timeout={self.timeout:g}, max_bytes={self.max_bytes}, "
                f"allow_private_network={self.allow_private_network})")


__all__ = ["DIDAddressNotAllowedError", "DIDWebLocation", "DIDWebResolver", "did_web_location", "did_web_url"]
