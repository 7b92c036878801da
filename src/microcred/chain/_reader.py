"""One read of a contract: a view call through the RPC guard, and, when the answer is empty, a look at whether any
contract is there at all (an empty answer to a call usually means there is none)."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from microcred.chain._errors import NoContractError, NoResultError
from microcred.chain._rpc import rpc_guard

__all__ = ["call_view", "ensure_deployed"]


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
