"""Sending transactions: nonce, gas estimate, fees, local signing, receipts with confirmations.

Sending is split in three steps so a caller can make it crash-safe: :meth:`TxSender.prepare` builds and signs
(nothing leaves the process; the signed bytes and hash can be journalled), :meth:`TxSender.broadcast` sends the
signed bytes (sending the same bytes twice is harmless: same nonce, same hash), :meth:`TxSender.wait` waits for the
receipt and the configured confirmations. :meth:`TxSender.send` does all three.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from eth_account.signers.base import BaseAccount
from hexbytes import HexBytes
from web3 import Web3
from web3 import exceptions as w3x

from microcred.chain._errors import TransactionDroppedError, TransactionFailedError
from microcred.chain._rpc import rpc_guard

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


@dataclass(frozen=True)
class Receipt:
    """What a caller needs of a mined transaction."""

    tx_hash: str
    block_number: int
    block_hash: str
    gas_used: int
    status: int
    logs: list[Any]


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

    @property
    def address(self) -> str:
        return self.account.address

    def _fees(self) -> dict[str, int]:
        with rpc_guard("reading the gas price", endpoint=self.endpoint):
            block = self.w3.eth.get_block("latest")
            base = block.get("baseFeePerGas")
        if base is None:  # a pre-London chain
            with rpc_guard("reading the gas price", endpoint=self.endpoint):
                return {"gasPrice": int(self.w3.eth.gas_price)}
        tip = DEFAULT_TIP
        return {"maxFeePerGas": int(base) * 2 + tip, "maxPriorityFeePerGas": tip}

    def prepare(self, fn: Any, *, abi: list | None = None, what: str = "sending a transaction",
                nonce: int | None = None) -> PreparedTx:
        """Build, estimate and sign ``fn`` (a bound web3 contract function). A revert is raised here, before any
        gas is spent, as the named error of ``abi``."""
        sender = self.account.address
        with rpc_guard(what, endpoint=self.endpoint, abi=abi):
            if nonce is None:
                nonce = self.w3.eth.get_transaction_count(sender, "pending")
            estimate = fn.estimate_gas({"from": sender})
        tx = {"from": sender, "nonce": nonce, "chainId": self.chain_id, "gas": int(estimate * self.gas_margin) + 1000}
        tx.update(self._fees())
        with rpc_guard(what, endpoint=self.endpoint, abi=abi):
            built = fn.build_transaction(tx)
        signed = self.account.sign_transaction(built)
        raw = bytes(signed.raw_transaction)
        return PreparedTx(raw=raw, hash="0x" + bytes(signed.hash).hex(), nonce=nonce, sender=sender, gas=tx["gas"])

    def broadcast(self, prepared: PreparedTx, *, what: str = "sending a transaction") -> str:
        """Send signed bytes; a node that already knows them is fine (same nonce, same hash)."""
        try:
            with rpc_guard(what, endpoint=self.endpoint):
                self.w3.eth.send_raw_transaction(prepared.raw)
        except Exception as exc:  # noqa: BLE001 - a re-broadcast of a known tx is success
            text = str(exc.__cause__ or exc).lower()
            if not any(s in text for s in ("already known", "known transaction", "nonce too low", "already imported")):
                raise
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
                    result = Receipt(
                        tx_hash=tx_hash,
                        block_number=int(receipt["blockNumber"]),
                        block_hash="0x" + bytes(receipt["blockHash"]).hex(),
                        gas_used=int(receipt["gasUsed"]),
                        status=int(receipt["status"]),
                        logs=list(receipt["logs"]),
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

    def send(self, fn: Any, *, abi: list | None = None, what: str = "sending a transaction") -> Receipt:
        prepared = self.prepare(fn, abi=abi, what=what)
        self.broadcast(prepared, what=what)
        return self.wait(prepared.hash, abi=abi, what=what)
