"""did:key: a DID that is its public key (W3C CCG did:key method, Multikey form). Resolution is offline.

``did:key:<publicKeyMultibase>`` resolves to a document with one verification method, ``<did>#<multibase>``,
authorised for authentication, assertion, capability invocation and delegation. The method is a ``Multikey``
(``publicKeyMultibase``), or with ``jwk=True`` a ``JsonWebKey`` (``publicKeyJwk``).

Resolution is on the hot path of verification, so it decodes the multibase once and builds the pydantic models
with ``model_construct`` (the values are correct by construction: no validation pass).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from microcred.did._document import (
    DIDDocument,
    DIDDocumentMetadata,
    DIDResolutionResult,
    VerificationMethod,
)
from microcred.did._errors import (
    KeyFormatError,
    MalformedDIDError,
    UnsupportedKeyTypeError,
)
from microcred.did._keys import KeyPair, PublicKey

PREFIX: Final = "did:key:"
#: @context of a did:key document with a Multikey method
MULTIKEY_CONTEXT: Final = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
#: @context of a did:key document with a JsonWebKey method
JWK_CONTEXT: Final = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1")

_VM_FIELDS_MULTIBASE: Final = frozenset({"id", "type", "controller", "public_key_multibase"})
_VM_FIELDS_JWK: Final = frozenset({"id", "type", "controller", "public_key_jwk"})
_DOC_FIELDS: Final = frozenset({
    "context", "id", "verification_method", "authentication", "assertion_method", "capability_invocation",
    "capability_delegation",
})


def did_key_from_public(key: PublicKey | KeyPair) -> str:
    """The ``did:key`` of a public key (or of a key pair's public half)."""
    public = key.public if isinstance(key, KeyPair) else key
    if not isinstance(public, PublicKey):
        raise TypeError(f"expected a PublicKey or KeyPair, got {type(key).__name__}")
    return PREFIX + public.multibase


def public_key_from_did_key(did: str) -> PublicKey:
    """The public key a ``did:key`` encodes; :class:`MalformedDIDError` says what is wrong with it."""
    if not isinstance(did, str) or not did.startswith(PREFIX):
        raise MalformedDIDError(f"not a did:key: {did!r} (it must start with {PREFIX!r})", did=did)
    try:
        return PublicKey.from_multibase(did[8:])
    except UnsupportedKeyTypeError as exc:
        raise MalformedDIDError(f"cannot resolve {did}: {exc}", did=did) from exc
    except KeyFormatError as exc:
        raise MalformedDIDError(f"invalid did:key {did}: {exc}", did=did) from exc


def did_key_verification_method(verification_method: str) -> tuple[PublicKey, str]:
    """(public key, controller DID) of a did:key verification method: ``did:key:z…#z…`` or the bare DID
    ``did:key:z…`` (Open Badges 3.0 issuers write it so; a did:key has exactly one key). Offline.

    :raises MalformedDIDError: not a did:key, a fragment other than the key's, or a malformed or unsupported key.
    """
    did, _, fragment = str(verification_method).partition("#")
    if not did.startswith(PREFIX):
        raise MalformedDIDError(f"{verification_method!r} is not a did:key verification method", did=did)
    if fragment and fragment != did[8:]:
        raise MalformedDIDError(f"{verification_method!r}: a did:key verification method's fragment must repeat "
                                "the key", did=did)
    return public_key_from_did_key(did), did


def resolve_did_key(did: str, *, jwk: bool = False) -> DIDDocument:
    """The DID document of ``did`` (offline). ``jwk=True`` gives a ``JsonWebKey`` method instead of ``Multikey``.

    Example::

        >>> doc = resolve_did_key("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
        >>> doc.assertion_keys()[0].public_key().key_type
        'ed25519'
    """
    key = public_key_from_did_key(did)
    multibase = did[8:]
    vm_id = did + "#" + multibase
    if jwk:
        vm = VerificationMethod.model_construct(
            set(_VM_FIELDS_JWK), id=vm_id, type="JsonWebKey", controller=did, public_key_jwk=key.jwk
        )
        context = JWK_CONTEXT
    else:
        vm = VerificationMethod.model_construct(
            set(_VM_FIELDS_MULTIBASE), id=vm_id, type="Multikey", controller=did, public_key_multibase=multibase
        )
        context = MULTIKEY_CONTEXT
    refs = (vm_id,)
    return DIDDocument.model_construct(
        set(_DOC_FIELDS),
        context=context,
        id=did,
        verification_method=(vm,),
        authentication=refs,
        assertion_method=refs,
        capability_invocation=refs,
        capability_delegation=refs,
    )


class DIDKeyMethod:
    """The did:key method as a :class:`~microcred.did.Resolver` plug-in: ``method(did, at=None)``.

    A did:key never changes, so ``at`` does not matter.
    """

    def __init__(self, *, jwk: bool = False) -> None:
        self.jwk = jwk

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        document = resolve_did_key(did, jwk=self.jwk)
        return DIDResolutionResult.model_construct(
            document=document,
            metadata=_ACTIVE,
            resolution_metadata={"contentType": "application/did+json"},
        )

    def __repr__(self) -> str:
        return f"DIDKeyMethod(jwk={self.jwk})"


_ACTIVE: Final = DIDDocumentMetadata()

__all__ = ["DIDKeyMethod", "did_key_from_public", "did_key_verification_method", "public_key_from_did_key",
           "resolve_did_key"]
