"""did:ethr building blocks: networks and deployments, the registry's ABI pieces and errors, DID syntax, and the
registry's events as typed records. See :mod:`microcred.did._ethr` for the whole method."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Final

import coincurve
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from microcred.chain._errors import (
    ContractRevert,
    RPCResponseError,
    RPCTimeoutError,
    RPCUnavailableError,
    TransactionDroppedError,
    TransactionFailedError,
    TransactionRejectedError,
    UnknownRevertError,
)
from microcred.chain._rpc import rpc_guard
from microcred.did._errors import (
    DIDError,
    DIDNetworkError,
    DIDTimeoutError,
    MalformedDIDError,
    UnsupportedMethodError,
)
from microcred.errors import InvalidInputError, NotFoundError

# -- networks and deployments -----------------------------------------------------------------------------------

#: network names of did:ethr DIDs and their chain ids (the registry README's table; ``goerli`` is named in the
#: method's ABNF). A resolver may be given more names, e.g. ``{"local": 31337}``.
ETHR_NETWORKS: Final[Mapping[str, int]] = {
    "mainnet": 1,
    "goerli": 5,
    "sepolia": 11155111,
    "holesky": 17000,
    "polygon": 137,
    "gno": 100,
    "rsk": 30,
    "rsk:test": 31,
    "ewc": 246,
    "volta": 73799,
    "aurora": 1313161554,
    "cardona": 2442,
}

_UPORT_1056: Final = "0xdca7ef03e98e0dc2b855be647c39abe984fcf21b"
_VERAMO_1056: Final = "0x03d5003bf0e79c5f5223588f347eba39afbc3818"
#: the ERC-1056 registries deployed on public networks, by chain id (uport-project/ethr-did-registry README,
#: "Contract Deployments"; struck-out networks are kept, they are harmless). Used when no address is given.
ETHR_REGISTRIES: Final[Mapping[int, str]] = {
    1: _UPORT_1056,
    3: _UPORT_1056,
    4: _UPORT_1056,
    5: _UPORT_1056,
    42: _UPORT_1056,
    30: _UPORT_1056,
    31: _UPORT_1056,
    246: "0xE29672f34e92b56C9169f9D485fFc8b9A136BCE4",
    73799: "0xC15D5A57A8Eb0e1dCBE5D88B8f9a82017e5Cc4AF",
    246785: _UPORT_1056,
    246529: _UPORT_1056,
    137: _UPORT_1056,
    80001: _UPORT_1056,
    1313161554: "0x63eD58B671EeD12Bc1652845ba5b2CDfBff198e0",
    421613: "0x8FFfcD6a85D29E9C33517aaf60b16FE4548f517E",
    59140: _VERAMO_1056,
    11155111: _VERAMO_1056,
    2442: _VERAMO_1056,
    17000: _VERAMO_1056,
    100: _VERAMO_1056,
}

ZERO_ADDRESS: Final = "0x0000000000000000000000000000000000000000"

# -- ABI pieces (the resolver decodes what it reads itself: no web3 contract object on the hot path) -------------

TOPIC_OWNER_CHANGED: Final = "0x" + keccak(text="DIDOwnerChanged(address,address,uint256)").hex()
TOPIC_DELEGATE_CHANGED: Final = "0x" + keccak(
    text="DIDDelegateChanged(address,bytes32,address,uint256,uint256)").hex()
TOPIC_ATTRIBUTE_CHANGED: Final = "0x" + keccak(
    text="DIDAttributeChanged(address,bytes32,bytes,uint256,uint256)").hex()
_EVENT_TOPICS: Final = (TOPIC_OWNER_CHANGED, TOPIC_DELEGATE_CHANGED, TOPIC_ATTRIBUTE_CHANGED)
_SELECTOR_CHANGED: Final = keccak(text="changed(address)")[:4]

#: media type of a resolved document (the method specification's DID resolution metadata)
CONTENT_TYPE: Final = "application/did+ld+json"

#: default bound on the changed blocks walked for one identity (the specification's "Denial of Service")
MAX_HISTORY: Final = 10_000


# -- errors -----------------------------------------------------------------------------------------------------


class UnsupportedNetworkError(UnsupportedMethodError):
    """The did:ethr DID names a network this resolver is not connected to (or a name it does not know)."""

    def __init__(self, message: str, *, did: str | None = None, network: str | None = None,
                 chain_id: int | None = None) -> None:
        super().__init__(message, did=did, method="ethr")
        #: the network as the DID names it (``sepolia``, ``0xaa36a7``; ``None`` for the mainnet default)
        self.network = network
        #: its chain id, when known
        self.chain_id = chain_id


class EthrRegistryNotFoundError(DIDError, NotFoundError):
    """No ERC-1056 registry answers at the configured address on the connected chain."""


class InvalidResolutionOptionsError(DIDError, InvalidInputError):
    """``at`` and ``block`` given together, a block not mined yet, a naive datetime … (``invalidOptions``)."""


class EthrHistoryTooLongError(DIDError):
    """The identity changed in more blocks than the resolver is configured to walk."""


class EthrTransactionError(DIDError):
    """A registry transaction could not be sent, reverted, or was not mined in time."""


class EthrRegistryRevert(EthrTransactionError, ContractRevert):
    """The registry refused a change; subclasses are named after the Solidity custom error and decoded by the
    chain's revert decoder (``error_args``: the decoded arguments, in order)."""

    contract: ClassVar[str] = "EthereumDIDRegistry"
    solidity_signature: ClassVar[str] = ""

    def __init__(self, **args: Any) -> None:
        ContractRevert.__init__(self, **args)
        self.did = None


def _ethr_revert(name: str, signature: str, template: str, doc: str) -> type[EthrRegistryRevert]:
    cls = type(f"Ethr{name}Error", (EthrRegistryRevert,), {
        "solidity_name": name, "solidity_signature": signature, "template": f"{name}: {template}",
        "__doc__": doc, "__module__": __name__})
    return cls


EthrNotOwnerError = _ethr_revert(
    "NotOwner", "NotOwner(address,address)", "{actor} is not the owner of identity {identity}",
    "``NotOwner(identity, actor)``: the sender (or a meta-transaction's signer) does not own the identity.")
EthrIdentityDeactivatedError = _ethr_revert(
    "IdentityDeactivated", "IdentityDeactivated(address)", "identity {identity} is deactivated",
    "``IdentityDeactivated(identity)``: the identity's owner was set to 0x0; nothing about it can change.")
EthrBadSignatureError = _ethr_revert(
    "BadSignature", "BadSignature()", "the meta-transaction signature is malformed",
    "``BadSignature()``: a meta-transaction signature is malformed.")
EthrValidityTooLongError = _ethr_revert(
    "ValidityTooLong", "ValidityTooLong(uint256)", "a validity of {validity} seconds overflows",
    "``ValidityTooLong(validity)``: now + validity overflows.")

#: every custom error of the registry's ABI, by its 4-byte selector
REGISTRY_ERRORS: Final[Mapping[bytes, type[EthrRegistryRevert]]] = {
    keccak(text=cls.solidity_signature)[:4]: cls
    for cls in (EthrNotOwnerError, EthrIdentityDeactivatedError, EthrBadSignatureError, EthrValidityTooLongError)
}


# -- DID syntax -------------------------------------------------------------------------------------------------

_ID_RE: Final = re.compile(r"0x(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{66})")
_HEX_CHAIN_RE: Final = re.compile(r"0x[0-9a-fA-F]{1,64}")


@dataclass(frozen=True, slots=True)
class EthrDID:
    """A parsed did:ethr DID."""

    did: str
    #: chain id the DID is anchored on (1 when the DID names no network)
    chain_id: int
    #: the network part as written (``None`` when absent)
    network: str | None
    #: EIP-55 address of the identity in the registry
    address: str
    #: compressed secp256k1 public key, when the DID is of the public-key form
    public_key: bytes | None = None


def parse_ethr_did(did: str, network_names: Mapping[str, int] | None = None) -> EthrDID:
    """Parse ``did:ethr:[<network>:]<address or compressed public key>``.

    Raises :class:`MalformedDIDError` for a wrong syntax or a public key not on the curve, and
    :class:`UnsupportedNetworkError` for a network name that is neither known nor a hex chain id.
    """
    if not isinstance(did, str) or not did.startswith("did:ethr:"):
        raise MalformedDIDError(f"not a did:ethr DID: {did!r} (it must start with 'did:ethr:')", did=None
                                if not isinstance(did, str) else did)
    rest = did[9:]
    written, sep, ident = rest.rpartition(":")
    network = written if sep else None
    if not _ID_RE.fullmatch(ident):
        raise MalformedDIDError(
            f"invalid did:ethr {did}: the identifier {ident!r} must be an address (0x + 40 hex digits) or a "
            f"compressed secp256k1 public key (0x02/0x03 + 64 hex digits)", did=did)
    if network is None:
        chain_id = 1
    else:
        names = {**ETHR_NETWORKS, **(network_names or {})}
        if network in names:
            chain_id = names[network]
        elif _HEX_CHAIN_RE.fullmatch(network):
            chain_id = int(network, 16)
        elif network.startswith(("0x", "0X")):
            raise MalformedDIDError(f"invalid did:ethr {did}: network {network!r} is not a hex chain id", did=did)
        elif not re.fullmatch(r"[a-z0-9._-]+(?::[a-z0-9._-]+)*", network):
            raise MalformedDIDError(f"invalid did:ethr {did}: network {network!r} is not a network name", did=did)
        else:
            raise UnsupportedNetworkError(
                f"cannot resolve {did}: unknown network {network!r} (known: {', '.join(sorted(names))}; or write "
                f"the chain id in hex, e.g. did:ethr:0xaa36a7:…)", did=did, network=network)
    public_key = None
    if len(ident) == 68:
        raw = bytes.fromhex(ident[2:])
        if raw[0] not in (2, 3):
            raise MalformedDIDError(
                f"invalid did:ethr {did}: a public-key identifier must be a compressed secp256k1 key (starting "
                f"02 or 03)", did=did)
        try:
            point = coincurve.PublicKey(raw).format(compressed=False)
        except (ValueError, TypeError) as exc:
            raise MalformedDIDError(f"invalid did:ethr {did}: {ident} is not a point on secp256k1", did=did) from exc
        public_key = raw
        address = to_checksum_address(keccak(point[1:])[-20:])
    else:
        address = to_checksum_address(ident)
    return EthrDID(did=did, chain_id=chain_id, network=network, address=address, public_key=public_key)


def ethr_did(address_or_key: str | bytes, chain_id: int = 1) -> str:
    """The did:ethr of an address (or a compressed secp256k1 public key) on ``chain_id``.

    Mainnet DIDs name no network; others name the chain id in hex, e.g. ``did:ethr:0xaa36a7:0xb9c5…``.
    """
    if isinstance(address_or_key, bytes):
        if len(address_or_key) != 33 or address_or_key[0] not in (2, 3):
            raise InvalidInputError("a did:ethr public key must be a compressed secp256k1 key of 33 bytes")
        ident = "0x" + address_or_key.hex()
    elif isinstance(address_or_key, str) and re.fullmatch(r"0x[0-9a-fA-F]{40}", address_or_key):
        ident = address_or_key.lower()
    else:
        raise InvalidInputError(f"not an Ethereum address: {address_or_key!r}")
    if not isinstance(chain_id, int) or isinstance(chain_id, bool) or chain_id <= 0:
        raise InvalidInputError(f"a chain id is a positive integer, got {chain_id!r}")
    return f"did:ethr:{ident}" if chain_id == 1 else f"did:ethr:{hex(chain_id)}:{ident}"


def bytes32(text: str | bytes) -> bytes:
    """``text`` (UTF-8) right-padded with zeros to 32 bytes, as ERC-1056 names and delegate types are."""
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if len(raw) > 32:
        raise InvalidInputError(f"{text!r} is {len(raw)} bytes long: ERC-1056 names hold at most 32")
    return raw.ljust(32, b"\0")


def bytes32_text(raw: bytes) -> str | None:
    """The text of a zero-padded bytes32, or ``None`` when it is not UTF-8 text."""
    try:
        return raw.rstrip(b"\0").decode("utf-8")
    except UnicodeDecodeError:
        return None


# -- events -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistryEvent:
    """One ERC-1056 event of an identity, where it happened."""

    identity: str
    block_number: int
    block_hash: str
    log_index: int
    transaction_hash: str
    previous_change: int
    #: the block's time when the node reported it with the log (``blockTimestamp``)
    block_timestamp: int | None

    @property
    def position(self) -> tuple[int, int]:
        return self.block_number, self.log_index


@dataclass(frozen=True, slots=True)
class OwnerChanged(RegistryEvent):
    """``DIDOwnerChanged``: ``owner`` became the identity's owner (0x0: deactivated)."""

    owner: str = ZERO_ADDRESS


@dataclass(frozen=True, slots=True)
class DelegateChanged(RegistryEvent):
    """``DIDDelegateChanged``: ``delegate`` acts for the identity as ``delegate_type`` until ``valid_to``."""

    delegate_type: bytes = b""
    delegate: str = ZERO_ADDRESS
    valid_to: int = 0


@dataclass(frozen=True, slots=True)
class AttributeChanged(RegistryEvent):
    """``DIDAttributeChanged``: attribute ``name`` = ``value`` holds until ``valid_to`` (0: revoked)."""

    name: bytes = b""
    value: bytes = b""
    valid_to: int = 0

    @property
    def name_text(self) -> str | None:
        return bytes32_text(self.name)


# -- RPC plumbing: the chain's guard, its errors translated into DID errors --------------------------------------


@contextmanager
def _rpc(what: str, endpoint: str, *, sending: bool = False) -> Iterator[None]:
    """The chain's one RPC guard (:func:`microcred.chain.rpc_guard`), its failures raised as DID errors: a timeout
    as :class:`DIDTimeoutError`, any other RPC failure as :class:`DIDNetworkError`, a refused or failed
    transaction (or an unnamed revert while ``sending``) as :class:`EthrTransactionError`; the registry's named
    reverts pass as they are."""
    try:
        with rpc_guard(what, endpoint=endpoint, contract="EthereumDIDRegistry", sending=sending):
            yield
    except RPCTimeoutError as exc:
        raise DIDTimeoutError(str(exc)) from exc
    except (RPCUnavailableError, RPCResponseError) as exc:
        raise DIDNetworkError(str(exc)) from exc
    except (TransactionRejectedError, TransactionFailedError, TransactionDroppedError) as exc:
        raise EthrTransactionError(str(exc)) from exc
    except UnknownRevertError as exc:
        if not sending:
            raise  # a read that reverts: the caller says what that means
        raise EthrTransactionError(str(exc)) from exc


def _int(value: Any, what: str) -> int:
    """An integer of a JSON-RPC answer: ``0x``-hex text or (in-process EVM) an int."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{1,64}", value):
        return int(value, 16)
    raise DIDNetworkError(f"the RPC endpoint answered {what} = {value!r}, which is not a number")


def _bytes(value: Any, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str) and re.fullmatch(r"0x(?:[0-9a-fA-F]{2})*", value):
        return bytes.fromhex(value[2:])
    raise DIDNetworkError(f"the RPC endpoint answered {what} = {value!r:.80}, which is not hex data")


def _hex(value: Any, what: str) -> str:
    return "0x" + _bytes(value, what).hex()


def _endpoint(w3: Web3) -> str:
    uri = getattr(w3.provider, "endpoint_uri", None)
    return f"the RPC endpoint {uri}" if uri else f"the RPC endpoint ({type(w3.provider).__name__})"


def _reader(w3: Web3) -> Web3:
    """A ``Web3`` over the same provider and middleware, minus ``validation``, which asks the node for its chain id
    on every ``eth_call`` (two extra requests per read)."""
    reader = Web3(w3.provider, middleware=[])
    for mw, name in w3.middleware_onion.middleware:
        if name != "validation":
            reader.middleware_onion.add(mw, name=name)
    return reader
