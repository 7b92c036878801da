"""What differs between the providers microcred talks to, in one place: the in-process EVM (eth-tester / py-evm)
and JSON-RPC nodes (anvil, geth, reth, hosted endpoints).

Clients never look at a provider's class: they ask this module.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from web3 import Web3

__all__ = ["advance_time", "is_in_process", "revert_data", "rpc_error_code", "supports_batch", "call_sender"]


def is_in_process(w3: Web3) -> bool:
    """Whether ``w3`` talks to the in-process EVM (eth-tester)."""
    from web3 import EthereumTesterProvider

    return isinstance(w3.provider, EthereumTesterProvider)


def supports_batch(w3: Web3) -> bool:
    """Whether the provider takes JSON-RPC batches (the in-process EVM does not)."""
    return not is_in_process(w3) and bool(getattr(w3.provider, "_is_batchable", True))


def call_sender(w3: Web3) -> str | None:
    """``from`` for a read-only ``eth_call``: the in-process EVM charges gas even for calls, so it needs a funded
    account (its first); a JSON-RPC node needs none."""
    from web3 import EthereumTesterProvider

    provider = w3.provider
    tester = provider.ethereum_tester if isinstance(provider, EthereumTesterProvider) else None
    if tester is None:
        return None
    return str(tester.get_accounts()[0])


def advance_time(w3: Web3, seconds: int) -> None:
    """Move a dev chain's clock ``seconds`` past its latest block and mine a block there: the in-process EVM
    travels in time (its block lands a second short), a JSON-RPC dev node (anvil) is asked ``evm_increaseTime``
    and ``evm_mine``."""
    from web3 import EthereumTesterProvider
    from web3.types import RPCEndpoint

    provider = w3.provider
    tester = provider.ethereum_tester if isinstance(provider, EthereumTesterProvider) else None
    if tester is not None:
        tester.time_travel(int(w3.eth.get_block("latest")["timestamp"]) + seconds)
        return
    provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    provider.make_request(RPCEndpoint("evm_mine"), [])


def rpc_error_code(exc: BaseException) -> int | None:
    """The JSON-RPC error code of a web3 RPC error, if it carries one."""
    response = getattr(exc, "rpc_response", None)
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        code = response["error"].get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            return code
    return None


def _hex_bytes(value: Any) -> bytes | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str) and re.fullmatch(r"0x(?:[0-9a-fA-F]{2})*", value):
        return bytes.fromhex(value[2:])
    if isinstance(value, dict):
        return _hex_bytes(value.get("data"))
    return None


def revert_data(exc: BaseException) -> bytes | None:
    """The raw revert bytes carried by an exception of web3.py (``ContractCustomError.data``, the ``data`` of a
    JSON-RPC error) or of the in-process EVM, if any."""
    data = _hex_bytes(getattr(exc, "data", None))
    if data is not None:
        return data
    response = getattr(exc, "rpc_response", None)
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        data = _hex_bytes(response["error"].get("data"))
        if data is not None:
            return data
    return _tester_revert_data(exc)


def _tester_revert_data(exc: BaseException) -> bytes | None:
    """The in-process EVM's quirk: ``TransactionFailed`` carries py-evm's ``Revert`` as its cause (gas estimates)
    or only its text, ``execution reverted: b'…'`` (calls)."""
    try:
        from eth.exceptions import Revert
        from eth_tester.exceptions import TransactionFailed
    except ImportError:  # pragma: no cover - eth-tester and py-evm are dependencies
        return None
    if not isinstance(exc, TransactionFailed):
        return None
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, Revert) and link.args and isinstance(link.args[0], bytes):
            return link.args[0]
        link = link.__cause__ or link.__context__
    text = str(exc.args[0]) if exc.args else ""
    if isinstance(exc.args[0] if exc.args else None, (bytes, bytearray)):
        return bytes(exc.args[0])
    match = re.fullmatch(r"(?:execution reverted: )?(b(['\"]).*\2)\s*", text, re.S)
    if match:
        try:
            value = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, bytes) else None
    return None
