"""Sending transactions: nonce, gas estimate, fees, local signing, receipts with confirmations.

Sending is split in three steps so a caller can make it crash-safe: :meth:`TxSender.prepare` builds and signs
(nothing leaves the process; the signed bytes and hash can be journalled), :meth:`TxSender.broadcast` sends the
signed bytes (sending the same bytes twice is harmless: same nonce, same hash), :meth:`TxSender.wait` waits for the
receipt and the configured confirmations. :meth:`TxSender.send` does all three.

A sender given a :class:`TxJournal` (``TxSender(..., journal=...)`` or the attribute ``journal``) is crash-safe:
the signed transaction is on disk (fsynced) before it is broadcast, and :meth:`TxJournal.settle`, which every
journalled send runs first, finishes what a killed run left between "sent" and "confirmed": it waits for a
transaction the node still has, re-sends the same bytes of one the node forgot, and gives up only on one whose
nonce went to another transaction. So a rerun never signs a second transaction for work that is in flight.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast
from collections.abc import Callable

from eth_account.signers.base import BaseAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3 import exceptions as w3x
from web3.types import TxParams

from microcred.chain._errors import (
    InsufficientFundsError,
    TransactionDroppedError,
    TransactionFailedError,
    TransactionRejectedError,
)
from microcred.chain._rpc import rpc_guard
from microcred._files import write_json_atomic
from microcred.errors import MicrocredError

#: priority fee used when the node has no opinion (1 gwei)
DEFAULT_TIP = 1_000_000_000


@dataclass(frozen=True)
class PreparedTx:
    """A signed transaction not yet known to be sent: safe to journal (it holds no secret)."""

    raw: bytes
    hash: str
    nonce: int
    sender: str
    gas: int
    #: the most wei per gas it may cost (maxFeePerGas or gasPrice)
    max_fee: int = 0


@dataclass(frozen=True)
class Receipt:
    """What a caller needs of a mined transaction (``raw``: the node's receipt as web3 returns it)."""

    tx_hash: str
    block_number: int
    block_hash: str
    gas_used: int
    status: int
    logs: list[Any]
    contract_address: str | None = None
    raw: Any = field(default=None, compare=False, repr=False)


class TxSender:
    """Signs with an injected account (any eth-account ``BaseAccount``: a keystore key, a KMS signer) and sends.

    ``clock`` and ``sleep`` are injected so waiting can be tested without real time.
    """

    def __init__(
        self,
        w3: Web3,
        account: BaseAccount,
        *,
        chain_id: int,
        confirmations: int = 0,
        timeout: float = 120.0,
        poll_interval: float = 0.05,
        gas_margin: float = 1.15,
        endpoint: str = "the RPC endpoint",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        journal: TxJournal | None = None,
    ) -> None:
        self.w3 = w3
        self.account = account
        self.chain_id = chain_id
        self.confirmations = confirmations
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.gas_margin = gas_margin
        self.endpoint = endpoint
        self._clock = clock
        self._sleep = sleep
        #: when set, :meth:`send` and :meth:`send_tx` journal each transaction (crash-safe, never paid twice)
        self.journal = journal

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def fees(self) -> dict[str, int]:
        """EIP-1559 fees from the latest block (``gasPrice`` on a pre-London chain)."""
        with rpc_guard("reading the gas price", endpoint=self.endpoint):
            block = self.w3.eth.get_block("latest")
            base = block.get("baseFeePerGas")
        if base is None:  # a pre-London chain
            with rpc_guard("reading the gas price", endpoint=self.endpoint):
                return {"gasPrice": int(self.w3.eth.gas_price)}
        tip = DEFAULT_TIP
        return {"maxFeePerGas": int(base) * 2 + tip, "maxPriorityFeePerGas": tip}

    _fees = fees  # the name used before

    def _rejected(self, exc: TransactionRejectedError, what: str, *, gas: int, fees: dict[str, int] | None,
                  value: int = 0) -> TransactionRejectedError:
        """Why the node refused: the balance is read, not the node's message."""
        price = (fees or {}).get("maxFeePerGas", (fees or {}).get("gasPrice", 0))
        with rpc_guard(what, endpoint=self.endpoint):
            balance = int(self.w3.eth.get_balance(self.account.address))
        if balance < gas * price + value or balance == 0:
            return InsufficientFundsError(
                f"{what}: the sending account {self.account.address} cannot pay for gas (balance {balance} wei, "
                f"needs up to {gas * price + value} wei)")
        return exc

    def prepare_tx(self, tx: dict[str, Any], *, abi: list | None = None, contract: str | None = None,
                   what: str = "sending a transaction", nonce: int | None = None) -> PreparedTx:
        """Estimate, complete (nonce, chain id, gas, fees) and sign the transaction ``tx`` (``to``, ``data``,
        ``value``). A revert is raised here, before any gas is spent, as the named error of the contract."""
        sender = self.account.address
        # the keys kept are TxParams' own
        base = cast(TxParams, {k: v for k, v in tx.items() if k in ("to", "data", "value")})
        base["from"] = sender
        fees = self.fees()
        try:
            with rpc_guard(what, endpoint=self.endpoint, abi=abi, contract=contract, sending=True):
                if nonce is None:
                    nonce = self.w3.eth.get_transaction_count(sender, "pending")
                estimate = int(tx["gas"]) if "gas" in tx else int(self.w3.eth.estimate_gas(base))
        except TransactionRejectedError as exc:
            raise self._rejected(exc, what, gas=21000, fees=fees, value=int(base.get("value", 0))) from exc
        gas = estimate if "gas" in tx else int(estimate * self.gas_margin) + 1000
        full: dict[str, Any] = {**base, "nonce": nonce, "chainId": self.chain_id, "gas": gas, **fees}
        signed = self.account.sign_transaction(full)
        raw = bytes(signed.raw_transaction)
        return PreparedTx(raw=raw, hash="0x" + bytes(signed.hash).hex(), nonce=nonce, sender=sender, gas=gas,
                          max_fee=int(fees.get("maxFeePerGas", fees.get("gasPrice", 0))))

    def build(self, fn: Any, *, abi: list | None = None, contract: str | None = None,
              what: str = "sending a transaction") -> dict[str, Any]:
        """The plain transaction (``to``, ``data``, ``value``) of ``fn``, a bound contract function or constructor."""
        with rpc_guard(what, endpoint=self.endpoint, abi=abi, contract=contract):
            built = fn.build_transaction({"from": self.account.address, "gas": 0, "nonce": 0,
                                          "chainId": self.chain_id, "gasPrice": 0})
        tx = {"data": built["data"], "value": int(built.get("value", 0))}
        if built.get("to"):
            tx["to"] = built["to"]
        return tx

    def prepare(self, fn: Any, *, abi: list | None = None, contract: str | None = None,
                what: str = "sending a transaction", nonce: int | None = None) -> PreparedTx:
        """Build, estimate and sign ``fn`` (a bound web3 contract function or constructor). A revert is raised
        here, before any gas is spent, as the named error of ``contract`` (or ``abi``)."""
        tx = self.build(fn, abi=abi, contract=contract, what=what)
        return self.prepare_tx(tx, abi=abi, contract=contract, what=what, nonce=nonce)

    def _known(self, tx_hash: str, what: str) -> bool:
        with rpc_guard(what, endpoint=self.endpoint):
            try:
                self.w3.eth.get_transaction(HexBytes(tx_hash))
                return True
            except w3x.TransactionNotFound:
                pass
            try:
                self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
                return True
            except w3x.TransactionNotFound:
                return False

    def broadcast(self, prepared: PreparedTx, *, what: str = "sending a transaction") -> str:
        """Send signed bytes; a node that already knows them is fine (same nonce, same hash)."""
        try:
            with rpc_guard(what, endpoint=self.endpoint, sending=True):
                self.w3.eth.send_raw_transaction(prepared.raw)
        except TransactionRejectedError as exc:
            if self._known(prepared.hash, what):  # a re-broadcast of a transaction the node has: success
                return prepared.hash
            raise self._rejected(exc, what, gas=prepared.gas, fees={"maxFeePerGas": prepared.max_fee}) from exc
        return prepared.hash

    def wait(self, tx_hash: str, *, abi: list | None = None, what: str = "waiting for the transaction") -> Receipt:
        """Wait until ``tx_hash`` is mined and has the configured confirmations; raise if it reverted or the
        node forgot it (dropped) or the wait timed out."""
        deadline = self._clock() + self.timeout
        unknown_since: float | None = None
        while True:
            receipt = None
            with rpc_guard(what, endpoint=self.endpoint):
                try:
                    receipt = self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
                except w3x.TransactionNotFound:
                    receipt = None
            if receipt is not None:
                if self.confirmations:
                    with rpc_guard(what, endpoint=self.endpoint):
                        head = self.w3.eth.block_number
                    if head - receipt["blockNumber"] + 1 < self.confirmations:
                        receipt = None
                if receipt is not None:
                    created = receipt.get("contractAddress")
                    result = Receipt(
                        tx_hash=tx_hash,
                        block_number=int(receipt["blockNumber"]),
                        block_hash="0x" + bytes(receipt["blockHash"]).hex(),
                        gas_used=int(receipt["gasUsed"]),
                        status=int(receipt["status"]),
                        logs=list(receipt["logs"]),
                        contract_address=to_checksum_address(created) if created else None,
                        raw=receipt,
                    )
                    if result.status != 1:
                        raise TransactionFailedError(f"{what}: transaction {tx_hash} was mined but reverted")
                    return result
            else:
                with rpc_guard(what, endpoint=self.endpoint):
                    try:
                        self.w3.eth.get_transaction(HexBytes(tx_hash))
                        known = True
                    except w3x.TransactionNotFound:
                        known = False
                if not known:
                    unknown_since = unknown_since or self._clock()
                    if self._clock() - unknown_since > min(10.0, self.timeout / 4):
                        raise TransactionDroppedError(
                            f"{what}: transaction {tx_hash} was dropped: the node no longer knows it. "
                            "Nothing was changed on chain; run the command again."
                        )
                else:
                    unknown_since = None
            if self._clock() > deadline:
                raise TransactionDroppedError(
                    f"{what}: transaction {tx_hash} was not mined within {self.timeout:.0f} s; it may still be "
                    "mined later: run the command again to check, it will not pay twice"
                )
            self._sleep(self.poll_interval)

    def send(self, fn: Any, *, abi: list | None = None, contract: str | None = None,
             what: str = "sending a transaction") -> Receipt:
        """Prepare, broadcast and wait for ``fn`` (a bound contract function or constructor)."""
        if self.journal is not None:
            return self.journal.send(self, self.build(fn, abi=abi, contract=contract, what=what), abi=abi,
                                     contract=contract, what=what)
        prepared = self.prepare(fn, abi=abi, contract=contract, what=what)
        self.broadcast(prepared, what=what)
        return self.wait(prepared.hash, what=what)

    def send_tx(self, tx: dict[str, Any], *, contract: str | None = None,
                what: str = "sending a transaction") -> Receipt:
        """Prepare, broadcast and wait for a plain transaction (``to``, ``data``, ``value``, optional ``gas``)."""
        if self.journal is not None:
            return self.journal.send(self, tx, contract=contract, what=what)
        prepared = self.prepare_tx(tx, contract=contract, what=what)
        self.broadcast(prepared, what=what)
        return self.wait(prepared.hash, what=what)

    def transfer(self, to: str, wei: int, *, what: str = "sending ether") -> Receipt:
        """Send ``wei`` to ``to``."""
        return self.send_tx({"to": to_checksum_address(to), "value": wei, "data": b"", "gas": 21000}, what=what)


class TxJournalError(MicrocredError):
    """The transaction journal cannot be read: nothing was sent."""


#: finished entries kept in a journal (unfinished ones are always kept)
_KEEP_FINISHED = 20
_OPEN = ("prepared", "sent")


class TxJournal:
    """The transactions one account sent, on disk at ``path`` (JSON): each signed transaction is journalled
    (fsynced) before it leaves the process, and marked done when its receipt came.

    Stages: ``prepared`` (signed, maybe broadcast), ``sent`` (broadcast), then ``done``, ``failed`` (mined but
    reverted) or ``replaced`` (its nonce went to another transaction, so it can never be mined; nothing of it
    happened). The caller serialises the processes that use one journal (the issuer's lock).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        #: entries :meth:`settle` confirmed in this process, with their receipts, by the key of their call
        self._confirmed: dict[str, Receipt] = {}

    @staticmethod
    def key(tx: dict[str, Any]) -> str:
        """What a transaction does (recipient, value, call data), the same in every run that asks for it."""
        head = f"{str(tx.get('to') or '').lower()}|{int(tx.get('value', 0))}|".encode()
        return "0x" + bytes(Web3.keccak(head + bytes(HexBytes(tx.get("data") or b"")))).hex()

    def _load(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except ValueError as exc:
            raise TxJournalError(f"the transaction journal {self.path} is damaged ({exc}); nothing was sent. Move "
                                 "it aside only after checking its transactions on chain.") from None
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise TxJournalError(f"the transaction journal {self.path} has no list of entries; nothing was sent")
        return entries

    def _save(self, entries: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.path, {"entries": entries})

    def unfinished(self) -> list[dict[str, Any]]:
        """The entries a killed run left between signing and confirmation."""
        return [e for e in self._load() if e["stage"] in _OPEN]

    def settle(self, sender: TxSender) -> list[dict[str, Any]]:
        """Finish every unfinished entry of ``sender``'s account; returns them, each with its outcome in
        ``stage`` (``done``, ``failed``, ``replaced``). Raises (the entry kept for the next run) when the node
        cannot be asked or a transaction is not mined in time."""
        entries = self._load()
        settled = []
        for entry in entries:
            if entry["stage"] not in _OPEN or entry["sender"].lower() != sender.address.lower():
                continue
            what = entry.get("what", "sending a transaction")
            if not sender._known(entry["txHash"], what):
                with rpc_guard("reading the account nonce", endpoint=sender.endpoint):
                    used = int(sender.w3.eth.get_transaction_count(to_checksum_address(sender.address),
                                                                   "latest")) > entry["nonce"]
                if used:  # another transaction took the nonce: this one can never be mined
                    entry["stage"] = "replaced"
                    entry.pop("rawTx", None)
                    self._save(entries)
                    settled.append(entry)
                    continue
                sender.broadcast(PreparedTx(bytes.fromhex(entry["rawTx"][2:]), entry["txHash"], entry["nonce"],
                                            sender.address, int(entry.get("gas", 0)), int(entry.get("maxFee", 0))),
                                 what=what)
                entry["stage"] = "sent"
                self._save(entries)
            try:
                receipt = self._wait(sender, entries, entry, abi=None, what=what)
                if entry.get("key"):
                    self._confirmed[entry["key"]] = receipt
            except TransactionFailedError:
                pass  # recorded as failed: what it would have done did not happen
            settled.append(entry)
        return settled

    def send(self, sender: TxSender, tx: dict[str, Any], *, abi: list | None = None, contract: str | None = None,
             what: str = "sending a transaction") -> Receipt:
        """Settle what is unfinished, then sign ``tx``, journal it, broadcast it and wait for its receipt.

        When settling confirmed a transaction doing exactly what ``tx`` does (a killed run of the same command), its
        receipt is returned and nothing is sent."""
        self.settle(sender)
        key = self.key(tx)
        if key in self._confirmed:
            return self._confirmed.pop(key)
        prepared = sender.prepare_tx(tx, abi=abi, contract=contract, what=what)
        entries = self._load()
        finished = [e for e in entries if e["stage"] not in _OPEN]
        old = finished[:-_KEEP_FINISHED] if len(finished) > _KEEP_FINISHED else []
        entries = [e for e in entries if not any(e is o for o in old)]
        entry: dict[str, Any] = {
            "stage": "prepared", "what": what, "key": key, "sender": sender.address, "to": tx.get("to"),
            "txHash": prepared.hash, "nonce": prepared.nonce, "gas": prepared.gas, "maxFee": prepared.max_fee,
            "rawTx": "0x" + prepared.raw.hex(),
            "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        entries.append(entry)
        self._save(entries)
        sender.broadcast(prepared, what=what)
        entry["stage"] = "sent"
        self._save(entries)
        return self._wait(sender, entries, entry, abi=abi, what=what)

    def _wait(self, sender: TxSender, entries: list[dict[str, Any]], entry: dict[str, Any], *, abi: list | None,
              what: str) -> Receipt:
        try:
            receipt = sender.wait(entry["txHash"], abi=abi, what=what)
        except TransactionFailedError:
            entry["stage"] = "failed"
            entry.pop("rawTx", None)
            self._save(entries)
            raise
        entry.update(stage="done", blockNumber=receipt.block_number)
        entry.pop("rawTx", None)
        self._save(entries)
        return receipt
