"""Multiformats: multibase strings and multicodec prefixes, as did:key, Multikey and Data Integrity use them.

This is microcred's only multibase and multicodec code; the proofs (``proofValue``), did:key, Multikey and the
keystore all go through it.

* **Multicodec.** Codes and names come from the multicodec table of the maintained ``py-multicodec`` package
  (``ed25519-pub`` 0xed, ``p256-pub`` 0x1200, ``p384-pub`` 0x1201, ``secp256k1-pub`` 0xe7, ``ed25519-priv``
  0x1300 …). The prefix is an unsigned varint; decoding is strict as the unsigned-varint specification asks
  (minimal encoding, at most 9 bytes), which ``py-multicodec`` does not check, so the check is here.
* **Multibase.** The encodings are named by the maintained ``py-multibase`` package (so an error can say "base64url
  ('u')"); microcred accepts base58btc (``z``) only, the one Data Integrity and did:key use. The base58btc body is
  converted here through one Python integer: ``py-multibase`` 2.0 drops leading zero bytes in base58btc (an ECDSA
  ``r || s`` starting with ``00`` would lose a byte) and is 5-7 times slower on the 34-96 byte values of the hot
  path of verification (measured: 64 bytes decode in 8.8 µs here, 59.8 µs with py-multibase, 18.3 µs with
  ``base58``). The tests check this codec against ``base58`` and ``py-multibase``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import multibase as _multibase
from multicodec.constants import CODE_TABLE, NAME_TABLE

from microcred.did._errors import KeyFormatError

_native_b58decode: Callable[[bytes], bytes] | None
try:
    from based58 import b58decode as _native_b58decode
except ImportError:  # the package is a dependency; without it, Python decodes (slower, the same bytes)
    _native_b58decode = None

#: Bitcoin's base58 alphabet, the one multibase ``z`` names
B58_ALPHABET: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX: Final = {c: i for i, c in enumerate(B58_ALPHABET)}
#: base58btc character (as an ASCII byte) → its value; 255 for a byte that is not one
_B58_DIGITS: Final = bytes(_B58_INDEX.get(chr(b), 255) for b in range(256))
#: multibase prefix of base58btc
BASE58BTC_PREFIX: Final = "z"

#: multicodec codes of the keys microcred handles, from py-multicodec's table
ED25519_PUB: Final[int] = NAME_TABLE["ed25519-pub"]
SECP256K1_PUB: Final[int] = NAME_TABLE["secp256k1-pub"]
P256_PUB: Final[int] = NAME_TABLE["p256-pub"]
P384_PUB: Final[int] = NAME_TABLE["p384-pub"]
ED25519_PRIV: Final[int] = NAME_TABLE["ed25519-priv"]
SECP256K1_PRIV: Final[int] = NAME_TABLE["secp256k1-priv"]
P256_PRIV: Final[int] = NAME_TABLE["p256-priv"]
P384_PRIV: Final[int] = NAME_TABLE["p384-priv"]

_MAX_VARINT_BYTES: Final = 9


def b58encode(data: bytes) -> str:
    """Base58btc text of ``data`` (no multibase prefix). Leading zero bytes become leading ``1``."""
    n = int.from_bytes(data, "big")
    out = []
    alphabet = B58_ALPHABET
    while n:
        n, rem = divmod(n, 58)
        out.append(alphabet[rem])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Bytes of base58btc ``text`` (no multibase prefix); :class:`KeyFormatError` names the first bad character.
    Decoded by ``based58`` (Rust), five times faster than Python's big integers on a signature; by
    :func:`b58decode_python` where that package is missing."""
    raw, digits = _checked(text)
    if _native_b58decode is not None:
        return _native_b58decode(raw)
    return _from_digits(digits, text)


def b58decode_python(text: str) -> bytes:
    """:func:`b58decode` in Python alone (the reference the native decoder is tested against)."""
    return _from_digits(_checked(text)[1], text)


def _checked(text: str) -> tuple[bytes, bytes]:
    """``text`` as ASCII bytes and as its characters' values (bytes.translate: a bad character is found before
    anything is decoded); :class:`KeyFormatError` names the first bad one."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raw = b"\xff"
    digits = raw.translate(_B58_DIGITS)
    if b"\xff" in digits:
        bad = next(c for c in text if c not in _B58_INDEX)
        raise KeyFormatError(
            f"invalid base58btc character {bad!r} at position {text.index(bad)} of {_short(text)!r}"
        ) from None
    return raw, digits


def _from_digits(digits: bytes, text: str) -> bytes:
    n = 0
    for d in digits:
        n = n * 58 + d
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + (n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b"")


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc text: ``z`` + base58btc(data)."""
    return BASE58BTC_PREFIX + b58encode(bytes(data))


def multibase_decode(text: object, *, what: str = "multibase value") -> bytes:
    """Bytes of a multibase base58btc value. Any other multibase (or none) is a :class:`KeyFormatError` that
    names ``what`` and the encoding found."""
    if not isinstance(text, str) or not text:
        raise KeyFormatError(f"the {what} must be a non-empty multibase string, got {text!r}")
    if text[0] != BASE58BTC_PREFIX:
        raise KeyFormatError(
            f"unsupported multibase prefix {text[0]!r} ({_encoding_name(text)}) in the {what} {_short(text)!r}: "
            "only base58btc ('z') is supported"
        )
    try:
        return b58decode(text[1:])
    except KeyFormatError as exc:
        raise KeyFormatError(f"the {what} is not valid base58btc: {exc}") from None


def _encoding_name(text: str) -> str:
    try:
        return str(_multibase.get_codec(text).encoding)
    except (ValueError, TypeError):  # py-multibase's errors derive from ValueError
        return "not a multibase encoding"


def varint_encode(value: int) -> bytes:
    """Unsigned varint (LEB128, minimal) of ``value``."""
    if value < 0 or value >= 1 << 63:
        raise KeyFormatError(f"varint out of range: {value}")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint_decode(data: bytes, offset: int = 0) -> tuple[int, int]:
    """(value, number of bytes read) of the unsigned varint at ``data[offset:]``.

    Rejects a truncated varint, a non-minimal one (a trailing ``0x00`` group) and one longer than 9 bytes, as the
    multiformats specification requires.
    """
    value = 0
    shift = 0
    for i in range(offset, min(len(data), offset + _MAX_VARINT_BYTES)):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            length = i - offset + 1
            if byte == 0 and length > 1:
                raise KeyFormatError(f"non-minimal varint at offset {offset}: {data[offset:i + 1].hex()}")
            return value, length
        shift += 7
    if len(data) - offset >= _MAX_VARINT_BYTES:
        raise KeyFormatError(f"varint longer than {_MAX_VARINT_BYTES} bytes at offset {offset}")
    raise KeyFormatError(f"truncated varint at offset {offset}: {data[offset:].hex() or 'no bytes'}")


# Prefixes of the key codecs, precomputed for the hot path of did:key resolution.
_PREFIX: Final = {code: varint_encode(code) for code in (ED25519_PUB, SECP256K1_PUB, P256_PUB, P384_PUB)}


def multicodec_wrap(code: int, raw: bytes) -> bytes:
    """``varint(code) || raw``."""
    prefix = _PREFIX.get(code)
    return (prefix if prefix is not None else varint_encode(code)) + raw


def multicodec_unwrap(data: bytes) -> tuple[int, bytes]:
    """(code, raw bytes) of a multicodec-prefixed value."""
    # fast path for the two-byte prefixes of every supported key type
    if len(data) >= 2 and data[0] & 0x80 and not data[1] & 0x80 and data[1]:
        return (data[0] & 0x7F) | (data[1] << 7), data[2:]
    code, length = varint_decode(data)
    return code, data[length:]


def codec_name(code: int) -> str:
    """Readable name of a multicodec code from the multicodec table (``0xed`` → ``ed25519-pub (0xed)``)."""
    name = CODE_TABLE.get(code)
    return f"{name} (0x{code:x})" if name else f"0x{code:x}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


__all__ = [
    "B58_ALPHABET",
    "ED25519_PRIV",
    "ED25519_PUB",
    "P256_PRIV",
    "P256_PUB",
    "P384_PRIV",
    "P384_PUB",
    "SECP256K1_PRIV",
    "SECP256K1_PUB",
    "b58decode",
    "b58encode",
    "codec_name",
    "multibase_decode",
    "multibase_encode",
    "multicodec_unwrap",
    "multicodec_wrap",
    "varint_decode",
    "varint_encode",
]
