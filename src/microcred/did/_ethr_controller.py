"""Writing to an ERC-1056 registry: :class:`EthrDIDController` sends the owner's changes through the chain's one
transaction sender; :func:`meta_transaction_digest` is what an owner signs for a relayer."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from eth_utils import keccak, to_checksum_address
from web3 import Web3

from microcred.chain._errors import revert_decoder
from microcred.chain._tx import TxSender
from microcred.did._ethr_events import (
    ZERO_ADDRESS,
    EthrTransactionError,
    _endpoint,
    _rpc,
    bytes32,
    ethr_did,
)
from microcred.errors import InvalidInputError

# -- writing ----------------------------------------------------------------------------------------------------


def meta_transaction_digest(registry: str, owner_nonce: int, identity: str, operation: str, *args: Any) -> bytes:
    """What the owner signs (raw, no EIP-191 personal prefix) for a ``…Signed`` call of the registry:
    ``keccak256(0x19 0x00 registry nonce identity operation args…)`` tightly packed.

    ``operation`` is ``changeOwner``, ``addDelegate``, ``revokeDelegate``, ``setAttribute`` or ``revokeAttribute``;
    ``args`` follow the function's own (addresses as ``0x`` text, names and types as 32 bytes, values as bytes,
    validities as ints). ``owner_nonce`` is ``nonce(identityOwner(identity))``.
    Sign it with ``Account.unsafe_sign_hash(digest, key)`` and pass ``v, r, s``.
    """
    if operation not in ("changeOwner", "addDelegate", "revokeDelegate", "setAttribute", "revokeAttribute"):
        raise InvalidInputError(f"unknown ERC-1056 operation {operation!r}")
    packed = b"\x19\x00" + bytes.fromhex(to_checksum_address(registry)[2:]) + owner_nonce.to_bytes(32, "big")
    packed += bytes.fromhex(to_checksum_address(identity)[2:]) + operation.encode("ascii")
    for arg in args:
        if isinstance(arg, bool):
            raise InvalidInputError("a boolean is no ERC-1056 argument")
        if isinstance(arg, int):
            packed += arg.to_bytes(32, "big")
        elif isinstance(arg, str) and re.fullmatch(r"0x[0-9a-fA-F]{40}", arg):
            packed += bytes.fromhex(arg[2:])
        elif isinstance(arg, (bytes, bytearray)):
            packed += bytes(arg)
        else:
            raise InvalidInputError(f"cannot pack {arg!r}: give an address, bytes or an int")
    return keccak(packed)

def decode_registry_revert(data: bytes | None, what: str) -> EthrTransactionError:
    """The named exception of the registry's revert ``data`` (a plain one when the data names no known error)."""
    error = revert_decoder("EthereumDIDRegistry").decode(data)
    if isinstance(error, EthrTransactionError):
        return error
    return EthrTransactionError(f"{what}: the registry refused it ({error})")


class EthrDIDController:
    """Changes an identity in the registry with transactions signed locally by ``account`` (its owner).

    :param w3: a connected ``Web3`` (injected)
    :param registry_address: the ERC-1056 registry
    :param account: an eth-account account (``LocalAccount`` or any ``BaseAccount``) that owns ``identity``
    :param identity: the identity changed (default: the account's own address)
    :param chain_id: the chain (default: asked of the node once)
    :param send: sends a bound contract function and returns its receipt, instead of the chain's
        :class:`~microcred.chain.TxSender` (e.g. a crash-safe, journalling sender)

    Each method builds the transaction (pending nonce, gas estimate, chain id, EIP-1559 fees from the node), signs it,
    sends the raw bytes, waits for the receipt and returns it. A revert is raised before sending, as the named
    :class:`EthrRegistryRevert` of the registry's ABI; RPC failures as :class:`DIDNetworkError`.
    """

    def __init__(self, w3: Web3, registry_address: str, account: Any, *, identity: str | None = None,
                 chain_id: int | None = None, timeout: float = 120.0, poll_latency: float = 0.1,
                 gas_margin: float = 1.25, send: Callable[[Any], Any] | None = None) -> None:
        from microcred.contracts import load_artifact

        self.w3 = w3
        self.account = account
        self.identity = to_checksum_address(identity or account.address)
        self.registry = to_checksum_address(registry_address)
        self.contract = w3.eth.contract(address=self.registry, abi=load_artifact("EthereumDIDRegistry")["abi"])
        self._chain_id = chain_id
        self.timeout = timeout
        self.poll_latency = poll_latency
        self.gas_margin = gas_margin
        self._endpoint = _endpoint(w3)
        self._sender = send
        self._tx: TxSender | None = None

    @property
    def chain_id(self) -> int:
        """The chain the transactions are for (asked of the node once when not configured)."""
        if self._chain_id is None:
            with _rpc("reading the chain id", self._endpoint):
                self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    @property
    def did(self) -> str:
        """The did:ethr of the identity on this chain."""
        return ethr_did(self.identity, self.chain_id)

    # -- operations ---------------------------------------------------------------------------------------------
    def change_owner(self, new_owner: str) -> Any:
        """Make ``new_owner`` the identity's owner (the account stops controlling it)."""
        return self._send("changeOwner", self.identity, to_checksum_address(new_owner))

    def deactivate(self) -> Any:
        """Set the owner to 0x0: the DID is deactivated, finally."""
        return self._send("changeOwner", self.identity, ZERO_ADDRESS)

    def add_delegate(self, delegate_type: str | bytes, delegate: str, validity: int) -> Any:
        """Add ``delegate`` (an address) as ``veriKey`` / ``sigAuth`` (or another type) for ``validity`` seconds."""
        return self._send("addDelegate", self.identity, bytes32(delegate_type), to_checksum_address(delegate),
                          _validity(validity))

    def revoke_delegate(self, delegate_type: str | bytes, delegate: str) -> Any:
        """End the delegation of ``delegate`` for ``delegate_type`` now."""
        return self._send("revokeDelegate", self.identity, bytes32(delegate_type), to_checksum_address(delegate))

    def set_attribute(self, name: str | bytes, value: bytes | str, validity: int) -> Any:
        """Publish attribute ``name`` (≤ 32 bytes, e.g. ``did/pub/Ed25519/veriKey``) = ``value`` (bytes; text is
        encoded as UTF-8) for ``validity`` seconds."""
        return self._send("setAttribute", self.identity, bytes32(name), _value(value), _validity(validity))

    def revoke_attribute(self, name: str | bytes, value: bytes | str) -> Any:
        """Revoke attribute ``name`` = ``value`` (the exact bytes published)."""
        return self._send("revokeAttribute", self.identity, bytes32(name), _value(value))

    # -- sending ------------------------------------------------------------------------------------------------
    def _send(self, function: str, *args: Any) -> Any:
        what = f"{function} for {self.identity} in the ERC-1056 registry {self.registry}"
        fn = self.contract.functions[function](*args)
        if self._sender is not None:
            return self._sender(fn)
        if self._tx is None:
            self._tx = TxSender(self.w3, self.account, chain_id=self.chain_id, timeout=self.timeout,
                                poll_interval=self.poll_latency, gas_margin=self.gas_margin,
                                endpoint=self._endpoint)
        with _rpc(what, self._endpoint, sending=True):
            return self._tx.send(fn, contract="EthereumDIDRegistry", what=what).raw

    def __repr__(self) -> str:
        return f"EthrDIDController(identity={self.identity!r}, registry={self.registry!r})"


def _validity(validity: int) -> int:
    if not isinstance(validity, int) or isinstance(validity, bool) or validity < 0:
        raise InvalidInputError(f"a validity is a number of seconds >= 0, got {validity!r}")
    return validity


def _value(value: bytes | str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise InvalidInputError(f"an attribute value is bytes or text, got {type(value).__name__}")
