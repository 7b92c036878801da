"""One read of a contract: a view call through the RPC guard, and, when the answer is empty, a look at whether any
contract is there at all (an empty answer to a call usually means there is none); whether code is at addresses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3

from microcred.chain._adapter import supports_batch
from microcred.chain._errors import NoContractError, NoResultError, RPCResponseError
from microcred.chain._rpc import rpc_guard

__all__ = ["call_view", "ensure_deployed", "has_code"]


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
