"""Linked histories and block times.

Every contract microcred ships links the events of one subject (an issuer, an identity, an accreditation body):
each event carries ``previousChange``, the block of the subject's change before it, and the contract stores the
block of the latest. :class:`LinkedHistory` walks that chain back from the head: one ``eth_getLogs`` per changed
block, never a block without a change. :class:`BlockTimes` gives block times: from the logs when the node puts
``blockTimestamp`` in them, else from headers (one batched request where the provider takes batches), cached by
block hash (a hash's time never changes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar, cast

from eth_utils import to_checksum_address
from web3 import Web3
from web3 import exceptions as w3x
from web3.types import BlockData, FilterParams

from microcred.chain._adapter import supports_batch
from microcred.chain._blocks import block_id
from microcred.chain._errors import BlockNotFoundError, HistoryBrokenError, HistoryTooLongError, RPCResponseError
from microcred.chain._reader import get_logs
from microcred.chain._rpc import rpc_guard

__all__ = ["BlockTimes", "LinkedEvent", "LinkedHistory"]


class LinkedEvent(Protocol):
    """What the walker needs of a decoded event (read-only, so that frozen dataclasses qualify)."""

    @property
    def block_number(self) -> int: ...

    @property
    def log_index(self) -> int: ...

    @property
    def previous_change(self) -> int: ...


E = TypeVar("E", bound=LinkedEvent)


class LinkedHistory:
    """Walks the linked events of one contract at ``address``.

    :param w3: the connected chain (injected)
    :param address: the contract whose logs are read
    :param endpoint: names the RPC endpoint in messages
    """

    def __init__(self, w3: Web3, address: str, *, endpoint: str = "the RPC endpoint") -> None:
        self.w3 = w3
        self.address = to_checksum_address(address)
        self.endpoint = endpoint

    def logs_of_block(self, block: int, topics: list[Any] | None, *, what: str) -> list[Any]:
        """The contract's logs in ``block`` matching ``topics``: one ``eth_getLogs``."""
        query: FilterParams = {"address": self.address, "fromBlock": block, "toBlock": block}
        if topics is not None:
            query["topics"] = topics
        with rpc_guard(what, endpoint=self.endpoint):
            logs = get_logs(self.w3, query)
        if not isinstance(logs, (list, tuple)):
            raise RPCResponseError(f"{what}: {self.endpoint} answered {type(logs).__name__}, not a list of logs")
        return list(logs)

    def walk(
        self,
        head: int,
        decode: Callable[[Any, int], Iterable[E]],
        *,
        subject: str,
        topics: list[Any] | None = None,
        max_blocks: int | None = None,
        what: str = "reading a history",
    ) -> list[E]:
        """Every event of ``subject`` from the changed block ``head`` back to the first, oldest first.

        ``decode(log, block)`` turns one log of the queried ``block`` into the events of ``subject`` it holds (none
        for a log about someone else; it raises on a log that does not decode). A changed block without an event of
        the subject, or whose events link nowhere earlier, is a :class:`HistoryBrokenError`; more than
        ``max_blocks`` changed blocks a :class:`HistoryTooLongError`.
        """
        found: list[E] = []
        block = head
        walked = 0
        while block:
            walked += 1
            if max_blocks is not None and walked > max_blocks:
                raise HistoryTooLongError(
                    f"{what}: {subject} changed in more than {max_blocks} blocks: not walked (raise the bound to "
                    "walk it)")
            events = [ev for log in self.logs_of_block(block, topics, what=what) for ev in decode(log, block)]
            if not events:
                raise HistoryBrokenError(
                    f"{what}: block {block} should hold a change of {subject} (the contract {self.address} says "
                    f"so), but {self.endpoint} returned no event of it there (a node that pruned its logs, one "
                    "behind the other, or a lying one?)")
            earlier = [ev.previous_change for ev in events if ev.previous_change < block]
            if not earlier:
                raise HistoryBrokenError(
                    f"{what}: the events of {subject} in block {block} do not link to an earlier block: "
                    f"{self.endpoint} returned an incomplete set of logs")
            found.extend(events)
            block = max(earlier)
        found.sort(key=lambda e: (e.block_number, e.log_index))
        return found


class BlockTimes:
    """Unix times of blocks, cached by block hash.

    :param cache_size: block hashes remembered
    """

    def __init__(self, w3: Web3, *, endpoint: str = "the RPC endpoint", cache_size: int = 4096) -> None:
        self.w3 = w3
        self.endpoint = endpoint
        self._cache: OrderedDict[str, int] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def remember(self, block_hash: str, timestamp: int, number: int | None = None) -> None:
        """Keep the time of a block seen elsewhere (a log's ``blockTimestamp``)."""
        with self._lock:
            self._cache[block_hash] = timestamp
            self._cache.move_to_end(block_hash)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)

    def cached(self, block_hash: str) -> int | None:
        with self._lock:
            hit = self._cache.get(block_hash)
            if hit is not None:
                self._cache.move_to_end(block_hash)
            return hit

    def of(self, block: int | str, *, what: str | None = None) -> int:
        """The time of one block, by number or hash (a hash is answered from the cache when it can be)."""
        if isinstance(block, str):
            hit = self.cached(block)
            if hit is not None:
                return hit
        what = what or f"reading the time of block {block}"
        with rpc_guard(what, endpoint=self.endpoint):
            try:
                header = self.w3.eth.get_block(block_id(block))
            except w3x.BlockNotFound:
                raise BlockNotFoundError(f"{what}: {self.endpoint} knows no block {block}") from None
            ts = int(header["timestamp"])
            block_hash = "0x" + bytes(header["hash"]).hex() if header.get("hash") is not None else None
        if block_hash is not None:
            self.remember(block_hash, ts)
        return ts

    def of_numbers(self, blocks: Sequence[int], *, what: str = "reading block times") -> dict[int, int]:
        """Times of ``blocks`` (numbers): one batched request where the provider takes batches."""
        wanted = sorted(set(blocks))
        if not wanted:
            return {}
        with rpc_guard(what, endpoint=self.endpoint):
            results: list[BlockData]
            if len(wanted) == 1 or not supports_batch(self.w3):
                results = [self.w3.eth.get_block(number) for number in wanted]
            else:
                with self.w3.batch_requests() as batch:
                    for number in wanted:
                        batch.add(self.w3.eth.get_block(number))
                    # web3 types a batch's answers as raw responses; they are the blocks get_block formats.
                    results = cast("list[BlockData]", batch.execute())
            times = {int(b["number"]): int(b["timestamp"]) for b in results}
        for b in results:
            if b.get("hash") is not None:
                self.remember("0x" + bytes(b["hash"]).hex(), int(b["timestamp"]))
        missing = set(wanted) - set(times)
        if missing:
            raise RPCResponseError(f"{what}: {self.endpoint} did not return blocks {sorted(missing)}")
        return times
