"""Key material: public keys, key pairs, signatures, JWK and Multikey encodings. The one key stack of microcred:
did:key, DID documents, the keystore and the Data Integrity proofs all use it.

Four key types, named as microcred names them everywhere:

==========  ==========================  ==================  ===================  ===========================
key_type    public key bytes            multicodec          JWK                  signature
==========  ==========================  ==================  ===================  ===========================
ed25519     raw 32 bytes                ed25519-pub 0xed    OKP / Ed25519        Ed25519 (pure), 64 bytes
secp256k1   compressed SEC1, 33 bytes   secp256k1-pub 0xe7  EC / secp256k1       ECDSA SHA-256, r||s, 64 bytes
p256        compressed SEC1, 33 bytes   p256-pub 0x1200     EC / P-256           ECDSA SHA-256, r||s, 64 bytes
p384        compressed SEC1, 49 bytes   p384-pub 0x1201     EC / P-384           ECDSA SHA-384, r||s, 96 bytes
==========  ==========================  ==================  ===================  ===========================

:data:`KEY_TYPES` are the types the keystore and the CLI create; :data:`PUBLIC_KEY_TYPES` (those and ``p384``, as
vc-di-ecdsa uses it) are the types every part of microcred reads, resolves, signs with and verifies.

ECDSA signatures are the 64-byte ``r || s`` form of JOSE and Data Integrity, with ``s`` normalised to the low half
of the group order when signing. Verification accepts either half (as JOSE verifiers do): the signature over a
document is not what identifies it, so malleability does not matter here.

``cryptography`` does Ed25519 signing, P-256 and P-384, ``coincurve`` (libsecp256k1) does secp256k1, and libsodium
(``PyNaCl``) verifies Ed25519: 1.5 times as fast as OpenSSL here, and stricter (it refuses small-order keys and
``R`` points, and a non-canonical ``s``, which RFC 8032 leaves to the verifier). A :class:`KeyPair` never
shows its secret in ``repr`` or ``str``; only the keystore asks for :meth:`KeyPair.private_bytes`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import re
from dataclasses import dataclass
from hashlib import sha256
from typing import Any, Final, Literal

import coincurve
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from multicodec.constants import CODE_TABLE

from microcred.did._errors import KeyFormatError, UnsupportedKeyTypeError
from microcred.did._multiformats import (
    ED25519_PRIV,
    ED25519_PUB,
    P256_PRIV,
    P256_PUB,
    P384_PRIV,
    P384_PUB,
    SECP256K1_PRIV,
    SECP256K1_PUB,
    codec_name,
    multibase_decode,
    multibase_encode,
    multicodec_unwrap,
    multicodec_wrap,
)

KeyType = Literal["ed25519", "secp256k1", "p256", "p384"]
#: the key types the keystore and the CLI create
KEY_TYPES: Final[tuple[str, ...]] = ("ed25519", "secp256k1", "p256")
#: every key type microcred reads, resolves and verifies (did:key, Multikey, JWK, Data Integrity proofs)
PUBLIC_KEY_TYPES: Final[tuple[str, ...]] = (*KEY_TYPES, "p384")

_CODEC_BY_TYPE: Final = {"ed25519": ED25519_PUB, "secp256k1": SECP256K1_PUB, "p256": P256_PUB, "p384": P384_PUB}
_TYPE_BY_CODEC: Final = {code: name for name, code in _CODEC_BY_TYPE.items()}
_SECRET_CODEC_BY_TYPE: Final = {"ed25519": ED25519_PRIV, "secp256k1": SECP256K1_PRIV, "p256": P256_PRIV,
                                "p384": P384_PRIV}
_TYPE_BY_SECRET_CODEC: Final = {code: name for name, code in _SECRET_CODEC_BY_TYPE.items()}
_PUBLIC_LENGTH: Final = {"ed25519": 32, "secp256k1": 33, "p256": 33, "p384": 49}
_SECRET_LENGTH: Final = {"ed25519": 32, "secp256k1": 32, "p256": 32, "p384": 48}
#: length of a raw signature (Ed25519, or ECDSA r || s)
SIGNATURE_LENGTHS: Final = {"ed25519": 64, "secp256k1": 64, "p256": 64, "p384": 96}
_JWK_CURVE: Final = {"ed25519": ("OKP", "Ed25519"), "secp256k1": ("EC", "secp256k1"), "p256": ("EC", "P-256"),
                     "p384": ("EC", "P-384")}
_TYPE_BY_JWK_CURVE: Final = {curve: name for name, curve in _JWK_CURVE.items()}
_SUPPORTED_CODECS: Final = ", ".join(f"{t}-pub" for t in PUBLIC_KEY_TYPES)
_SUPPORTED_JWK: Final = "OKP/Ed25519, EC/secp256k1, EC/P-256 and EC/P-384"

_SECP256K1_N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_P256_N: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P384_N: Final = int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
                     16)
_ORDER: Final = {"secp256k1": _SECP256K1_N, "p256": _P256_N, "p384": _P384_N}
_P256: Final = ec.SECP256R1()
_CURVES: Final = {"p256": _P256, "p384": ec.SECP384R1()}
_ECDSA_SHA256: Final = ec.ECDSA(hashes.SHA256())
_ECDSA: Final = {"p256": _ECDSA_SHA256, "p384": ec.ECDSA(hashes.SHA384())}
_B64URL: Final = re.compile(r"[A-Za-z0-9_-]*")


# -- small helpers ----------------------------------------------------------------------------------------------


def _check_key_type(key_type: object) -> str:
    if not isinstance(key_type, str) or key_type not in _PUBLIC_LENGTH:
        raise UnsupportedKeyTypeError(
            f"unsupported key type {key_type!r}: expected one of {', '.join(PUBLIC_KEY_TYPES)}"
        )
    return key_type


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object, *, what: str = "value") -> bytes:
    """Bytes of unpadded base64url ``text``; :class:`KeyFormatError` naming ``what`` when it is not."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise KeyFormatError(f"{what} is not unpadded base64url: {text!r}")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - the regex above already excludes these
        raise KeyFormatError(f"{what} is not base64url: {exc}") from None


def _uncompressed(key_type: str, public_key: bytes) -> bytes:
    """0x04 || x || y of an EC public key given compressed."""
    if key_type == "secp256k1":
        return coincurve.PublicKey(public_key).format(compressed=False)
    point = ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[key_type], public_key)
    return point.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _compress_ec(key_type: str, point: bytes) -> bytes:
    """Validate an SEC1 point (compressed or not) on ``key_type``'s curve and return it compressed."""
    try:
        if key_type == "secp256k1":
            return coincurve.PublicKey(point).format(compressed=True)
        key = ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[key_type], point)
        return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"not a valid {key_type} public key (point not on the curve): {point.hex()}") from exc


def _eth_address(uncompressed: bytes) -> str:
    from eth_utils.address import to_checksum_address
    from eth_utils.crypto import keccak

    return to_checksum_address(keccak(uncompressed[1:])[-20:])


def _split_rs(signature: bytes, n: int, size: int) -> tuple[int, int] | None:
    if len(signature) != 2 * size:
        return None
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    if not (0 < r < n and 0 < s < n):
        return None
    return r, (n - s if s > n // 2 else s)


# -- public keys ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key of a supported type, in canonical form (ed25519 raw 32 bytes, EC keys compressed SEC1: 33
    bytes, 49 for p384).

    Construct from trusted canonical bytes directly, or with :meth:`from_bytes`, :meth:`from_multibase` or
    :meth:`from_jwk`. The constructor checks the length, and for EC keys that the point lies on the curve.
    """

    key_type: str
    public_key: bytes

    def __post_init__(self) -> None:
        length = _PUBLIC_LENGTH.get(self.key_type)
        if length is None:
            _check_key_type(self.key_type)
        if not isinstance(self.public_key, bytes) or len(self.public_key) != length:
            got = len(self.public_key) if isinstance(self.public_key, (bytes, bytearray)) else type(self.public_key)
            raise KeyFormatError(f"a {self.key_type} public key has {length} bytes, got {got}")
        if self.key_type != "ed25519":
            if self.public_key[0] not in (2, 3):
                raise KeyFormatError(
                    f"a {self.key_type} public key must be compressed SEC1 (first byte 02 or 03), "
                    f"got {self.public_key.hex()}"
                )
            _compress_ec(self.key_type, self.public_key)

    # -- constructors -------------------------------------------------------------------------------------------
    @classmethod
    def from_bytes(cls, key_type: str, data: bytes) -> PublicKey:
        """From raw bytes; EC keys may be compressed (33 or 49 bytes) or uncompressed (``04||x||y``)."""
        _check_key_type(key_type)
        data = bytes(data)
        if key_type != "ed25519" and len(data) == 2 * _PUBLIC_LENGTH[key_type] - 1:
            data = _compress_ec(key_type, data)
        return cls(key_type, data)

    @classmethod
    def from_multibase(cls, value: str) -> PublicKey:
        """From a Multikey ``publicKeyMultibase`` (``z`` + base58btc(multicodec prefix || key)).

        Decoded keys are cached: the same did:key verifies a whole batch of credentials.
        """
        if not isinstance(value, str):
            raise KeyFormatError(f"a publicKeyMultibase is a string, got {type(value).__name__}")
        return _from_multibase(value)

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> PublicKey:
        """From a public JWK (OKP/Ed25519, EC/secp256k1, EC/P-256, EC/P-384). A JWK holding a private ``d`` is
        refused."""
        if not isinstance(jwk, dict):
            raise KeyFormatError(f"a JWK is a JSON object, got {type(jwk).__name__}")
        if "d" in jwk:
            raise KeyFormatError("a public JWK must not contain the private key member 'd'")
        return cls.from_bytes(*_jwk_public(jwk))

    # -- encodings ----------------------------------------------------------------------------------------------
    @property
    def multicodec(self) -> int:
        """Multicodec code of this key type."""
        return _CODEC_BY_TYPE[self.key_type]

    @property
    def multibase(self) -> str:
        """Multikey ``publicKeyMultibase``: ``z`` + base58btc(multicodec prefix || key)."""
        return multibase_encode(multicodec_wrap(_CODEC_BY_TYPE[self.key_type], self.public_key))

    @property
    def jwk(self) -> dict[str, str]:
        """Public JWK: ``kty``, ``crv``, ``x`` (and ``y`` for EC keys)."""
        kty, crv = _JWK_CURVE[self.key_type]
        if kty == "OKP":
            return {"kty": kty, "crv": crv, "x": b64url_encode(self.public_key)}
        point = _uncompressed(self.key_type, self.public_key)
        size = (len(point) - 1) // 2
        return {"kty": kty, "crv": crv, "x": b64url_encode(point[1:1 + size]), "y": b64url_encode(point[1 + size:])}

    @property
    def uncompressed(self) -> bytes:
        """``04 || x || y`` of an EC key; the raw key for ed25519."""
        return self.public_key if self.key_type == "ed25519" else _uncompressed(self.key_type, self.public_key)

    @property
    def eth_address(self) -> str | None:
        """EIP-55 checksummed Ethereum address of a secp256k1 key; ``None`` for other key types."""
        if self.key_type != "secp256k1":
            return None
        return _eth_address(_uncompressed("secp256k1", self.public_key))

    # -- verification -------------------------------------------------------------------------------------------
    def verify(self, data: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's signature over ``data``. Never raises for a bad signature."""
        if not isinstance(signature, (bytes, bytearray)) or not isinstance(data, (bytes, bytearray)):
            return False
        data, signature = bytes(data), bytes(signature)
        key_type = self.key_type
        if key_type == "ed25519":
            if len(signature) != 64:
                return False
            try:
                crypto_sign_open(signature + data, self.public_key)  # libsodium: signature || message
            except BadSignatureError:
                return False
            return True
        rs = _split_rs(signature, _ORDER[key_type], SIGNATURE_LENGTHS[key_type] // 2)
        if rs is None:
            return False
        der = encode_dss_signature(*rs)
        if key_type == "secp256k1":
            return bool(_verifier(key_type, self.public_key).verify(der, data, hasher=_sha256))
        try:
            _verifier(key_type, self.public_key).verify(der, data, _ECDSA[key_type])
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"PublicKey({self.key_type!r}, {self.multibase!r})"


def _sha256(message: bytes) -> bytes:
    return sha256(message).digest()


@functools.lru_cache(maxsize=1024)
def _verifier(key_type: str, public_key: bytes) -> Any:
    """The library object of a (valid, canonical) public key, cached: one issuer key checks many credentials."""
    if key_type == "ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(public_key)
    if key_type == "secp256k1":
        return coincurve.PublicKey(public_key)
    return ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[key_type], public_key)


@functools.lru_cache(maxsize=1024)
def _from_multibase(value: str) -> PublicKey:
    code, raw = multicodec_unwrap(multibase_decode(value, what="publicKeyMultibase"))
    key_type = _TYPE_BY_CODEC.get(code)
    if key_type is None:
        raise UnsupportedKeyTypeError(
            f"unsupported key codec {CODE_TABLE.get(code, 'unknown')} (multicodec header 0x{code:x}) in "
            f"{value[:60]!r}: supported are {_SUPPORTED_CODECS}"
        )
    return PublicKey(key_type, raw)


def _jwk_public(jwk: dict[str, Any]) -> tuple[str, bytes]:
    """(key_type, public key bytes) of a JWK, checked member by member; EC points come back uncompressed."""
    kty, crv = jwk.get("kty"), jwk.get("crv")
    key_type = _TYPE_BY_JWK_CURVE.get((kty, crv)) if isinstance(kty, str) and isinstance(crv, str) else None
    if key_type is None:
        raise UnsupportedKeyTypeError(f"unsupported JWK kty={kty!r} crv={crv!r}: supported are {_SUPPORTED_JWK}")
    size = _SECRET_LENGTH[key_type]
    x = b64url_decode(jwk.get("x"), what=f"JWK member 'x' ({crv})")
    if len(x) != size:
        raise KeyFormatError(f"JWK member 'x' of a {crv} key must be {size} bytes, got {len(x)}")
    if key_type == "ed25519":
        return key_type, x
    y = b64url_decode(jwk.get("y"), what=f"JWK member 'y' ({crv})")
    if len(y) != size:
        raise KeyFormatError(f"JWK member 'y' of a {crv} key must be {size} bytes, got {len(y)}")
    return key_type, b"\x04" + x + y


def verify_signature(key_type: str, public_key: bytes, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` over ``data`` verifies under ``public_key`` of ``key_type``.

    Returns ``False`` for any bad or malformed signature; raises :class:`KeyFormatError` (an
    ``InvalidInputError``) when the key itself is malformed or of an unsupported type.

    Example::

        >>> kp = KeyPair.generate("p256")
        >>> verify_signature("p256", kp.public_key, b"hi", kp.sign(b"hi"))
        True
    """
    return PublicKey.from_bytes(key_type, public_key).verify(data, signature)


def signature_is_valid(key_type: str, public_key: bytes, data: bytes, signature: bytes) -> bool:
    """Like :func:`verify_signature`, but a malformed key or an unsupported key type is simply not valid (never
    raises): for a verifier that has already said why a key is unusable, or does not care.

    Example::

        >>> signature_is_valid("rsa", b"\\0" * 32, b"hi", b"\\0" * 64)
        False
    """
    try:
        key = PublicKey(key_type, bytes(public_key)) if isinstance(public_key, (bytes, bytearray)) else None
    except KeyFormatError:
        return False
    return key is not None and key.verify(data, signature)


# -- key pairs --------------------------------------------------------------------------------------------------


class KeyPair:
    """A private key with its public key. ``repr`` shows the type and did:key, never the secret.

    Build with :meth:`generate`, :meth:`from_private_bytes` or :meth:`from_jwk`.
    """

    __slots__ = ("_key_type", "_public", "_secret", "_signer")

    def __init__(self, key_type: str, secret: bytes) -> None:
        """Prefer :meth:`from_private_bytes`; ``secret`` is the ed25519 seed or the EC scalar (32 bytes, 48 for
        p384)."""
        _check_key_type(key_type)
        length = _SECRET_LENGTH[key_type]
        if not isinstance(secret, (bytes, bytearray)) or len(secret) != length:
            raise KeyFormatError(f"a {key_type} private key has {length} bytes, got "
                                 f"{len(secret) if isinstance(secret, (bytes, bytearray)) else type(secret).__name__}")
        secret = bytes(secret)
        signer: Any
        if key_type == "ed25519":
            signer = ed25519.Ed25519PrivateKey.from_private_bytes(secret)
            public = signer.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            scalar = int.from_bytes(secret, "big")
            if not 0 < scalar < _ORDER[key_type]:
                raise KeyFormatError(f"a {key_type} private key must be in [1, n-1] (the curve order)")
            if key_type == "secp256k1":
                signer = coincurve.PrivateKey(secret)
                public = signer.public_key.format(compressed=True)
            else:
                signer = ec.derive_private_key(scalar, _CURVES[key_type])
                public = signer.public_key().public_bytes(
                    serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
                )
        self._key_type = key_type
        self._secret = secret
        self._signer = signer
        self._public = PublicKey(key_type, public)

    # -- constructors -------------------------------------------------------------------------------------------
    @classmethod
    def generate(cls, key_type: str = "ed25519") -> KeyPair:
        """A fresh random key of ``key_type`` (``ed25519``, ``secp256k1``, ``p256`` or ``p384``)."""
        _check_key_type(key_type)
        if key_type == "ed25519":
            secret = ed25519.Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
        elif key_type == "secp256k1":
            secret = coincurve.PrivateKey().secret
        else:
            secret = ec.generate_private_key(_CURVES[key_type]).private_numbers().private_value.to_bytes(
                _SECRET_LENGTH[key_type], "big")
        return cls(key_type, secret)

    @classmethod
    def from_private_bytes(cls, key_type: str, secret: bytes) -> KeyPair:
        """From the 32-byte ed25519 seed or EC private scalar (big-endian; 48 bytes for p384)."""
        return cls(key_type, secret)

    @classmethod
    def from_multibase(cls, value: str) -> KeyPair:
        """From a ``secretKeyMultibase`` (``z`` + base58btc(multicodec ``*-priv`` prefix || secret)), as the W3C
        test vectors give keys. An ed25519 value may hold the 64-byte seed || public key (the Open Badges 3.0
        vector does); the public half must then match the seed."""
        code, raw = multicodec_unwrap(multibase_decode(value, what="secretKeyMultibase"))
        key_type = _TYPE_BY_SECRET_CODEC.get(code)
        if key_type is None:
            raise UnsupportedKeyTypeError(
                f"unsupported secret key codec {codec_name(code)} (multicodec header): supported are "
                f"{', '.join(f'{t}-priv' for t in PUBLIC_KEY_TYPES)}")
        if key_type == "ed25519" and len(raw) == 64:
            pair = cls(key_type, raw[:32])
            if pair.public_key != raw[32:]:
                raise KeyFormatError("the secretKeyMultibase's public half does not match its seed")
            return pair
        return cls(key_type, raw)

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> KeyPair:
        """From a private JWK (with ``d``). The public members, when present, must match ``d``."""
        if not isinstance(jwk, dict):
            raise KeyFormatError(f"a JWK is a JSON object, got {type(jwk).__name__}")
        if "d" not in jwk:
            raise KeyFormatError("the JWK has no private key member 'd': it is a public key only")
        kty, crv = jwk.get("kty"), jwk.get("crv")
        key_type = _TYPE_BY_JWK_CURVE.get((kty, crv)) if isinstance(kty, str) and isinstance(crv, str) else None
        if key_type is None:
            raise UnsupportedKeyTypeError(f"unsupported JWK kty={kty!r} crv={crv!r}: supported are {_SUPPORTED_JWK}")
        d = b64url_decode(jwk["d"], what=f"JWK member 'd' ({crv})")
        pair = cls(key_type, d)
        if "x" in jwk:
            claimed = PublicKey.from_bytes(*_jwk_public(jwk))
            if claimed.public_key != pair.public_key:
                raise KeyFormatError(f"the JWK's public members x/y do not match its private key 'd' ({crv})")
        return pair

    # -- public side --------------------------------------------------------------------------------------------
    @property
    def key_type(self) -> str:
        """``ed25519``, ``secp256k1``, ``p256`` or ``p384``."""
        return self._key_type

    @property
    def public(self) -> PublicKey:
        """The public half as a :class:`PublicKey`."""
        return self._public

    @property
    def public_key(self) -> bytes:
        """Public key bytes: raw 32 bytes for ed25519, compressed SEC1 (33 bytes, 49 for p384) for EC keys."""
        return self._public.public_key

    @property
    def public_key_multibase(self) -> str:
        """Multikey ``publicKeyMultibase`` of the public key."""
        return self._public.multibase

    @property
    def did(self) -> str:
        """The ``did:key`` of the public key."""
        return "did:key:" + self._public.multibase

    @property
    def eth_address(self) -> str | None:
        """EIP-55 Ethereum address of a secp256k1 key; ``None`` for other key types."""
        return self._public.eth_address

    def to_jwk(self, private: bool = False) -> dict[str, str]:
        """JWK of the public key; with ``private=True`` also the secret ``d`` (handle with care)."""
        jwk = self._public.jwk
        if private:
            jwk["d"] = b64url_encode(self._secret)
        return jwk

    # -- secret side --------------------------------------------------------------------------------------------
    def sign(self, data: bytes) -> bytes:
        """Signature over ``data``: pure Ed25519, or ECDSA with SHA-256 (SHA-384 for p384) as ``r||s`` with low
        ``s`` (64 bytes, 96 for p384)."""
        data = bytes(data)
        if self._key_type == "ed25519":
            return bytes(self._signer.sign(data))
        if self._key_type == "secp256k1":
            # libsecp256k1 always produces low-S; the recoverable form is r || s || recovery id
            return bytes(self._signer.sign_recoverable(data, hasher=lambda m: sha256(m).digest())[:64])
        r, s = decode_dss_signature(self._signer.sign(data, _ECDSA[self._key_type]))
        n, size = _ORDER[self._key_type], SIGNATURE_LENGTHS[self._key_type] // 2
        if s > n // 2:
            s = n - s
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def private_bytes(self) -> bytes:
        """The 32 secret bytes (ed25519 seed or EC scalar). For the keystore only: never print or log them."""
        return self._secret

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Shortcut for ``self.public.verify(data, signature)``."""
        return self._public.verify(data, signature)

    # -- hygiene ------------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"KeyPair(key_type={self._key_type!r}, did={self.did!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyPair):
            return NotImplemented
        return self._key_type == other._key_type and hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash((self._key_type, self._public.public_key))

    def __reduce__(self) -> Any:
        raise TypeError("a KeyPair is not picklable: store keys with microcred.did.Keystore")


__all__ = ["KEY_TYPES", "PUBLIC_KEY_TYPES", "SIGNATURE_LENGTHS", "KeyPair", "KeyType", "PublicKey", "b64url_decode",
           "b64url_encode", "signature_is_valid", "verify_signature"]
