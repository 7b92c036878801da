"""did:web over real HTTPS on 127.0.0.1, with a certificate authority made in the test. Never the internet.

The test server is on loopback, so the resolvers here opt in with ``allow_private_network=True``; without it the
same DIDs are refused before any connection (the last tests).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from microcred.cli import main
from tests.support.pki import PKI, make_pki
from microcred.did import (
    DIDNetworkError,
    DIDNotFoundError,
    DIDTimeoutError,
    DIDTLSError,
    DIDWebResolver,
    InvalidDIDDocumentError,
    KeyPair,
    MalformedDIDError,
    Resolver,
    did_web_location,
    did_web_url,
)
from microcred.did._didweb import DIDAddressNotAllowedError
from microcred.errors import NetworkError, NotFoundError

# -- URL mapping (did:web spec §3.2 examples) -------------------------------------------------------------------


@pytest.mark.parametrize("did, url", [
    ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
    ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
    ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
    ("did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"),
    ("did:web:example.com%3A443", "https://example.com/.well-known/did.json"),
    ("did:web:example.com:a%20b", "https://example.com/a%20b/did.json"),
])
def test_url_of_a_did(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize("did, match", [
    ("did:key:z6Mk", "must start with 'did:web:'"),
    ("did:web:exa_mple.com", "not a domain name"),
    ("did:web:-example.com", "not a domain name"),
    ("did:web:example.com%2Fevil", "not a domain name"),
    ("did:web:user%40example.com", "not a domain name"),
    ("did:web:example.com%3A0", "port"),
    ("did:web:example.com%3A65536", "port"),
    ("did:web:example.com%3Ahttp", "port"),
    ("did:web:example.com:..:etc", "unsafe"),
    ("did:web:example.com:a%2Fb", "unsafe"),
    ("did:web:example.com::a", "empty"),
    ("did:web:example.com/a", "not a DID"),
])
def test_invalid_did_web(did: str, match: str) -> None:
    with pytest.raises(MalformedDIDError, match=match):
        did_web_location(did)


def test_resolver_options_are_checked() -> None:
    with pytest.raises(ValueError):
        DIDWebResolver(timeout=0)
    with pytest.raises(ValueError):
        DIDWebResolver(ssl_context=ssl.create_default_context(), ca_file="x.pem")


# -- a local HTTPS server ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


Route = tuple[int, dict[str, str], bytes] | Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Server:
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def did(self, *path: str) -> str:
        return ":".join([f"did:web:localhost%3A{self.port}", *path])

    def serve_document(self, doc: dict[str, Any], path: str = "/.well-known/did.json") -> None:
        self.routes[path] = (200, {"Content-Type": "application/did+json"}, json.dumps(doc).encode())


@pytest.fixture
def server(pki: PKI) -> Iterator[Server]:
    state = Server(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
            elif callable(route):
                route(self)
            else:
                status, headers, body = route
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    class Quiet(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # the untrusted-certificate test aborts handshakes on purpose

    httpd = Quiet(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert_file, pki.key_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def web(pki: PKI) -> DIDWebResolver:
    return DIDWebResolver(ca_file=pki.ca_file, timeout=2, allow_private_network=True)


def _document(did: str) -> tuple[dict[str, Any], KeyPair]:
    pair = KeyPair.generate()
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": f"{did}#key-1", "type": "Multikey", "controller": did,
                                "publicKeyMultibase": pair.public_key_multibase}],
        "assertionMethod": [f"{did}#key-1"],
    }, pair


# -- resolution -------------------------------------------------------------------------------------------------


def test_resolves_a_well_known_document(server: Server, web: DIDWebResolver) -> None:
    did = server.did()
    doc, pair = _document(did)
    server.serve_document(doc)
    result = web(did)
    assert result.document.to_json() == doc
    assert result.document.assertion_keys()[0].public_key() == pair.public
    assert result.resolution_metadata["contentType"] == "application/did+json"
    assert server.hits == ["/.well-known/did.json"]


def test_resolves_a_path_document_through_the_resolver_and_caches(server: Server, pki: PKI) -> None:
    did = server.did("issuers", "uni-x")
    doc, pair = _document(did)
    server.serve_document(doc, "/issuers/uni-x/did.json")
    resolver = Resolver(web=DIDWebResolver(ssl_context=ssl.create_default_context(cafile=str(pki.ca_file)),
                                           allow_private_network=True))
    vm, document = resolver.resolve_verification_method(f"{did}#key-1")
    assert vm.public_key() == pair.public and document.id == did
    resolver.resolve(did)
    assert server.hits == ["/issuers/uni-x/did.json"]  # the second resolution came from the cache


def test_resolution_at_a_time_warns_that_did_web_has_no_history(server: Server, web: DIDWebResolver) -> None:
    did = server.did()
    server.serve_document(_document(did)[0])
    result = web(did, at=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert "no history" in result.resolution_metadata["warning"]


def test_document_for_another_did_is_refused(server: Server, web: DIDWebResolver) -> None:
    did = server.did()
    server.serve_document(_document("did:web:evil.example")[0])
    with pytest.raises(InvalidDIDDocumentError, match="has id 'did:web:evil.example'"):
        web(did)


def test_malformed_json(server: Server, web: DIDWebResolver) -> None:
    server.routes["/.well-known/did.json"] = (200, {"Content-Type": "application/json"}, b'{"id": "did:web:x",')
    with pytest.raises(InvalidDIDDocumentError, match="not JSON"):
        web(server.did())


def test_json_that_is_not_a_document(server: Server, web: DIDWebResolver) -> None:
    server.routes["/.well-known/did.json"] = (200, {}, b"[1, 2]")
    with pytest.raises(InvalidDIDDocumentError, match="not a JSON object"):
        web(server.did())


def test_declared_too_large_body_is_refused(server: Server, pki: PKI) -> None:
    did = server.did()
    doc = _document(did)[0]
    doc["padding"] = "x" * 5000
    server.serve_document(doc)
    with pytest.raises(InvalidDIDDocumentError, match="over the limit of 4096 bytes"):
        DIDWebResolver(ca_file=pki.ca_file, max_bytes=4096, allow_private_network=True)(did)
    assert DIDWebResolver(ca_file=pki.ca_file, max_bytes=8192, allow_private_network=True)(did).document.id == did


def test_undeclared_too_large_body_stops_at_the_limit(server: Server, web: DIDWebResolver) -> None:
    sent: list[int] = []

    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/did+json")
        handler.end_headers()  # HTTP/1.0, no Content-Length: the body runs until the server closes
        chunk = b" " * 65536
        try:
            for _ in range(64):  # 4 MiB offered
                handler.wfile.write(chunk)
                sent.append(len(chunk))
        except OSError:
            pass  # the client hung up, as it should

    server.routes["/.well-known/did.json"] = endless
    with pytest.raises(InvalidDIDDocumentError, match="larger than the limit of 262144 bytes"):
        web(server.did())


def test_404_is_not_found(server: Server, web: DIDWebResolver) -> None:
    with pytest.raises(DIDNotFoundError, match="HTTP 404") as info:
        web(server.did("nobody"))
    assert isinstance(info.value, NotFoundError)
    assert server.hits == ["/nobody/did.json"]


def test_server_error_and_redirect_are_network_errors(server: Server, web: DIDWebResolver) -> None:
    server.routes["/.well-known/did.json"] = (500, {}, b"oops")
    with pytest.raises(DIDNetworkError, match="HTTP 500"):
        web(server.did())
    server.routes["/.well-known/did.json"] = (302, {"Location": "https://elsewhere.example/did.json"}, b"")
    with pytest.raises(DIDNetworkError, match="redirects .*elsewhere.example"):
        web(server.did())


def _could_not_fetch(port: int, host: str = "localhost") -> str:
    return (f"could not fetch https://{host}:{port}/.well-known/did.json from host {host}: no connection, "
            f"no trusted TLS certificate or no answer within")


def test_untrusted_certificate(server: Server, pki: PKI) -> None:
    """Not trusted, and said in the words of every failure before a trusted TLS session: no port-state oracle."""
    did = server.did()
    server.serve_document(_document(did)[0])
    with pytest.raises(DIDNetworkError, match=_could_not_fetch(server.port)) as info:
        DIDWebResolver(ca_file=pki.other_ca_file, timeout=2, allow_private_network=True)(did)
    assert isinstance(info.value, NetworkError) and not isinstance(info.value, DIDTLSError)
    assert server.hits == []


def test_server_that_never_answers_times_out(server: Server, pki: PKI) -> None:
    def hang(handler: BaseHTTPRequestHandler) -> None:
        server.release.wait(10)

    server.routes["/.well-known/did.json"] = hang
    with pytest.raises(DIDTimeoutError, match="did not answer within 0.3 s") as info:
        DIDWebResolver(ca_file=pki.ca_file, timeout=0.3, allow_private_network=True)(server.did())
    assert isinstance(info.value, NetworkError)


def test_slow_drip_body_is_bounded_by_the_total_timeout(server: Server, pki: PKI) -> None:
    """A server that keeps sending a byte at a time cannot hold the resolver past its timeout."""
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        try:
            while not server.release.wait(0.05):
                handler.wfile.write(b" ")
                handler.wfile.flush()
        except OSError:
            pass

    server.routes["/.well-known/did.json"] = drip
    with pytest.raises(DIDTimeoutError):
        DIDWebResolver(ca_file=pki.ca_file, timeout=0.5, allow_private_network=True)(server.did())


def test_connection_refused_is_a_network_error(web: DIDWebResolver) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        with pytest.raises(DIDNetworkError, match=_could_not_fetch(port, "127.0.0.1")):
            web(f"did:web:127.0.0.1%3A{port}")


# -- no probing from a credential -------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_loopback_host_is_refused_by_default_before_any_connection(server: Server, pki: PKI) -> None:
    did = server.did()
    server.serve_document(_document(did)[0])
    for resolver in (DIDWebResolver(ca_file=pki.ca_file), Resolver(web=DIDWebResolver(ca_file=pki.ca_file))):
        with pytest.raises(DIDAddressNotAllowedError, match="host localhost resolves to a loopback address") as info:
            resolver(did) if isinstance(resolver, DIDWebResolver) else resolver.resolve(did)
        assert isinstance(info.value, DIDNetworkError) and info.value.did == did
        assert info.value.reason == "a loopback address"
    assert server.hits == []
    with pytest.raises(DIDAddressNotAllowedError, match="host 127.0.0.1 is a loopback address"):
        Resolver().resolve(f"did:web:127.0.0.1%3A{server.port}")


@pytest.mark.parametrize("host", ["127.0.0.1", "0x7f.0.0.1", "2130706433", "0.0.0.0", "localhost"])
def test_spellings_of_this_machine_are_refused(host: str) -> None:
    with pytest.raises(DIDAddressNotAllowedError, match="(loopback|unspecified)"):
        DIDWebResolver(timeout=1)(f"did:web:{host}")


@pytest.mark.parametrize("address, reason", [
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("100.64.0.1", "carrier-grade NAT"), ("224.0.0.251", "multicast"),
    ("::1", "loopback"), ("fd12::1", "private"), ("fe80::1", "link-local"), ("ff02::1", "multicast"),
    ("::ffff:10.0.0.1", "private"), ("::", "unspecified"),
])
def test_names_resolving_to_non_public_addresses_are_refused(address: str, reason: str) -> None:
    asked: list[str] = []

    def lookup(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.215.14", address]  # one public address does not excuse another

    with pytest.raises(DIDAddressNotAllowedError, match=f"host issuer.example resolves to (an?|the) [^,]*{reason}"):
        DIDWebResolver(lookup=lookup)("did:web:issuer.example")
    assert asked == ["issuer.example"]


def test_open_and_closed_ports_give_the_same_message(server: Server, pki: PKI) -> None:
    """A credential must not learn which ports of the verifier's machine are open: not by default (refused before
    connecting), not when private networks are allowed (one message for every failure before trusted TLS)."""
    open_port, closed_port = server.port, _closed_port()

    def message(allow: bool, port: int) -> str:
        resolver = DIDWebResolver(ca_file=pki.other_ca_file, timeout=2, allow_private_network=allow)
        with pytest.raises(DIDNetworkError) as info:
            resolver(f"did:web:localhost%3A{port}")
        return str(info.value).replace(str(port), "PORT")

    assert message(False, open_port) == message(False, closed_port)
    assert "refused to fetch" in message(False, open_port)
    assert message(True, open_port) == message(True, closed_port)
    assert "could not fetch https://localhost:PORT/.well-known/did.json from host localhost" in message(True, open_port)
    assert server.hits == []


def test_cli_refuses_private_hosts_unless_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    did = f"did:web:127.0.0.1%3A{port}"
    for args, expected in [
        (["--home", str(tmp_path), "did", "resolve", did], "host 127.0.0.1 is a loopback address"),
        (["--home", str(tmp_path), "did", "resolve", did, "--allow-private-network"],
         f"could not fetch https://127.0.0.1:{port}/.well-known/did.json from host 127.0.0.1"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err
