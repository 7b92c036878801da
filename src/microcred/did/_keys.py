"""Key material: public keys, key pairs, signatures, JWK and Multikey encodings.

Three key types, named as microcred names them everywhere:

==========  ==========================  ==================  ===================  =================
key_type    public key bytes            multicodec          JWK                  signature
==========  ==========================  ==================  ===================  =================
ed25519     raw 32 bytes                ed25519-pub 0xed    OKP / Ed25519        Ed25519 (pure), 64 bytes
secp256k1   compressed SEC1, 33 bytes   secp256k1-pub 0xe7  EC / secp256k1       ECDSA SHA-256, r||s
p256        compressed SEC1, 33 bytes   p256-pub 0x1200     EC / P-256           ECDSA SHA-256, r||s
==========  ==========================  ==================  ===================  =================

ECDSA signatures are the 64-byte ``r || s`` form of JOSE and Data Integrity, with ``s`` normalised to the low half
of the group order when signing. Verification accepts either half (as JOSE verifiers do): the signature over a
document is not what identifies it, so malleability does not matter here.

``cryptography`` does Ed25519 and P-256, ``coincurve`` (libsecp256k1) does secp256k1. A :class:`KeyPair` never
shows its secret in ``repr`` or ``str``; only the keystore asks for :meth:`KeyPair.private_bytes`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from dataclasses import dataclass
from hashlib import sha256
from typing import Any, Final, Literal

import coincurve
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from microcred.did._errors import KeyFormatError, UnsupportedKeyTypeError
from microcred.did._multiformats import (
    ED25519_PUB,
    P256_PUB,
    SECP256K1_PUB,
    codec_name,
    multibase_decode,
    multibase_encode,
    multicodec_unwrap,
    multicodec_wrap,
)

KeyType = Literal["ed25519", "secp256k1", "p256"]
#: every key type microcred handles
KEY_TYPES: Final[tuple[str, ...]] = ("ed25519", "secp256k1", "p256")

_CODEC_BY_TYPE: Final = {"ed25519": ED25519_PUB, "secp256k1": SECP256K1_PUB, "p256": P256_PUB}
_TYPE_BY_CODEC: Final = {code: name for name, code in _CODEC_BY_TYPE.items()}
_PUBLIC_LENGTH: Final = {"ed25519": 32, "secp256k1": 33, "p256": 33}
_JWK_CURVE: Final = {"ed25519": ("OKP", "Ed25519"), "secp256k1": ("EC", "secp256k1"), "p256": ("EC", "P-256")}
_TYPE_BY_JWK_CURVE: Final = {curve: name for name, curve in _JWK_CURVE.items()}

_SECP256K1_N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_P256_N: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_ORDER: Final = {"secp256k1": _SECP256K1_N, "p256": _P256_N}
_P256: Final = ec.SECP256R1()
_ECDSA_SHA256: Final = ec.ECDSA(hashes.SHA256())
_B64URL: Final = re.compile(r"[A-Za-z0-9_-]*")


# -- small helpers ----------------------------------------------------------------------------------------------


def _check_key_type(key_type: object) -> str:
    if not isinstance(key_type, str) or key_type not in _PUBLIC_LENGTH:
        raise UnsupportedKeyTypeError(
            f"unsupported key type {key_type!r}: expected one of {', '.join(KEY_TYPES)}"
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
    point = ec.EllipticCurvePublicKey.from_encoded_point(_P256, public_key)
    return point.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _compress_ec(key_type: str, point: bytes) -> bytes:
    """Validate an SEC1 point (compressed or not) on ``key_type``'s curve and return it compressed."""
    try:
        if key_type == "secp256k1":
            return coincurve.PublicKey(point).format(compressed=True)
        key = ec.EllipticCurvePublicKey.from_encoded_point(_P256, point)
        return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"not a valid {key_type} public key (point not on the curve): {point.hex()}") from exc


def _eth_address(uncompressed: bytes) -> str:
    from eth_utils.address import to_checksum_address
    from eth_utils.crypto import keccak

    return to_checksum_address(keccak(uncompressed[1:])[-20:])


def _split_rs(signature: bytes, n: int) -> tuple[int, int] | None:
    if len(signature) != 64:
        return None
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < n and 0 < s < n):
        return None
    return r, (n - s if s > n // 2 else s)


# -- public keys ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key of a supported type, in canonical form (ed25519 raw 32 bytes, EC keys compressed SEC1).

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
        if length == 33:
            if self.public_key[0] not in (2, 3):
                raise KeyFormatError(
                    f"a {self.key_type} public key must be compressed SEC1 (first byte 02 or 03), "
                    f"got {self.public_key.hex()}"
                )
            _compress_ec(self.key_type, self.public_key)

    # -- constructors -------------------------------------------------------------------------------------------
    @classmethod
    def from_bytes(cls, key_type: str, data: bytes) -> PublicKey:
        """From raw bytes; EC keys may be compressed (33 bytes) or uncompressed (65 bytes, ``04||x||y``)."""
        _check_key_type(key_type)
        data = bytes(data)
        if key_type != "ed25519" and len(data) == 65:
            data = _compress_ec(key_type, data)
        return cls(key_type, data)

    @classmethod
    def from_multibase(cls, value: str) -> PublicKey:
        """From a Multikey ``publicKeyMultibase`` (``z`` + base58btc(multicodec prefix || key))."""
        code, raw = multicodec_unwrap(multibase_decode(value))
        key_type = _TYPE_BY_CODEC.get(code)
        if key_type is None:
            raise UnsupportedKeyTypeError(
                f"unsupported key codec {codec_name(code)} in {value[:60]!r}: "
                f"supported are ed25519-pub, secp256k1-pub and p256-pub"
            )
        return cls(key_type, raw)

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> PublicKey:
        """From a public JWK (OKP/Ed25519, EC/secp256k1, EC/P-256). A JWK holding a private ``d`` is refused."""
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
        return {"kty": kty, "crv": crv, "x": b64url_encode(point[1:33]), "y": b64url_encode(point[33:])}

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
        if self.key_type == "ed25519":
            if len(signature) != 64:
                return False
            try:
                ed25519.Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, data)
            except InvalidSignature:
                return False
            return True
        rs = _split_rs(signature, _ORDER[self.key_type])
        if rs is None:
            return False
        der = encode_dss_signature(*rs)
        if self.key_type == "secp256k1":
            return coincurve.PublicKey(self.public_key).verify(der, data, hasher=lambda m: sha256(m).digest())
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(_P256, self.public_key).verify(der, data, _ECDSA_SHA256)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"PublicKey({self.key_type!r}, {self.multibase!r})"


def _jwk_public(jwk: dict[str, Any]) -> tuple[str, bytes]:
    """(key_type, public key bytes) of a JWK, checked member by member; EC points come back uncompressed."""
    kty, crv = jwk.get("kty"), jwk.get("crv")
    key_type = _TYPE_BY_JWK_CURVE.get((kty, crv))  # type: ignore[arg-type]
    if key_type is None:
        raise UnsupportedKeyTypeError(
            f"unsupported JWK kty={kty!r} crv={crv!r}: supported are OKP/Ed25519, EC/secp256k1 and EC/P-256"
        )
    x = b64url_decode(jwk.get("x"), what=f"JWK member 'x' ({crv})")
    if len(x) != 32:
        raise KeyFormatError(f"JWK member 'x' of a {crv} key must be 32 bytes, got {len(x)}")
    if key_type == "ed25519":
        return key_type, x
    y = b64url_decode(jwk.get("y"), what=f"JWK member 'y' ({crv})")
    if len(y) != 32:
        raise KeyFormatError(f"JWK member 'y' of a {crv} key must be 32 bytes, got {len(y)}")
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


# -- key pairs --------------------------------------------------------------------------------------------------


class KeyPair:
    """A private key with its public key. ``repr`` shows the type and did:key, never the secret.

    Build with :meth:`generate`, :meth:`from_private_bytes` or :meth:`from_jwk`.
    """

    __slots__ = ("_key_type", "_secret", "_signer", "_public")

    def __init__(self, key_type: str, secret: bytes) -> None:
        """Prefer :meth:`from_private_bytes`; ``secret`` is the ed25519 seed or the 32-byte EC scalar."""
        _check_key_type(key_type)
        if not isinstance(secret, (bytes, bytearray)) or len(secret) != 32:
            raise KeyFormatError(f"a {key_type} private key has 32 bytes, got "
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
                signer = ec.derive_private_key(scalar, _P256)
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
        """A fresh random key of ``key_type`` (``ed25519``, ``secp256k1`` or ``p256``)."""
        _check_key_type(key_type)
        if key_type == "ed25519":
            secret = ed25519.Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
        elif key_type == "secp256k1":
            secret = coincurve.PrivateKey().secret
        else:
            secret = ec.generate_private_key(_P256).private_numbers().private_value.to_bytes(32, "big")
        return cls(key_type, secret)

    @classmethod
    def from_private_bytes(cls, key_type: str, secret: bytes) -> KeyPair:
        """From the 32-byte ed25519 seed or EC private scalar (big-endian)."""
        return cls(key_type, secret)

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> KeyPair:
        """From a private JWK (with ``d``). The public members, when present, must match ``d``."""
        if not isinstance(jwk, dict):
            raise KeyFormatError(f"a JWK is a JSON object, got {type(jwk).__name__}")
        if "d" not in jwk:
            raise KeyFormatError("the JWK has no private key member 'd': it is a public key only")
        kty, crv = jwk.get("kty"), jwk.get("crv")
        key_type = _TYPE_BY_JWK_CURVE.get((kty, crv))  # type: ignore[arg-type]
        if key_type is None:
            raise UnsupportedKeyTypeError(
                f"unsupported JWK kty={kty!r} crv={crv!r}: supported are OKP/Ed25519, EC/secp256k1 and EC/P-256"
            )
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
        """``ed25519``, ``secp256k1`` or ``p256``."""
        return self._key_type

    @property
    def public(self) -> PublicKey:
        """The public half as a :class:`PublicKey`."""
        return self._public

    @property
    def public_key(self) -> bytes:
        """Public key bytes: raw 32 bytes for ed25519, compressed SEC1 (33 bytes) for EC keys."""
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
        """Signature over ``data``: pure Ed25519, or ECDSA with SHA-256 as 64-byte ``r||s`` with low ``s``."""
        data = bytes(data)
        if self._key_type == "ed25519":
            return bytes(self._signer.sign(data))
        if self._key_type == "secp256k1":
            # libsecp256k1 always produces low-S; the recoverable form is r || s || recovery id
            return bytes(self._signer.sign_recoverable(data, hasher=lambda m: sha256(m).digest())[:64])
        r, s = decode_dss_signature(self._signer.sign(data, _ECDSA_SHA256))
        if s > _P256_N // 2:
            s = _P256_N - s
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

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


__all__ = ["KEY_TYPES", "KeyPair", "KeyType", "PublicKey", "b64url_decode", "b64url_encode", "verify_signature"]
