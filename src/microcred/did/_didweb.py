"""did:web: a DID document served over HTTPS by the domain the DID names (W3C CCG did:web method).

``did:web:example.com`` → ``https://example.com/.well-known/did.json``;
``did:web:example.com:user:alice`` → ``https://example.com/user/alice/did.json``;
a port is percent-encoded: ``did:web:localhost%3A8443`` → ``https://localhost:8443/.well-known/did.json``.

The fetch verifies TLS (an injected :class:`ssl.SSLContext` or CA file, else the system's trust store), follows
no redirect, stops after ``timeout`` seconds in total and after ``max_bytes`` bytes, and the document's ``id`` must
be the DID. Errors are named: :class:`DIDNotFoundError` (404/410), :class:`DIDTLSError` (untrusted or wrong
certificate), :class:`DIDTimeoutError`, :class:`DIDNetworkError` (anything else on the way),
:class:`InvalidDIDDocumentError` (not JSON, not a DID document, wrong id, too large).

did:web keeps no history: resolving ``at`` a past time returns the current document with a warning in the
resolution metadata.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final
from urllib.parse import quote, unquote

from microcred.did._document import DIDDocument, DIDResolutionResult, parse_did
from microcred.did._errors import (
    DIDError,
    DIDNetworkError,
    DIDNotFoundError,
    DIDTimeoutError,
    DIDTLSError,
    InvalidDIDDocumentError,
    MalformedDIDError,
)

PREFIX: Final = "did:web:"
DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_MAX_BYTES: Final = 256 * 1024
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_ACCEPT = "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8, */*;q=0.1"
_CHUNK = 64 * 1024


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
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        ca_file: str | Path | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        user_agent: str = "microcred-did-web",
    ) -> None:
        if ssl_context is not None and ca_file is not None:
            raise ValueError("give ssl_context or ca_file, not both")
        if timeout <= 0 or max_bytes <= 0:
            raise ValueError("timeout and max_bytes must be positive")
        self.ssl_context = ssl_context or ssl.create_default_context(
            cafile=str(ca_file) if ca_file is not None else None
        )
        self.timeout = float(timeout)
        self.max_bytes = int(max_bytes)
        self.user_agent = user_agent

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        """Fetch and check the document of ``did``; ``at`` only adds a no-history warning to the metadata."""
        location = did_web_location(did)
        body, content_type = self._fetch(did, location)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidDIDDocumentError(f"the document at {location.url} for {did} is not JSON: {exc}",
                                          did=did) from None
        document = DIDDocument.from_json(data, did=did)
        resolution = {"contentType": content_type or "application/did+json"}
        if at is not None:
            resolution["warning"] = (
                f"did:web keeps no history: the current document was returned for a resolution at {at.isoformat()}"
            )
        return DIDResolutionResult(document=document, resolution_metadata=resolution)

    def _fetch(self, did: str, location: DIDWebLocation) -> tuple[bytes, str | None]:
        """GET the document: (body, Content-Type). Every failure becomes a named DID error."""
        url = location.url
        deadline = time.monotonic() + self.timeout
        expired = threading.Event()
        timer: threading.Timer | None = None
        conn = http.client.HTTPSConnection(location.host, location.port, timeout=self.timeout,
                                           context=self.ssl_context)
        try:
            conn.connect()  # TCP and TLS, each step bounded by the socket timeout
            sock = conn.sock
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            # A watchdog bounds the whole exchange: a server that drips bytes cannot hold us past the deadline.
            timer = threading.Timer(left, _expire, (expired, sock))
            timer.daemon = True
            timer.start()
            sock.settimeout(left)
            conn.request("GET", location.path, headers={
                "Accept": _ACCEPT, "User-Agent": self.user_agent, "Accept-Encoding": "identity",
            })
            response = conn.getresponse()
            self._check_status(did, url, response)
            chunks: list[bytes] = []
            received = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or expired.is_set():
                    raise TimeoutError
                sock.settimeout(left)
                chunk = response.read1(min(_CHUNK, self.max_bytes + 1 - received))
                if not chunk:
                    if expired.is_set():
                        raise TimeoutError
                    break
                chunks.append(chunk)
                received += len(chunk)
                if received > self.max_bytes:
                    raise InvalidDIDDocumentError(
                        f"the document at {url} for {did} is larger than the limit of {self.max_bytes} bytes",
                        did=did)
            return b"".join(chunks), response.getheader("Content-Type")
        except DIDError:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise DIDTLSError(
                f"cannot resolve {did}: the TLS certificate of {location.host} is not trusted "
                f"({exc.verify_message or exc.reason})", did=did) from None
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise DIDTimeoutError(f"cannot resolve {did}: {url} did not answer within {self.timeout:g} s",
                                      did=did) from None
            if isinstance(exc, ssl.SSLError):
                raise DIDTLSError(f"cannot resolve {did}: TLS with {location.host} failed ({exc.reason or exc})",
                                  did=did) from None
            if isinstance(exc, socket.gaierror):
                raise DIDNetworkError(f"cannot resolve {did}: host {location.host} not found ({exc.strerror})",
                                      did=did) from None
            if isinstance(exc, OSError):
                raise DIDNetworkError(f"cannot resolve {did}: {url} unreachable ({exc.strerror or exc})",
                                      did=did) from None
            raise DIDNetworkError(f"cannot resolve {did}: {url} answered garbage ({type(exc).__name__}: {exc})",
                                  did=did) from None
        finally:
            if timer is not None:
                timer.cancel()
            conn.close()

    def _check_status(self, did: str, url: str, response: http.client.HTTPResponse) -> None:
        status = response.status
        if status in (404, 410):
            raise DIDNotFoundError(f"{did} not found: {url} answered HTTP {status}", did=did)
        if 300 <= status < 400:
            raise DIDNetworkError(
                f"cannot resolve {did}: {url} redirects (HTTP {status}) to {response.getheader('Location')!r}; "
                f"a did:web document must be served at its own URL", did=did)
        if status != 200:
            raise DIDNetworkError(f"cannot resolve {did}: {url} answered HTTP {status} {response.reason}", did=did)
        declared = response.getheader("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise InvalidDIDDocumentError(
                f"the document at {url} for {did} is {int(declared)} bytes, over the limit of "
                f"{self.max_bytes} bytes", did=did)

    def __repr__(self) -> str:
        return f"DIDWebResolver(timeout={self.timeout:g}, max_bytes={self.max_bytes})"


def _expire(expired: threading.Event, sock: socket.socket) -> None:
    """The deadline passed: mark it and unblock any read in progress."""
    expired.set()
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


__all__ = ["DIDWebLocation", "DIDWebResolver", "did_web_location", "did_web_url"]
