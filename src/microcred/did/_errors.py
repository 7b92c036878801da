"""Errors of DIDs, keys and the keystore.

Every class derives from :class:`~microcred.errors.MicrocredError` and from the builtin-flavoured microcred error
it resembles, so a caller may catch ``DIDError`` (everything about DIDs), ``InvalidInputError`` (something given
was malformed), ``NotFoundError`` or ``NetworkError`` (could not be checked). Messages name the DID, key or file
and say what is wrong.
"""

from __future__ import annotations

from microcred.errors import ConfigError, InvalidInputError, MicrocredError, NetworkError, NotFoundError

# -- key material -----------------------------------------------------------------------------------------------


class KeyFormatError(InvalidInputError):
    """A key or its encoding (multibase, multicodec, JWK, raw bytes) is malformed."""


class UnsupportedKeyTypeError(KeyFormatError):
    """A well-formed key of a type microcred does not handle (only ed25519, secp256k1 and p256 are)."""


# -- DIDs -------------------------------------------------------------------------------------------------------


class DIDError(MicrocredError):
    """Root of every error about a DID: its syntax, its method, its resolution."""

    def __init__(self, message: str, *, did: str | None = None) -> None:
        super().__init__(message)
        #: the DID (or DID URL) the error is about, when known
        self.did = did


class MalformedDIDError(DIDError, InvalidInputError):
    """The string is not a DID (or DID URL) per DID Core, or its method-specific id is invalid for its method."""


class UnsupportedMethodError(DIDError, InvalidInputError):
    """The DID is well formed but no resolver is registered for its method."""

    def __init__(self, message: str, *, did: str | None = None, method: str | None = None) -> None:
        super().__init__(message, did=did)
        self.method = method


class DIDNotFoundError(DIDError, NotFoundError):
    """The DID's method answered that the DID does not exist (e.g. did:web served 404)."""


class VerificationMethodNotFoundError(DIDError, NotFoundError):
    """The DID resolved, but its document has no verification method with the id asked for."""


class DIDDeactivatedError(DIDError):
    """The DID was deactivated by its controller: its keys must not be trusted any more."""

    exit_code = 1


class InvalidDIDDocumentError(DIDError, InvalidInputError):
    """The method returned a document that is not a valid DID document for that DID (wrong id, bad JSON, too big)."""


class DIDNetworkError(DIDError, NetworkError):
    """The DID could not be resolved because a remote endpoint failed (refused, timed out, HTTP error)."""


class DIDTimeoutError(DIDNetworkError, TimeoutError):
    """The remote endpoint did not answer in time."""


class DIDTLSError(DIDNetworkError):
    """The TLS connection failed: the server's certificate is not trusted or does not name the host."""


# -- keystore ---------------------------------------------------------------------------------------------------


class KeystoreError(MicrocredError):
    """Root of the keystore's errors."""


class InvalidKeyNameError(KeystoreError, InvalidInputError):
    """A key name outside ``[A-Za-z0-9_.-]{1,64}``."""


class KeyNotFoundError(KeystoreError, NotFoundError):
    """No key of that name in the keystore."""


class KeyExistsError(KeystoreError, InvalidInputError):
    """A key of that name exists already and overwriting was not asked for."""


class WrongPassphraseError(KeystoreError, InvalidInputError):
    """The passphrase does not open the key (or the key file was altered)."""


class CorruptKeyFileError(KeystoreError, ConfigError):
    """A key file exists but cannot be read as a microcred key file."""


__all__ = [
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
