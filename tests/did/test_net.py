"""The safe HTTPS fetcher: non-public addresses refused before any connection, one connection to the checked
address, and one message for every failure before a trusted TLS session. Plain sockets on loopback; never the
internet. (Fetching over verified HTTPS from a local TLS server is in test_didweb.py.)"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from microcred.did._net import (
    AddressNotAllowedError,
    HostConnectionError,
    HTTPSFetcher,
    non_public_reason,
)
from microcred.errors import NetworkError


@pytest.mark.parametrize("address, reason", [
    # IPv4
    ("127.0.0.1", "a loopback address"),
    ("127.255.0.9", "a loopback address"),
    ("10.0.0.1", "a private (RFC 1918) address"),
    ("172.31.255.255", "a private (RFC 1918) address"),
    ("192.168.0.10", "a private (RFC 1918) address"),
    ("169.254.169.254", "a link-local address"),
    ("224.0.0.1", "a multicast address"),
    ("239.255.255.250", "a multicast address"),
    ("0.0.0.0", "the unspecified address"),
    ("100.64.0.1", "a carrier-grade NAT (shared, 100.64.0.0/10) address"),
    ("100.127.255.254", "a carrier-grade NAT (shared, 100.64.0.0/10) address"),
    ("192.0.2.1", "a special-purpose (reserved, documentation or private-use) address"),
    ("198.18.0.1", "a special-purpose (reserved, documentation or private-use) address"),
    ("240.0.0.1", "a special-purpose (reserved, documentation or private-use) address"),
    ("255.255.255.255", "a special-purpose (reserved, documentation or private-use) address"),
    # IPv6
    ("::1", "a loopback address"),
    ("::", "the unspecified address"),
    ("fc00::1", "a private (unique local, fc00::/7) address"),
    ("fd00:abcd::1", "a private (unique local, fc00::/7) address"),
    ("fe80::1", "a link-local address"),
    ("fe80::1%1", "a link-local address"),
    ("fec0::1", "a site-local address"),
    ("ff02::1", "a multicast address"),
    ("ff0e::1", "a multicast address"),
    ("2001:db8::1", "a special-purpose (reserved, documentation or private-use) address"),
    # IPv4 inside IPv6 is judged by the IPv4 address
    ("::ffff:127.0.0.1", "a loopback address"),
    ("::ffff:192.168.1.1", "a private (RFC 1918) address"),
    ("2002:0a00:0001::1", "a private (RFC 1918) address"),
    ("64:ff9b::7f00:1", "a loopback address"),
])
def test_non_public_addresses(address: str, reason: str) -> None:
    assert non_public_reason(address) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8",
                                     "100.128.0.1", "172.32.0.1"])
def test_public_addresses(address: str) -> None:
    assert non_public_reason(address) is None


@pytest.mark.parametrize("url, host, words", [
    ("https://127.0.0.1:8443/x", "127.0.0.1", "is a loopback address"),
    ("https://10.0.0.7/x", "10.0.0.7", "is a private (RFC 1918) address"),
    ("https://[::1]:8443/x", "::1", "is a loopback address"),
    ("https://[fd00::7]/x", "fd00::7", "is a private (unique local, fc00::/7) address"),
    ("https://[::ffff:127.0.0.1]/x", "::ffff:127.0.0.1", "is a loopback address"),
    ("https://localhost:8443/x", "localhost", "resolves to a loopback address"),
    ("https://2130706433/x", "2130706433", "resolves to a loopback address"),  # inet_aton's decimal 127.0.0.1
])
def test_literal_and_resolved_hosts_are_refused(url: str, host: str, words: str) -> None:
    with pytest.raises(AddressNotAllowedError) as info:
        HTTPSFetcher(timeout=1).get(url)
    assert str(info.value) == (f"refused to fetch {url}: host {host} {words}, not a public internet address "
                               f"(private networks are reached only if the verifier allows them)")
    assert isinstance(info.value, NetworkError) and info.value.host == host


def test_every_address_of_a_name_is_checked() -> None:
    fetcher = HTTPSFetcher(lookup=lambda host, port: ["93.184.215.14", "2606:4700::1", "fe80::9"])
    with pytest.raises(AddressNotAllowedError, match="resolves to a link-local address"):
        fetcher.get("https://issuer.example/profile.json")


def test_a_name_that_does_not_resolve_reads_like_any_other_failure() -> None:
    def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(HostConnectionError) as info:
        HTTPSFetcher(lookup=nowhere, timeout=1).get("https://nowhere.example/x")
    assert str(info.value) == ("could not fetch https://nowhere.example/x from host nowhere.example: no connection, "
                               "no trusted TLS certificate or no answer within 1 s")


def test_the_url_must_be_https() -> None:
    with pytest.raises(ValueError, match="not an https:// URL"):
        HTTPSFetcher().get("http://example.com/x")


# -- ports on this machine ----------------------------------------------------------------------------------------


def _closed_port(family: socket.AddressFamily = socket.AF_INET, host: str = "127.0.0.1") -> int:
    with socket.socket(family) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """An open port whose owner never accepts: the kernel completes TCP, nobody ever answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        s.setblocking(False)
        yield s


@pytest.fixture
def chatty() -> Iterator[int]:
    """An open port that speaks another protocol: it greets and hangs up."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        server.close()
        thread.join(5)


def _nobody_connected(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


def _message(fetcher: HTTPSFetcher, port: int, host: str = "127.0.0.1") -> tuple[type, str]:
    netloc = f"[{host}]" if ":" in host else host
    with pytest.raises(NetworkError) as info:
        fetcher.get(f"https://{netloc}:{port}/.well-known/did.json")
    return type(info.value), str(info.value).replace(f":{port}/", ":PORT/")


def test_refused_before_connecting_whatever_the_port(listening: socket.socket, chatty: int) -> None:
    fetcher = HTTPSFetcher(timeout=0.3)
    closed = _message(fetcher, _closed_port())
    assert closed[0] is AddressNotAllowedError
    assert _message(fetcher, listening.getsockname()[1]) == closed
    assert _message(fetcher, chatty) == closed
    assert _nobody_connected(listening)


def test_when_allowed_open_and_closed_ports_read_the_same(listening: socket.socket, chatty: int) -> None:
    fetcher = HTTPSFetcher(timeout=0.3, allow_private_network=True)
    closed = _message(fetcher, _closed_port())
    assert closed == (HostConnectionError, "could not fetch https://127.0.0.1:PORT/.well-known/did.json from host "
                                           "127.0.0.1: no connection, no trusted TLS certificate or no answer "
                                           "within 0.3 s")
    assert _message(fetcher, listening.getsockname()[1]) == closed  # open, silent: timed out in the handshake
    assert _message(fetcher, chatty) == closed                      # open, not TLS: the handshake failed
    assert not _nobody_connected(listening)                         # this time it did connect


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 on this machine")
def test_ipv6_loopback_when_allowed_reads_the_same() -> None:
    fetcher = HTTPSFetcher(timeout=0.3, allow_private_network=True)
    kind, text = _message(fetcher, _closed_port(socket.AF_INET6, "::1"), "::1")
    assert kind is HostConnectionError and text.startswith("could not fetch https://[::1]:PORT/")


def test_the_name_is_looked_up_once_and_the_checked_address_is_used(listening: socket.socket) -> None:
    """No DNS rebinding: a second lookup could answer another address; there is no second lookup."""
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])
    asked: list[tuple[str, int]] = []

    def lookup(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return next(answers)

    port = listening.getsockname()[1]
    fetcher = HTTPSFetcher(timeout=0.3, allow_private_network=True, lookup=lookup)
    with pytest.raises(HostConnectionError, match="from host rebind.example"):
        fetcher.get(f"https://rebind.example:{port}/x")
    assert asked == [("rebind.example", port)]
    assert not _nobody_connected(listening)  # the connection went to the address that was checked


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        HTTPSFetcher(max_bytes=0)
    with pytest.raises(ValueError):
        HTTPSFetcher(timeout=-1)
