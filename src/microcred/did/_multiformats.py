"""Multiformats: base58btc multibase and unsigned-varint multicodec prefixes, as did:key and Multikey use them.

Only what DIDs need is here: the ``z`` (base58btc, Bitcoin alphabet) multibase and the unsigned varint of the
multiformats ``unsigned-varint`` specification (minimal encoding, at most 9 bytes). The base58 codec is written
for speed on short inputs (keys of 34-35 bytes): it converts through one Python integer.
"""

from __future__ import annotations

from microcred.did._errors import KeyFormatError

#: Bitcoin's base58 alphabet, the one multibase ``z`` names
B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}
#: multibase prefix of base58btc
BASE58BTC_PREFIX = "z"

#: multicodec codes of the public keys microcred handles (https://github.com/multiformats/multicodec table.csv)
ED25519_PUB = 0xED
SECP256K1_PUB = 0xE7
P256_PUB = 0x1200
#: names of some codes that appear in did:key values, for error messages
CODEC_NAMES = {
    ED25519_PUB: "ed25519-pub",
    SECP256K1_PUB: "secp256k1-pub",
    P256_PUB: "p256-pub",
    0xEC: "x25519-pub",
    0x1201: "p384-pub",
    0x1202: "p521-pub",
    0xEB: "bls12_381-g2-pub",
    0xEE: "bls12_381-g1g2-pub",
    0x1205: "rsa-pub",
}

_MAX_VARINT_BYTES = 9


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
    """Bytes of base58btc ``text`` (no multibase prefix); :class:`KeyFormatError` names the first bad character."""
    n = 0
    index = _B58_INDEX
    try:
        for c in text:
            n = n * 58 + index[c]
    except KeyError:
        bad = next(c for c in text if c not in index)
        raise KeyFormatError(
            f"invalid base58btc character {bad!r} at position {text.index(bad)} of {_short(text)!r}"
        ) from None
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + (n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b"")


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc text: ``z`` + base58btc(data)."""
    return BASE58BTC_PREFIX + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """Bytes of a multibase base58btc value. Any other multibase (or none) is a :class:`KeyFormatError`."""
    if not isinstance(text, str) or not text:
        raise KeyFormatError(f"expected a multibase string, got {text!r}")
    if text[0] != BASE58BTC_PREFIX:
        raise KeyFormatError(
            f"unsupported multibase prefix {text[0]!r} in {_short(text)!r}: only base58btc ('z') is supported"
        )
    return b58decode(text[1:])


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


# Prefixes of the supported codecs, precomputed for the hot path of did:key resolution.
_PREFIX = {code: varint_encode(code) for code in (ED25519_PUB, SECP256K1_PUB, P256_PUB)}


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
    """Readable name of a multicodec code (``0xed`` → ``ed25519-pub (0xed)``)."""
    name = CODEC_NAMES.get(code)
    return f"{name} (0x{code:x})" if name else f"0x{code:x}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


__all__ = [
    "B58_ALPHABET",
    "ED25519_PUB",
    "P256_PUB",
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
