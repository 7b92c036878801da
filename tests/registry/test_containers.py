"""Credentials in their containers: a PNG made from scratch, baked and read back (correct CRC), an SVG, a PNG
that is not a badge, and a compact JWS (VC-JWT) whose signature is checked with the key of its kid."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from microcred.did import KeyPair, Resolver
from microcred.did._keys import b64url_encode
from microcred.registry.credential import (
    JWSCredential,
    NotABadgeError,
    bake_png,
    bake_svg,
    read_container,
)
from microcred.errors import InvalidInputError
from microcred.registry.verify import Verifier, default_checks
from tests.support.images import chunk, tiny_png

CREDENTIAL = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
              "issuer": "did:example:x", "credentialSubject": {"name": "Ada ]]> Lovelace, ünïcode"}}


def chunks(png: bytes) -> list[tuple[bytes, bytes, int]]:
    out, pos = [], 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        out.append((kind, body, struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])[0]))
        pos += 12 + length
    return out


def test_a_png_made_from_scratch_bakes_and_reads_back():
    baked = bake_png(tiny_png(), CREDENTIAL)
    found = chunks(baked)
    assert [k for k, _, _ in found] == [b"IHDR", b"IDAT", b"iTXt", b"IEND"]
    kind, body, crc = found[2]
    assert crc == zlib.crc32(kind + body)
    assert body.startswith(b"openbadgecredential\x00\x00\x00\x00\x00")
    assert read_container(baked) == CREDENTIAL
    assert read_container(bake_png(baked, {**CREDENTIAL, "id": "urn:x"}))["id"] == "urn:x"  # re-baking replaces
    assert [k for k, _, _ in chunks(bake_png(baked, CREDENTIAL))].count(b"iTXt") == 1


def test_a_compressed_itxt_is_read():
    text = json.dumps(CREDENTIAL).encode()
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(text)
    png = tiny_png()[:-12] + chunk(b"iTXt", body) + chunk(b"IEND", b"")
    assert read_container(png) == CREDENTIAL


def test_a_png_that_is_not_a_badge_is_a_named_invalid_input():
    with pytest.raises(NotABadgeError, match="not a badge"):
        read_container(tiny_png(), source="cat.png")
    broken = bytearray(bake_png(tiny_png(), CREDENTIAL))
    broken[-20] ^= 1  # inside the iTXt text: its CRC no longer matches
    with pytest.raises(InvalidInputError, match="CRC"):
        read_container(bytes(broken))


def test_an_svg_bakes_and_reads_back():
    svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect/></svg>'
    baked = bake_svg(svg, CREDENTIAL)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert "<openbadges:credential><![CDATA[" in baked
    assert read_container(baked.encode()) == CREDENTIAL
    with pytest.raises(NotABadgeError):
        read_container(svg.encode(), source="plain.svg")


def jws(payload: dict, key: KeyPair, alg: str, kid: str) -> str:
    header = b64url_encode(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}).encode())
    body = b64url_encode(json.dumps(payload).encode())
    return f"{header}.{body}.{b64url_encode(key.sign(f'{header}.{body}'.encode()))}"


@pytest.mark.parametrize("key_type,alg", [("ed25519", "EdDSA"), ("p256", "ES256")])
@pytest.mark.parametrize("in_vc_claim", [True, False])
def test_a_vc_jwt_is_read_and_its_signature_checked_with_its_kid(key_type, alg, in_vc_claim):
    key = KeyPair.generate(key_type)
    doc = {**CREDENTIAL, "issuer": key.did, "validFrom": "2026-01-01T00:00:00Z"}
    payload = {"iss": key.did, "vc": doc} if in_vc_claim else doc
    token = jws(payload, key, alg, f"{key.did}#{key.did[8:]}")
    read = read_container(token.encode())
    assert isinstance(read, JWSCredential) and read == doc
    verifier = Verifier(default_checks(resolver=Resolver(), trusted_registries={}))
    [v] = verifier.verify([("b.jwt", read)])
    assert v.result_of("signature").result == "pass", v.result_of("signature").detail
    assert v.result_of("issuer").result == "pass", v.result_of("issuer").detail
    assert v.outcome == "valid"
    head, body, sig = token.split(".")
    other = json.loads(json.dumps(payload))
    (other["vc"] if in_vc_claim else other)["credentialSubject"]["name"] = "Mallory"
    forged = f"{head}.{b64url_encode(json.dumps(other).encode())}.{sig}"
    [v] = verifier.verify([("f.jwt", read_container(forged.encode()))])
    assert v.result_of("signature").result == "fail" and v.outcome == "invalid"


def test_a_jws_with_an_algorithm_not_accepted_fails():
    key = KeyPair.generate("ed25519")
    token = jws({**CREDENTIAL, "issuer": key.did}, key, "none", key.did)
    [v] = Verifier(default_checks(resolver=Resolver(), trusted_registries={})).verify(
        [("b.jwt", read_container(token.encode()))])
    assert v.result_of("signature").result == "fail"
