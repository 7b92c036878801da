"""did:ethr: DIDs whose documents live in an ERC-1056 registry (``EthereumDIDRegistry``) on an EVM chain.

Resolution follows the did:ethr method specification (decentralized-identity/ethr-did-resolver,
``doc/did-method-spec.md``)::

    resolver = EthrResolver(w3, registry_address, chain_id=11155111)
    result = resolver.resolve("did:ethr:sepolia:0xb9c5714089478a327f09197987f16f9e5d936e8a")
    result = resolver.resolve(did, at=datetime(2026, 5, 1, tzinfo=timezone.utc))  # as it was then
    result = resolver.resolve(did, block=12090175)                                 # versionId
    Resolver(methods={"ethr": resolver})                                            # plugs into microcred's resolver

**DIDs.** ``did:ethr:[<network>:]<id>`` where ``<network>`` is a name of :data:`ETHR_NETWORKS` (or one given to the
resolver) or a hex chain id (``0xaa36a7``), absent for mainnet; ``<id>`` is an address (``0x`` + 40 hex) or a
compressed secp256k1 public key (``0x02``/``0x03`` + 64 hex) standing for its address.

**History.** The registry links each identity's events: ``changed(identity)`` is the block of its latest change and
every event carries ``previousChange``. The resolver reads ``changed`` (one ``eth_call``), then asks for the logs of
exactly that block (one ``eth_getLogs`` with the registry's address and the identity's topic), follows the
``previousChange`` of those events to the next block, and so on: K changed blocks cost 1 + K requests and no block
without a change is ever scanned. Block times come from the logs when the node includes ``blockTimestamp`` (anvil,
recent geth/reth); otherwise from block headers, fetched only where needed and cached by block hash. Latest
resolution therefore costs at most K + 2 requests: ``changed``, K log queries, and the header of the latest change
for ``updated``. Historical resolution adds the headers it needs (the block asked for, the version and next-version
blocks; for a time, a bisection over the changed blocks that tries the latest first).

**Document.** ``#controller`` (``EcdsaSecp256k1RecoveryMethod2020``, ``blockchainAccountId`` =
``eip155:<chainId>:<owner>``) in ``authentication`` and ``assertionMethod``, with ``#controllerKey`` beside it
when the DID is a public key still controlled by its own address; ``veriKey`` / ``sigAuth`` delegates and
``did/pub/<algorithm>/<purpose>[/<encoding>]`` attributes as ``#delegate-<n>``; ``did/svc/<type>`` attributes as
``#service-<n>`` (``n`` counts the events that touch that section, revocations included, so ids are stable). A
delegate or attribute is in the document while its ``validTo`` is later than the time of resolution: strictly later,
like the registry's own ``validDelegate``, so a delegate revoked in block B (``validTo`` = B's time) is gone when
resolving at B. Owner ``0x0`` deactivates the DID for good: an empty document and ``deactivated: true``.

**Writing.** :class:`EthrDIDController` signs registry transactions locally with an eth-account account (a keystore
key, a KMS signer) and sends them through the injected ``Web3``; :func:`meta_transaction_digest` is what an owner
signs for the ``…Signed`` functions, so a relayer can pay the gas.

Nothing here builds a provider or reads the environment: the ``Web3`` and the registry address are injected.
"""

from __future__ import annotations

import ast
import base64
import bisect
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar, Final

import coincurve
import requests
from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import ValidationError as _EthUtilsValidationError
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3 import exceptions as w3x

from microcred.did._document import DIDDocument, DIDDocumentMetadata, DIDResolutionResult
from microcred.did._errors import (
    DIDError,
    DIDNetworkError,
    DIDTimeoutError,
    MalformedDIDError,
    UnsupportedMethodError,
)
from microcred.did._keys import PublicKey
from microcred.did._multiformats import b58encode, multibase_encode
from microcred.errors import ConfigError, InvalidInputError, NotFoundError

try:  # the in-process EVM raises its own exceptions
    from eth_tester.exceptions import TransactionFailed as _TesterTransactionFailed
    from eth_tester.exceptions import ValidationError as _TesterValidationError
except ImportError:  # pragma: no cover - eth-tester is a dependency of microcred
    _TesterTransactionFailed = _TesterValidationError = ()  # type: ignore[assignment,misc]

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
_DID_CONTEXT: Final = "https://www.w3.org/ns/did/v1"
_BASE_CONTEXT: Final = (_DID_CONTEXT, "https://w3id.org/security/suites/secp256k1recovery-2020/v2")
_SECURITY_V2: Final = "https://w3id.org/security/v2"
_JWK_TERM: Final = {"publicKeyJwk": {"@id": "https://w3id.org/security#publicKeyJwk", "@type": "@json"}}

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


class EthrRegistryRevert(EthrTransactionError):
    """The registry refused a change; subclasses are named after the Solidity custom error."""

    solidity_signature: ClassVar[str] = ""

    def __init__(self, message: str, *, args: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        #: the decoded arguments of the Solidity error
        self.error_args = args


class EthrNotOwnerError(EthrRegistryRevert):
    """``NotOwner(identity, actor)``: the sender (or a meta-transaction's signer) does not own the identity."""

    solidity_signature = "NotOwner(address,address)"


class EthrIdentityDeactivatedError(EthrRegistryRevert):
    """``IdentityDeactivated(identity)``: the identity's owner was set to 0x0; nothing about it can change."""

    solidity_signature = "IdentityDeactivated(address)"


class EthrBadSignatureError(EthrRegistryRevert):
    """``BadSignature()``: a meta-transaction signature is malformed."""

    solidity_signature = "BadSignature()"


class EthrValidityTooLongError(EthrRegistryRevert):
    """``ValidityTooLong(validity)``: now + validity overflows."""

    solidity_signature = "ValidityTooLong(uint256)"


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
    network, sep, ident = rest.rpartition(":")
    if not sep:
        network = None  # type: ignore[assignment]
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


# -- RPC plumbing -----------------------------------------------------------------------------------------------

_CONNECTION_ERRORS: Final = (
    requests.exceptions.ConnectionError,
    w3x.ProviderConnectionError,
    ConnectionError,
)
_TIMEOUT_ERRORS: Final = (requests.exceptions.Timeout, w3x.RequestTimedOut, w3x.TimeExhausted, TimeoutError)
_GARBAGE_ERRORS: Final = (
    w3x.BadResponseFormat,
    w3x.BadFunctionCallOutput,
    w3x.InsufficientData,
    DecodingError,
    requests.exceptions.RequestException,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    IndexError,
)


class _ContractReverted(DIDError):
    """A call or gas estimate reverted (turned into a named error by the caller; the cause holds the revert)."""


_REVERTS: Final = (w3x.ContractLogicError, w3x.ContractCustomError, w3x.ContractPanicError, _TesterTransactionFailed)


@contextmanager
def _rpc(what: str, endpoint: str) -> Iterator[None]:
    """Map every failure of a chain read to :class:`DIDNetworkError` (or :class:`DIDTimeoutError`); a revert to
    :class:`_ContractReverted`."""
    try:
        yield
    except DIDError:
        raise
    except _REVERTS as exc:
        raise _ContractReverted(f"{what}: the contract reverted ({exc})") from exc
    except _TIMEOUT_ERRORS as exc:
        raise DIDTimeoutError(f"{what}: {endpoint} did not answer in time ({type(exc).__name__})") from exc
    except _CONNECTION_ERRORS as exc:
        raise DIDNetworkError(f"{what}: {endpoint} cannot be reached ({type(exc).__name__}: {exc})") from exc
    except w3x.Web3RPCError as exc:
        raise DIDNetworkError(f"{what}: {endpoint} answered with an error: {exc}") from exc
    except (_TesterValidationError, _EthUtilsValidationError) as exc:
        raise DIDNetworkError(f"{what}: the node refused the request: {exc}") from exc
    except _GARBAGE_ERRORS as exc:
        raise DIDNetworkError(
            f"{what}: {endpoint} answered something that is not a valid answer ({type(exc).__name__}: {exc})"
        ) from exc
    except w3x.Web3Exception as exc:
        raise DIDNetworkError(f"{what}: {endpoint} failed ({type(exc).__name__}: {exc})") from exc


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


# -- snapshots --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentitySnapshot:
    """What an identity looked like in the registry at one point of time."""

    identity: str
    #: every event up to that point, oldest first
    events: tuple[RegistryEvent, ...]
    #: unix time validities were evaluated at
    evaluated_at: int
    #: block number asked for (``block=``), if any
    at_block: int | None
    version_block: int | None
    version_time: int | None
    next_block: int | None
    next_time: int | None
    owner: str
    deactivated: bool
    #: attributes valid at ``evaluated_at`` (revoked, expired and deactivated ones left out), oldest first
    live_attributes: tuple[AttributeChanged, ...] = field(default=())
    #: delegates valid at ``evaluated_at``, oldest first
    live_delegates: tuple[DelegateChanged, ...] = field(default=())


def _live_entries(events: tuple[RegistryEvent, ...], t: int) -> tuple[str, bool, list[AttributeChanged],
                                                                       list[DelegateChanged]]:
    owner = events[0].identity if events else ZERO_ADDRESS
    attrs: dict[tuple[bytes, bytes], AttributeChanged] = {}
    dels: dict[tuple[bytes, str], DelegateChanged] = {}
    for ev in events:
        if isinstance(ev, OwnerChanged):
            owner = ev.owner
            if ev.owner == ZERO_ADDRESS:
                return owner, True, [], []
        elif isinstance(ev, AttributeChanged):
            key = (ev.name, ev.value)
            attrs.pop(key, None)
            if ev.valid_to > t:
                attrs[key] = ev
        elif isinstance(ev, DelegateChanged):
            dkey = (ev.delegate_type, ev.delegate)
            dels.pop(dkey, None)
            if ev.valid_to > t:
                dels[dkey] = ev
    return owner, False, list(attrs.values()), list(dels.values())


# -- the resolver -----------------------------------------------------------------------------------------------


class EthrResolver:
    """Resolves did:ethr DIDs of one chain from its ERC-1056 registry.

    :param w3: a connected ``Web3`` (injected; never built here)
    :param registry_address: the registry; ``None`` takes the public deployment of :data:`ETHR_REGISTRIES`
    :param chain_id: the chain ``w3`` serves; ``None`` asks the node once and remembers it
    :param network_names: more network names for DIDs, e.g. ``{"local": 31337}``
    :param clock: unix time now, for the validity of delegates and attributes in latest resolution
    :param max_history: most changed blocks walked for one identity
    :param timestamp_cache: block times kept, by block hash
    :param call_from: ``from`` of the ``eth_call`` reading ``changed`` (default none; with the in-process EVM, which
        charges gas even for calls, its first funded account, asked once)
    """

    def __init__(
        self,
        w3: Web3,
        registry_address: str | None = None,
        chain_id: int | None = None,
        *,
        network_names: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.time,
        max_history: int = MAX_HISTORY,
        timestamp_cache: int = 4096,
        call_from: str | None = None,
    ) -> None:
        if not isinstance(w3, Web3):
            raise TypeError(f"EthrResolver needs a web3.Web3, got {type(w3).__name__}")
        self.w3 = w3
        self._reader = _reader(w3)
        self._chain_id = chain_id
        if registry_address is None:
            if chain_id is None or chain_id not in ETHR_REGISTRIES:
                raise ConfigError(
                    f"no ERC-1056 registry address given and none is known for chain {chain_id}: pass "
                    f"registry_address (known public deployments: chains {sorted(ETHR_REGISTRIES)})")
            registry_address = ETHR_REGISTRIES[chain_id]
        if not isinstance(registry_address, str) or not re.fullmatch(r"0x[0-9a-fA-F]{40}", registry_address):
            raise InvalidInputError(f"the registry address {registry_address!r} is not an Ethereum address")
        self.registry = to_checksum_address(registry_address)
        self.network_names: dict[str, int] = dict(network_names or {})
        self._clock = clock
        self.max_history = max_history
        self._endpoint = _endpoint(w3)
        self._ts_cache: OrderedDict[str, int] = OrderedDict()
        self._ts_cache_size = timestamp_cache
        self._lock = threading.Lock()
        self._call_from = to_checksum_address(call_from) if call_from else None

    # -- configuration ------------------------------------------------------------------------------------------
    @property
    def chain_id(self) -> int:
        """The chain this resolver reads (asked of the node once when not configured)."""
        if self._chain_id is None:
            with _rpc("reading the chain id", self._endpoint):
                self._chain_id = int(self._reader.eth.chain_id)
        return self._chain_id

    def did_for(self, address_or_key: str | bytes) -> str:
        """The did:ethr of an address (or compressed public key) on this resolver's chain."""
        return ethr_did(address_or_key, self.chain_id)

    def parse(self, did: str) -> EthrDID:
        """Parse ``did`` and check it is anchored on this resolver's chain (else :class:`UnsupportedNetworkError`)."""
        parsed = parse_ethr_did(did, self.network_names)
        if parsed.chain_id != self.chain_id:
            where = f"network {parsed.network!r} (chain id {parsed.chain_id})" if parsed.network else \
                "Ethereum mainnet (chain id 1: the DID names no network)"
            raise UnsupportedNetworkError(
                f"cannot resolve {did}: it is anchored on {where}, but this resolver reads chain {self.chain_id} "
                f"(registry {self.registry})", did=did, network=parsed.network, chain_id=parsed.chain_id)
        return parsed

    # -- chain reads --------------------------------------------------------------------------------------------
    def changed(self, identity: str) -> int:
        """``changed(identity)``: the block of the identity's latest change (0 if none). One ``eth_call``."""
        identity = to_checksum_address(identity)
        data = "0x" + (_SELECTOR_CHANGED + bytes(12) + bytes.fromhex(identity[2:])).hex()
        what = f"reading the history head of {identity} from the ERC-1056 registry {self.registry}"
        call: dict[str, Any] = {"to": self.registry, "data": data}
        try:
            with _rpc(what, self._endpoint):
                if self._call_from is None and _is_in_process(self.w3):
                    self._call_from = to_checksum_address(self._reader.eth.accounts[0])
                if self._call_from is not None:
                    call["from"] = self._call_from
                raw = self._reader.eth.call(call, "latest")
        except _ContractReverted as exc:
            raise EthrRegistryNotFoundError(
                    f"{what}: the contract at {self.registry} on chain {self.chain_id} reverted changed(address): "
                f"it is not an ERC-1056 registry") from exc.__cause__
        raw = _bytes(raw, "the result of changed(address)")
        if not raw:
            self._no_registry(what)
        if len(raw) != 32:
            raise DIDNetworkError(f"{what}: {self._endpoint} answered {len(raw)} bytes where changed(address) "
                                  f"returns 32")
        return int.from_bytes(raw, "big")

    def _no_registry(self, what: str) -> None:
        with _rpc(what, self._endpoint):
            code = self._reader.eth.get_code(self.registry)
        if not code:
            raise EthrRegistryNotFoundError(
                f"{what}: there is no contract at {self.registry} on chain {self.chain_id} (check the registry "
                f"address and the network)")
        raise EthrRegistryNotFoundError(
            f"{what}: the contract at {self.registry} on chain {self.chain_id} answered nothing to changed(address):"
            f" it is not an ERC-1056 registry")

    def _logs(self, identity: str, block: int) -> list[RegistryEvent]:
        """The identity's events in ``block``, in log order. One ``eth_getLogs``."""
        topic = "0x" + "00" * 12 + identity[2:].lower()
        what = f"reading the ERC-1056 events of {identity} in block {block}"
        with _rpc(what, self._endpoint):
            logs = self._reader.eth.get_logs({
                "address": self.registry,
                "fromBlock": block,
                "toBlock": block,
                "topics": [list(_EVENT_TOPICS), topic],
            })
        if not isinstance(logs, (list, tuple)):
            raise DIDNetworkError(f"{what}: {self._endpoint} answered {type(logs).__name__}, not a list of logs")
        events: list[RegistryEvent] = []
        for log in logs:
            ev = self._decode(log, identity, topic, block, what)
            if ev is not None:
                events.append(ev)
        events.sort(key=lambda e: e.log_index)
        return events

    def _decode(self, log: Any, identity: str, topic: str, block: int, what: str) -> RegistryEvent | None:
        try:
            if log.get("removed"):
                return None
            address = log["address"]
            topics = [_hex(t, "a log topic") for t in log["topics"]]
            data = _bytes(log["data"], "log data")
            number = _int(log["blockNumber"], "a log's blockNumber")
            common = dict(
                identity=identity,
                block_number=number,
                block_hash=_hex(log["blockHash"], "a log's blockHash"),
                log_index=_int(log["logIndex"], "a log's logIndex"),
                transaction_hash=_hex(log["transactionHash"], "a log's transactionHash"),
                block_timestamp=(_int(log["blockTimestamp"], "a log's blockTimestamp")
                                 if log.get("blockTimestamp") is not None else None),
            )
        except DIDNetworkError as exc:
            raise DIDNetworkError(f"{what}: {exc}") from exc
        except (KeyError, AttributeError, TypeError) as exc:
            raise DIDNetworkError(f"{what}: {self._endpoint} answered a log without {exc}") from exc
        if (not isinstance(address, str) or address.lower() != self.registry.lower() or number != block
                or len(topics) != 2 or topics[1] != topic or topics[0] not in _EVENT_TOPICS):
            raise DIDNetworkError(
                f"{what}: {self._endpoint} answered a log that does not match the query (address {address}, "
                f"block {number}, topics {topics})")
        try:
            if topics[0] == TOPIC_OWNER_CHANGED:
                owner, prev = abi_decode(["address", "uint256"], data)
                return OwnerChanged(**common, previous_change=prev, owner=to_checksum_address(owner))
            if topics[0] == TOPIC_DELEGATE_CHANGED:
                dtype, delegate, valid_to, prev = abi_decode(["bytes32", "address", "uint256", "uint256"], data)
                return DelegateChanged(**common, previous_change=prev, delegate_type=dtype,
                                       delegate=to_checksum_address(delegate), valid_to=valid_to)
            name, value, valid_to, prev = abi_decode(["bytes32", "bytes", "uint256", "uint256"], data)
            return AttributeChanged(**common, previous_change=prev, name=name, value=value, valid_to=valid_to)
        except (DecodingError, ValueError, TypeError, OverflowError) as exc:
            raise DIDNetworkError(f"{what}: the data of an event cannot be decoded ({exc})") from exc

    def history(self, identity: str) -> tuple[RegistryEvent, ...]:
        """Every ERC-1056 event of ``identity``, oldest first, walking the ``previousChange`` links.

        1 + K requests for K changed blocks; never a block without a change.
        """
        identity = to_checksum_address(identity)
        block = self.changed(identity)
        found: list[RegistryEvent] = []
        walked = 0
        while block:
            walked += 1
            if walked > self.max_history:
                raise EthrHistoryTooLongError(
                    f"{identity} changed in more than {self.max_history} blocks: not resolved (raise max_history "
                    f"to walk it)", did=None)
            events = self._logs(identity, block)
            if not events:
                raise DIDNetworkError(
                    f"the registry {self.registry} says {identity} changed in block {block}, but {self._endpoint} "
                    f"returned no event of it there (a node that pruned its logs, or one behind the other?)")
            earlier = [ev.previous_change for ev in events if ev.previous_change < block]
            if not earlier:
                raise DIDNetworkError(
                    f"the events of {identity} in block {block} do not link to an earlier block: "
                    f"{self._endpoint} returned an incomplete set of logs")
            found.extend(events)
            block = max(earlier)
        found.sort(key=lambda e: e.position)
        return tuple(found)

    # -- block times --------------------------------------------------------------------------------------------
    def _block_time(self, block: int | str) -> int:
        """Unix time of a block given by number or hash (hashes are cached: their time never changes)."""
        key = block if isinstance(block, str) else None
        if key is not None:
            with self._lock:
                hit = self._ts_cache.get(key)
                if hit is not None:
                    self._ts_cache.move_to_end(key)
                    return hit
        what = f"reading the time of block {block}"
        with _rpc(what, self._endpoint):
            try:
                header = self._reader.eth.get_block(block)
            except w3x.BlockNotFound:
                if isinstance(block, int):
                    raise InvalidResolutionOptionsError(
                        f"block {block} is not mined yet on chain {self.chain_id}") from None
                raise DIDNetworkError(f"{what}: {self._endpoint} no longer knows block {block} (a reorg?)") from None
            ts = _int(header["timestamp"], "a block's timestamp")
        if key is not None:
            self._remember(key, ts)
        return ts

    def _remember(self, block_hash: str, ts: int) -> None:
        with self._lock:
            self._ts_cache[block_hash] = ts
            self._ts_cache.move_to_end(block_hash)
            while len(self._ts_cache) > self._ts_cache_size:
                self._ts_cache.popitem(last=False)

    def _event_time(self, ev: RegistryEvent) -> int:
        if ev.block_timestamp is not None:
            self._remember(ev.block_hash, ev.block_timestamp)
            return ev.block_timestamp
        return self._block_time(ev.block_hash)

    # -- snapshot -----------------------------------------------------------------------------------------------
    def snapshot(self, identity: str, *, at: datetime | float | None = None,
                 block: int | None = None) -> IdentitySnapshot:
        """The identity as of ``at`` (a timezone-aware datetime or unix seconds) or as of ``block``; latest when
        neither is given. Events after that point are left out; validities are evaluated at that time."""
        at_time, at_block = _options(at, block)
        identity = to_checksum_address(identity)
        events = self.history(identity)
        firsts: dict[int, RegistryEvent] = {}
        for ev in events:
            firsts.setdefault(ev.block_number, ev)
        blocks = sorted(firsts)
        if at_block is not None:
            cut = bisect.bisect_right(blocks, at_block)
            evaluated = (self._event_time(firsts[at_block]) if at_block in firsts
                         else self._block_time(at_block))
        elif at_time is not None:
            cut = self._cut_by_time(blocks, firsts, at_time)
            evaluated = at_time
        else:
            cut = len(blocks)
            evaluated = int(self._clock())
        version = blocks[cut - 1] if cut else None
        nxt = blocks[cut] if cut < len(blocks) else None
        included = tuple(ev for ev in events if version is not None and ev.block_number <= version)
        owner, deactivated, attrs, dels = _live_entries(included, evaluated)
        return IdentitySnapshot(
            identity=identity,
            events=included,
            evaluated_at=evaluated,
            at_block=at_block,
            version_block=version,
            version_time=self._event_time(firsts[version]) if version is not None else None,
            next_block=nxt,
            next_time=self._event_time(firsts[nxt]) if nxt is not None else None,
            owner=owner if included else identity,
            deactivated=deactivated,
            live_attributes=tuple(attrs),
            live_delegates=tuple(dels),
        )

    def _cut_by_time(self, blocks: list[int], firsts: dict[int, RegistryEvent], t: int) -> int:
        """How many of the changed ``blocks`` have a time <= ``t``: the latest first (the usual case), then the
        earliest, then a bisection."""
        if not blocks:
            return 0
        if self._event_time(firsts[blocks[-1]]) <= t:
            return len(blocks)
        if self._event_time(firsts[blocks[0]]) > t:
            return 0
        lo, hi = 1, len(blocks) - 1  # blocks[lo - 1] <= t < blocks[hi]
        while lo < hi:
            mid = (lo + hi) // 2
            if self._event_time(firsts[blocks[mid]]) <= t:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # -- resolution ---------------------------------------------------------------------------------------------
    def resolve(self, did: str, at: datetime | float | None = None, *, block: int | None = None
                ) -> DIDResolutionResult:
        """Resolve ``did`` as of ``at`` (timezone-aware datetime or unix seconds) or ``block`` (the
        specification's ``versionTime`` / ``versionId``); the latest state when neither is given.

        Raises :class:`MalformedDIDError`, :class:`UnsupportedNetworkError`, :class:`EthrRegistryNotFoundError`,
        :class:`InvalidResolutionOptionsError`, :class:`DIDNetworkError` (RPC down or answering garbage).
        """
        parsed = self.parse(did)
        snap = self.snapshot(parsed.address, at=at, block=block)
        return build_result(parsed, snap, self.chain_id)

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        """The :class:`~microcred.did.Resolver` plug-in: ``resolver.register("ethr", ethr_resolver)``."""
        return self.resolve(did, at)

    def __repr__(self) -> str:
        return f"EthrResolver(chain_id={self._chain_id}, registry={self.registry!r})"


class EthrNetworks:
    """Resolves did:ethr DIDs of several chains, each with its own :class:`EthrResolver`."""

    def __init__(self, resolvers: list[EthrResolver] | tuple[EthrResolver, ...]) -> None:
        self._by_chain = {r.chain_id: r for r in resolvers}
        self._names: dict[str, int] = {}
        for r in resolvers:
            self._names.update(r.network_names)

    def resolve(self, did: str, at: datetime | float | None = None, *, block: int | None = None
                ) -> DIDResolutionResult:
        """Resolve ``did`` with the resolver of its chain (:meth:`EthrResolver.resolve`)."""
        parsed = parse_ethr_did(did, self._names)
        resolver = self._by_chain.get(parsed.chain_id)
        if resolver is None:
            raise UnsupportedNetworkError(
                f"cannot resolve {did}: no connection to chain {parsed.chain_id} (connected: "
                f"{', '.join(str(c) for c in sorted(self._by_chain)) or 'none'})",
                did=did, network=parsed.network, chain_id=parsed.chain_id)
        return resolver.resolve(did, at, block=block)

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        """The :class:`~microcred.did.Resolver` plug-in."""
        return self.resolve(did, at)


def _options(at: datetime | float | None, block: int | None) -> tuple[int | None, int | None]:
    if at is not None and block is not None:
        raise InvalidResolutionOptionsError("give 'at' (versionTime) or 'block' (versionId), not both")
    if block is not None:
        if not isinstance(block, int) or isinstance(block, bool) or block < 0:
            raise InvalidResolutionOptionsError(f"'block' must be a block number, got {block!r}")
        return None, block
    if at is None:
        return None, None
    if isinstance(at, datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise InvalidResolutionOptionsError(f"'at' must be timezone-aware, got {at.isoformat()}")
        return int(at.timestamp() // 1), None
    if isinstance(at, (int, float)) and not isinstance(at, bool) and at >= 0:
        return int(at // 1), None
    raise InvalidResolutionOptionsError(f"'at' must be a datetime or unix seconds, got {at!r}")


def _is_in_process(w3: Web3) -> bool:
    from web3 import EthereumTesterProvider

    return isinstance(w3.provider, EthereumTesterProvider)


# -- the document -----------------------------------------------------------------------------------------------

_KNOWN_ALGORITHMS: Final = {
    # algorithm: (verification method type, @context entries)
    "Secp256k1": ("EcdsaSecp256k1VerificationKey2019", (_SECURITY_V2, _JWK_TERM)),
    "Ed25519": ("Ed25519VerificationKey2020", ("https://w3id.org/security/suites/ed25519-2020/v1",)),
    "X25519": ("X25519KeyAgreementKey2020", ("https://w3id.org/security/suites/x25519-2020/v1",)),
    "Multikey": ("Multikey", ("https://w3id.org/security/multikey/v1",)),
}
_RAW_ENCODINGS: Final = {
    "hex": ("publicKeyHex", lambda raw: raw.hex()),
    "base64": ("publicKeyBase64", lambda raw: base64.b64encode(raw).decode("ascii")),
    "base58": ("publicKeyBase58", b58encode),
}
_PURPOSES: Final = {
    "veriKey": ("assertionMethod",),
    "sigAuth": ("assertionMethod", "authentication"),
    "enc": ("keyAgreement",),
}
_DELEGATE_PURPOSES: Final = {"veriKey": ("assertionMethod",), "sigAuth": ("assertionMethod", "authentication")}


def _iso(ts: int | None) -> datetime | None:
    return datetime.fromtimestamp(ts, timezone.utc) if ts is not None else None


def _public_key_entry(algorithm: str, encoding: str | None, value: bytes
                      ) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
    """(type, key members, @context entries) of a ``did/pub`` attribute; ``ValueError`` when the key is bad."""
    known = _KNOWN_ALGORITHMS.get(algorithm)
    if known is not None:
        vm_type, context = known
        if algorithm == "Secp256k1":
            if len(value) not in (33, 65):
                raise ValueError(f"a secp256k1 key has 33 or 65 bytes, got {len(value)}")
            jwk = PublicKey.from_bytes("secp256k1", value).jwk
            return vm_type, {"publicKeyJwk": jwk}, context
        if algorithm in ("Ed25519", "X25519"):
            if len(value) != 32:
                raise ValueError(f"an {algorithm} key has 32 bytes, got {len(value)}")
            prefix = b"\xed\x01" if algorithm == "Ed25519" else b"\xec\x01"
            return vm_type, {"publicKeyMultibase": multibase_encode(prefix + value)}, context
        if not value:
            raise ValueError("a Multikey value holds a multicodec prefix and a key, got nothing")
        return vm_type, {"publicKeyMultibase": multibase_encode(value)}, context
    member, encode = _RAW_ENCODINGS.get(encoding or "hex", _RAW_ENCODINGS["hex"])
    return algorithm, {member: encode(value)}, (_SECURITY_V2, {member: f"https://w3id.org/security#{member}"})


def _service_endpoint(value: bytes) -> Any:
    text = value.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if text[:1] in ("{", "["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        if isinstance(parsed, (dict, list)):
            return parsed
    return text


def build_result(parsed: EthrDID, snap: IdentitySnapshot, chain_id: int) -> DIDResolutionResult:
    """The resolution result of ``parsed`` from a registry snapshot (no I/O)."""
    did = parsed.did
    metadata: dict[str, Any] = {}
    if snap.version_block is not None:
        metadata.update(version_id=str(snap.version_block), updated=_iso(snap.version_time))
    if snap.next_block is not None:
        metadata.update(next_version_id=str(snap.next_block), next_update=_iso(snap.next_time))
    if snap.deactivated:
        document = DIDDocument.model_validate({
            "@context": _DID_CONTEXT, "id": did, "verificationMethod": [], "assertionMethod": [],
            "authentication": [],
        })
        return DIDResolutionResult(
            document=document, metadata=DIDDocumentMetadata(deactivated=True, **metadata),
            resolution_metadata={"contentType": CONTENT_TYPE},
        )

    context: list[Any] = list(_BASE_CONTEXT)

    def add_context(entries: tuple[Any, ...]) -> None:
        for entry in entries:
            if entry not in context:
                context.append(entry)

    owner = snap.owner
    controller = {"id": f"{did}#controller", "type": "EcdsaSecp256k1RecoveryMethod2020", "controller": did,
                  "blockchainAccountId": f"eip155:{chain_id}:{owner}"}
    methods: list[dict[str, Any]] = [controller]
    refs = [controller["id"]]
    if parsed.public_key is not None and owner == parsed.address:
        methods.append({"id": f"{did}#controllerKey", "type": "EcdsaSecp256k1VerificationKey2019",
                        "controller": did, "publicKeyJwk": PublicKey("secp256k1", parsed.public_key).jwk})
        refs.append(f"{did}#controllerKey")
        add_context((_SECURITY_V2, _JWK_TERM))

    # keyed like the registry keys them, so a revocation finds what it revokes; dicts keep first-insertion order
    entries: dict[tuple[Any, ...], tuple[dict[str, Any], tuple[str, ...], tuple[Any, ...]]] = {}
    services: dict[tuple[bytes, bytes], dict[str, Any]] = {}
    warnings: list[str] = []
    delegate_n = service_n = 0
    t = snap.evaluated_at
    for ev in snap.events:
        if isinstance(ev, DelegateChanged):
            delegate_n += 1
            key: tuple[Any, ...] = ("delegate", ev.delegate_type, ev.delegate)
            purpose = _DELEGATE_PURPOSES.get(bytes32_text(ev.delegate_type) or "")
            if purpose is None:
                continue
            if ev.valid_to > t:
                vm = {"id": f"{did}#delegate-{delegate_n}", "type": "EcdsaSecp256k1RecoveryMethod2020",
                      "controller": did, "blockchainAccountId": f"eip155:{chain_id}:{ev.delegate}"}
                entries[key] = (vm, purpose, ())
            else:
                entries.pop(key, None)
        elif isinstance(ev, AttributeChanged):
            name = ev.name_text or ""
            parts = name.split("/")
            if name.startswith("did/pub/") and len(parts) in (4, 5):
                delegate_n += 1
                key = ("attribute", ev.name, ev.value)
                if ev.valid_to <= t:
                    entries.pop(key, None)
                    continue
                algorithm, purpose_name = parts[2], parts[3]
                purpose = _PURPOSES.get(purpose_name)
                if purpose is None or not algorithm:
                    warnings.append(f"attribute {name!r} (block {ev.block_number}): unknown purpose, ignored")
                    continue
                try:
                    vm_type, members, ctx = _public_key_entry(algorithm, parts[4] if len(parts) == 5 else None,
                                                              ev.value)
                except (ValueError, InvalidInputError) as exc:
                    warnings.append(f"attribute {name!r} (block {ev.block_number}): {exc}; ignored")
                    continue
                vm = {"id": f"{did}#delegate-{delegate_n}", "type": vm_type, "controller": did, **members}
                entries[key] = (vm, purpose, ctx)
            elif name.startswith("did/svc/") and len(name) > 8:
                service_n += 1
                skey = (ev.name, ev.value)
                if ev.valid_to <= t:
                    services.pop(skey, None)
                    continue
                try:
                    endpoint = _service_endpoint(ev.value)
                except ValueError:
                    warnings.append(f"attribute {name!r} (block {ev.block_number}): the endpoint is not UTF-8 "
                                    f"text; ignored")
                    continue
                services[skey] = {"id": f"{did}#service-{service_n}", "type": name[8:], "serviceEndpoint": endpoint}
        # owner changes are in snap.owner; other attributes are not part of a DID document

    authentication = list(refs)
    assertion = list(refs)
    agreement: list[str] = []
    for vm, purpose, ctx in entries.values():
        methods.append(vm)
        add_context(ctx)
        if "authentication" in purpose:
            authentication.append(vm["id"])
        if "assertionMethod" in purpose:
            assertion.append(vm["id"])
        if "keyAgreement" in purpose:
            agreement.append(vm["id"])
    doc: dict[str, Any] = {"@context": context, "id": did, "verificationMethod": methods,
                           "authentication": authentication, "assertionMethod": assertion}
    if agreement:
        doc["keyAgreement"] = agreement
    if services:
        doc["service"] = list(services.values())
    resolution: dict[str, Any] = {"contentType": CONTENT_TYPE}
    if warnings:
        resolution["warnings"] = warnings
    return DIDResolutionResult(
        document=DIDDocument.model_validate(doc),
        metadata=DIDDocumentMetadata(**metadata),
        resolution_metadata=resolution,
    )


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


def _revert_bytes(exc: BaseException) -> bytes | None:
    """The revert data carried by a web3 / node / eth-tester exception, if any."""
    for candidate in (getattr(exc, "data", None), exc.args[0] if exc.args else None):
        if isinstance(candidate, (bytes, bytearray)):
            return bytes(candidate)
        if isinstance(candidate, str) and re.fullmatch(r"0x(?:[0-9a-fA-F]{2})+", candidate):
            return bytes.fromhex(candidate[2:])
        if isinstance(candidate, dict) and isinstance(candidate.get("data"), str):
            data = candidate["data"]
            if re.fullmatch(r"0x(?:[0-9a-fA-F]{2})+", data):
                return bytes.fromhex(data[2:])
    match = re.search(r"execution reverted: (b(['\"]).*\2)\s*$", str(exc), re.S)
    if match:  # eth-tester: "execution reverted: b'...'"
        try:
            value = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, bytes) else None
    return None


def decode_registry_revert(data: bytes | None, what: str) -> EthrTransactionError:
    """The named exception of the registry's revert ``data`` (a plain one when the data names no known error)."""
    if not data or len(data) < 4:
        return EthrTransactionError(f"{what}: the registry refused it (no reason given)")
    cls = REGISTRY_ERRORS.get(data[:4])
    if cls is None:
        return EthrTransactionError(f"{what}: the registry refused it (revert data 0x{data.hex()})")
    types = re.search(r"\((.*)\)", cls.solidity_signature).group(1)  # type: ignore[union-attr]
    try:
        args = tuple(abi_decode(types.split(","), data[4:])) if types else ()
    except (DecodingError, ValueError):
        args = ()
    args = tuple(to_checksum_address(a) if isinstance(a, str) else a for a in args)
    name = cls.solidity_signature.split("(")[0]
    detail = {
        "NotOwner": lambda a: f"{a[1]} is not the owner of identity {a[0]}",
        "IdentityDeactivated": lambda a: f"identity {a[0]} is deactivated",
        "BadSignature": lambda a: "the meta-transaction signature is malformed",
        "ValidityTooLong": lambda a: f"a validity of {a[0]} seconds overflows",
    }[name]
    try:
        text = detail(args)
    except IndexError:
        text = "see the revert data"
    return cls(f"{what}: {name}: {text}", args=args)


class EthrDIDController:
    """Changes an identity in the registry with transactions signed locally by ``account`` (its owner).

    :param w3: a connected ``Web3`` (injected)
    :param registry_address: the ERC-1056 registry
    :param account: an eth-account account (``LocalAccount`` or any ``BaseAccount``) that owns ``identity``
    :param identity: the identity changed (default: the account's own address)
    :param chain_id: the chain (default: asked of the node once)
    :param send: sends a bound contract function and returns its receipt, instead of the small built-in sender
        (e.g. ``lambda fn: tx_sender.send(fn, abi=abi)`` with the registry package's crash-safe sender)

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
        sender = self.account.address
        try:
            with _rpc(what, self._endpoint):
                nonce = self.w3.eth.get_transaction_count(sender, "pending")
                gas = fn.estimate_gas({"from": sender})
                tx = fn.build_transaction({"from": sender, "nonce": nonce, "chainId": self.chain_id,
                                           "gas": int(gas * self.gas_margin) + 10_000, **self._fees(what)})
        except (DIDNetworkError, _ContractReverted) as exc:
            raise _refusal(exc, what) from exc.__cause__
        signed = self.account.sign_transaction(tx)
        try:
            with _rpc(what, self._endpoint):
                tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
                receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.timeout,
                                                                   poll_latency=self.poll_latency)
        except (DIDNetworkError, _ContractReverted) as exc:
            raise _refusal(exc, what) from exc.__cause__
        if int(receipt["status"]) != 1:
            raise EthrTransactionError(f"{what}: transaction 0x{bytes(tx_hash).hex()} was mined but reverted")
        return receipt

    def _fees(self, what: str) -> dict[str, int]:
        block = self.w3.eth.get_block("latest")
        base = block.get("baseFeePerGas")
        if base is None:
            return {"gasPrice": int(self.w3.eth.gas_price)}
        try:
            tip = int(self.w3.eth.max_priority_fee)
        except (w3x.Web3RPCError, w3x.MethodUnavailable, ValueError):
            tip = 1_000_000_000
        return {"maxFeePerGas": int(base) * 2 + tip, "maxPriorityFeePerGas": tip}

    def __repr__(self) -> str:
        return f"EthrDIDController(identity={self.identity!r}, registry={self.registry!r})"


def _refusal(exc: DIDError, what: str) -> DIDError:
    """A revert or a node's refusal (nonce, funds) as an :class:`EthrTransactionError`; a network failure as is."""
    cause = exc.__cause__
    if isinstance(exc, _ContractReverted) or (isinstance(cause, w3x.Web3RPCError) and "revert" in str(cause).lower()):
        return decode_registry_revert(_revert_bytes(cause) if cause else None, what)
    if isinstance(cause, (w3x.Web3RPCError, _TesterValidationError, _EthUtilsValidationError)):
        return EthrTransactionError(f"{what}: the node refused the transaction: {cause}")
    return exc


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


__all__ = [
    "AttributeChanged",
    "CONTENT_TYPE",
    "DelegateChanged",
    "ETHR_NETWORKS",
    "ETHR_REGISTRIES",
    "EthrBadSignatureError",
    "EthrDID",
    "EthrDIDController",
    "EthrHistoryTooLongError",
    "EthrIdentityDeactivatedError",
    "EthrNetworks",
    "EthrNotOwnerError",
    "EthrRegistryNotFoundError",
    "EthrRegistryRevert",
    "EthrResolver",
    "EthrTransactionError",
    "EthrValidityTooLongError",
    "IdentitySnapshot",
    "InvalidResolutionOptionsError",
    "OwnerChanged",
    "REGISTRY_ERRORS",
    "RegistryEvent",
    "UnsupportedNetworkError",
    "bytes32",
    "bytes32_text",
    "build_result",
    "decode_registry_revert",
    "ethr_did",
    "meta_transaction_digest",
    "parse_ethr_did",
]
