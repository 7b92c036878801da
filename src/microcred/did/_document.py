"""DID syntax (DID Core §3) and the typed DID document, verification method and resolution result.

The models keep Python's snake_case while their JSON keeps DID Core's camelCase (``verificationMethod``,
``assertionMethod``, ``publicKeyMultibase`` ...), and ``@context`` is ``context``. They are frozen: a resolver may
cache and share them. Unknown members are kept (``extra="allow"``) so a document round-trips.

Build one from JSON with :meth:`DIDDocument.from_json` (which turns validation errors into
:class:`~microcred.did.InvalidDIDDocumentError`); dump it with :meth:`DIDDocument.to_json`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from microcred.did._errors import InvalidDIDDocumentError, KeyFormatError, MalformedDIDError
from microcred.did._keys import PublicKey

# -- DID syntax -------------------------------------------------------------------------------------------------

_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
#: did = "did:" method-name ":" method-specific-id  (DID Core §3.1)
DID_RE: Final = re.compile(rf"did:([a-z0-9]+):((?:{_IDCHAR}|:)*{_IDCHAR})")
_PCHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
_PATH_RE: Final = re.compile(rf"(?:/{_PCHAR}*)*")
_QUERY_RE: Final = re.compile(rf"(?:{_PCHAR}|[/?])*")


def parse_did(did: object) -> tuple[str, str]:
    """(method, method-specific id) of ``did``; :class:`MalformedDIDError` says why it is not a DID."""
    if not isinstance(did, str):
        raise MalformedDIDError(f"a DID is a string, got {type(did).__name__}", did=None)
    m = DID_RE.fullmatch(did)
    if m is None:
        raise MalformedDIDError(f"not a DID: {did!r} ({_why_not_did(did)})", did=did)
    return m.group(1), m.group(2)


def is_did(value: object) -> bool:
    """Whether ``value`` is a syntactically valid DID (not a DID URL)."""
    return isinstance(value, str) and DID_RE.fullmatch(value) is not None


def _why_not_did(text: str) -> str:
    if not text.startswith("did:"):
        return "it must start with 'did:'"
    method, sep, msid = text[4:].partition(":")
    if not sep:
        return "it must be did:<method>:<method-specific-id>"
    if not method or not re.fullmatch(r"[a-z0-9]+", method):
        return f"the method name {method!r} must be lowercase letters and digits"
    if not msid or msid.endswith(":"):
        return "the method-specific id must not be empty or end with ':'"
    bad = next((c for c in re.sub(_IDCHAR, "", msid) if c != ":"), None)
    if bad is not None:
        return f"character {bad!r} is not allowed in a method-specific id (percent-encode it)"
    return "bad percent-encoding in the method-specific id"  # pragma: no cover - '%' alone is the last case


@dataclass(frozen=True, slots=True)
class DIDURL:
    """A parsed DID URL: ``did [path] [?query] [#fragment]`` (DID Core §3.2)."""

    did: str
    method: str
    path: str = ""
    query: str = ""
    fragment: str | None = None

    def __str__(self) -> str:
        return (
            self.did + self.path + (f"?{self.query}" if self.query else "")
            + (f"#{self.fragment}" if self.fragment is not None else "")
        )


def parse_did_url(url: object) -> DIDURL:
    """Split a DID URL into DID, path, query and fragment, checking each part's syntax."""
    if not isinstance(url, str):
        raise MalformedDIDError(f"a DID URL is a string, got {type(url).__name__}")
    rest, hash_, fragment = url.partition("#")
    rest, qmark, query = rest.partition("?")
    did, slash, path = rest.partition("/")
    if not is_did(did):
        raise MalformedDIDError(f"not a DID URL: {url!r} ({_why_not_did(did)})", did=url)
    method = did[4 : did.index(":", 4)]
    path = slash + path
    if path and not _PATH_RE.fullmatch(path):
        raise MalformedDIDError(f"invalid path {path!r} in DID URL {url!r}", did=url)
    if qmark and not _QUERY_RE.fullmatch(query):
        raise MalformedDIDError(f"invalid query {query!r} in DID URL {url!r}", did=url)
    if hash_ and not _QUERY_RE.fullmatch(fragment):
        raise MalformedDIDError(f"invalid fragment {fragment!r} in DID URL {url!r}", did=url)
    return DIDURL(did=did, method=method, path=path, query=query, fragment=fragment if hash_ else None)


# -- models -----------------------------------------------------------------------------------------------------

_CONFIG = ConfigDict(
    alias_generator=to_camel,
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
    frozen=True,
    extra="allow",
)

#: verification-method types whose publicKeyBase58 / publicKeyHex holds a raw key of a known type
LEGACY_KEY_TYPES: Final = {
    "Ed25519VerificationKey2018": "ed25519",
    "Ed25519VerificationKey2020": "ed25519",
    "EcdsaSecp256k1VerificationKey2019": "secp256k1",
    "EcdsaSecp256k1RecoveryMethod2020": "secp256k1",
    "EcdsaSecp256r1VerificationKey2019": "p256",
    "P256Key2021": "p256",
    "EcdsaSecp384r1VerificationKey2019": "p384",
    "P384Key2021": "p384",
}
_CAIP10_EIP155: Final = re.compile(r"eip155:(\d{1,32}):(0x[0-9a-fA-F]{40})")
_LEGACY_ACCOUNT: Final = re.compile(r"(0x[0-9a-fA-F]{40})@eip155:(\d{1,32})")


class VerificationMethod(BaseModel):
    """A verification method (DID Core §5.2): a public key, or an account that stands for one."""

    model_config = _CONFIG

    id: str
    type: str
    controller: str
    public_key_multibase: str | None = None
    public_key_jwk: dict[str, Any] | None = None
    #: legacy encodings, still met in did:ethr and 2018-2019 documents
    public_key_base58: str | None = None
    public_key_hex: str | None = None
    public_key_base64: str | None = None
    #: CAIP-10 account (``eip155:<chainId>:<address>``), as did:ethr's controller key has
    blockchain_account_id: str | None = None
    ethereum_address: str | None = None

    def public_key(self) -> PublicKey | None:
        """The key this method carries, or ``None`` when it names only a blockchain account.

        Reads ``publicKeyMultibase`` (Multikey and the 2020 suites), ``publicKeyJwk``, or the legacy
        ``publicKeyBase58`` / ``publicKeyHex`` of a type listed in :data:`LEGACY_KEY_TYPES`. Raises
        :class:`~microcred.did.KeyFormatError` naming this method when the key is malformed or unsupported.
        """
        try:
            if self.public_key_multibase is not None:
                key = PublicKey.from_multibase(self.public_key_multibase)
                expected = LEGACY_KEY_TYPES.get(self.type)
                if expected is not None and expected != key.key_type:
                    raise KeyFormatError(f"type {self.type} holds a {expected} key, but the multibase key is "
                                         f"{key.key_type}")
                return key
            if self.public_key_jwk is not None:
                return PublicKey.from_jwk(self.public_key_jwk)
            if (self.public_key_base58, self.public_key_hex, self.public_key_base64) != (None, None, None):
                key_type = LEGACY_KEY_TYPES.get(self.type)
                if key_type is None:
                    raise KeyFormatError(f"cannot read a raw key of type {self.type!r}")
                if self.public_key_base58 is not None:
                    from microcred.did._multiformats import b58decode

                    raw = b58decode(self.public_key_base58)
                elif self.public_key_base64 is not None:  # did:ethr's base64 encoding hint
                    raw = _base64(self.public_key_base64)
                else:
                    raw = _hex(self.public_key_hex or "")
                return PublicKey.from_bytes(key_type, raw)
        except KeyFormatError as exc:
            raise type(exc)(f"verification method {self.id}: {exc}") from exc
        if self.blockchain_account_id is not None or self.ethereum_address is not None:
            return None
        raise KeyFormatError(
            f"verification method {self.id} carries no key (publicKeyMultibase, publicKeyJwk, publicKeyBase58, "
            f"publicKeyHex) and no blockchain account"
        )

    @property
    def eth_address(self) -> str | None:
        """EIP-55 Ethereum address: of ``blockchainAccountId`` (eip155), ``ethereumAddress``, or a secp256k1 key."""
        from eth_utils.address import to_checksum_address

        if self.blockchain_account_id is not None:
            m = _CAIP10_EIP155.fullmatch(self.blockchain_account_id)
            address = m.group(2) if m else None
            if m is None and (legacy := _LEGACY_ACCOUNT.fullmatch(self.blockchain_account_id)):
                address = legacy.group(1)
            if address is None:
                raise KeyFormatError(
                    f"verification method {self.id}: blockchainAccountId {self.blockchain_account_id!r} is not an "
                    f"eip155 CAIP-10 account (eip155:<chainId>:0x<40 hex>)"
                )
            return to_checksum_address(address)
        if self.ethereum_address is not None:
            if not re.fullmatch(r"0x[0-9a-fA-F]{40}", self.ethereum_address):
                raise KeyFormatError(f"verification method {self.id}: ethereumAddress "
                                     f"{self.ethereum_address!r} is not an address")
            return to_checksum_address(self.ethereum_address)
        key = self.public_key()
        return key.eth_address if key is not None else None

    def to_json(self) -> dict[str, Any]:
        """JSON object of this method (camelCase, absent members omitted)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise KeyFormatError(f"publicKeyBase64 {text!r} is not base64") from None


def _hex(text: str) -> bytes:
    body = text[2:] if text[:2] in ("0x", "0X") else text
    try:
        return bytes.fromhex(body)
    except ValueError:
        raise KeyFormatError(f"publicKeyHex {text!r} is not hexadecimal") from None


class Service(BaseModel):
    """A service endpoint (DID Core §5.4)."""

    model_config = _CONFIG

    id: str
    type: str | tuple[str, ...]
    service_endpoint: Any


#: verification relationships of DID Core §5.3, by their JSON names
RELATIONSHIPS: Final = (
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
)

Reference = str | VerificationMethod


class DIDDocument(BaseModel):
    """A DID document (DID Core §5)."""

    model_config = _CONFIG

    context: str | tuple[str | dict[str, Any], ...] | None = Field(
        default=None, validation_alias=AliasChoices("@context", "context"), serialization_alias="@context"
    )
    id: str
    also_known_as: tuple[str, ...] | None = None
    controller: str | tuple[str, ...] | None = None
    verification_method: tuple[VerificationMethod, ...] | None = None
    authentication: tuple[Reference, ...] | None = None
    assertion_method: tuple[Reference, ...] | None = None
    key_agreement: tuple[Reference, ...] | None = None
    capability_invocation: tuple[Reference, ...] | None = None
    capability_delegation: tuple[Reference, ...] | None = None
    service: tuple[Service, ...] | None = None

    @field_validator("id")
    @classmethod
    def _id_is_a_did(cls, value: str) -> str:
        if not is_did(value):
            raise ValueError(f"the document id {value!r} is not a DID")
        return value

    # -- construction -------------------------------------------------------------------------------------------
    @classmethod
    def from_json(cls, data: Any, *, did: str | None = None) -> DIDDocument:
        """Validate a JSON object as a DID document; with ``did``, its ``id`` must be exactly that DID.

        Raises :class:`~microcred.did.InvalidDIDDocumentError` naming the first wrong member.
        """
        where = did or (data.get("id") if isinstance(data, dict) else None) or "?"
        if not isinstance(data, dict):
            raise InvalidDIDDocumentError(
                f"the DID document of {where} is not a JSON object but {type(data).__name__}", did=did
            )
        try:
            doc = cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"]) or "(document)"
            raise InvalidDIDDocumentError(
                f"invalid DID document for {where}: {loc}: {first['msg']}"
                + (f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""),
                did=did,
            ) from None
        if did is not None and doc.id != did:
            raise InvalidDIDDocumentError(
                f"the DID document fetched for {did} has id {doc.id!r}: a document must name the DID it describes",
                did=did,
            )
        return doc

    def to_json(self) -> dict[str, Any]:
        """JSON object of the document (camelCase, ``@context``, absent members omitted)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    # -- lookups ------------------------------------------------------------------------------------------------
    def absolute(self, ref: str) -> str:
        """``ref`` as an absolute DID URL: ``#key-1`` becomes ``<id>#key-1``; a did:key document's bare DID
        becomes its one method's id (``did:key:z…`` → ``did:key:z…#z…``)."""
        if ref.startswith(("#", "?", "/")):
            return self.id + ref
        if ref == self.id and ref.startswith("did:key:"):
            return f"{ref}#{ref[8:]}"
        return ref

    def _all_methods(self) -> list[VerificationMethod]:
        found = list(self.verification_method or ())
        for name in RELATIONSHIPS:
            found.extend(r for r in self._relationship(name) if isinstance(r, VerificationMethod))
        return found

    def _relationship(self, name: str) -> tuple[Reference, ...]:
        field = _RELATIONSHIP_FIELDS.get(name)
        if field is None:
            raise ValueError(f"unknown verification relationship {name!r}: expected one of {', '.join(RELATIONSHIPS)}")
        return getattr(self, field) or ()

    def find_method(self, id: str) -> VerificationMethod | None:
        """The verification method whose id is ``id`` (absolute, or relative like ``#key-1``), else ``None``.

        Searches ``verificationMethod`` and the methods embedded in verification relationships.
        """
        wanted = self.absolute(id)
        for vm in self._all_methods():
            if self.absolute(vm.id) == wanted:
                return vm
        return None

    def methods_for(self, relationship: str) -> list[VerificationMethod]:
        """Verification methods authorised for ``relationship`` (e.g. ``assertionMethod``).

        References are looked up in this document; a reference into another DID's document is not followed
        (dereference it with :meth:`microcred.did.Resolver.resolve_verification_method`).
        """
        out: list[VerificationMethod] = []
        for ref in self._relationship(relationship):
            if isinstance(ref, VerificationMethod):
                out.append(ref)
            else:
                vm = self.find_method(ref)
                if vm is not None:
                    out.append(vm)
        return out

    def assertion_keys(self) -> list[VerificationMethod]:
        """Verification methods allowed to issue credentials (``assertionMethod``)."""
        return self.methods_for("assertionMethod")

    def authorizes(self, vm_id: str, relationship: str = "assertionMethod") -> bool:
        """Whether the method ``vm_id`` is listed (by reference or embedded) under ``relationship``."""
        wanted = self.absolute(vm_id)
        return any(
            self.absolute(ref.id if isinstance(ref, VerificationMethod) else ref) == wanted
            for ref in self._relationship(relationship)
        )


_RELATIONSHIP_FIELDS: Final = {
    "authentication": "authentication",
    "assertionMethod": "assertion_method",
    "keyAgreement": "key_agreement",
    "capabilityInvocation": "capability_invocation",
    "capabilityDelegation": "capability_delegation",
}


class DIDDocumentMetadata(BaseModel):
    """DID document metadata (DID Core §7.1.3): whether the DID is deactivated, which version, when."""

    model_config = _CONFIG

    created: datetime | None = None
    updated: datetime | None = None
    deactivated: bool = False
    version_id: str | None = None
    next_update: datetime | None = None
    next_version_id: str | None = None
    equivalent_id: tuple[str, ...] | None = None
    canonical_id: str | None = None


class DIDResolutionResult(BaseModel):
    """What resolving a DID gives: the document, its metadata and the resolution's own metadata."""

    model_config = _CONFIG

    document: DIDDocument = Field(
        validation_alias=AliasChoices("didDocument", "document"), serialization_alias="didDocument"
    )
    metadata: DIDDocumentMetadata = Field(
        default_factory=DIDDocumentMetadata,
        validation_alias=AliasChoices("didDocumentMetadata", "metadata"),
        serialization_alias="didDocumentMetadata",
    )
    #: e.g. ``contentType``, ``retrieved``, ``warning`` (free form, DID Core §7.1.2)
    resolution_metadata: dict[str, Any] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("didResolutionMetadata", "resolution_metadata"),
        serialization_alias="didResolutionMetadata",
    )

    @property
    def did(self) -> str:
        """The resolved DID."""
        return self.document.id

    @property
    def deactivated(self) -> bool:
        """Whether the DID's controller deactivated it."""
        return self.metadata.deactivated

    def to_json(self) -> dict[str, Any]:
        """JSON of the whole result: ``didDocument``, ``didDocumentMetadata``, ``didResolutionMetadata``;
        ``deactivated`` only when true (DID Core: optional otherwise; did:ethr's reference writes it so)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        if data["didDocumentMetadata"].get("deactivated") is False:
            del data["didDocumentMetadata"]["deactivated"]
        return data


__all__ = [
    "DIDURL",
    "DID_RE",
    "DIDDocument",
    "DIDDocumentMetadata",
    "DIDResolutionResult",
    "LEGACY_KEY_TYPES",
    "RELATIONSHIPS",
    "Service",
    "VerificationMethod",
    "is_did",
    "parse_did",
    "parse_did_url",
]
