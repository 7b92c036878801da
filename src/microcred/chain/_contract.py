"""What every typed client of a shipped contract shares: the contract at a checked address, its events by topic,
view calls through the guard of its errors, the signer for writes, and the walker of its linked histories."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_typing import HexStr
from eth_utils import keccak, to_checksum_address
from eth_utils.abi import collapse_if_tuple
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3 import exceptions as w3x

from microcred.chain._address import checked_address
from microcred.chain._blocks import block_id
from microcred.chain._history import BlockTimes, LinkedHistory
from microcred.chain._reader import call_view, ensure_deployed, eth_call
from microcred.chain._tx import TxSender
from microcred.contracts import event_signatures, load_artifact
from microcred.errors import InvalidInputError

__all__ = ["ContractClient"]


class _EncodedCall:
    """A view call whose data is already encoded, called as :func:`call_view` calls a web3 contract function."""

    def __init__(self, w3: Web3, address: str, name: str, data: bytes, outputs: list[str]) -> None:
        self.w3, self.address, self.name, self.data, self.outputs = w3, address, name, data, outputs

    def call(self, *, block_identifier: int | str) -> tuple[Any, ...]:
        raw = eth_call(self.w3, {"to": self.address, "data": HexStr("0x" + self.data.hex())},
                       block_id(block_identifier))
        if not raw:  # as web3 reports an empty answer: call_view then looks for the contract
            raise w3x.BadFunctionCallOutput(f"{self.name} returned no data")
        return tuple(abi_decode(self.outputs, bytes(raw)))


class ContractClient:
    """The shipped contract :attr:`CONTRACT` at ``address``.

    ``sender`` signs and sends writes; read-only use (a verifier) needs none. ``endpoint`` names the RPC in messages.
    A subclass names the contract and how messages call it: :attr:`ADDRESS` (the address), :attr:`KIND` (the
    contract, where none is deployed), :attr:`HINT` (what to do then) and :attr:`CLIENT` (the client, read-only).
    """

    CONTRACT: ClassVar[str]
    ADDRESS: ClassVar[str]
    KIND: ClassVar[str]
    HINT: ClassVar[str]
    CLIENT: ClassVar[str]

    def __init__(self, w3: Web3, address: str, *, sender: TxSender | None = None,
                 endpoint: str = "the RPC endpoint") -> None:
        self.w3 = w3
        self.address = checked_address(address, self.ADDRESS)
        self.sender = sender
        self.endpoint = endpoint
        self.abi: list[dict[str, Any]] = load_artifact(self.CONTRACT)["abi"]
        self._walker = LinkedHistory(w3, self.address, endpoint=endpoint)
        self._times = BlockTimes(w3, endpoint=endpoint)
        self._types: dict[str, tuple[bytes, list[str], list[str]]] = {}

    @cached_property
    def contract(self) -> Contract:
        """The web3 contract, made on first use (making it costs milliseconds, and a verifier's proven reads never
        need it)."""
        return self.w3.eth.contract(address=self.address, abi=self.abi)

    @cached_property
    def _events(self) -> dict[bytes, str]:
        """First topic → event name."""
        return {bytes(keccak(text=sig)): name for name, sig in event_signatures(self.abi).items()}

    def _call(self, what: str, fn: Any, block: int | str = "latest") -> Any:
        """A view call ``fn`` at ``block``, its reverts decoded as the contract's errors."""
        return call_view(self.w3, self.address, fn, what=what, contract=self.CONTRACT, endpoint=self.endpoint,
                         kind=self.KIND, hint=self.HINT, block=block)

    def _call_encoded(self, what: str, name: str, args: list[Any], block: int | str = "latest") -> tuple[Any, ...]:
        """The view function ``name(*args)`` at ``block``, its arguments encoded and its answer decoded by
        ``eth_abi`` directly, through :meth:`_call` (same guard, same errors): web3's contract call passes every
        element of a long array (1,000 status indexes) through its formatters, which costs 20 times as much."""
        selector, inputs, outputs = self._function_types(name)
        return self._call(what, _EncodedCall(self.w3, self.address, name, selector + abi_encode(inputs, args),
                                             outputs), block)

    def _function_types(self, name: str) -> tuple[bytes, list[str], list[str]]:
        """(selector, input types, output types) of the contract's function ``name``."""
        cached = self._types.get(name)
        if cached is None:
            fn = next((f for f in self.abi if f.get("type") == "function" and f.get("name") == name), None)
            if fn is None:
                raise InvalidInputError(f"the {self.CONTRACT} contract has no function {name}")
            inputs = [collapse_if_tuple(p) for p in fn["inputs"]]
            cached = (bytes(keccak(text=f"{name}({','.join(inputs)})"))[:4], inputs,
                      [collapse_if_tuple(p) for p in fn["outputs"]])
            self._types[name] = cached
        return cached

    def ensure_deployed(self) -> None:
        """Raise :class:`NoContractError` when no code is at the contract's address."""
        ensure_deployed(self.w3, self.address, endpoint=self.endpoint, what=self.KIND, hint=self.HINT)

    def _need_sender(self) -> TxSender:
        if self.sender is None:
            raise InvalidInputError(f"this {self.CLIENT} client has no signer: it can only read")
        return self.sender

    def _event_name(self, log: Any) -> str | None:
        """The name of the contract's event ``log`` is (``None`` for a log of another contract or event)."""
        topics = log["topics"]
        if not topics:
            return None
        name = self._events.get(bytes(HexBytes(topics[0])))
        if name is None or to_checksum_address(log["address"]) != self.address:
            return None
        return name
