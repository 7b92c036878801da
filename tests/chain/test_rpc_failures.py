"""An RPC that is down, lies or serves another chain; missing contracts; unpaid and dropped transactions."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from eth_account import Account

from microcred.errors import NetworkError
from microcred.registry import (
    InsufficientFundsError,
    NoContractError,
    RegistryClient,
    RPCResponseError,
    RPCUnavailableError,
    TransactionDroppedError,
    WrongChainError,
    connect,
)
from microcred.chain._connect import _http_web3
from tests.support.chain import free_port
from microcred.registry.ledger import registry_client


class _Liar(BaseHTTPRequestHandler):
    answers: dict = {}

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = self.answers.get(body["method"], self.answers.get("*"))
        if callable(answer):
            answer = answer(body)
        payload = answer if isinstance(answer, bytes) else json.dumps(
            {"jsonrpc": "2.0", "id": body["id"], "result": answer}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def liar():
    def start(answers: dict) -> str:
        handler = type("H", (_Liar,), {"answers": answers})
        server = HTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    servers: list[HTTPServer] = []
    yield start
    for s in servers:
        s.shutdown()


def test_rpc_down_is_unavailable_not_invalid(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RPCUnavailableError) as exc:
        connect(url, home=tmp_path)
    assert url in str(exc.value) and isinstance(exc.value, NetworkError)
    client = RegistryClient(_http_web3(url, timeout=2), "0x" + "11" * 20, endpoint=url)
    with pytest.raises(RPCUnavailableError):
        client.status_of("0x" + "22" * 20, [1, 2])


@pytest.mark.parametrize("garbage", [b"not json at all", b'{"jsonrpc":"2.0","id":1}', "banana", "0x1234"])
def test_rpc_answering_garbage_is_a_response_error(liar, garbage):
    url = liar({"eth_chainId": "0x7a69", "*": garbage})
    client = RegistryClient(_http_web3(url, timeout=2), "0x" + "11" * 20, endpoint=url)
    with pytest.raises(RPCResponseError):
        client.status_of("0x" + "22" * 20, [1, 2, 3])


def test_wrong_chain_is_refused(liar, tmp_path):
    url = liar({"eth_chainId": "0x1"})
    with pytest.raises(WrongChainError, match="chain 1"):
        connect("sepolia", home=tmp_path, rpc_urls=(url,))
    with pytest.raises(WrongChainError):
        connect("local", home=tmp_path, rpc_urls=(url,))


def test_no_contract_at_the_address(chain):
    client = RegistryClient(chain.w3, Account.create().address, endpoint=chain.endpoint)
    with pytest.raises(NoContractError, match="no contract"):
        client.issuer_state("0x" + "22" * 20)
    # the reads encoded by eth_abi directly (long index lists) say the same
    with pytest.raises(NoContractError, match="no contract"):
        client.status_of("0x" + "22" * 20, list(range(1000)))
    with pytest.raises(NoContractError, match="no contract"):
        client.verification_state("0x" + "22" * 20, ["0x" + "33" * 32], [1, 2])


def test_insufficient_funds(chain):
    poor = Account.create()
    with pytest.raises(InsufficientFundsError):
        registry_client(chain, poor).anchor(os.urandom(32), 0, 1)


def test_dropped_transaction_is_reported(request):
    node, home = request.getfixturevalue("anvil_node")
    chain = connect("local", home=home, rpc_urls=(node.url,))
    issuer = Account.create()
    chain.fund(issuer.address)
    w3 = chain.w3
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        reg = registry_client(chain, issuer)
        reg.sender.timeout = 2
        prepared = reg.prepare_anchor(os.urandom(32), 0, 1)
        reg.sender.broadcast(prepared)
        w3.provider.make_request("anvil_dropTransaction", [prepared.hash])
        ticks = iter(range(0, 10_000, 5))
        reg.sender._clock = lambda: float(next(ticks))
        reg.sender._sleep = lambda s: None
        with pytest.raises(TransactionDroppedError, match="dropped|not mined"):
            reg.sender.wait(prepared.hash)
    finally:
        w3.provider.make_request("evm_setAutomine", [True])


def test_confirmations_are_waited_for(request):
    node, home = request.getfixturevalue("anvil_node")
    chain = connect("local", home=home, rpc_urls=(node.url,), confirmations=3)
    issuer = Account.create()
    chain.fund(issuer.address)
    reg = registry_client(chain, issuer)
    prepared = reg.prepare_anchor(os.urandom(32), 0, 1)
    reg.sender.broadcast(prepared)
    mined = []

    def sleep(_):  # each poll, a block goes by, as on a live chain
        chain.w3.provider.make_request("evm_mine", [])
        mined.append(1)

    reg.sender._sleep = sleep
    receipt = reg.sender.wait(prepared.hash)
    assert chain.w3.eth.block_number - receipt.block_number + 1 >= 3
    assert len(mined) >= 2


def _error(code: int, message: str, data: str | None = None):
    def answer(body: dict) -> bytes:
        error = {"code": code, "message": message, **({"data": data} if data else {})}
        return json.dumps({"jsonrpc": "2.0", "id": body["id"], "error": error}).encode()
    return answer


@pytest.mark.parametrize("answer, raised", [
    (_error(3, "execution reverted", "0x"), "UnknownRevertError"),
    (_error(-32000, "header not found"), "RPCResponseError"),
    ({"unexpected": "shape"}, "RPCResponseError"),
])
def test_a_raw_eth_call_is_named_as_a_web3_call_would_be(liar, answer, raised: str) -> None:
    """eth_call goes to a JSON-RPC endpoint as it is (without web3's formatters); its errors are still named by the
    RPC guard: a revert as a revert, any other error answer or a result that is not hex data as a bad answer."""
    from microcred.chain import rpc_guard
    from microcred.chain._reader import eth_call

    url = liar({"eth_chainId": "0x7a69", "eth_call": answer})
    w3 = _http_web3(url, timeout=2)
    with pytest.raises(Exception) as caught, rpc_guard("reading a value", endpoint=url):
        eth_call(w3, {"to": "0x" + "11" * 20, "data": "0x"})
    assert type(caught.value).__name__ == raised and "reading a value" in str(caught.value)


def test_a_raw_eth_call_answers_the_bytes_and_counts_one_request(liar) -> None:
    from microcred.chain._reader import eth_call

    seen: list[list] = []

    def answer(body: dict) -> str:
        seen.append(body["params"])
        return "0x" + "00" * 31 + "2a"

    url = liar({"eth_chainId": "0x7a69", "eth_call": answer})
    got = eth_call(_http_web3(url, timeout=2), {"to": "0x" + "11" * 20, "data": "0xabcd"}, 7)
    assert got == bytes(31) + b"\x2a"
    assert seen == [[{"to": "0x" + "11" * 20, "data": "0xabcd"}, "0x7"]]
