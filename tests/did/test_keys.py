"""Key pairs and public keys: signatures (against RFC 8032 and an independent ECDSA verifier), low-S, JWK and
Multikey encodings, Ethereum addresses, and that no secret leaks through repr or pickling."""

from __future__ import annotations

import pickle

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.did import (
    KEY_TYPES,
    KeyFormatError,
    KeyPair,
    PublicKey,
    UnsupportedKeyTypeError,
    verify_signature,
)
from microcred.did._keys import b64url_encode
from microcred.errors import InvalidInputError

N = {
    "secp256k1": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
    "p256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
}
CURVE = {"secp256k1": ec.SECP256K1(), "p256": ec.SECP256R1()}


@pytest.fixture(params=KEY_TYPES)
def pair(request: pytest.FixtureRequest) -> KeyPair:
    return KeyPair.generate(request.param)


def test_shapes(pair: KeyPair) -> None:
    assert pair.key_type in KEY_TYPES
    assert len(pair.public_key) == (32 if pair.key_type == "ed25519" else 33)
    assert len(pair.private_bytes()) == 32
    assert pair.did == "did:key:" + pair.public_key_multibase
    prefix = {"ed25519": "z6Mk", "secp256k1": "zQ3s", "p256": "zDna"}[pair.key_type]
    assert pair.public_key_multibase.startswith(prefix)


def test_sign_and_verify(pair: KeyPair) -> None:
    sig = pair.sign(b"micro-credential")
    assert len(sig) == 64
    assert verify_signature(pair.key_type, pair.public_key, b"micro-credential", sig)
    assert pair.public.verify(b"micro-credential", sig)
    assert not verify_signature(pair.key_type, pair.public_key, b"micro-credentiaL", sig)
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    assert not verify_signature(pair.key_type, pair.public_key, b"micro-credential", flipped)
    other = KeyPair.generate(pair.key_type)
    assert not verify_signature(pair.key_type, other.public_key, b"micro-credential", sig)


@pytest.mark.parametrize("bad", [b"", b"\0" * 63, b"\0" * 65, b"\0" * 64, b"\xff" * 64, "not bytes"])
def test_bad_signatures_return_false(pair: KeyPair, bad: object) -> None:
    assert verify_signature(pair.key_type, pair.public_key, b"x", bad) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("key_type, public, match", [
    ("ed25519", b"\0" * 31, "32 bytes"),
    ("secp256k1", b"\x02" + b"\0" * 32, "not on the curve"),
    ("p256", b"\x05" + b"\1" * 32, "compressed"),
    ("p256", b"\x04" + b"\1" * 64, "not on the curve"),
    ("rsa", b"\0" * 32, "unsupported key type"),
])
def test_malformed_keys_raise_invalid_input(key_type: str, public: bytes, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        verify_signature(key_type, public, b"x", b"\0" * 64)


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(KEY_TYPES))
def test_any_message_round_trips(message: bytes, key_type: str) -> None:
    pair = KeyPair.generate(key_type)
    assert pair.verify(message, pair.sign(message))


def test_rfc8032_test_1() -> None:
    """RFC 8032 §7.1, TEST 1 (empty message)."""
    pair = KeyPair.from_private_bytes(
        "ed25519", bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
    assert pair.public_key.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert pair.sign(b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )


@pytest.mark.parametrize("key_type", ["secp256k1", "p256"])
def test_ecdsa_is_low_s_and_verifies_with_an_independent_implementation(key_type: str) -> None:
    pair = KeyPair.generate(key_type)
    n = N[key_type]
    theirs = ec.EllipticCurvePublicKey.from_encoded_point(CURVE[key_type], pair.public_key)
    for i in range(40):
        message = f"message {i}".encode()
        sig = pair.sign(message)
        r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
        assert 0 < s <= n // 2, "signatures must be low-S"
        theirs.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))  # raises if wrong
        # the high-S twin is accepted too (documented: JOSE verifiers accept both)
        assert pair.verify(message, sig[:32] + (n - s).to_bytes(32, "big"))


@pytest.mark.parametrize("key_type", ["secp256k1", "p256"])
def test_ecdsa_signatures_of_another_implementation_verify(key_type: str) -> None:
    theirs = ec.generate_private_key(CURVE[key_type])
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    public = theirs.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    r, s = decode_dss_signature(theirs.sign(b"hello", ec.ECDSA(hashes.SHA256())))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert verify_signature(key_type, public, b"hello", sig)
    with pytest.raises(InvalidSignature):
        theirs.public_key().verify(encode_dss_signature(r, s), b"hellO", ec.ECDSA(hashes.SHA256()))
    assert not verify_signature(key_type, public, b"hellO", sig)


def test_ecdsa_out_of_range_scalars_are_rejected() -> None:
    pair = KeyPair.generate("p256")
    sig = pair.sign(b"m")
    n = N["p256"].to_bytes(32, "big")
    assert not pair.verify(b"m", sig[:32] + n)
    assert not pair.verify(b"m", n + sig[32:])
    assert not pair.verify(b"m", b"\0" * 32 + sig[32:])


def test_jwk_round_trips(pair: KeyPair) -> None:
    public = pair.to_jwk()
    assert "d" not in public
    assert PublicKey.from_jwk(public) == pair.public
    private = pair.to_jwk(private=True)
    assert private["d"] == b64url_encode(pair.private_bytes())
    assert KeyPair.from_jwk(private) == pair
    expected = {"ed25519": ("OKP", "Ed25519"), "secp256k1": ("EC", "secp256k1"), "p256": ("EC", "P-256")}
    assert (public["kty"], public["crv"]) == expected[pair.key_type]


def test_jwk_coordinates_are_the_uncompressed_point() -> None:
    theirs = ec.generate_private_key(ec.SECP256R1())
    numbers = theirs.private_numbers()
    pair = KeyPair.from_private_bytes("p256", numbers.private_value.to_bytes(32, "big"))
    jwk = pair.to_jwk()
    assert jwk["x"] == b64url_encode(numbers.public_numbers.x.to_bytes(32, "big"))
    assert jwk["y"] == b64url_encode(numbers.public_numbers.y.to_bytes(32, "big"))


def test_multibase_round_trip(pair: KeyPair) -> None:
    assert PublicKey.from_multibase(pair.public_key_multibase) == pair.public
    assert pair.public.multibase == pair.public_key_multibase


def test_uncompressed_ec_keys_are_normalised() -> None:
    pair = KeyPair.generate("secp256k1")
    public = PublicKey.from_bytes("secp256k1", pair.public.uncompressed)
    assert public.public_key == pair.public_key


@pytest.mark.parametrize("jwk, match", [
    ({"kty": "OKP", "crv": "X25519", "x": "AAAA"}, "unsupported JWK"),
    ({"kty": "EC", "crv": "P-521", "x": "AAAA", "y": "AAAA"}, "unsupported JWK"),  # P-384 is supported
    ({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "32 bytes"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "a+b/" * 11}, "base64url"),
    ({"kty": "OKP", "crv": "Ed25519"}, "'x'"),
    ({"kty": "EC", "crv": "P-256", "x": "A" * 43}, "'y'"),
    ({"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43}, "not on the curve"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "d": "A" * 43}, "private key member"),
    (["not", "a", "dict"], "JSON object"),
])
def test_bad_public_jwks(jwk: object, match: str) -> None:
    with pytest.raises(KeyFormatError, match=match):
        PublicKey.from_jwk(jwk)  # type: ignore[arg-type]


def test_private_jwk_must_be_consistent() -> None:
    a, b = KeyPair.generate("secp256k1"), KeyPair.generate("secp256k1")
    mixed = {**a.to_jwk(), "d": b.to_jwk(private=True)["d"]}
    with pytest.raises(KeyFormatError, match="do not match"):
        KeyPair.from_jwk(mixed)
    with pytest.raises(KeyFormatError, match="no private key"):
        KeyPair.from_jwk(a.to_jwk())
    assert KeyPair.from_jwk({"kty": "EC", "crv": "secp256k1", "d": a.to_jwk(private=True)["d"]}) == a


@pytest.mark.parametrize("key_type, secret, match", [
    ("p256", b"\0" * 32, r"\[1, n-1\]"),
    ("secp256k1", N["secp256k1"].to_bytes(32, "big"), r"\[1, n-1\]"),
    ("ed25519", b"\0" * 31, "32 bytes"),
    ("x25519", b"\0" * 32, "unsupported"),
])
def test_bad_private_keys(key_type: str, secret: bytes, match: str) -> None:
    with pytest.raises(KeyFormatError, match=match):
        KeyPair.from_private_bytes(key_type, secret)


def test_unsupported_multicodec_is_named() -> None:
    x25519 = "z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F"
    with pytest.raises(UnsupportedKeyTypeError, match="x25519-pub"):
        PublicKey.from_multibase(x25519)


def test_eth_address_matches_eth_account() -> None:
    pair = KeyPair.generate("secp256k1")
    assert pair.eth_address == Account.from_key(pair.private_bytes()).address
    assert pair.public.eth_address == pair.eth_address
    assert KeyPair.generate("ed25519").eth_address is None


def test_repr_and_str_never_show_the_secret(pair: KeyPair) -> None:
    secret = pair.private_bytes()
    d = pair.to_jwk(private=True)["d"]
    for text in (repr(pair), str(pair), f"{pair}", repr([pair]), repr(pair.public)):
        assert secret.hex() not in text
        assert d not in text
        assert repr(secret) not in text
    assert pair.key_type in repr(pair) and pair.did in repr(pair)


def test_key_pairs_cannot_be_pickled(pair: KeyPair) -> None:
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(pair)


def test_equality_and_hash() -> None:
    a = KeyPair.generate()
    b = KeyPair.from_private_bytes("ed25519", a.private_bytes())
    assert a == b and hash(a) == hash(b)
    assert a != KeyPair.generate()
    assert a.__eq__("x") is NotImplemented


# -- P-384 (vc-di-ecdsa): read, resolved, signed with and verified like the other types ------------------------------

P384_N = int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973", 16)


def test_p384_keys_sign_low_s_and_verify_with_an_independent_implementation() -> None:
    from microcred.did import PUBLIC_KEY_TYPES, SIGNATURE_LENGTHS

    assert "p384" in PUBLIC_KEY_TYPES and SIGNATURE_LENGTHS["p384"] == 96
    pair = KeyPair.generate("p384")
    assert len(pair.public_key) == 49 and len(pair.private_bytes()) == 48
    assert pair.public_key_multibase.startswith("z82")
    theirs = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), pair.public_key)
    for i in range(10):
        message = f"message {i}".encode()
        sig = pair.sign(message)
        r, s = int.from_bytes(sig[:48], "big"), int.from_bytes(sig[48:], "big")
        assert len(sig) == 96 and 0 < s <= P384_N // 2
        theirs.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA384()))
        assert verify_signature("p384", pair.public_key, message, sig)
        assert not verify_signature("p384", pair.public_key, message + b"!", sig)
    assert PublicKey.from_jwk(pair.public.jwk) == pair.public
    assert KeyPair.from_jwk(pair.to_jwk(private=True)) == pair
    assert PublicKey.from_bytes("p384", pair.public.uncompressed) == pair.public


def test_secret_key_multibase() -> None:
    from microcred.did import multibase_encode
    from microcred.did._multiformats import P384_PRIV, multicodec_wrap

    pair = KeyPair.generate("p384")
    assert KeyPair.from_multibase(multibase_encode(multicodec_wrap(P384_PRIV, pair.private_bytes()))) == pair
    with pytest.raises(UnsupportedKeyTypeError, match="x25519-priv"):
        KeyPair.from_multibase(multibase_encode(multicodec_wrap(0x1302, bytes(32))))


def test_signature_is_valid_never_raises() -> None:
    from microcred.did import signature_is_valid

    pair = KeyPair.generate("p384")
    assert signature_is_valid("p384", pair.public_key, b"x", pair.sign(b"x"))
    assert not signature_is_valid("rsa", pair.public_key, b"x", pair.sign(b"x"))
    assert not signature_is_valid("p384", b"\x02" + b"\xff" * 48, b"x", pair.sign(b"x"))


# -- Ed25519 verification: libsodium (PyNaCl), checked against OpenSSL (cryptography) --------------------------------

_ED25519_L = 2**252 + 27742317777372353535851937790883648493


@settings(max_examples=200, deadline=None)
@given(message=st.binary(max_size=200), flip=st.integers(0, 64 * 8 - 1))
def test_ed25519_verdicts_match_openssl(message: bytes, flip: int) -> None:
    """Whatever the message, a good signature verifies and a signature with one bit flipped does not, in both
    libraries (microcred verifies with libsodium, signs with OpenSSL)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    pair = KeyPair.generate("ed25519")
    signature = pair.sign(message)
    openssl = Ed25519PublicKey.from_public_bytes(pair.public_key)
    openssl.verify(signature, message)
    assert verify_signature("ed25519", pair.public_key, message, signature)
    bad = bytearray(signature)
    bad[flip // 8] ^= 1 << (flip % 8)
    with pytest.raises(InvalidSignature):
        openssl.verify(bytes(bad), message)
    assert not verify_signature("ed25519", pair.public_key, message, bytes(bad))


def test_ed25519_non_canonical_s_and_small_order_keys_are_refused() -> None:
    """``s + L`` signs the same equation but is not canonical (RFC 8032 §5.1.7 asks to refuse it); the identity
    point as a key (small order) lets anyone forge a signature for it, and libsodium refuses it too."""
    pair = KeyPair.generate("ed25519")
    message = b"a micro-credential"
    signature = pair.sign(message)
    s = int.from_bytes(signature[32:], "little")
    malleated = signature[:32] + (s + _ED25519_L).to_bytes(32, "little")
    assert pair.verify(message, signature)
    assert not pair.verify(message, malleated)
    identity = (1).to_bytes(32, "little")  # the neutral element, y = 1
    forged = identity + bytes(32)  # R = identity, s = 0: satisfies [s]B = R + [k]A for A = identity
    assert not verify_signature("ed25519", identity, message, forged)
