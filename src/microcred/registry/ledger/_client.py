"""Typed client of the CredentialRegistry contract, over an injected :class:`web3.Web3`.

Reads cost one ``eth_call`` however many indexes or roots they name; writes go through a :class:`TxSender`
(injected signer) and raise the contract's custom errors, decoded, before any gas is spent. The history of an
issuer is walked through the linked ``previousChange`` of its events: one ``eth_getLogs`` per changed block.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any
from collections.abc import Iterable, Sequence

from eth_account.signers.base import BaseAccount
from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3

from microcred.errors import InvalidInputError
from microcred.chain._address import checked_address
from microcred.chain._blocks import block_id
from microcred.chain._connect import Chain
from microcred.chain._contract import ContractClient
from microcred.chain._errors import RPCResponseError
from microcred.chain._proofs import TrustedBlock, confirm_block, mapping_slot, read_and_prove
from microcred.chain._rpc import rpc_guard
from microcred.chain._tx import PreparedTx, Receipt

__all__ = ["Status", "Batch", "BATCHES_SLOT", "HistoryEvent", "ProvenState", "ProvenStatus", "RegistryClient",
           "REASONS", "STATUS_SLOT", "reason_code", "reason_label", "registry_client"]

#: storage slot of ``CredentialRegistry._batches``: ``mapping(address issuer => mapping(bytes32 root => Batch))``;
#: a ``Batch`` fills one slot (``firstIndex``, ``count``, ``anchoredAt``, ``blockNumber``: 64 bits each, from the
#: lowest)
BATCHES_SLOT = 1
#: storage slot of ``CredentialRegistry._status``: ``mapping(address issuer => mapping(uint256 word => uint256))``
STATUS_SLOT = 2


class Status(IntEnum):
    ACTIVE = 0
    SUSPENDED = 1
    REVOKED = 2

    @property
    def label(self) -> str:
        return self.name.lower()


#: each status by its two-bit value (3 is no status)
_STATUS_OF: tuple[Status, ...] = tuple(sorted(Status))

#: Documented reason codes of status changes (uint8 on chain). 0 is "unspecified".
REASONS: dict[int, str] = {
    0: "unspecified",
    1: "issued-in-error",
    2: "fraud",
    3: "assessment-annulled",
    4: "holder-request",
    5: "under-investigation",
    6: "superseded",
    7: "issuer-key-compromised",
    8: "investigation-closed",
}


def reason_code(value: str | int) -> int:
    """Parse a reason given as a code (``2``) or a name (``fraud``)."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        code = int(value)
        if not 0 <= code <= 255:
            raise InvalidInputError(f"a reason code is 0 to 255, not {code}")
        return code
    for code, label in REASONS.items():
        if label == str(value).strip().lower():
            return code
    raise InvalidInputError(
        f"unknown reason {value!r}; use one of: " + ", ".join(f"{c} {n}" for c, n in REASONS.items())
    )


def reason_label(code: int) -> str:
    return REASONS.get(code, f"reason-{code}")


@dataclass(frozen=True)
class Batch:
    issuer: str
    root: str
    first_index: int
    count: int
    anchored_at: int
    block_number: int

    def covers(self, index: int) -> bool:
        return self.first_index <= index < self.first_index + self.count


@dataclass(frozen=True)
class HistoryEvent:
    """One change of an issuer, from the chain's events."""

    kind: str  # anchored | revoked | suspended | reinstated | operator-authorized
    issuer: str
    block_number: int
    tx_hash: str
    log_index: int
    previous_change: int
    data: dict[str, Any] = field(default_factory=dict)
    time: int | None = None


_EVENT_KINDS = {
    "BatchAnchored": "anchored",
    "CredentialsRevoked": "revoked",
    "CredentialsSuspended": "suspended",
    "CredentialsReinstated": "reinstated",
    "OperatorAuthorized": "operator-authorized",
}


def _bytes32(value: bytes | str, what: str) -> bytes:
    if isinstance(value, str):
        text = value[2:] if value.startswith("0x") else value
        try:
            value = bytes.fromhex(text)
        except ValueError:
            raise InvalidInputError(f"{what} must be 32 bytes in hex, not {value!r}") from None
    if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
        raise InvalidInputError(f"{what} must be 32 bytes")
    return bytes(value)


def _indexes(values: Iterable[int]) -> list[int]:
    result = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v >= 2**64:
            raise InvalidInputError(f"a status index is a whole number from 0 to 2^64-1, not {v!r}")
        result.append(v)
    return result


@dataclass(frozen=True)
class ProvenStatus:
    """Statuses read from storage proofs: ``statuses`` in the order asked, the proven ``words`` (word index →
    word) and the ``block`` they were proven in, with whom it was trusted from."""

    statuses: list[Status]
    words: dict[int, int]
    block: TrustedBlock


@dataclass(frozen=True)
class ProvenState:
    """What :meth:`RegistryClient.verification_state` answers, read from storage proofs instead: the batch of each
    root asked (``None``: not anchored by the issuer), the status of each index, the proven status ``words`` and
    the ``block`` it was all proven in."""

    batches: list[Batch | None]
    statuses: list[Status]
    words: dict[int, int]
    block: TrustedBlock


def _unpack_batch(issuer: str, root: bytes, word: int) -> Batch | None:
    first, count, anchored_at, block_number = ((word >> shift) & (2**64 - 1) for shift in (0, 64, 128, 192))
    return None if count == 0 else Batch(issuer, "0x" + root.hex(), first, count, anchored_at, block_number)


class RegistryClient(ContractClient):
    """The CredentialRegistry at ``address``.

    ``sender`` signs and sends writes; read-only use needs none. ``endpoint`` names the RPC in messages.
    """

    CONTRACT = "CredentialRegistry"
    ADDRESS = "the registry address"
    KIND = "contract"
    HINT = "deploy it (`microcred deploy`) or fix the network"
    CLIENT = "registry"

    # -- reads ----------------------------------------------------------------------------------------------------
    def status_of(self, issuer: str, indexes: Sequence[int], *, block: int | str = "latest") -> list[Status]:
        """Status of many indexes of ``issuer`` in one ``eth_call``."""
        idx = _indexes(indexes)
        if not idx:
            return []
        (raw,) = self._call_encoded("reading credential status", "statusOf",
                                    [checked_address(issuer, "issuer"), idx], block)
        if len(raw) != len(idx):
            raise RPCResponseError(f"reading credential status: {self.endpoint} answered {len(raw)} values for "
                                   f"{len(idx)} indexes")
        try:
            return [Status(int(v)) for v in raw]
        except ValueError as exc:
            raise RPCResponseError(f"reading credential status: an unknown status value ({exc})") from exc

    def status_words(self, issuer: str, words: Sequence[int], *, block: int | str = "latest") -> list[int]:
        """Raw status words (128 credentials each) of ``issuer``."""
        return list(self._call("reading status words",
                               self.contract.functions.statusWords(checked_address(issuer, "issuer"), _indexes(words)),
                               block))

    def proven_status_words(self, issuer: str, words: Sequence[int], *, block: int | str = "latest",
                            confirm: Sequence[tuple[Web3, str]] = ()) -> tuple[dict[int, int], TrustedBlock]:
        """Status words of ``issuer`` read with ``eth_getProof`` and verified here against the state root of
        ``block`` (a number or ``latest``), whose header hash is checked too; with ``confirm`` (other endpoints as
        ``(w3, endpoint)``), the block hash must be theirs as well. Requests: 1 for the latest block where the
        provider takes batches (else 2), plus 1 per other endpoint."""
        proven = self.proven_state(issuer, [], [w << 7 for w in _indexes(words)], block=block, confirm=confirm)
        return proven.words, proven.block

    def proven_status_of(self, issuer: str, indexes: Sequence[int], *, block: int | str = "latest",
                         confirm: Sequence[tuple[Web3, str]] = ()) -> ProvenStatus:
        """Statuses of ``indexes`` of ``issuer`` from storage proofs (:meth:`proven_status_words`): 128 per word,
        two bits each, so 1,000 credentials are 8 proven slots in one ``eth_getProof``."""
        proven = self.proven_state(issuer, [], indexes, block=block, confirm=confirm)
        return ProvenStatus(proven.statuses, proven.words, proven.block)

    def proven_state(self, issuer: str, roots: Sequence[bytes | str], indexes: Sequence[int], *,
                     block: int | str = "latest", confirm: Sequence[tuple[Web3, str]] = ()) -> ProvenState:
        """:meth:`verification_state` (batch records of ``roots``, statuses of ``indexes``) from storage proofs:
        the batch slots and the status words in one ``eth_getProof``, verified against the state root of
        ``block`` (1 request for the latest block, header and proof batched, where the provider takes batches;
        else 2; plus 1 per endpoint in ``confirm``), so that nothing rests on one endpoint's word but the block
        hash."""
        issuer = checked_address(issuer, "issuer")
        rs = [_bytes32(r, "a batch root") for r in roots]
        idx = _indexes(indexes)
        status_base, batch_base = mapping_slot(issuer, STATUS_SLOT), mapping_slot(issuer, BATCHES_SLOT)
        word_slots = {w: mapping_slot(w, status_base) for w in sorted({i >> 7 for i in idx})}
        root_slots = {r: mapping_slot(r, batch_base) for r in dict.fromkeys(rs)}
        slots = [*word_slots.values(), *root_slots.values()]
        trusted, values = read_and_prove(self.w3, self.address, slots, block, endpoint=self.endpoint)
        if confirm:  # the block hash the proofs hold against, confirmed by the other endpoints
            trusted = confirm_block(trusted, confirm)
        words = {w: values[slot] for w, slot in word_slots.items()}
        try:  # by table: calling the enum for each of 1,000 indexes took most of a millisecond
            statuses = [_STATUS_OF[(words[i >> 7] >> ((i & 127) << 1)) & 3] for i in idx]
        except IndexError:
            raise RPCResponseError("reading credential status: a proven status word holds an unknown status "
                                   "(3)") from None
        batches = [_unpack_batch(issuer, r, values[root_slots[r]]) for r in rs]
        return ProvenState(batches, statuses, words, trusted)

    def batch_of(self, issuer: str, root: bytes | str, *, block: int | str = "latest") -> Batch | None:
        return self.batches_of(issuer, [root], block=block)[0]

    def batches_of(self, issuer: str, roots: Sequence[bytes | str], *,
                   block: int | str = "latest") -> list[Batch | None]:
        """Batch records of several roots of ``issuer`` in one call; ``None`` where not anchored by it."""
        issuer = checked_address(issuer, "issuer")
        rs = [_bytes32(r, "a batch root") for r in roots]
        if not rs:
            return []
        raw = self._call("reading batch records", self.contract.functions.batchesOf(issuer, rs), block)
        out: list[Batch | None] = []
        for r, rec in zip(rs, raw):
            first, count, t, bn = rec
            out.append(None if count == 0 else Batch(issuer, "0x" + r.hex(), int(first), int(count), int(t), int(bn)))
        return out

    def verification_state(self, issuer: str, roots: Sequence[bytes | str], indexes: Sequence[int], *,
                           block: int | str = "latest") -> tuple[list[Batch | None], list[Status], int]:
        """Batch records of ``roots``, statuses of ``indexes`` and the history head of ``issuer``: one call."""
        issuer = checked_address(issuer, "issuer")
        rs = [_bytes32(r, "a batch root") for r in roots]
        idx = _indexes(indexes)
        raw_batches, raw_status, last = self._call_encoded("reading the registry", "verificationState",
                                                           [issuer, rs, idx], block)
        if len(raw_batches) != len(rs) or len(raw_status) != len(idx):
            raise RPCResponseError(f"reading the registry: {self.endpoint} answered the wrong number of values")
        batches: list[Batch | None] = []
        for r, (first, count, t, bn) in zip(rs, raw_batches):
            batches.append(None if count == 0 else Batch(issuer, "0x" + r.hex(), int(first), int(count), int(t),
                                                         int(bn)))
        try:
            statuses = [Status(int(v)) for v in raw_status]
        except ValueError as exc:
            raise RPCResponseError(f"reading the registry: an unknown status value ({exc})") from exc
        return batches, statuses, int(last)

    def issuer_state(self, issuer: str, *, block: int | str = "latest") -> tuple[int, int]:
        """(next free index, block of the latest change) of ``issuer``."""
        nxt, last = self._call("reading the issuer's state",
                               self.contract.functions.issuerState(checked_address(issuer, "issuer")), block)
        return int(nxt), int(last)

    def operator_until(self, issuer: str, operator: str) -> int:
        return int(self._call("reading an operator", self.contract.functions.operatorUntil(
            checked_address(issuer, "issuer"), checked_address(operator, "operator"))))

    def verify_inclusion(self, issuer: str, root: bytes | str, leaf: bytes | str, proof: Sequence[bytes | str]) -> bool:
        """The on-chain check of a Merkle inclusion proof (the client checks the same thing offline)."""
        return bool(self._call("checking an inclusion proof", self.contract.functions.verifyInclusion(
            checked_address(issuer, "issuer"), _bytes32(root, "root"), _bytes32(leaf, "leaf"),
            [_bytes32(p, "a proof node") for p in proof])))

    # -- writes ---------------------------------------------------------------------------------------------------
    def _acting_for(self, issuer: str | None) -> str | None:
        sender = self._need_sender()
        if issuer is None or checked_address(issuer, "issuer") == sender.address:
            return None
        return checked_address(issuer, "issuer")

    #: the most status indexes one batch covers, and one ``anchorAhead`` skips (the registry's MAX_BATCH_SIZE)
    MAX_BATCH_SIZE = 65_536

    def prepare_anchor(self, root: bytes | str, first_index: int, count: int, *, issuer: str | None = None,
                       nonce: int | None = None, ahead: bool = False) -> PreparedTx:
        """Sign (not send) the anchoring of ``root``: a revert (overlap, root known, unauthorised) raises here.

        ``ahead`` anchors above the issuer's next free index (``anchorAhead``): the indexes skipped stay reserved
        for batches anchored later. A batch covers at most :attr:`MAX_BATCH_SIZE` indexes.
        """
        sender = self._need_sender()
        r = _bytes32(root, "the batch root")
        first, n = _indexes([first_index, count])
        if n > self.MAX_BATCH_SIZE:  # refused by the registry too; say so before any gas estimate
            raise InvalidInputError(f"a batch covers at most {self.MAX_BATCH_SIZE:,} status indexes, not {n:,}: "
                                    "split it into smaller batches")
        acting = self._acting_for(issuer)
        f = self.contract.functions
        if ahead:
            fn = f.anchorAhead(r, first, n) if acting is None else f.anchorAheadFor(acting, r, first, n)
        else:
            fn = f.anchor(r, first, n) if acting is None else f.anchorFor(acting, r, first, n)
        return sender.prepare(fn, abi=self.abi, what="anchoring a batch", nonce=nonce)

    def anchor(self, root: bytes | str, first_index: int, count: int, *, issuer: str | None = None,
               ahead: bool = False) -> Receipt:
        prepared = self.prepare_anchor(root, first_index, count, issuer=issuer, ahead=ahead)
        sender = self._need_sender()
        sender.broadcast(prepared, what="anchoring a batch")
        return sender.wait(prepared.hash, abi=self.abi, what="anchoring a batch")

    def change_status(self, status: Status, indexes: Sequence[int], reason: int, *,
                      issuer: str | None = None) -> Receipt:
        """Revoke, suspend or reinstate (``status`` = the new status) many indexes in one transaction."""
        sender = self._need_sender()
        idx = _indexes(indexes)
        if not idx:
            raise InvalidInputError("name at least one credential to change")
        code = reason_code(reason)
        acting = self._acting_for(issuer)
        name = {Status.REVOKED: "revoke", Status.SUSPENDED: "suspend", Status.ACTIVE: "reinstate"}[Status(status)]
        f = self.contract.functions
        fn = getattr(f, name)(idx, code) if acting is None else getattr(f, name + "For")(acting, idx, code)
        what = {"revoke": "revoking", "suspend": "suspending", "reinstate": "reinstating"}[name]
        return sender.send(fn, abi=self.abi, what=f"{what} {len(idx)} credential(s)")

    def revoke(self, indexes: Sequence[int], reason: int | str, *, issuer: str | None = None) -> Receipt:
        return self.change_status(Status.REVOKED, indexes, reason_code(reason), issuer=issuer)

    def suspend(self, indexes: Sequence[int], reason: int | str, *, issuer: str | None = None) -> Receipt:
        return self.change_status(Status.SUSPENDED, indexes, reason_code(reason), issuer=issuer)

    def reinstate(self, indexes: Sequence[int], reason: int | str, *, issuer: str | None = None) -> Receipt:
        return self.change_status(Status.ACTIVE, indexes, reason_code(reason), issuer=issuer)

    def authorize_operator(self, operator: str, valid_until: int) -> Receipt:
        if not isinstance(valid_until, int) or not 0 <= valid_until < 2**64:
            raise InvalidInputError(f"valid-until is a unix time, not {valid_until!r}")
        fn = self.contract.functions.authorizeOperator(checked_address(operator, "operator"), valid_until)
        return self._need_sender().send(fn, abi=self.abi, what="authorising an operator")

    # -- history --------------------------------------------------------------------------------------------------
    def decode_log(self, log: Any) -> HistoryEvent | None:
        """A registry log as a :class:`HistoryEvent` (``None`` for a log of another contract or event)."""
        name = self._event_name(log)
        if name is None:
            return None
        ev = getattr(self.contract.events, name)().process_log(log)
        args = dict(ev["args"])
        data: dict[str, Any] = {}
        if name == "BatchAnchored":
            data = {"root": "0x" + bytes(args["root"]).hex(), "first_index": int(args["firstIndex"]),
                    "count": int(args["count"])}
        elif name == "OperatorAuthorized":
            data = {"operator": args["operator"], "valid_until": int(args["validUntil"])}
        else:
            data = {"indexes": [int(i) for i in args["indexes"]], "reason": int(args["reason"]),
                    "reason_label": reason_label(int(args["reason"]))}
        return HistoryEvent(
            kind=_EVENT_KINDS[name], issuer=to_checksum_address(args["issuer"]),
            block_number=int(log["blockNumber"]), tx_hash="0x" + bytes(HexBytes(log["transactionHash"])).hex(),
            log_index=int(log["logIndex"]), previous_change=int(args["previousChange"]), data=data,
        )

    def history(self, issuer: str, *, block: int | str = "latest", with_times: bool = True) -> list[HistoryEvent]:
        """Every change of ``issuer`` up to ``block``, oldest first, walking the linked events: one
        ``eth_getLogs`` per changed block (plus one call for the head, and one batched request for block times)."""
        issuer = checked_address(issuer, "issuer")
        _, head = self.issuer_state(issuer, block=block)
        topic = "0x" + bytes(HexBytes(issuer)).rjust(32, b"\0").hex()

        def decode(log: Any, _block: int) -> list[HistoryEvent]:
            event = self.decode_log(log)
            return [event] if event is not None and event.issuer == issuer else []

        events = self._walker.walk(head, decode, subject=issuer, topics=[None, topic],
                                   what="reading the issuer's history")
        return self._with_times(events) if with_times else events

    def _with_times(self, events: list[HistoryEvent]) -> list[HistoryEvent]:
        if not events:
            return events
        times = self.block_times(sorted({e.block_number for e in events}))
        return [replace(e, time=times.get(e.block_number)) for e in events]

    def status_changes(self, issuer: str, from_block: int, *, to_block: int | str = "latest",
                       with_times: bool = True) -> list[HistoryEvent]:
        """The status changes of ``issuer`` between two blocks in ONE log query (for a verifier that needs the
        reasons and times of a few non-active credentials; :meth:`history` is the auditor's exhaustive walk)."""
        issuer = checked_address(issuer, "issuer")
        topic = "0x" + bytes(HexBytes(issuer)).rjust(32, b"\0").hex()
        wanted = ["0x" + sig.hex() for sig, name in self._events.items()
                  if name in ("CredentialsRevoked", "CredentialsSuspended", "CredentialsReinstated")]
        with rpc_guard("reading status changes", endpoint=self.endpoint):
            logs = self.w3.eth.get_logs({"address": self.address, "fromBlock": from_block,
                                         "toBlock": block_id(to_block), "topics": [wanted, topic]})
        events = [e for e in (self.decode_log(lg) for lg in logs) if e is not None and e.issuer == issuer]
        events.sort(key=lambda e: (e.block_number, e.log_index))
        return self._with_times(events) if with_times else events

    def block_times(self, blocks: Sequence[int]) -> dict[int, int]:
        """Timestamps of ``blocks`` in one batched request."""
        return self._times.of_numbers(blocks)


def registry_client(chain: Chain, account: BaseAccount | None = None, *, address: str | None = None) -> RegistryClient:
    """The CredentialRegistry client of a connected ``chain``: at ``address`` (default: the chain's recorded
    ``CredentialRegistry``), signing and sending with ``account`` when one is given (read-only otherwise)."""
    return RegistryClient(chain.w3, address or chain.address_of("CredentialRegistry"),
                          sender=chain.sender(account) if account is not None else None, endpoint=chain.endpoint)
