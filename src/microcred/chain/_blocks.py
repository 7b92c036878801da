"""Blocks: a block named as microcred names it (number, tag or hash) as web3 types it, a block's header, and
time → block: the last block at or before a time, by bisection on block timestamps (O(log n) reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast, get_args

from eth_typing import HexStr
from web3 import exceptions as w3x
from web3.types import BlockIdentifier, BlockParams

from microcred.chain._errors import BlockNotFoundError
from microcred.chain._rpc import rpc_guard

__all__ = ["block_at", "block_header", "block_id"]

_TAGS: frozenset[str] = frozenset(get_args(BlockParams))


def block_id(block: int | str) -> BlockIdentifier:
    """``block`` (a number, a tag such as ``latest``, or a block hash in hex) as web3 types a block identifier;
    the value is unchanged."""
    if isinstance(block, int):
        return block
    if block in _TAGS:
        return cast(BlockParams, block)
    return HexStr(block)


def block_header(w3: Any, number: int, *, endpoint: str = "the RPC endpoint") -> tuple[str, int]:
    """(hash, unix time) of block ``number``; :class:`BlockNotFoundError` when the chain has no such block yet."""
    what = f"reading block {number}"
    with rpc_guard(what, endpoint=endpoint):
        try:
            header = w3.eth.get_block(number)
        except w3x.BlockNotFound:
            header = None
        if header is None:
            head = int(w3.eth.block_number)
            raise BlockNotFoundError(f"block {number} is not on the chain of {endpoint} yet (its head is block {head})")
    return "0x" + bytes(header["hash"]).hex(), int(header["timestamp"])


def block_at(w3: Any, when: datetime | None, *, endpoint: str = "the RPC endpoint") -> int | str:
    """The number of the last block mined at or before ``when``, or ``"latest"`` when ``when`` is ``None``.

    A time before the first block answers block 0 (the chain's state then is its genesis state)."""
    if when is None:
        return "latest"
    target = when.timestamp()
    with rpc_guard("finding the block of a time", endpoint=endpoint):
        lo, hi = 0, int(w3.eth.block_number)
        if w3.eth.get_block(hi)["timestamp"] <= target:
            return hi
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if w3.eth.get_block(mid)["timestamp"] <= target:
                lo = mid
            else:
                hi = mid - 1
    return lo
