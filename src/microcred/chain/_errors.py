"""Errors of the chain client: the RPC, transactions, and every custom error of the registry's ABI.

web3.py reports a contract's custom error as raw revert bytes; :func:`decode_revert` turns them into the named
exception below, built with the error's arguments so the message says *which* issuer, index or root failed.
A test asserts that every error declared in the ABI has a class here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from microcred.errors import ConfigError, InvalidInputError, MicrocredError, NetworkError, NotFoundError


class ChainError(MicrocredError):
    """Root of the errors met while talking to a chain."""


class RPCUnavailableError(ChainError, NetworkError):
    """The RPC endpoint cannot be reached (refused, timed out, DNS)."""


class RPCResponseError(ChainError, NetworkError):
    """The RPC endpoint answered something that is not a valid answer (garbage, wrong shape, an RPC error)."""


class WrongChainError(ChainError, ConfigError):
    """The endpoint serves another chain than the one expected."""


class NoContractError(ChainError, NotFoundError):
    """No contract code at the address the configuration names."""


class InsufficientFundsError(ChainError):
    """The sending account cannot pay for the transaction."""

    exit_code = 2


class TransactionDroppedError(ChainError):
    """A sent transaction was neither mined nor kept by the node within the wait."""


class TransactionFailedError(ChainError):
    """A transaction was mined but reverted."""


class UnknownRevertError(ChainError):
    """The contract reverted with data that matches no error of its ABI."""


class RegistryRevert(ChainError):
    """A custom error of the credential registry. Subclasses are named after the Solidity error."""

    solidity_name: ClassVar[str] = ""
    #: message template over the error's named arguments
    template: ClassVar[str] = ""

    def __init__(self, **args: Any) -> None:
        self.args_by_name = args
        super().__init__(self.template.format(**args))


def _revert(name: str, template: str, *bases: type) -> type[RegistryRevert]:
    cls = type(name + "Error", (RegistryRevert, *bases), {"solidity_name": name, "template": template})
    cls.__doc__ = f"Solidity error ``{name}``: " + template
    cls.__module__ = __name__
    return cls


UnauthorizedAccountError = _revert(
    "UnauthorizedAccount", "account {account} may not act for issuer {issuer} (not the issuer nor a live operator)"
)
ZeroRootError = _revert("ZeroRoot", "a batch root must not be zero", InvalidInputError)
EmptyBatchError = _revert("EmptyBatch", "a batch must cover at least one status index", InvalidInputError)
RootAlreadyAnchoredError = _revert("RootAlreadyAnchored", "root {root} is already anchored by issuer {issuer}")
RangeOverlapsError = _revert(
    "RangeOverlaps",
    "status indexes from {firstIndex} overlap indexes already anchored by issuer {issuer}: the next free index "
    "is {nextFreeIndex}",
)
RangeNotContiguousError = _revert(
    "RangeNotContiguous",
    "a batch from index {firstIndex} would leave a gap: issuer {issuer}'s next batch starts at {nextFreeIndex}",
)
RangeTooLargeError = _revert(
    "RangeTooLarge", "the range of {count} indexes from {firstIndex} does not fit in 64 bits", InvalidInputError
)
IndexNotAnchoredError = _revert("IndexNotAnchored", "status index {index} of issuer {issuer} is not anchored")
CredentialIsRevokedError = _revert(
    "CredentialIsRevoked", "the credential at index {index} of issuer {issuer} is revoked; revocation is final"
)
CredentialIsSuspendedError = _revert(
    "CredentialIsSuspended", "the credential at index {index} of issuer {issuer} is already suspended"
)
CredentialNotSuspendedError = _revert(
    "CredentialNotSuspended",
    "the credential at index {index} of issuer {issuer} is not suspended, so it cannot be reinstated",
)
NoIndexesError = _revert("NoIndexes", "a status change must name at least one index", InvalidInputError)
SelfOperatorError = _revert("SelfOperator", "issuer {issuer} cannot be its own operator", InvalidInputError)

REVERT_CLASSES: dict[str, type[RegistryRevert]] = {
    cls.solidity_name: cls
    for cls in RegistryRevert.__subclasses__()
}


def _selector_table(abi: list[dict]) -> dict[bytes, tuple[str, list[str], list[str]]]:
    table = {}
    for item in abi:
        if item.get("type") != "error":
            continue
        types = [i["type"] for i in item["inputs"]]
        names = [i["name"] for i in item["inputs"]]
        sig = f"{item['name']}({','.join(types)})"
        table[keccak(text=sig)[:4]] = (item["name"], types, names)
    return table


_TABLES: dict[int, dict] = {}


def decode_revert(abi: list[dict], data: bytes | str | None) -> ChainError:
    """The named exception for revert ``data`` of a contract with ``abi`` (never raises)."""
    if isinstance(data, str):
        try:
            data = bytes.fromhex(data[2:] if data.startswith("0x") else data)
        except ValueError:
            return UnknownRevertError(f"the contract reverted with unreadable data {data!r}")
    if not data or len(data) < 4:
        return UnknownRevertError("the contract reverted without a reason")
    table = _TABLES.setdefault(id(abi), _selector_table(abi))
    entry = table.get(bytes(data[:4]))
    if entry is None:
        if data[:4] == bytes.fromhex("08c379a0"):  # Error(string)
            try:
                (reason,) = abi_decode(["string"], bytes(data[4:]))
                return UnknownRevertError(f"the contract reverted: {reason}")
            except Exception:  # noqa: BLE001 - unreadable reason is still a revert
                pass
        return UnknownRevertError(f"the contract reverted with unknown error data 0x{bytes(data).hex()}")
    name, types, names = entry
    try:
        values = abi_decode(types, bytes(data[4:]))
    except Exception:  # noqa: BLE001
        return UnknownRevertError(f"the contract reverted with malformed {name} data")
    args = {}
    for n, t, v in zip(names, types, values):
        if t == "address":
            v = to_checksum_address(v)
        elif t.startswith("bytes") and isinstance(v, bytes):
            v = "0x" + v.hex()
        args[n] = v
    cls = REVERT_CLASSES.get(name)
    if cls is None:
        return UnknownRevertError(f"the contract reverted with {name}({', '.join(f'{k}={v}' for k, v in args.items())})")
    return cls(**args)
