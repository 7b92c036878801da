"""Multibase (base58btc) and Multikey encodings used by Data Integrity proofs and ``did:key``.

* A ``proofValue`` is a base58btc Multibase string: ``"z"`` + base58btc(bytes) (Controlled Identifiers v1.0
  §2.4 "Multibase").
* A ``publicKeyMultibase`` is a Multibase string of a Multikey: an unsigned-varint multicodec header followed by
  the raw key (vc-di-eddsa §2.1.1, vc-di-ecdsa §2.1.1): ``0xed`` Ed25519 (32 bytes), ``0x1200`` P-256 and
  ``0x1201`` P-384 (SEC1 compressed points, 33 and 49 bytes), ``0xe7`` secp256k1 (compressed, 33 bytes).
* The test vectors' ``secretKeyMultibase`` / ``privateKeyMultibase`` use ``0x1300`` Ed25519, ``0x1306`` P-256
  and ``0x1307`` P-384 private keys.

This module only encodes and decodes; it knows nothing about signing.
"""

from __future__ import annotations

from typing import Final

import base58

from microcred.errors import InvalidInputError

__all__ = [
    "MultibaseError",
    "decode_multibase",
    "decode_public_key_multibase",
    "decode_secret_key_multibase",
    "encode_multibase",
    "encode_public_key_multibase",
]

#: multicodec code -> (key type, raw key length) for public keys
PUBLIC_KEY_CODECS: Final[dict[int, tuple[str, int]]] = {
    0xED: ("ed25519", 32),
    0x1200: ("p256", 33),
    0x1201: ("p384", 49),
    0xE7: ("secp256k1", 33),
}
#: multicodec code -> (key type, raw key length) for secret keys
SECRET_KEY_CODECS: Final[dict[int, tuple[str, int]]] = {
    0x1300: ("ed25519", 32),
    0x1306: ("p256", 32),
    0x1307: ("p384", 48),
    0x1301: ("secp256k1", 32),
}
_PUBLIC_CODES: Final = {key_type: code for code, (key_type, _) in PUBLIC_KEY_CODECS.items()}


class MultibaseError(InvalidInputError):
    """A Multibase or Multikey value is malformed or of an unsupported kind."""


def encode_multibase(data: bytes) -> str:
    """``"z"`` + base58btc(``data``)."""
    return "z" + base58.b58encode(bytes(data)).decode("ascii")


def decode_multibase(value: object, *, what: str = "multibase value") -> bytes:
    """The bytes of a base58btc Multibase string (header ``z``).

    :raises MultibaseError: not a string, another base, or not valid base58btc.
    """
    if not isinstance(value, str) or not value:
        raise MultibaseError(f"the {what} must be a non-empty Multibase string, not {value!r}")
    if value[0] != "z":
        raise MultibaseError(f"the {what} {value[:16]!r}... must use the base58btc Multibase header 'z', "
                             f"not {value[0]!r}")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise MultibaseError(f"the {what} {value[:16]!r}... is not valid base58btc: {exc}") from None


def _varint_encode(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varint_decode(data: bytes, what: str) -> tuple[int, int]:
    value = shift = 0
    for i, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i + 1
        shift += 7
    raise MultibaseError(f"the {what} does not start with a valid multicodec varint")


def _decode_key(value: object, codecs: dict[int, tuple[str, int]], what: str) -> tuple[str, bytes]:
    data = decode_multibase(value, what=what)
    code, used = _varint_decode(data, what)
    try:
        key_type, length = codecs[code]
    except KeyError:
        known = ", ".join(f"0x{c:x} ({t})" for c, (t, _) in codecs.items())
        raise MultibaseError(f"the {what} has multicodec header 0x{code:x}; supported: {known}") from None
    raw = data[used:]
    if len(raw) != length:
        raise MultibaseError(f"the {what} holds a {key_type} key of {len(raw)} bytes; expected {length}")
    return key_type, raw


def decode_public_key_multibase(value: object) -> tuple[str, bytes]:
    """``(key_type, raw public key)`` from a ``publicKeyMultibase`` (Multikey) value.

    >>> decode_public_key_multibase("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")[0]
    'ed25519'

    :raises MultibaseError: malformed, unknown multicodec, or wrong key length.
    """
    return _decode_key(value, PUBLIC_KEY_CODECS, "publicKeyMultibase")


def decode_secret_key_multibase(value: object) -> tuple[str, bytes]:
    """``(key_type, raw secret key)`` from a ``secretKeyMultibase`` value (as in the W3C test vectors).

    An Ed25519 value may also hold the 64-byte seed || public key form (the Open Badges 3.0 vector does); the
    32-byte seed is returned.
    """
    data = decode_multibase(value, what="secretKeyMultibase")
    code, used = _varint_decode(data, "secretKeyMultibase")
    if code == 0x1300 and len(data) - used == 64:
        return "ed25519", data[used:used + 32]
    return _decode_key(value, SECRET_KEY_CODECS, "secretKeyMultibase")


def encode_public_key_multibase(key_type: str, public_key: bytes) -> str:
    """The ``publicKeyMultibase`` of a raw public key (Ed25519 32 bytes; EC keys SEC1-compressed)."""
    try:
        code = _PUBLIC_CODES[key_type]
    except KeyError:
        raise MultibaseError(f"unsupported key type {key_type!r}; use one of {sorted(_PUBLIC_CODES)}") from None
    length = PUBLIC_KEY_CODECS[code][1]
    if len(public_key) != length:
        raise MultibaseError(f"a {key_type} public key is {length} bytes, not {len(public_key)}")
    return encode_multibase(_varint_encode(code) + bytes(public_key))
