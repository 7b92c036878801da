"""The did:ethr resolver: walks an identity's linked ERC-1056 events and builds its DID document (see
:mod:`microcred.did._ethr` for the method as a whole)."""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import to_checksum_address
from eth_typing import HexStr
from web3 import Web3
from web3.types import TxParams

from microcred.chain._adapter import call_sender
from microcred.chain._reader import eth_call
from microcred.chain._errors import BlockNotFoundError, ContractRevert, HistoryTooLongError, UnknownRevertError
from microcred.chain._history import BlockTimes, LinkedHistory
from microcred.did._document import DIDResolutionResult
from microcred.did._errors import DIDNetworkError
from microcred.did._ethr_document import KEY_FORMATS, build_result
from microcred.did._ethr_events import (
    _EVENT_TOPICS,
    _SELECTOR_CHANGED,
    ETHR_REGISTRIES,
    MAX_HISTORY,
    TOPIC_DELEGATE_CHANGED,
    TOPIC_OWNER_CHANGED,
    ZERO_ADDRESS,
    AttributeChanged,
    DelegateChanged,
    EthrDID,
    EthrHistoryTooLongError,
    EthrRegistryNotFoundError,
    InvalidResolutionOptionsError,
    OwnerChanged,
    RegistryEvent,
    UnsupportedNetworkError,
    _bytes,
    _endpoint,
    _hex,
    _int,
    _reader,
    _rpc,
    ethr_did,
    parse_ethr_did,
)
from microcred.errors import ConfigError, InvalidInputError

class _Where(TypedDict):
    """Where an ERC-1056 event happened: the fields every :class:`RegistryEvent` starts with."""

    identity: str
    block_number: int
    block_hash: str
    log_index: int
    transaction_hash: str
    block_timestamp: int | None


# -- snapshots --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentitySnapshot:
    """What an identity looked like in the registry at one point of time."""

    identity: str
    #: every event up to that point, oldest first
    events: tuple[RegistryEvent, ...]
    #: unix time validities were evaluated at
    evaluated_at: int
    #: block number asked for (``block=``), if any
    at_block: int | None
    version_block: int | None
    version_time: int | None
    next_block: int | None
    next_time: int | None
    owner: str
    deactivated: bool
    #: attributes valid at ``evaluated_at`` (revoked, expired and deactivated ones left out), oldest first
    live_attributes: tuple[AttributeChanged, ...] = field(default=())
    #: delegates valid at ``evaluated_at``, oldest first
    live_delegates: tuple[DelegateChanged, ...] = field(default=())


def _live_entries(events: tuple[RegistryEvent, ...], t: int) -> tuple[str, bool, list[AttributeChanged],
                                                                       list[DelegateChanged]]:
    owner = events[0].identity if events else ZERO_ADDRESS
    attrs: dict[tuple[bytes, bytes], AttributeChanged] = {}
    dels: dict[tuple[bytes, str], DelegateChanged] = {}
    for ev in events:
        if isinstance(ev, OwnerChanged):
            owner = ev.owner
            if ev.owner == ZERO_ADDRESS:
                return owner, True, [], []
        elif isinstance(ev, AttributeChanged):
            key = (ev.name, ev.value)
            attrs.pop(key, None)
            if ev.valid_to >= t:
                attrs[key] = ev
        elif isinstance(ev, DelegateChanged):
            dkey = (ev.delegate_type, ev.delegate)
            dels.pop(dkey, None)
            if ev.valid_to >= t:
                dels[dkey] = ev
    return owner, False, list(attrs.values()), list(dels.values())


# -- the resolver -----------------------------------------------------------------------------------------------


class EthrResolver:
    """Resolves did:ethr DIDs of one chain from its ERC-1056 registry.

    :param w3: a connected ``Web3`` (injected; never built here)
    :param registry_address: the registry; ``None`` takes the public deployment of :data:`ETHR_REGISTRIES`
    :param chain_id: the chain ``w3`` serves; ``None`` asks the node once and remembers it
    :param network_names: more network names for DIDs, e.g. ``{"local": 31337}``
    :param clock: unix time now, for the validity of delegates and attributes in latest resolution
    :param max_history: most changed blocks walked for one identity
    :param timestamp_cache: block times kept, by block hash
    :param call_from: ``from`` of the ``eth_call`` reading ``changed`` (default none; with the in-process EVM, which
        charges gas even for calls, its first funded account, asked once)
    :param key_format: how documents write keys: ``hex`` (as ethr-did-resolver 11 writes them), ``jwk`` or
        ``multibase`` (as ethr-did-resolver 12+ writes them); see :mod:`microcred.did._ethr_document`
    """

    def __init__(
        self,
        w3: Web3,
        registry_address: str | None = None,
        chain_id: int | None = None,
        *,
        network_names: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.time,
        max_history: int = MAX_HISTORY,
        timestamp_cache: int = 4096,
        call_from: str | None = None,
        key_format: str = "hex",
    ) -> None:
        if not isinstance(w3, Web3):
            raise TypeError(f"EthrResolver needs a web3.Web3, got {type(w3).__name__}")
        self.w3 = w3
        self._reader = _reader(w3)
        self._chain_id = chain_id
        if registry_address is None:
            if chain_id is None or chain_id not in ETHR_REGISTRIES:
                raise ConfigError(
                    f"no ERC-1056 registry address given and none is known for chain {chain_id}: pass "
                    f"registry_address (known public deployments: chains {sorted(ETHR_REGISTRIES)})")
            registry_address = ETHR_REGISTRIES[chain_id]
        if not isinstance(registry_address, str) or not re.fullmatch(r"0x[0-9a-fA-F]{40}", registry_address):
            raise InvalidInputError(f"the registry address {registry_address!r} is not an Ethereum address")
        self.registry = to_checksum_address(registry_address)
        self.network_names: dict[str, int] = dict(network_names or {})
        self._clock = clock
        self.max_history = max_history
        self._endpoint = _endpoint(w3)
        self._times = BlockTimes(self._reader, endpoint=self._endpoint, cache_size=timestamp_cache)
        self._walker = LinkedHistory(self._reader, self.registry, endpoint=self._endpoint)
        self._call_from = to_checksum_address(call_from) if call_from else None
        self.key_format = _key_format(key_format)

    # -- configuration ------------------------------------------------------------------------------------------
    @property
    def chain_id(self) -> int:
        """The chain this resolver reads (asked of the node once when not configured)."""
        if self._chain_id is None:
            with _rpc("reading the chain id", self._endpoint):
                self._chain_id = int(self._reader.eth.chain_id)
        return self._chain_id

    def did_for(self, address_or_key: str | bytes) -> str:
        """The did:ethr of an address (or compressed public key) on this resolver's chain."""
        return ethr_did(address_or_key, self.chain_id)

    def parse(self, did: str) -> EthrDID:
        """Parse ``did`` and check it is anchored on this resolver's chain (else :class:`UnsupportedNetworkError`)."""
        parsed = parse_ethr_did(did, self.network_names)
        if parsed.chain_id != self.chain_id:
            where = f"network {parsed.network!r} (chain id {parsed.chain_id})" if parsed.network else \
                "Ethereum mainnet (chain id 1: the DID names no network)"
            raise UnsupportedNetworkError(
                f"cannot resolve {did}: it is anchored on {where}, but this resolver reads chain {self.chain_id} "
                f"(registry {self.registry})", did=did, network=parsed.network, chain_id=parsed.chain_id)
        return parsed

    # -- chain reads --------------------------------------------------------------------------------------------
    def changed(self, identity: str) -> int:
        """``changed(identity)``: the block of the identity's latest change (0 if none). One ``eth_call``."""
        identity = to_checksum_address(identity)
        data = "0x" + (_SELECTOR_CHANGED + bytes(12) + bytes.fromhex(identity[2:])).hex()
        what = f"reading the history head of {identity} from the ERC-1056 registry {self.registry}"
        call: TxParams = {"to": self.registry, "data": HexStr(data)}
        try:
            with _rpc(what, self._endpoint):
                if self._call_from is None:
                    sender = call_sender(self.w3)
                    self._call_from = to_checksum_address(sender) if sender else None
                if self._call_from is not None:
                    call["from"] = self._call_from
                raw = eth_call(self._reader, call)
        except (UnknownRevertError, ContractRevert) as exc:
            raise EthrRegistryNotFoundError(
                    f"{what}: the contract at {self.registry} on chain {self.chain_id} reverted changed(address): "
                f"it is not an ERC-1056 registry") from exc
        answer = _bytes(raw, "the result of changed(address)")
        if not answer:
            self._no_registry(what)
        if len(answer) != 32:
            raise DIDNetworkError(f"{what}: {self._endpoint} answered {len(answer)} bytes where changed(address) "
                                  f"returns 32")
        return int.from_bytes(answer, "big")

    def _no_registry(self, what: str) -> None:
        with _rpc(what, self._endpoint):
            code = self._reader.eth.get_code(self.registry)
        if not code:
            raise EthrRegistryNotFoundError(
                f"{what}: there is no contract at {self.registry} on chain {self.chain_id} (check the registry "
                f"address and the network)")
        raise EthrRegistryNotFoundError(
            f"{what}: the contract at {self.registry} on chain {self.chain_id} answered nothing to changed(address):"
            f" it is not an ERC-1056 registry")

    def _decode(self, log: Any, identity: str, topic: str, block: int, what: str) -> RegistryEvent | None:
        try:
            if log.get("removed"):
                return None
            address = log["address"]
            topics = [_hex(t, "a log topic") for t in log["topics"]]
            data = _bytes(log["data"], "log data")
            number = _int(log["blockNumber"], "a log's blockNumber")
            common = _Where(
                identity=identity,
                block_number=number,
                block_hash=_hex(log["blockHash"], "a log's blockHash"),
                log_index=_int(log["logIndex"], "a log's logIndex"),
                transaction_hash=_hex(log["transactionHash"], "a log's transactionHash"),
                block_timestamp=(_int(log["blockTimestamp"], "a log's blockTimestamp")
                                 if log.get("blockTimestamp") is not None else None),
            )
        except DIDNetworkError as exc:
            raise DIDNetworkError(f"{what}: {exc}") from exc
        except (KeyError, AttributeError, TypeError) as exc:
            raise DIDNetworkError(f"{what}: {self._endpoint} answered a log without {exc}") from exc
        if (not isinstance(address, str) or address.lower() != self.registry.lower() or number != block
                or len(topics) != 2 or topics[1] != topic or topics[0] not in _EVENT_TOPICS):
            raise DIDNetworkError(
                f"{what}: {self._endpoint} answered a log that does not match the query (address {address}, "
                f"block {number}, topics {topics})")
        try:
            if topics[0] == TOPIC_OWNER_CHANGED:
                owner, prev = abi_decode(["address", "uint256"], data)
                return OwnerChanged(**common, previous_change=prev, owner=to_checksum_address(owner))
            if topics[0] == TOPIC_DELEGATE_CHANGED:
                dtype, delegate, valid_to, prev = abi_decode(["bytes32", "address", "uint256", "uint256"], data)
                return DelegateChanged(**common, previous_change=prev, delegate_type=dtype,
                                       delegate=to_checksum_address(delegate), valid_to=valid_to)
            name, value, valid_to, prev = abi_decode(["bytes32", "bytes", "uint256", "uint256"], data)
            return AttributeChanged(**common, previous_change=prev, name=name, value=value, valid_to=valid_to)
        except (DecodingError, ValueError, TypeError, OverflowError) as exc:
            raise DIDNetworkError(f"{what}: the data of an event cannot be decoded ({exc})") from exc

    def history(self, identity: str) -> tuple[RegistryEvent, ...]:
        """Every ERC-1056 event of ``identity``, oldest first, walking the ``previousChange`` links with the chain's
        linked-history walker: 1 + K requests for K changed blocks; never a block without a change."""
        identity = to_checksum_address(identity)
        head = self.changed(identity)
        topic = "0x" + "00" * 12 + identity[2:].lower()

        def decode(log: Any, block: int) -> list[RegistryEvent]:
            what = f"reading the ERC-1056 events of {identity} in block {block}"
            ev = self._decode(log, identity, topic, block, what)
            return [ev] if ev is not None else []

        what = f"reading the ERC-1056 history of {identity} in the registry {self.registry}"
        try:
            with _rpc(what, self._endpoint):
                events = self._walker.walk(head, decode, subject=identity, topics=[list(_EVENT_TOPICS), topic],
                                           max_blocks=self.max_history, what=what)
        except HistoryTooLongError as exc:
            raise EthrHistoryTooLongError(str(exc), did=None) from exc
        return tuple(events)

    # -- block times --------------------------------------------------------------------------------------------
    def _block_time(self, block: int | str) -> int:
        """Unix time of a block given by number or hash (hashes are cached: their time never changes)."""
        what = f"reading the time of block {block}"
        try:
            with _rpc(what, self._endpoint):
                return self._times.of(block, what=what)
        except BlockNotFoundError:
            if isinstance(block, int):
                raise InvalidResolutionOptionsError(
                    f"block {block} is not mined yet on chain {self.chain_id}") from None
            raise DIDNetworkError(f"{what}: {self._endpoint} no longer knows block {block} (a reorg?)") from None

    def _event_time(self, ev: RegistryEvent) -> int:
        if ev.block_timestamp is not None:
            self._times.remember(ev.block_hash, ev.block_timestamp)
            return ev.block_timestamp
        return self._block_time(ev.block_hash)

    # -- snapshot -----------------------------------------------------------------------------------------------
    def snapshot(self, identity: str, *, at: datetime | float | None = None,
                 block: int | None = None) -> IdentitySnapshot:
        """The identity as of ``at`` (a timezone-aware datetime or unix seconds) or as of ``block``; latest when
        neither is given. Events after that point are left out; validities are evaluated at that time."""
        at_time, at_block = _options(at, block)
        identity = to_checksum_address(identity)
        events = self.history(identity)
        firsts: dict[int, RegistryEvent] = {}
        for ev in events:
            firsts.setdefault(ev.block_number, ev)
        blocks = sorted(firsts)
        if at_block is not None:
            cut = bisect.bisect_right(blocks, at_block)
            evaluated = (self._event_time(firsts[at_block]) if at_block in firsts
                         else self._block_time(at_block))
        elif at_time is not None:
            cut = self._cut_by_time(blocks, firsts, at_time)
            evaluated = at_time
        else:
            cut = len(blocks)
            evaluated = int(self._clock())
        version = blocks[cut - 1] if cut else None
        nxt = blocks[cut] if cut < len(blocks) else None
        included = tuple(ev for ev in events if version is not None and ev.block_number <= version)
        owner, deactivated, attrs, dels = _live_entries(included, evaluated)
        return IdentitySnapshot(
            identity=identity,
            events=included,
            evaluated_at=evaluated,
            at_block=at_block,
            version_block=version,
            version_time=self._event_time(firsts[version]) if version is not None else None,
            next_block=nxt,
            next_time=self._event_time(firsts[nxt]) if nxt is not None else None,
            owner=owner if included else identity,
            deactivated=deactivated,
            live_attributes=tuple(attrs),
            live_delegates=tuple(dels),
        )

    def _cut_by_time(self, blocks: list[int], firsts: dict[int, RegistryEvent], t: int) -> int:
        """How many of the changed ``blocks`` have a time <= ``t``: the latest first (the usual case), then the
        earliest, then a bisection."""
        if not blocks:
            return 0
        if self._event_time(firsts[blocks[-1]]) <= t:
            return len(blocks)
        if self._event_time(firsts[blocks[0]]) > t:
            return 0
        lo, hi = 1, len(blocks) - 1  # blocks[lo - 1] <= t < blocks[hi]
        while lo < hi:
            mid = (lo + hi) // 2
            if self._event_time(firsts[blocks[mid]]) <= t:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # -- resolution ---------------------------------------------------------------------------------------------
    def resolve(self, did: str, at: datetime | float | None = None, *, block: int | None = None,
                key_format: str | None = None) -> DIDResolutionResult:
        """Resolve ``did`` as of ``at`` (timezone-aware datetime or unix seconds) or ``block`` (the
        specification's ``versionTime`` / ``versionId``); the latest state when neither is given. ``key_format``
        overrides the resolver's for this document.

        Raises :class:`MalformedDIDError`, :class:`UnsupportedNetworkError`, :class:`EthrRegistryNotFoundError`,
        :class:`InvalidResolutionOptionsError`, :class:`DIDNetworkError` (RPC down or answering garbage).
        """
        fmt = self.key_format if key_format is None else _key_format(key_format)
        parsed = self.parse(did)
        snap = self.snapshot(parsed.address, at=at, block=block)
        return build_result(parsed, snap, self.chain_id, key_format=fmt)

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        """The :class:`~microcred.did.Resolver` plug-in: ``resolver.register("ethr", ethr_resolver)``."""
        return self.resolve(did, at)

    def __repr__(self) -> str:
        return f"EthrResolver(chain_id={self._chain_id}, registry={self.registry!r})"


class EthrNetworks:
    """Resolves did:ethr DIDs of several chains, each with its own :class:`EthrResolver`."""

    def __init__(self, resolvers: list[EthrResolver] | tuple[EthrResolver, ...]) -> None:
        self._by_chain = {r.chain_id: r for r in resolvers}
        self._names: dict[str, int] = {}
        for r in resolvers:
            self._names.update(r.network_names)

    def resolve(self, did: str, at: datetime | float | None = None, *, block: int | None = None,
                key_format: str | None = None) -> DIDResolutionResult:
        """Resolve ``did`` with the resolver of its chain (:meth:`EthrResolver.resolve`)."""
        parsed = parse_ethr_did(did, self._names)
        resolver = self._by_chain.get(parsed.chain_id)
        if resolver is None:
            raise UnsupportedNetworkError(
                f"cannot resolve {did}: no connection to chain {parsed.chain_id} (connected: "
                f"{', '.join(str(c) for c in sorted(self._by_chain)) or 'none'})",
                did=did, network=parsed.network, chain_id=parsed.chain_id)
        return resolver.resolve(did, at, block=block, key_format=key_format)

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        """The :class:`~microcred.did.Resolver` plug-in."""
        return self.resolve(did, at)


def _key_format(value: object) -> str:
    if value not in KEY_FORMATS:
        raise InvalidResolutionOptionsError(
            f"unknown did:ethr key format {value!r}: one of {', '.join(KEY_FORMATS)}")
    return str(value)


def _options(at: datetime | float | None, block: int | None) -> tuple[int | None, int | None]:
    if at is not None and block is not None:
        raise InvalidResolutionOptionsError("give 'at' (versionTime) or 'block' (versionId), not both")
    if block is not None:
        if not isinstance(block, int) or isinstance(block, bool) or block < 0:
            raise InvalidResolutionOptionsError(f"'block' must be a block number, got {block!r}")
        return None, block
    if at is None:
        return None, None
    if isinstance(at, datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise InvalidResolutionOptionsError(f"'at' must be timezone-aware, got {at.isoformat()}")
        return int(at.timestamp() // 1), None
    if isinstance(at, (int, float)) and not isinstance(at, bool) and at >= 0:
        return int(at // 1), None
    raise InvalidResolutionOptionsError(f"'at' must be a datetime or unix seconds, got {at!r}")


__all__ = ["EthrNetworks", "EthrResolver", "IdentitySnapshot", "KEY_FORMATS", "build_result"]
