"""Multibase base58btc and unsigned varints, checked against the independent `base58` package and the
multiformats unsigned-varint specification's examples."""

from __future__ import annotations

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microcred.did import KeyFormatError
from microcred.did import _multiformats
from microcred.did._multiformats import (
    B58_ALPHABET,
    b58decode,
    b58decode_python,
    b58encode,
    codec_name,
    multibase_decode,
    multibase_encode,
    multicodec_unwrap,
    multicodec_wrap,
    varint_decode,
    varint_encode,
)


@given(st.binary(max_size=80))
def test_base58_matches_the_reference_package(data: bytes) -> None:
    assert b58encode(data) == base58.b58encode(data).decode()
    assert b58decode(base58.b58encode(data).decode()) == data


@given(st.binary(max_size=120) | st.text(B58_ALPHABET, max_size=200))
def test_the_native_decoder_decodes_as_python_does(value: bytes | str) -> None:
    text = b58encode(value) if isinstance(value, bytes) else value
    assert _multiformats._native_b58decode is not None  # based58 is a dependency
    assert b58decode(text) == b58decode_python(text) == base58.b58decode(text)


@pytest.mark.parametrize("bad, position", [("abc0", 3), ("Oabc", 0), ("ab\u00e9c", 2), ("1l", 1)])
def test_a_bad_character_is_named_with_its_position(bad: str, position: int) -> None:
    with pytest.raises(KeyFormatError, match=f"{bad[position]!r} at position {position}"):
        b58decode(bad)
    with pytest.raises(KeyFormatError):
        b58decode_python(bad)


@given(st.binary(max_size=64))
def test_multibase_round_trip(data: bytes) -> None:
    text = multibase_encode(data)
    assert text.startswith("z")
    assert multibase_decode(text) == data


def test_leading_zero_bytes_are_kept() -> None:
    assert b58encode(b"\0\0\x01") == "112"
    assert b58decode("112") == b"\0\0\x01"


@pytest.mark.parametrize("bad, fragment", [
    ("z0abc", "'0'"), ("zOabc", "'O'"), ("zIl", "'I'"), ("", "multibase"),
    ("mAAAA", "'m'"), ("uAAAA", "'u'"),
])
def test_malformed_multibase_names_the_problem(bad: str, fragment: str) -> None:
    with pytest.raises(KeyFormatError, match=fragment):
        multibase_decode(bad)


# unsigned-varint spec examples: https://github.com/multiformats/unsigned-varint
@pytest.mark.parametrize("value, encoded", [
    (1, "01"), (127, "7f"), (128, "8001"), (255, "ff01"), (300, "ac02"), (16384, "808001"),
    (0xED, "ed01"), (0xE7, "e701"), (0x1200, "8024"),
])
def test_varint_examples(value: int, encoded: str) -> None:
    assert varint_encode(value).hex() == encoded
    assert varint_decode(bytes.fromhex(encoded)) == (value, len(encoded) // 2)


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_varint_round_trip(value: int) -> None:
    encoded = varint_encode(value)
    assert varint_decode(encoded + b"\xff") == (value, len(encoded))


@pytest.mark.parametrize("bad, message", [
    ("80", "truncated"), ("", "truncated"), ("8000", "non-minimal"), ("ff" * 9 + "01", "longer than 9"),
])
def test_bad_varints_are_refused(bad: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        varint_decode(bytes.fromhex(bad))


def test_varint_range() -> None:
    with pytest.raises(KeyFormatError):
        varint_encode(-1)
    with pytest.raises(KeyFormatError):
        varint_encode(2**63)


@given(st.sampled_from([0xED, 0xE7, 0x1200, 0xEC, 0x01, 0x1205]), st.binary(max_size=40))
def test_multicodec_round_trip(code: int, raw: bytes) -> None:
    assert multicodec_unwrap(multicodec_wrap(code, raw)) == (code, raw)


def test_codec_names() -> None:
    assert codec_name(0xED) == "ed25519-pub (0xed)"
    assert codec_name(0x99) == "eth-receipt-log-trie (0x99)"  # names come from py-multicodec's table
    assert codec_name(0x9b) == "0x9b"  # not in the table


@given(st.binary(min_size=1, max_size=64).filter(lambda b: b[0] != 0))
def test_base58btc_matches_py_multibase(data: bytes) -> None:
    """py-multibase agrees with this codec (except for leading zero bytes, which py-multibase 2.0 drops)."""
    import multibase

    assert multibase_encode(data) == multibase.encode("base58btc", data).decode()
    assert multibase.decode(multibase_encode(data)) == data


def test_key_codes_come_from_the_multicodec_table() -> None:
    import multicodec

    from microcred.did._multiformats import (
        ED25519_PUB,
        P256_PUB,
        P384_PUB,
        SECP256K1_PUB,
    )

    for code, name in ((ED25519_PUB, "ed25519-pub"), (P256_PUB, "p256-pub"), (P384_PUB, "p384-pub"),
                       (SECP256K1_PUB, "secp256k1-pub")):
        assert multicodec.get_prefix(name) == varint_encode(code)
        assert multicodec.get_codec(multicodec_wrap(code, b"\x01" * 33)) == name


def test_other_multibase_encodings_are_named() -> None:
    with pytest.raises(KeyFormatError, match="base64url"):
        multibase_decode("uAAAA")
