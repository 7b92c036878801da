"""DIDs for microcred: the one key stack (key material, multibase and multicodec, signature checks), did:key and
did:web, typed DID documents, one resolver, a keystore.

Typical use::

    from microcred.did import KeyPair, Keystore, Resolver

    key = KeyPair.generate("ed25519")           # or "secp256k1", "p256", "p384"
    signature = key.sign(b"data")
    vm, doc = Resolver().resolve_verification_method(f"{key.did}#{key.public_key_multibase}")
    assert vm.public_key().verify(b"data", signature)

Other DID methods plug into :class:`Resolver` with ``resolver.register("ethr", fn)``, where
``fn(did, at=None) -> DIDResolutionResult``. Implementation modules are private; this is the public face.
"""

from microcred.did._didkey import (
    DIDKeyMethod,
    did_key_from_public,
    did_key_verification_method,
    public_key_from_did_key,
    resolve_did_key,
)
from microcred.did._didweb import (
    DIDWebLocation,
    DIDWebResolver,
    did_web_location,
    did_web_url,
)
from microcred.did._document import (
    DIDURL,
    DIDDocument,
    DIDDocumentMetadata,
    DIDResolutionResult,
    Service,
    VerificationMethod,
    is_did,
    parse_did,
    parse_did_url,
)
from microcred.did._errors import (
    CorruptKeyFileError,
    DIDDeactivatedError,
    DIDError,
    DIDNetworkError,
    DIDNotFoundError,
    DIDTimeoutError,
    DIDTLSError,
    InvalidDIDDocumentError,
    InvalidKeyNameError,
    KeyExistsError,
    KeyFormatError,
    KeyNotFoundError,
    KeystoreError,
    MalformedDIDError,
    UnsupportedKeyTypeError,
    UnsupportedMethodError,
    VerificationMethodNotFoundError,
    WrongPassphraseError,
)
from microcred.did._keys import (
    KEY_TYPES,
    PUBLIC_KEY_TYPES,
    SIGNATURE_LENGTHS,
    KeyPair,
    PublicKey,
    signature_is_valid,
    verify_signature,
)
from microcred.did._jws import (
    JWS_ALGORITHMS,
    JWSError,
    VerifiedJWS,
    decode_compact,
    jws_algorithm,
    sign_compact,
    verify_compact,
)
from microcred.did._keystore import DEFAULT_SCRYPT_N, KeyInfo, Keystore, check_key_name, open_sealed, seal_data
from microcred.did._net import FetchError, FetchOptions, HTTPSFetcher, HTTPSResponse
from microcred.did._multiformats import multibase_decode, multibase_encode
from microcred.did._resolver import MethodResolver, Resolver

from microcred.did._binding import publish_binding, verify_binding
from microcred.did._ethr import KEY_FORMATS as ETHR_KEY_FORMATS
from microcred.did._ethr import EthrDIDController, EthrResolver, parse_ethr_did

__all__ = [
    "ETHR_KEY_FORMATS",
    "EthrDIDController",
    "EthrResolver",
    "parse_ethr_did",
    "publish_binding",
    "verify_binding",
    # keys
    "KEY_TYPES",
    "PUBLIC_KEY_TYPES",
    "SIGNATURE_LENGTHS",
    "KeyPair",
    "PublicKey",
    "signature_is_valid",
    "verify_signature",
    # compact JWS
    "JWS_ALGORITHMS",
    "JWSError",
    "VerifiedJWS",
    "decode_compact",
    "jws_algorithm",
    "sign_compact",
    "verify_compact",
    "multibase_decode",
    "multibase_encode",
    # documents and syntax
    "DIDURL",
    "DIDDocument",
    "DIDDocumentMetadata",
    "DIDResolutionResult",
    "Service",
    "VerificationMethod",
    "is_did",
    "parse_did",
    "parse_did_url",
    # methods and resolution
    "DIDKeyMethod",
    "DIDWebLocation",
    "DIDWebResolver",
    "MethodResolver",
    "Resolver",
    "did_key_from_public",
    "did_key_verification_method",
    "did_web_location",
    "did_web_url",
    "public_key_from_did_key",
    "resolve_did_key",
    # fetching over HTTPS (public addresses only unless allowed)
    "FetchError",
    "FetchOptions",
    "HTTPSFetcher",
    "HTTPSResponse",
    # keystore
    "DEFAULT_SCRYPT_N",
    "KeyInfo",
    "Keystore",
    "check_key_name",
    "open_sealed",
    "seal_data",
    # errors
    "CorruptKeyFileError",
    "DIDDeactivatedError",
    "DIDError",
    "DIDNetworkError",
    "DIDNotFoundError",
    "DIDTLSError",
    "DIDTimeoutError",
    "InvalidDIDDocumentError",
    "InvalidKeyNameError",
    "KeyExistsError",
    "KeyFormatError",
    "KeyNotFoundError",
    "KeystoreError",
    "MalformedDIDError",
    "UnsupportedKeyTypeError",
    "UnsupportedMethodError",
    "VerificationMethodNotFoundError",
    "WrongPassphraseError",
]
