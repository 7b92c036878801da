"""One read of a contract: a view call through the RPC guard, and, when the answer is empty, a look at whether any
contract is there at all (an empty answer to a call usually means there is none); whether code is at addresses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3 import exceptions as w3x
from web3.providers import JSONBaseProvider
from web3._utils.method_formatters import PYTHONIC_RESULT_FORMATTERS
from web3._utils.rpc_abi import RPC
from web3.datastructures import AttributeDict
from web3.types import BlockIdentifier, FilterParams, RPCEndpoint, TxParams

from microcred.chain._adapter import supports_batch
from microcred.chain._errors import NoContractError, NoResultError, RPCResponseError
from microcred.chain._rpc import rpc_guard

__all__ = ["call_view", "ensure_deployed", "eth_call", "get_logs", "has_code"]


#: web3's own formatter of an ``eth_getLogs`` result (hex quantities to numbers, hashes and data to bytes)
_LOG_FORMATTER = PYTHONIC_RESULT_FORMATTERS[RPC.eth_getLogs]


def _raw(provider: JSONBaseProvider, method: str, params: list[Any]) -> Any:
    """The ``result`` of one JSON-RPC request sent as it is; an error answer raised as web3 raises it
    (:class:`web3.exceptions.Web3RPCError` carrying the response), for :func:`rpc_guard` to name."""
    response = provider.make_request(RPCEndpoint(method), params)
    if not isinstance(response, dict):
        raise w3x.BadResponseFormat(f"the answer to {method} is not a JSON-RPC response: {response!r}")
    if response.get("error") is not None:
        raise w3x.Web3RPCError(repr(response["error"]), rpc_response=response)
    return response.get("result")


def eth_call(w3: Web3, call: TxParams, block: BlockIdentifier = "latest") -> bytes:
    """``eth_call`` of ``call`` (fields already in JSON-RPC form: ``to``, ``data``, maybe ``from``) at ``block``.

    A JSON-RPC provider is sent the request as it is: web3's own ``eth.call`` passes it through its formatters and
    middleware, which costs about 2 ms a call and 8 on the first call of a process, against a request's 0.7 ms.
    Any other provider (the in-process EVM) is asked through ``w3.eth.call``."""
    provider = w3.provider
    if not isinstance(provider, JSONBaseProvider):
        return bytes(w3.eth.call(call, block))
    result = _raw(provider, "eth_call", [dict(call), hex(block) if isinstance(block, int) else block])
    if not isinstance(result, str):
        raise w3x.BadResponseFormat(f"the answer to eth_call holds no hex result: {result!r}")
    return bytes(HexBytes(result))


def get_logs(w3: Web3, query: FilterParams) -> list[Any]:
    """``eth_getLogs`` of ``query``, each log as ``w3.eth.get_logs`` gives it (web3's own log formatter, then an
    ``AttributeDict``), asked of a JSON-RPC provider as one request without the rest of web3's pipeline (as
    :func:`eth_call`, a few milliseconds a process saved); any other provider through ``w3.eth.get_logs``."""
    provider = w3.provider
    if not isinstance(provider, JSONBaseProvider):
        return list(w3.eth.get_logs(query))
    params = {k: hex(v) if isinstance(v, int) else v for k, v in query.items()}
    result = _raw(provider, "eth_getLogs", [params])
    if not isinstance(result, list):
        raise w3x.BadResponseFormat(f"the answer to eth_getLogs is not a list of logs: {result!r:.80}")
    return [AttributeDict.recursive(log) for log in _LOG_FORMATTER(result)]


def has_code(w3: Web3, addresses: Sequence[str], *, what: str, endpoint: str) -> list[bool]:
    """Whether contract code is at each of ``addresses``, in their order: one batched request where the provider
    takes batches (one ``eth_getCode`` each otherwise)."""
    if not addresses:
        return []
    wanted = [to_checksum_address(a) for a in addresses]
    with rpc_guard(what, endpoint=endpoint):
        if len(wanted) > 1 and supports_batch(w3):
            with w3.batch_requests() as batch:
                for a in wanted:
                    batch.add(w3.eth.get_code(a))
                codes: list[Any] = list(batch.execute())
        else:
            codes = [w3.eth.get_code(a) for a in wanted]
    if len(codes) != len(wanted):
        raise RPCResponseError(f"{what}: {endpoint} answered {len(codes)} codes for {len(wanted)} addresses")
    return [bool(code) for code in codes]


def ensure_deployed(w3: Web3, address: str, *, endpoint: str, what: str, hint: str) -> None:
    """Raise :class:`NoContractError` (``hint`` says what to do) when no code is at ``address``."""
    with rpc_guard(f"checking the {what}", endpoint=endpoint):
        code = w3.eth.get_code(Web3.to_checksum_address(address))
    if not code:
        raise NoContractError(f"no {what} at {address} on this chain: {hint}")


def call_view(w3: Web3, address: str, fn: Any, *, what: str, contract: str, endpoint: str, kind: str, hint: str,
              block: int | str = "latest") -> Any:
    """``fn.call(block_identifier=block)`` through the guard of ``contract``'s errors; an empty answer is
    :class:`NoContractError` when there is no code at ``address`` (``kind`` names it, ``hint`` says what to do)."""
    try:
        with rpc_guard(what, endpoint=endpoint, contract=contract):
            return fn.call(block_identifier=block)
    except NoResultError:
        ensure_deployed(w3, address, endpoint=endpoint, what=kind, hint=hint)
        raise
