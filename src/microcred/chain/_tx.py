"""Sending transactions: nonce, gas estimate, fees, local signing, receipts with confirmations.

Sending is split in three steps so a caller can make it crash-safe: :meth:`TxSender.prepare` builds and signs
(nothing leaves the process; the signed bytes and hash can be journalled), :meth:`TxSender.broadcast` sends the
signed bytes (sending the same bytes twice is harmless: same nonce, same hash), :meth:`TxSender.wait` waits for the
receipt and the configured confirmations. :meth:`TxSender.send` does all three.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

from eth_account.signers.base import BaseAccount
from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3 import exceptions as w3x

from microcred.chain._errors import (
    InsufficientFundsError,
    TransactionDroppedError,
    TransactionFailedError,
    TransactionRejectedError,
)
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
        base = {k: v for k, v in tx.items() if k in ("to", "data", "value")}
        base["from"] = sender
        fees = self.fees()
        try:
            with rpc_guard(what, endpoint=self.endpoint, abi=abi, contract=contract, sending=True):
                if nonce is None:
                    nonce = self.w3.eth.get_transaction_count(sender, "pending")
                estimate = int(tx["gas"]) if "gas" in tx else int(self.w3.eth.estimate_gas(base))  # type: ignore[arg-type]
        except TransactionRejectedError as exc:
            raise self._rejected(exc, what, gas=21000, fees=fees, value=int(base.get("value", 0))) from exc
        gas = estimate if "gas" in tx else int(estimate * self.gas_margin) + 1000
        full = {**base, "nonce": nonce, "chainId": self.chain_id, "gas": gas, **fees}
        signed = self.account.sign_transaction(full)
        raw = bytes(signed.raw_transaction)
        return PreparedTx(raw=raw, hash="0x" + bytes(signed.hash).hex(), nonce=nonce, sender=sender, gas=gas,
                          max_fee=int(fees.get("maxFeePerGas", fees.get("gasPrice", 0))))

    def prepare(self, fn: Any, *, abi: list | None = None, contract: str | None = None,
                what: str = "sending a transaction", nonce: int | None = None) -> PreparedTx:
        """Build, estimate and sign ``fn`` (a bound web3 contract function or constructor). A revert is raised
        here, before any gas is spent, as the named error of ``contract`` (or ``abi``)."""
        with rpc_guard(what, endpoint=self.endpoint, abi=abi, contract=contract):
            built = fn.build_transaction({"from": self.account.address, "gas": 0, "nonce": 0,
                                          "chainId": self.chain_id, "gasPrice": 0})
        tx = {"data": built["data"], "value": int(built.get("value", 0))}
        if built.get("to"):
            tx["to"] = built["to"]
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
        prepared = self.prepare(fn, abi=abi, contract=contract, what=what)
        self.broadcast(prepared, what=what)
        return self.wait(prepared.hash, what=what)

    def send_tx(self, tx: dict[str, Any], *, contract: str | None = None,
                what: str = "sending a transaction") -> Receipt:
        """Prepare, broadcast and wait for a plain transaction (``to``, ``data``, ``value``, optional ``gas``)."""
        prepared = self.prepare_tx(tx, contract=contract, what=what)
        self.broadcast(prepared, what=what)
        return self.wait(prepared.hash, what=what)

    def transfer(self, to: str, wei: int, *, what: str = "sending ether") -> Receipt:
        """Send ``wei`` to ``to``."""
        return self.send_tx({"to": to_checksum_address(to), "value": wei, "data": b"", "gas": 21000}, what=what)
