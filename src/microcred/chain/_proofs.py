"""Reading contract storage with proofs (``eth_getProof``, EIP-1186) against the state root of a named block.

A single endpoint can lie in an ``eth_call``; it cannot make a storage proof that verifies against a state root it
did not commit to. :func:`read_block` takes a block's header and checks that its hash is the hash of its fields
(so the ``stateRoot`` is the one the block hash commits to); :func:`prove_storage` verifies the account proof of a
contract and the storage proof of each slot against that root, here, with the ``trie`` package; the endpoint's own
``value`` is compared to what the proof proves. What is left to trust is the block hash: with one endpoint, that
endpoint (the :class:`TrustedBlock` says so); with more, :func:`confirm_block` asks the others for the same block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import rlp
from eth_utils import keccak, to_checksum_address
from trie import HexaryTrie
from trie.exceptions import BadTrieProof
from web3 import Web3
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint

from microcred.chain._adapter import supports_batch
from microcred.chain._errors import RPCResponseError
from microcred.chain._rpc import rpc_guard

__all__ = ["BlockMismatchError", "ProofError", "TrustedBlock", "confirm_block", "header_hash", "mapping_slot",
           "prove_storage", "read_and_prove", "read_block"]

_EMPTY_TRIE = keccak(rlp.encode(b""))


class ProofError(RPCResponseError):
    """An endpoint's block header or storage proof does not hold: it answered something the chain did not commit to."""


class BlockMismatchError(RPCResponseError):
    """Two endpoints give different blocks for the same number: one of them is lying or on another fork."""


@dataclass(frozen=True)
class TrustedBlock:
    """The block a proven read is anchored in, and whom it was trusted from."""

    number: int
    hash: str
    state_root: str
    timestamp: int
    #: the endpoint whose header and proofs were used
    endpoint: str
    #: other endpoints that gave the same block hash (empty: a single source was trusted)
    confirmed_by: tuple[str, ...] = ()

    @property
    def single_source(self) -> bool:
        return not self.confirmed_by

    def describe(self) -> str:
        where = f"block {self.number} ({self.hash})"
        if self.single_source:
            return f"{where}, one source trusted: {self.endpoint}"
        return f"{where} from {self.endpoint}, confirmed by {', '.join(self.confirmed_by)}"


# -- raw JSON-RPC ---------------------------------------------------------------------------------------------------


def _request(w3: Web3, method: str, params: list[Any], *, what: str, endpoint: str) -> Any:
    with rpc_guard(what, endpoint=endpoint):
        response = w3.provider.make_request(RPCEndpoint(method), params)
    if not isinstance(response, dict):
        raise RPCResponseError(f"{what}: {endpoint} answered {type(response).__name__}, not a JSON-RPC response")
    if response.get("error") is not None:
        raise RPCResponseError(f"{what}: {endpoint} answered with an error: {response['error']}")
    return response.get("result")


def _hex(value: Any, what: str, *, size: int | None = None) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    elif isinstance(value, str) and re.fullmatch(r"0x(?:[0-9a-fA-F]{2})*", value):
        raw = bytes.fromhex(value[2:])
    else:
        raise ProofError(f"{what} is not hex data: {value!r:.80}")
    if size is not None and len(raw) != size:
        raise ProofError(f"{what} has {len(raw)} bytes, not {size}")
    return raw


def _quantity(value: Any, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{1,64}", value):
        return int(value, 16)
    raise ProofError(f"{what} is not a quantity: {value!r:.80}")


def _int_bytes(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""


# -- blocks ---------------------------------------------------------------------------------------------------------

#: header fields in RLP order, with their sizes (None: a quantity; 0: bytes of any length); the fields after
#: ``nonce`` came with London, Shanghai, Cancun and Prague, and are present only from those forks on
_HEADER = (
    ("parentHash", 32), ("sha3Uncles", 32), ("miner", 20), ("stateRoot", 32), ("transactionsRoot", 32),
    ("receiptsRoot", 32), ("logsBloom", 256), ("difficulty", None), ("number", None), ("gasLimit", None),
    ("gasUsed", None), ("timestamp", None), ("extraData", 0), ("mixHash", 32), ("nonce", 8),
    ("baseFeePerGas", None), ("withdrawalsRoot", 32), ("blobGasUsed", None), ("excessBlobGas", None),
    ("parentBeaconBlockRoot", 32), ("requestsHash", 32),
)
_OPTIONAL_FROM = 15  # baseFeePerGas


def header_hash(header: dict[str, Any]) -> bytes:
    """keccak256 of the RLP of a block header given as JSON-RPC returns it."""
    fields: list[bytes] = []
    for i, (name, size) in enumerate(_HEADER):
        if name not in header or header[name] is None:
            if i < _OPTIONAL_FROM:
                raise ProofError(f"the block header has no {name}")
            if any(header.get(n) is not None for n, _ in _HEADER[i:]):
                raise ProofError(f"the block header has fields after the missing {name}")
            break
        value = header[name]
        if size is None:
            fields.append(_int_bytes(_quantity(value, f"the header's {name}")))
        else:
            fields.append(_hex(value, f"the header's {name}", size=size or None))
    return keccak(rlp.encode(fields))


def read_block(w3: Web3, block: int | str = "latest", *, endpoint: str = "the RPC endpoint") -> TrustedBlock:
    """The header of ``block`` (a number or ``latest``), its hash checked against its fields. One request."""
    tag = hex(block) if isinstance(block, int) else block
    what = f"reading the header of block {block}"
    header = _request(w3, "eth_getBlockByNumber", [tag, False], what=what, endpoint=endpoint)
    return _trusted_header(header, block, what=what, endpoint=endpoint)


def _trusted_header(header: Any, block: int | str, *, what: str, endpoint: str) -> TrustedBlock:
    """The :class:`TrustedBlock` of a header as JSON-RPC returns it, once its hash is the hash of its fields."""
    if not isinstance(header, dict):
        raise RPCResponseError(f"{what}: {endpoint} knows no block {block}")
    claimed = _hex(header.get("hash"), "the block hash", size=32)
    if header_hash(header) != claimed:
        raise ProofError(f"{what}: the header {endpoint} sent does not hash to the block hash it claims "
                         f"(0x{claimed.hex()}): its state root cannot be trusted")
    number = _quantity(header["number"], "the block number")
    if isinstance(block, int) and number != block:
        raise ProofError(f"{what}: {endpoint} sent block {number} instead")
    return TrustedBlock(number=number, hash="0x" + claimed.hex(),
                        state_root="0x" + _hex(header["stateRoot"], "the state root", size=32).hex(),
                        timestamp=_quantity(header["timestamp"], "the block time"), endpoint=endpoint)


def confirm_block(trusted: TrustedBlock, others: Sequence[tuple[Web3, str]]) -> TrustedBlock:
    """``trusted`` confirmed by each of ``others`` (``(w3, endpoint)``): each must give the same hash for the same
    number, else :class:`BlockMismatchError`. One request per other endpoint."""
    agreed = list(trusted.confirmed_by)
    for w3, endpoint in others:
        what = f"confirming block {trusted.number} with {endpoint}"
        header = _request(w3, "eth_getBlockByNumber", [hex(trusted.number), False], what=what, endpoint=endpoint)
        if not isinstance(header, dict):
            raise BlockMismatchError(f"{what}: {endpoint} knows no block {trusted.number} (behind, or another chain)")
        theirs = "0x" + _hex(header.get("hash"), "the block hash", size=32).hex()
        if theirs != trusted.hash:
            raise BlockMismatchError(
                f"{what}: {trusted.endpoint} says block {trusted.number} is {trusted.hash}, {endpoint} says "
                f"{theirs}: one of them is lying (or on another fork); nothing read from them can be trusted")
        agreed.append(endpoint)
    return TrustedBlock(trusted.number, trusted.hash, trusted.state_root, trusted.timestamp, trusted.endpoint,
                        tuple(agreed))


# -- storage --------------------------------------------------------------------------------------------------------


def mapping_slot(key: int | bytes | str, base: int) -> int:
    """The storage slot of ``mapping[key]`` for a Solidity mapping at slot ``base`` (key: a uint, 32 bytes or an
    address)."""
    if isinstance(key, str):
        raw = bytes.fromhex(to_checksum_address(key)[2:]).rjust(32, b"\0")
    elif isinstance(key, int):
        raw = key.to_bytes(32, "big")
    else:
        raw = bytes(key).rjust(32, b"\0")
    return int.from_bytes(keccak(raw + base.to_bytes(32, "big")), "big")


def _proof_nodes(nodes: Any, what: str) -> list[Any]:
    if not isinstance(nodes, list):
        raise ProofError(f"{what} is not a list of nodes")
    try:
        return [rlp.decode(_hex(n, what)) for n in nodes]
    except rlp.DecodingError as exc:
        raise ProofError(f"{what} holds a node that is not RLP ({exc})") from exc


def _from_proof(root: bytes, key: bytes, nodes: list[Any], what: str) -> bytes:
    if root == _EMPTY_TRIE:
        return b""
    try:
        return HexaryTrie.get_from_proof(root, key, nodes)
    except (BadTrieProof, ValueError, TypeError, IndexError, KeyError, rlp.DecodingError) as exc:
        raise ProofError(f"{what} does not verify against the root 0x{root.hex()} ({type(exc).__name__}: {exc})"
                         ) from exc


def prove_storage(w3: Web3, address: str, slots: Sequence[int], trusted: TrustedBlock, *,
                  endpoint: str = "the RPC endpoint") -> dict[int, int]:
    """The values of storage ``slots`` of the contract at ``address`` in the block ``trusted``, proven against its
    state root (one ``eth_getProof``). :class:`ProofError` when a proof does not hold or the endpoint's stated
    value differs from the proven one."""
    address = to_checksum_address(address)
    wanted = list(dict.fromkeys(int(s) for s in slots))
    what = f"proving {len(wanted)} storage slot(s) of {address} in block {trusted.number}"
    result = _request(w3, "eth_getProof", [address, _slot_keys(wanted), hex(trusted.number)], what=what,
                      endpoint=endpoint)
    return _proven_values(result, address, wanted, trusted, what=what, endpoint=endpoint)


def read_and_prove(w3: Web3, address: str, slots: Sequence[int], block: int | str = "latest", *,
                   endpoint: str = "the RPC endpoint") -> tuple[TrustedBlock, dict[int, int]]:
    """:func:`read_block` and :func:`prove_storage` together. For the latest block, where the provider takes
    JSON-RPC batches, the header and the proof are asked in one request, both of ``latest``; should a block land
    between the two, the proof cannot hold against the header, and both are asked again for the header's number
    (a lying endpoint is caught there, as always). Otherwise two requests."""
    address = to_checksum_address(address)
    wanted = list(dict.fromkeys(int(s) for s in slots))
    if block == "latest" and wanted and supports_batch(w3) and isinstance(w3.provider, JSONBaseProvider):
        what = f"reading the latest block and proving {len(wanted)} storage slot(s) of {address}"
        header, result = _batch(w3, [("eth_getBlockByNumber", ["latest", False]),
                                     ("eth_getProof", [address, _slot_keys(wanted), "latest"])],
                                what=what, endpoint=endpoint)
        trusted = _trusted_header(header, block, what=what, endpoint=endpoint)
        try:
            return trusted, _proven_values(result, address, wanted, trusted, what=what, endpoint=endpoint)
        except ProofError:
            block = trusted.number
    trusted = read_block(w3, block, endpoint=endpoint)
    return trusted, prove_storage(w3, address, wanted, trusted, endpoint=endpoint) if wanted else {}


def _slot_keys(slots: Sequence[int]) -> list[str]:
    return ["0x" + s.to_bytes(32, "big").hex() for s in slots]


def _batch(w3: Web3, calls: list[tuple[str, list[Any]]], *, what: str, endpoint: str) -> list[Any]:
    """The results of ``calls`` sent as one JSON-RPC batch, in their order."""
    provider = w3.provider
    assert isinstance(provider, JSONBaseProvider)  # the caller checked that it takes batches
    with rpc_guard(what, endpoint=endpoint):
        responses = provider.make_batch_request([(RPCEndpoint(method), params) for method, params in calls])
    if not isinstance(responses, list) or len(responses) != len(calls):
        error = responses.get("error") if isinstance(responses, dict) else None
        raise RPCResponseError(f"{what}: {endpoint} did not answer the batch of {len(calls)} requests"
                               + (f" ({error})" if error else ""))
    results = []
    for (method, _), response in zip(calls, responses):
        if not isinstance(response, dict) or response.get("error") is not None:
            problem = response.get("error") if isinstance(response, dict) else type(response).__name__
            raise RPCResponseError(f"{what}: {endpoint} answered {method} with an error: {problem}")
        results.append(response.get("result"))
    return results


def _proven_values(result: Any, address: str, wanted: list[int], trusted: TrustedBlock, *, what: str,
                   endpoint: str) -> dict[int, int]:
    """The values an ``eth_getProof`` ``result`` proves for ``wanted`` slots against ``trusted``'s state root."""
    if not isinstance(result, dict):
        raise ProofError(f"{what}: {endpoint} answered no proof")
    state_root = bytes.fromhex(trusted.state_root[2:])
    account = _from_proof(state_root, keccak(bytes.fromhex(address[2:])),
                          _proof_nodes(result.get("accountProof"), f"{what}: the account proof"),
                          f"{what}: the account proof")
    if not account:
        raise ProofError(f"{what}: the state proves there is no account at {address} (no contract there)")
    try:
        _nonce, _balance, storage_root, code_hash = rlp.decode(account)
    except (rlp.DecodingError, ValueError) as exc:
        raise ProofError(f"{what}: the proven account is not an account record ({exc})") from exc
    if _hex(result.get("storageHash"), "the storage hash", size=32) != storage_root:
        raise ProofError(f"{what}: {endpoint} states a storage root other than the one the account proof proves")
    if _hex(result.get("codeHash"), "the code hash", size=32) != code_hash:
        raise ProofError(f"{what}: {endpoint} states a code hash other than the one the account proof proves")
    proofs = result.get("storageProof")
    if not isinstance(proofs, list):
        raise ProofError(f"{what}: {endpoint} answered no storage proofs")
    by_slot: dict[int, dict[str, Any]] = {}
    for entry in proofs:
        if isinstance(entry, dict):
            by_slot[_quantity(entry.get("key"), "a storage proof's key")] = entry
    values: dict[int, int] = {}
    for slot in wanted:
        entry = by_slot.get(slot)
        if entry is None:
            raise ProofError(f"{what}: {endpoint} sent no proof for slot 0x{slot:064x}")
        proven = _from_proof(storage_root, keccak(slot.to_bytes(32, "big")),
                             _proof_nodes(entry.get("proof"), f"{what}: the proof of slot 0x{slot:064x}"),
                             f"{what}: the proof of slot 0x{slot:064x}")
        try:
            value = int.from_bytes(rlp.decode(proven), "big") if proven else 0
        except rlp.DecodingError as exc:
            raise ProofError(f"{what}: the proven value of slot 0x{slot:064x} is not RLP ({exc})") from exc
        if _quantity(entry.get("value"), "a storage proof's value") != value:
            raise ProofError(f"{what}: {endpoint} states slot 0x{slot:064x} = {entry.get('value')}, but its own "
                             f"proof proves {hex(value)}")
        values[slot] = value
    return values
