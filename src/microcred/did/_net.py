"""Safe HTTPS fetches: what a credential can make a verifier download (did:web documents, issuer profiles, status
lists) without turning the verifier into a port scanner of its own network.

A credential names hosts; the verifier must not let it reach what only the verifier can reach. So, before any
connection, every address the host name resolves to is checked, and the fetch is refused
(:class:`AddressNotAllowedError`) when one of them is not a public internet address: loopback, private (RFC 1918,
``fc00::/7``), link-local, multicast, unspecified, carrier-grade NAT (``100.64.0.0/10``), site-local, or any other
special-purpose block (documentation, benchmarking, reserved); an IPv4 address inside IPv6 (mapped, 6to4, NAT64)
is judged by the IPv4 address. The connection then goes to a checked address itself (the name is looked up once:
no second lookup can rebind it), while TLS still verifies the certificate for the name. A verifier that needs
private hosts (tests, an intranet) opts in with ``allow_private_network=True``; the same path runs, without refusal.

Failures before a trusted TLS session exists (name not found, refused, no route, timed out, TLS failed or
certificate not trusted) are one error with one message, :class:`HostConnectionError` ("could not fetch URL from
host H"), so the error text never tells an open port from a closed one. Once a server has proved with a trusted
certificate that it is that host, its answers are reported as they are: :class:`HTTPStatusError`,
:class:`FetchTimeoutError`, :class:`ResponseTooLargeError`, :class:`BadResponseError`.

The fetch follows no redirect, stops after ``timeout`` seconds in total (connect, TLS, headers, body: a server that
drips bytes cannot hold it longer) and after ``max_bytes`` bytes of body.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypedDict
from urllib.parse import urlsplit

from microcred.errors import NetworkError

DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_MAX_BYTES: Final = 256 * 1024
_CHUNK: Final = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``lookup(host, port)`` → the addresses (text) ``host`` resolves to; the default asks the system (getaddrinfo)
Lookup = Callable[[str, int], Sequence[str]]

_RFC1918: Final = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_CGNAT: Final = ipaddress.ip_network("100.64.0.0/10")
_UNIQUE_LOCAL: Final = ipaddress.ip_network("fc00::/7")
_NAT64: Final = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


# -- errors -----------------------------------------------------------------------------------------------------


class FetchError(NetworkError):
    """Root of the errors of a safe HTTPS fetch; ``url`` and ``host`` say what was asked for."""

    def __init__(self, message: str, *, url: str, host: str) -> None:
        super().__init__(message)
        self.url = url
        self.host = host


class AddressNotAllowedError(FetchError):
    """The host is, or resolves to, an address that is not on the public internet; nothing was connected to."""

    def __init__(self, message: str, *, url: str, host: str, reason: str) -> None:
        super().__init__(message, url=url, host=host)
        #: what kind of address it is, e.g. ``"a loopback address"``
        self.reason = reason


class HostConnectionError(FetchError):
    """No trusted TLS session with the host: not found, refused, unreachable, timed out or TLS failed.

    One message for all of them, on purpose: it must not tell an open port from a closed one.
    """


class FetchTimeoutError(FetchError, TimeoutError):
    """The host (after a trusted TLS handshake) did not send its whole answer within the timeout."""


class HTTPStatusError(FetchError):
    """The host answered with another HTTP status than 200 (a redirect is not followed)."""

    def __init__(self, message: str, *, url: str, host: str, status: int, reason: str,
                 location: str | None = None) -> None:
        super().__init__(message, url=url, host=host)
        self.status = status
        self.reason = reason
        #: the ``Location`` header of a redirect, if any
        self.location = location


class ResponseTooLargeError(FetchError):
    """The body is (or is declared) larger than ``max_bytes``."""

    def __init__(self, message: str, *, url: str, host: str, limit: int, declared: int | None = None) -> None:
        super().__init__(message, url=url, host=host)
        self.limit = limit
        #: the size the server declared in Content-Length, when that is what gave it away
        self.declared = declared


class BadResponseError(FetchError):
    """The host (after a trusted TLS handshake) broke the connection or answered something that is not HTTP."""


# -- addresses --------------------------------------------------------------------------------------------------


def non_public_reason(address: str | IPAddress) -> str | None:
    """Why ``address`` is not a public internet address (``"a loopback address"`` ...), or ``None`` if it is.

    IPv4 inside IPv6 (``::ffff:a.b.c.d``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``) is judged by its IPv4 part.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.__class__(int(ip)) if ip.scope_id else ip  # the zone does not change what the address is
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return non_public_reason(embedded)
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address):
        if ip in _CGNAT:
            return "a carrier-grade NAT (shared, 100.64.0.0/10) address"
        if any(ip in net for net in _RFC1918):
            return "a private (RFC 1918) address"
    else:
        if ip in _UNIQUE_LOCAL:
            return "a private (unique local, fc00::/7) address"
        if ip.is_site_local:
            return "a site-local address"
    if not ip.is_global:
        return "a special-purpose (reserved, documentation or private-use) address"
    return None


def system_lookup(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, by the system resolver, in its order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: list[str] = []
    for family, _, _, _, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and sockaddr[0] not in seen:
            seen.append(str(sockaddr[0]))
    return seen


# -- the fetcher ------------------------------------------------------------------------------------------------


class FetchOptions(TypedDict, total=False):
    """How an :class:`HTTPSFetcher` fetches: its keyword arguments but the user agent (for the clients that make
    their own fetcher and pass them on)."""

    ssl_context: ssl.SSLContext | None
    ca_file: str | Path | None
    timeout: float
    max_bytes: int
    allow_private_network: bool
    lookup: Lookup | None


@dataclass(frozen=True, slots=True)
class HTTPSResponse:
    """A 200 answer: the body (at most ``max_bytes``) and the headers (names in lower case)."""

    url: str
    address: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


class HTTPSFetcher:
    """GET over verified HTTPS from public hosts only (see the module): ``fetcher.get(url)`` → :class:`HTTPSResponse`.

    ``ssl_context`` (or ``ca_file``, a PEM bundle) decides which certificates are trusted; by default the system's.
    ``timeout`` bounds the whole fetch; ``max_bytes`` the body. ``allow_private_network`` lets the fetch reach
    non-public addresses (tests, an intranet). ``lookup`` replaces the system's name resolution (tests).
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        ca_file: str | Path | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_private_network: bool = False,
        user_agent: str = "microcred",
        lookup: Lookup | None = None,
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
        self.allow_private_network = bool(allow_private_network)
        self.user_agent = user_agent
        self._lookup: Lookup = lookup or system_lookup

    # -- steps --------------------------------------------------------------------------------------------------
    def check_host(self, url: str) -> tuple[str, int, str, list[str]]:
        """(host, port, path, checked addresses) of ``url``; refuses non-public addresses before any connection.

        :raises ValueError: ``url`` is not an ``https://`` URL with a host
        :raises AddressNotAllowedError: an address is not public and private networks are not allowed
        :raises HostConnectionError: the name does not resolve
        """
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(f"not an https:// URL with a host: {url!r}")
        host = parts.hostname
        port = parts.port or 443
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        literal = _literal_address(host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = [str(a) for a in self._lookup(host, port)]
            except (OSError, UnicodeError):
                addresses = []
            if not addresses:
                raise self._unreachable(url, host)
        if not self.allow_private_network:
            for address in addresses:
                reason = non_public_reason(address)
                if reason is not None:
                    verb = "is" if literal is not None else "resolves to"
                    raise AddressNotAllowedError(
                        f"refused to fetch {url}: host {host} {verb} {reason}, not a public internet address "
                        f"(private networks are reached only if the verifier allows them)",
                        url=url, host=host, reason=reason)
        return host, port, path, addresses

    def get(self, url: str, *, accept: str = "*/*") -> HTTPSResponse:
        """GET ``url``: a 200 answer with its body, or a :class:`FetchError` (see the module)."""
        return self.request("GET", url, accept=accept)

    def post(self, url: str, body: bytes, *, content_type: str, accept: str = "application/json",
             headers: dict[str, str] | None = None, answer_statuses: tuple[int, ...] = (200,)) -> HTTPSResponse:
        """POST ``body`` to ``url`` with the same rules as :meth:`get`. A status in ``answer_statuses`` is
        returned with its body (a protocol's error answers, such as OAuth's 400 and 401, carry JSON the caller
        reads); any other status is an :class:`HTTPStatusError`."""
        return self.request("POST", url, body=body, accept=accept, answer_statuses=answer_statuses,
                            headers={"Content-Type": content_type, **(headers or {})})

    def request(self, method: str, url: str, *, body: bytes | None = None, accept: str = "*/*",
                headers: dict[str, str] | None = None, answer_statuses: tuple[int, ...] = (200,)) -> HTTPSResponse:
        """One HTTPS exchange under the fetcher's rules (public hosts only unless allowed, verified TLS, the
        timeout over the whole exchange, the body limit, no redirects)."""
        deadline = time.monotonic() + self.timeout
        host, port, path, addresses = self.check_host(url)
        # A watchdog bounds the whole exchange, TLS handshake included: a server that drips bytes cannot hold us
        # past the deadline.
        watchdog = _Watchdog(self.timeout)
        conn: http.client.HTTPConnection | None = None
        try:
            conn, address = self._connect(url, host, port, addresses, deadline, watchdog)
            sock = conn.sock
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
            conn.request(method, path, body=body, headers={
                "Accept": accept, "User-Agent": self.user_agent, "Accept-Encoding": "identity", **(headers or {}),
            })
            response = conn.getresponse()
            self._check_status(url, host, response, answer_statuses)
            chunks: list[bytes] = []
            received = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or watchdog.expired.is_set():
                    raise TimeoutError
                sock.settimeout(left)
                chunk = response.read1(min(_CHUNK, self.max_bytes + 1 - received))
                if not chunk:
                    if watchdog.expired.is_set():
                        raise TimeoutError
                    break
                chunks.append(chunk)
                received += len(chunk)
                if received > self.max_bytes:
                    raise ResponseTooLargeError(
                        f"{url} sent more than the limit of {self.max_bytes} bytes",
                        url=url, host=host, limit=self.max_bytes)
            headers = {name.lower(): value for name, value in response.getheaders()}
            return HTTPSResponse(url=url, address=address, body=b"".join(chunks), headers=headers,
                                 status=response.status)
        except FetchError:
            raise
        except (OSError, ValueError, http.client.HTTPException) as exc:
            if watchdog.expired.is_set() or isinstance(exc, TimeoutError):
                raise FetchTimeoutError(f"{url} did not answer within {self.timeout:g} s",
                                        url=url, host=host) from None
            raise BadResponseError(f"{url} broke off or answered something that is not HTTP "
                                   f"({type(exc).__name__}: {exc})", url=url, host=host) from None
        finally:
            watchdog.cancel()
            if conn is not None:
                conn.close()

    # -- internals ----------------------------------------------------------------------------------------------
    def _connect(self, url: str, host: str, port: int, addresses: list[str], deadline: float,
                 watchdog: _Watchdog) -> tuple[http.client.HTTPConnection, str]:
        """A connection with a verified TLS session to the first checked address that gives one."""
        for address in addresses:
            left = deadline - time.monotonic()
            if left <= 0 or watchdog.expired.is_set():
                break
            conn = _PinnedHTTPSConnection(host, port, address, self.ssl_context, timeout=left,
                                          watch=watchdog.watch)
            try:
                conn.connect()
            except (OSError, ValueError):  # refused, unreachable, timed out, TLS failed: say which to nobody
                conn.close()
                continue
            if watchdog.expired.is_set():
                conn.close()
                break
            return conn, address
        raise self._unreachable(url, host)

    def _unreachable(self, url: str, host: str) -> HostConnectionError:
        return HostConnectionError(
            f"could not fetch {url} from host {host}: no connection, no trusted TLS certificate or no answer "
            f"within {self.timeout:g} s", url=url, host=host)

    def _check_status(self, url: str, host: str, response: http.client.HTTPResponse,
                      answer_statuses: tuple[int, ...] = (200,)) -> None:
        status = response.status
        if status not in answer_statuses:
            location = response.getheader("Location")
            what = f"redirects (HTTP {status}) to {location!r}" if 300 <= status < 400 else \
                f"answered HTTP {status} {response.reason}"
            raise HTTPStatusError(f"{url} {what}", url=url, host=host, status=status,
                                  reason=str(response.reason), location=location)
        declared = response.getheader("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise ResponseTooLargeError(
                f"{url} is {int(declared)} bytes, over the limit of {self.max_bytes} bytes",
                url=url, host=host, limit=self.max_bytes, declared=int(declared))

    def __repr__(self) -> str:
        return (f"HTTPSFetcher(timeout={self.timeout:g}, max_bytes={self.max_bytes}, "
                f"allow_private_network={self.allow_private_network})")


class _PinnedHTTPSConnection(http.client.HTTPConnection):
    """HTTPS to one given address; the TLS certificate is verified for the host name (and Host names it)."""

    default_port = 443

    def __init__(self, host: str, port: int, address: str, context: ssl.SSLContext, *, timeout: float,
                 watch: Callable[[socket.socket], None]) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self._tls = context
        self._watch = watch

    def connect(self) -> None:
        ip = ipaddress.ip_address(self._address)
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        raw = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._watch(raw)
            raw.settimeout(self.timeout)
            raw.connect((self._address, self.port))
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = self._tls.wrap_socket(raw, server_hostname=self.host, do_handshake_on_connect=False)
        except BaseException:
            raw.close()
            raise
        try:
            self._watch(tls)
            tls.do_handshake()
        except BaseException:
            tls.close()
            raise
        self.sock = tls


class _Watchdog:
    """After ``seconds``, marks ``expired`` and shuts down the socket being watched, unblocking any wait on it."""

    def __init__(self, seconds: float) -> None:
        self.expired = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
        if self.expired.is_set():
            _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired.set()
        with self._lock:
            sock = self._sock
        if sock is not None:
            _shutdown(sock)


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed or never connected: nothing left to unblock


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "AddressNotAllowedError",
    "BadResponseError",
    "FetchError",
    "FetchOptions",
    "FetchTimeoutError",
    "HTTPSFetcher",
    "HTTPSResponse",
    "HTTPStatusError",
    "HostConnectionError",
    "ResponseTooLargeError",
    "non_public_reason",
    "system_lookup",
]
