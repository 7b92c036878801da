"""Errors of the chain client: the RPC, transactions, and every custom error of the registry's ABI.

web3.py reports a contract's custom error as raw revert bytes; :func:`decode_revert` turns them into the named
exception below, built with the error's arguments so the message says *which* issuer, index or root failed.
A test asserts that every error declared in the ABI has a class here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, cache
from typing import Any, ClassVar

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
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


class TransactionDroppedError(ChainError):
    """A sent transaction was neither mined nor kept by the node within the wait."""


class TransactionFailedError(ChainError):
    """A transaction was mined but reverted."""


class UnknownRevertError(ChainError):
    """The contract reverted with data that matches no error of its ABI."""


class ReadOnlyError(ChainError):
    """A read-only connection was asked to deploy or send a transaction."""


class RPCTimeoutError(RPCUnavailableError, TimeoutError):
    """The RPC endpoint did not answer in time."""


class TransactionRejectedError(ChainError):
    """The node refused a transaction before mining it (JSON-RPC -32003 "transaction rejected", or the
    in-process EVM's validation): a wrong nonce, a fee too low, a balance too small."""

    exit_code = 2


class InsufficientFundsError(TransactionRejectedError):
    """The sending account cannot pay for the transaction."""

    exit_code = 2


class NoResultError(RPCResponseError):
    """A contract call returned no data (often: no contract at the address)."""


class BlockNotFoundError(ChainError, NotFoundError):
    """The node does not know the block asked for (not mined yet, or forgotten after a reorg)."""


class HistoryBrokenError(RPCResponseError):
    """A linked history does not hold together: a changed block without the event, a link that does not go back."""


class HistoryTooLongError(ChainError):
    """A linked history has more changed blocks than the walker was told to follow."""


class ContractRevert(ChainError):
    """A custom error of one of the shipped contracts. Subclasses are named after the Solidity error and registered
    per contract (``contract`` = the artifact name), so :func:`decode_revert` finds them by the error's name.

    ``args_by_name`` holds the decoded arguments by their Solidity names, ``error_args`` the same in order.
    """

    contract: ClassVar[str] = ""
    solidity_name: ClassVar[str] = ""
    #: message template over the error's named arguments
    template: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.contract and cls.solidity_name:
            _CLASSES.setdefault(cls.contract, {})[cls.solidity_name] = cls

    def __init__(self, **args: Any) -> None:
        self.args_by_name = args
        self.error_args = tuple(args.values())
        super().__init__(self.template.format(**{k: self.show(k, v) for k, v in args.items()}))

    @classmethod
    def show(cls, name: str, value: Any) -> str:
        """An argument as the message shows it (subclasses render dates, kinds …)."""
        return str(value)


#: contract name → Solidity error name → class; filled as the classes are defined
_CLASSES: dict[str, dict[str, type[ContractRevert]]] = {}


def revert_classes(contract: str) -> dict[str, type[ContractRevert]]:
    """The registered exception classes of ``contract``'s custom errors, by Solidity name."""
    return dict(_CLASSES.get(contract, {}))


class RegistryRevert(ContractRevert):
    """A custom error of the credential registry. Subclasses are named after the Solidity error."""


def _revert(name: str, template: str, *bases: type) -> type[RegistryRevert]:
    cls = type(name + "Error", (RegistryRevert, *bases), {"solidity_name": name, "template": template,
                                                           "contract": "CredentialRegistry"})
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
    "RangeTooLarge", "the range of {count} indexes from {firstIndex} is too large: a batch covers at most 65,536 "
    "indexes and must end within 64 bits", InvalidInputError
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

#: Solidity error name → exception class, for every error of the CredentialRegistry ABI.
REVERT_CLASSES: dict[str, type[ContractRevert]] = revert_classes("CredentialRegistry")


@dataclass(frozen=True)
class _ErrorSpec:
    name: str
    types: tuple[str, ...]
    names: tuple[str, ...]


@lru_cache(maxsize=64)
def _table(signatures: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> dict[bytes, _ErrorSpec]:
    return {keccak(text=f"{n}({','.join(t)})")[:4]: _ErrorSpec(n, t, names) for n, t, names in signatures}


def _abi_errors(abi: list[dict]) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    return tuple(
        (item["name"], tuple(i["type"] for i in item["inputs"]), tuple(i["name"] for i in item["inputs"]))
        for item in abi if item.get("type") == "error"
    )


class RevertDecoder:
    """The selector table of one contract's custom errors, built once per contract (see :func:`revert_decoder`)."""

    def __init__(self, contract: str, abi: list[dict]) -> None:
        self.contract = contract
        self.table = _table(_abi_errors(abi))

    def error_names(self) -> set[str]:
        return {spec.name for spec in self.table.values()}

    def decode(self, data: bytes | str | None) -> ChainError:
        """The named exception for revert ``data`` (never raises)."""
        if isinstance(data, str):
            try:
                data = bytes.fromhex(data[2:] if data.startswith("0x") else data)
            except ValueError:
                return UnknownRevertError(f"the contract reverted with unreadable data {data!r}")
        if not data or len(data) < 4:
            return UnknownRevertError("the contract reverted without a reason")
        data = bytes(data)
        spec = self.table.get(data[:4])
        if spec is None:
            if data[:4] == _ERROR_STRING:
                try:
                    (reason,) = abi_decode(["string"], data[4:])
                    return UnknownRevertError(f"the contract reverted: {reason}")
                except (DecodingError, ValueError, OverflowError):
                    pass
            return UnknownRevertError(f"the contract reverted with unknown error data 0x{data.hex()}")
        try:
            values = abi_decode(list(spec.types), data[4:])
        except (DecodingError, ValueError, OverflowError):
            return UnknownRevertError(f"the contract reverted with malformed {spec.name} data")
        args = {}
        for n, t, v in zip(spec.names, spec.types, values):
            if t == "address":
                v = to_checksum_address(v)
            elif t.startswith("bytes") and isinstance(v, bytes):
                v = "0x" + v.hex()
            args[n] = v
        cls = _CLASSES.get(self.contract, {}).get(spec.name)
        if cls is None:
            shown = ", ".join(f"{k}={v}" for k, v in args.items())
            return UnknownRevertError(f"the contract reverted with {spec.name}({shown})")
        return cls(**args)


_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)


@cache
def revert_decoder(contract: str) -> RevertDecoder:
    """The decoder of shipped contract ``contract`` (``CredentialRegistry``, ``EthereumDIDRegistry``,
    ``AccreditationRegistry``), built once."""
    from microcred.contracts import load_artifact

    return RevertDecoder(contract, load_artifact(contract)["abi"])


def _contract_of(abi: list[dict]) -> str:
    from microcred.contracts import CONTRACT_NAMES, load_artifact

    errors = _abi_errors(abi)
    for name in CONTRACT_NAMES:
        art = load_artifact(name)
        if art["abi"] is abi or _abi_errors(art["abi"]) == errors:
            return name
    return ""


def decode_revert(contract: str | list[dict], data: bytes | str | None) -> ChainError:
    """The named exception for revert ``data`` of ``contract`` (its name, or its ABI); never raises."""
    if isinstance(contract, str):
        return revert_decoder(contract).decode(data)
    name = _contract_of(contract)
    return revert_decoder(name).decode(data) if name else RevertDecoder("", contract).decode(data)
