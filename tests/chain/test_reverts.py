"""One revert decoder for every shipped contract: each ABI error has a named class, tables are built once per
contract, and errors are classified by type and JSON-RPC code, never by their text."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak
from web3 import Web3
from web3.providers.base import BaseProvider

import microcred.did._ethr  # noqa: F401 - registers the EthereumDIDRegistry's error classes
import microcred.registry.accreditation  # noqa: F401 - registers the AccreditationRegistry's error classes
from microcred.chain import (
    ContractRevert,
    InsufficientFundsError,
    RPCResponseError,
    TransactionRejectedError,
    TxSender,
    UnknownRevertError,
    revert_classes,
    revert_decoder,
    rpc_guard,
)
from microcred.contracts import CONTRACT_NAMES, load_artifact
from microcred.errors import MicrocredError


@pytest.mark.parametrize("contract", CONTRACT_NAMES)
def test_every_abi_error_of_every_contract_has_a_named_class(contract: str):
    abi = load_artifact(contract)["abi"]
    names = {item["name"] for item in abi if item["type"] == "error"}
    assert names, f"{contract} declares custom errors"
    classes = revert_classes(contract)
    assert names == set(classes), f"{contract}: unmapped {names - set(classes)}, stale {set(classes) - names}"
    for name, cls in classes.items():
        assert issubclass(cls, ContractRevert) and issubclass(cls, MicrocredError)
        assert cls.__name__.endswith(name + "Error") and cls.contract == contract


@pytest.mark.parametrize("contract", CONTRACT_NAMES)
def test_each_error_decodes_to_its_class_with_its_arguments(contract: str):
    decoder = revert_decoder(contract)
    for item in load_artifact(contract)["abi"]:
        if item["type"] != "error":
            continue
        types = [i["type"] for i in item["inputs"]]
        values = [_sample(t) for t in types]
        data = keccak(text=f"{item['name']}({','.join(types)})")[:4] + encode(types, values)
        error = decoder.decode(data)
        assert type(error) is revert_classes(contract)[item["name"]], item["name"]
        assert list(error.args_by_name) == [i["name"] for i in item["inputs"]]
        assert str(error)


def _sample(abi_type: str) -> Any:
    if abi_type == "address":
        return "0x" + "ab" * 20
    if abi_type.startswith("bytes"):
        return b"\x01" * int(abi_type[5:] or 3)
    if abi_type == "string":
        return "x"
    return 7


def test_the_tables_are_built_once_per_contract():
    assert revert_decoder("CredentialRegistry") is revert_decoder("CredentialRegistry")
    assert revert_decoder("CredentialRegistry").table is revert_decoder("CredentialRegistry").table


class _Answers(BaseProvider):
    """Answers each method with a canned JSON-RPC response."""

    def __init__(self, responses: dict[str, Any]) -> None:
        super().__init__()
        self.responses = responses

    def make_request(self, method: str, params: Any) -> Any:
        answer = self.responses.get(method)
        if isinstance(answer, dict) and "error" in answer:
            return {"jsonrpc": "2.0", "id": 1, **answer}
        return {"jsonrpc": "2.0", "id": 1, "result": answer}

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True


def test_a_revert_is_told_by_its_code_not_its_text():
    selector = keccak(text="CredentialIsRevoked(address,uint256)")[:4]
    data = "0x" + (selector + encode(["address", "uint256"], ["0x" + "ab" * 20, 42])).hex()
    w3 = Web3(_Answers({"eth_call": {"error": {"code": 3, "message": "something else entirely", "data": data}}}))
    with pytest.raises(revert_classes("CredentialRegistry")["CredentialIsRevoked"]):
        with rpc_guard("reading", contract="CredentialRegistry"):
            w3.eth.call({"to": "0x" + "11" * 20, "data": "0x"})
    # the words "insufficient funds" in an answer to a read are no refusal of a transaction
    w3 = Web3(_Answers({"eth_getBalance": {"error": {"code": -32000, "message": "insufficient funds for gas"}}}))
    with pytest.raises(RPCResponseError) as info:
        with rpc_guard("reading", contract="CredentialRegistry"):
            w3.eth.get_balance("0x" + "11" * 20)
    assert not isinstance(info.value, (UnknownRevertError, ContractRevert, TransactionRejectedError))


def _sender(responses: dict[str, Any]) -> TxSender:
    base = {"eth_getBlockByNumber": {"number": "0x1", "hash": "0x" + "11" * 32, "baseFeePerGas": "0x1",
                                     "timestamp": "0x1"},
            "eth_getTransactionCount": "0x0", "eth_estimateGas": "0x5208", "eth_chainId": "0x7a69"}
    return TxSender(Web3(_Answers({**base, **responses})), Account.create(), chain_id=31337)


def test_a_refusal_is_insufficient_funds_when_the_balance_says_so_whatever_the_message():
    refused = {"error": {"code": -32003, "message": "transaction rejected"}}
    poor = _sender({"eth_sendRawTransaction": refused, "eth_getBalance": "0x0",
                    "eth_getTransactionByHash": None, "eth_getTransactionReceipt": None})
    with pytest.raises(InsufficientFundsError):
        poor.broadcast(poor.prepare_tx({"to": "0x" + "22" * 20, "value": 1, "data": b""}))
    rich = _sender({"eth_sendRawTransaction": refused, "eth_getBalance": hex(10**30),
                    "eth_getTransactionByHash": None, "eth_getTransactionReceipt": None})
    with pytest.raises(TransactionRejectedError) as info:
        rich.broadcast(rich.prepare_tx({"to": "0x" + "22" * 20, "value": 1, "data": b""}))
    assert not isinstance(info.value, InsufficientFundsError)


def test_a_rebroadcast_the_node_knows_is_success_whatever_the_message():
    known = _sender({"eth_sendRawTransaction": {"error": {"code": -32003, "message": "nope"}},
                     "eth_getTransactionByHash": {"hash": "0x" + "33" * 32}})
    prepared = known.prepare_tx({"to": "0x" + "22" * 20, "value": 1, "data": b""})
    assert known.broadcast(prepared) == prepared.hash
