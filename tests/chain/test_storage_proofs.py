"""Status words read with storage proofs against a block's state root, on anvil: what the proofs prove is what the
chain holds, 1,000 credentials cost 1 request (header and proof batched; 2 with a second endpoint), and a lying
endpoint is caught."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from eth_account import Account
from web3 import Web3

from microcred.chain import BlockMismatchError, ProofError, connect, header_hash, read_block
from microcred.chain._connect import _http_web3
from microcred.registry.ledger import Status, registry_client

N = 1000
REVOKED, SUSPENDED = (5, 300), (900,)


@pytest.fixture(scope="module")
def issued(anvil_node):
    node, home = anvil_node
    chain = connect("local", home=home, rpc_urls=(node.url,))
    issuer = Account.create()
    chain.fund(issuer.address)
    writer = registry_client(chain, issuer)
    writer.anchor(b"\x42" * 31 + b"\x01", 0, N)
    writer.revoke(list(REVOKED), "fraud")
    writer.suspend(list(SUSPENDED), "under-investigation")
    return node.url, chain, issuer


def _expected() -> list[Status]:
    return [Status.REVOKED if i in REVOKED else Status.SUSPENDED if i in SUSPENDED else Status.ACTIVE
            for i in range(N)]


@contextmanager
def counting(w3: Web3) -> Iterator[list[str]]:
    calls: list[str] = []
    provider = w3.provider
    original, original_batch = provider.make_request, provider.make_batch_request

    def make_request(method: str, params: Any) -> Any:
        calls.append(method)
        return original(method, params)

    def make_batch_request(requests_: Any) -> Any:  # one HTTP request
        calls.append("batch: " + ", ".join(method for method, _ in requests_))
        return original_batch(requests_)

    provider.make_request = make_request  # type: ignore[method-assign]
    provider.make_batch_request = make_batch_request  # type: ignore[method-assign]
    provider._request_func_cache = ((), None)  # web3 caches the middleware chain built around make_request
    try:
        yield calls
    finally:
        provider.make_request = original  # type: ignore[method-assign]
        provider.make_batch_request = original_batch  # type: ignore[method-assign]
        provider._request_func_cache = ((), None)


def test_proven_statuses_are_the_chains_in_one_request(issued):
    url, chain, issuer = issued
    client = registry_client(chain.as_read_only())
    with counting(chain.w3) as calls:
        proven = client.proven_status_of(issuer.address, range(N))
    assert proven.statuses == _expected() == client.status_of(issuer.address, range(N))
    assert proven.words == dict(zip(range(8), client.status_words(issuer.address, range(8), block=proven.block.number)))
    assert calls == ["batch: eth_getBlockByNumber, eth_getProof"], calls  # the header and the 8 words, batched
    assert proven.block.single_source and proven.block.endpoint == url
    assert "one source trusted" in proven.block.describe() and url in proven.block.describe()
    assert proven.block.number == chain.w3.eth.block_number


def test_a_second_endpoint_confirms_the_block_in_one_more_request(issued):
    url, chain, issuer = issued
    second_url = url.replace("127.0.0.1", "localhost")
    second = _http_web3(second_url)
    client = registry_client(chain.as_read_only())
    with counting(chain.w3) as first_calls, counting(second) as second_calls:
        proven = client.proven_status_of(issuer.address, range(N), confirm=[(second, second_url)])
    assert proven.statuses == _expected()
    assert len(first_calls) + len(second_calls) == 2, (first_calls, second_calls)
    assert proven.block.confirmed_by == (second_url,) and not proven.block.single_source


def test_a_block_between_the_batched_header_and_proof_is_asked_again(issued, monkeypatch):
    """The header and the proof of ``latest`` go in one batch; when a block lands between them, the proof cannot
    hold against the header, and both are asked again for the header's block: the answer is that block's."""
    import microcred.chain._proofs as proofs

    _, chain, issuer = issued
    head = chain.w3.eth.block_number  # the suspension of 900 was mined in this block
    batch = proofs._batch

    def racing(w3: Any, calls: Any, **kwargs: Any) -> Any:
        header, proof = batch(w3, calls, **kwargs)
        older = batch(w3, [("eth_getBlockByNumber", [hex(head - 1), False])], **kwargs)[0]
        return older, proof  # the header of the block before, the proof of the latest

    monkeypatch.setattr(proofs, "_batch", racing)
    client = registry_client(chain.as_read_only())
    with counting(chain.w3) as calls:
        proven = client.proven_status_of(issuer.address, [5, 900])
    assert proven.block.number == head - 1
    assert proven.statuses == [Status.REVOKED, Status.ACTIVE]  # as it stood in that block, before the suspension
    assert calls[-2:] == ["eth_getBlockByNumber", "eth_getProof"], calls


def test_the_header_hash_is_the_hash_of_its_fields(issued):
    url, chain, _ = issued
    header = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber",
                                      "params": ["latest", False]}, timeout=5).json()["result"]
    assert "0x" + header_hash(header).hex() == header["hash"]
    assert read_block(chain.w3, int(header["number"], 16), endpoint=url).hash == header["hash"]


# -- a lying endpoint -------------------------------------------------------------------------------------------


@pytest.fixture
def liar(issued) -> Iterator[Callable[[Callable[[str, Any], Any]], str]]:
    """A proxy in front of anvil that passes each answer through ``lie(method, result)``."""
    upstream = issued[0]
    servers: list[ThreadingHTTPServer] = []

    def start(lie: Callable[[str, Any], Any]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answer = requests.post(upstream, json=body, timeout=10).json()
                items = answer if isinstance(answer, list) else [answer]
                requests_ = body if isinstance(body, list) else [body]
                for request, response in zip(requests_, items):
                    if "result" in response:
                        response["result"] = lie(request["method"], response["result"])
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()


def _client(url: str, chain: Any):
    from microcred.registry.ledger import RegistryClient

    return RegistryClient(_http_web3(url), chain.address_of("CredentialRegistry"), endpoint=url)


def test_a_liar_rewriting_eth_call_flips_the_call_but_not_the_proof(issued, liar):
    _, chain, issuer = issued

    def lie(method: str, result: Any) -> Any:
        # statusOf(issuer, [5]) answers offset, length, status: the status becomes 0 (active)
        return result[:-64] + "00" * 32 if method == "eth_call" else result

    client = _client(liar(lie), chain)
    assert client.status_of(issuer.address, [5]) == [Status.ACTIVE]  # the lie works on a plain call …
    assert client.proven_status_of(issuer.address, [5]).statuses == [Status.REVOKED]  # … not on the proof


def test_a_liar_rewriting_the_proven_value_is_caught(issued, liar):
    _, chain, issuer = issued

    def lie(method: str, result: Any) -> Any:
        if method == "eth_getProof":
            for entry in result["storageProof"]:
                entry["value"] = "0x0"
        return result

    with pytest.raises(ProofError, match="its own proof proves"):
        _client(liar(lie), chain).proven_status_of(issuer.address, [5])


def test_a_liar_rewriting_the_proof_is_caught(issued, liar):
    _, chain, issuer = issued

    def lie(method: str, result: Any) -> Any:
        if method == "eth_getProof":
            for entry in result["storageProof"]:
                entry["value"] = "0x0"
                entry["proof"] = entry["proof"][:-1]  # drop the leaf that holds the value
        return result

    with pytest.raises(ProofError):
        _client(liar(lie), chain).proven_status_of(issuer.address, [5])


def test_a_liar_rewriting_the_state_root_is_caught(issued, liar):
    _, chain, issuer = issued

    def lie(method: str, result: Any) -> Any:
        if method == "eth_getBlockByNumber" and isinstance(result, dict):
            result["stateRoot"] = "0x" + "ab" * 32
        return result

    with pytest.raises(ProofError, match="does not hash to the block hash"):
        _client(liar(lie), chain).proven_status_of(issuer.address, [5])


def test_a_liar_forging_a_whole_block_is_caught_by_a_second_endpoint(issued, liar):
    url, chain, issuer = issued

    def lie(method: str, result: Any) -> Any:  # a header of its own making, hashed consistently
        if method == "eth_getBlockByNumber" and isinstance(result, dict):
            result["extraData"] = "0x" + b"forged".hex()
            result["hash"] = "0x" + header_hash(result).hex()
        return result

    liar_url = liar(lie)
    client = _client(liar_url, chain)
    alone = read_block(client.w3, endpoint=liar_url)  # one source: nothing to compare with, and it says so
    assert alone.single_source
    with pytest.raises(BlockMismatchError, match="one of them is lying"):
        client.proven_status_of(issuer.address, [5], confirm=[(_http_web3(url), url)])


def test_one_source_alone_is_read_through_storage_proofs(issued, liar):
    """The verifier's ledger reader for a single endpoint: batch records and status words proven against the
    state root in one eth_getProof (with the header, 2 requests), so an endpoint that rewrites every eth_call
    answer changes nothing: the reader asks no eth_call at all."""
    from microcred.registry.verify import RegistryLedger

    url, chain, issuer = issued
    root = "0x" + (b"\x42" * 31 + b"\x01").hex()
    unknown = "0x" + "77" * 32
    registry = chain.address_of("CredentialRegistry")
    honest = RegistryLedger(lambda address: _client(url, chain), prove=True)
    reader = _client(url, chain)
    with counting(reader.w3) as calls:
        proven = reader.proven_state(issuer.address, [root, unknown], [4, 5, 900])
    assert calls == ["batch: eth_getBlockByNumber, eth_getProof"], calls
    assert "contract" not in vars(reader)  # the web3 contract (milliseconds to make) is made only for a call
    batches, statuses, _head = reader.verification_state(issuer.address, [root, unknown], [4, 5, 900],
                                                         block=proven.block.number)
    assert proven.batches == batches and proven.batches[1] is None and proven.batches[0] is not None
    assert proven.batches[0].count == N and proven.batches[0].first_index == 0
    assert proven.statuses == statuses == [Status.ACTIVE, Status.REVOKED, Status.SUSPENDED]
    state = honest.read(registry, issuer.address, [root], [4, 5, 900], at=None)
    assert state.assurance == "storage-proof" and isinstance(state.block, int)
    assert [state.statuses[i] for i in (4, 5, 900)] == [Status.ACTIVE, Status.REVOKED, Status.SUSPENDED]
    assert state.batches[root] == proven.batches[0]

    def lie(method: str, result: Any) -> Any:  # every eth_call answer becomes zeros: "not anchored, active"
        return "0x" + "00" * ((len(result) - 2) // 2) if method == "eth_call" else result

    lying = RegistryLedger(lambda address: _client(liar(lie), chain), prove=True)
    told = lying.read(registry, issuer.address, [root], [5, 900], at=None)
    assert told.statuses == {5: Status.REVOKED, 900: Status.SUSPENDED}
    assert told.batches[root] == proven.batches[0]


def test_a_proven_status_word_with_an_unknown_status_is_a_bad_answer(monkeypatch):
    """Two bits per index: 0 active, 1 suspended, 2 revoked; a proven word holding 3 is not an answer."""
    import microcred.registry.ledger._client as client_module
    from microcred.chain import RPCResponseError
    from microcred.registry.ledger import RegistryClient

    def proven(w3, address, slots, block, *, endpoint):  # index 0 active, 1 suspended, 2 revoked, 3 unknown
        return "the block", {slot: 0b11_10_01_00 for slot in slots}

    monkeypatch.setattr(client_module, "read_and_prove", proven)
    reader = RegistryClient(Web3(), "0x" + "11" * 20, endpoint="a node")
    assert reader.proven_state("0x" + "22" * 20, [], [0, 1, 2]).statuses == [
        Status.ACTIVE, Status.SUSPENDED, Status.REVOKED]
    with pytest.raises(RPCResponseError, match="unknown status"):
        reader.proven_state("0x" + "22" * 20, [], [0, 3])


def test_logs_asked_as_a_raw_request_are_the_logs_web3_gives(issued):
    """eth_getLogs goes to a JSON-RPC endpoint as one request, without web3's pipeline; each log is still what
    ``w3.eth.get_logs`` gives (web3's own formatter): numbers, bytes and addresses alike, attribute access too."""
    from microcred.chain._reader import get_logs

    url, chain, issuer = issued
    query = {"address": chain.address_of("CredentialRegistry"), "fromBlock": 0, "toBlock": chain.w3.eth.block_number}
    ours, theirs = get_logs(chain.w3, query), list(chain.w3.eth.get_logs(query))
    assert ours and ours == theirs
    assert [{k: type(v) for k, v in log.items()} for log in ours] == \
        [{k: type(v) for k, v in log.items()} for log in theirs]
    assert ours[0].blockNumber == theirs[0]["blockNumber"] and isinstance(ours[0]["topics"][0], bytes)
    first = "0x" + bytes(ours[0]["topics"][0]).hex()
    assert get_logs(chain.w3, {**query, "topics": [first]}) == \
        [log for log in theirs if log["topics"][0] == ours[0]["topics"][0]]
