"""Compact JWS (RFC 7515) over the one key stack: sign with a :class:`KeyPair`, verify with a key found by ``kid``.

Used for VC-JWT credentials and for the OpenID4VCI key proof (``openid4vci-proof+jwt``). Only asymmetric
signature algorithms are known (``none`` and MACs never verify), each tied to the key types it may use, so a
``kid`` naming a P-256 key cannot be checked as ``EdDSA``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from microcred.did._errors import KeyFormatError
from microcred.did._keys import KeyPair, b64url_decode, b64url_encode, verify_signature
from microcred.errors import InvalidInputError

#: JWS ``alg`` → the key types it may use (RFC 8037 EdDSA/Ed25519, RFC 7518 ES256/ES384, RFC 8812 ES256K)
JWS_ALGORITHMS: dict[str, tuple[str, ...]] = {
    "EdDSA": ("ed25519",), "Ed25519": ("ed25519",), "ES256": ("p256",), "ES256K": ("secp256k1",),
    "ES384": ("p384",),
}
#: the ``alg`` microcred writes for each key type
_ALG_FOR_KEY = {"ed25519": "EdDSA", "p256": "ES256", "secp256k1": "ES256K", "p384": "ES384"}

#: ``kid`` → (key type, public key bytes, controller)
KeyForKid = Callable[[str], tuple[str, bytes, str]]


class JWSError(InvalidInputError):
    """A compact JWS that cannot be read, names no usable key, or whose signature does not verify."""


@dataclass(frozen=True)
class VerifiedJWS:
    """A JWS whose signature verified: its header, its payload (bytes) and the key that signed it."""

    header: dict[str, Any]
    payload: bytes
    kid: str
    controller: str
    key_type: str

    def json_payload(self) -> Any:
        try:
            return json.loads(self.payload)
        except (ValueError, UnicodeDecodeError):
            raise JWSError("the JWS payload is not JSON") from None


def jws_algorithm(key_type: str) -> str:
    """The JWS ``alg`` for a key of ``key_type``."""
    try:
        return _ALG_FOR_KEY[key_type]
    except KeyError:
        raise JWSError(f"no JWS algorithm for key type {key_type!r}") from None


def sign_compact(key: KeyPair, header: dict[str, Any], payload: bytes | dict[str, Any]) -> str:
    """``header.payload.signature``: ``header`` gets the key's ``alg`` unless it names one; a dict ``payload`` is
    serialised as compact JSON."""
    header = {"alg": jws_algorithm(key.key_type), **header}
    if JWS_ALGORITHMS.get(header["alg"]) is None or key.key_type not in JWS_ALGORITHMS[header["alg"]]:
        raise JWSError(f"a {key.key_type} key cannot sign as {header['alg']!r}")
    body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    signing_input = f"{b64url_encode(json.dumps(header, separators=(',', ':')).encode())}.{b64url_encode(body)}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii')))}"


def decode_compact(jws: object, *, what: str = "the JWS") -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """(header, payload, signing input, signature) of a compact JWS, unverified.

    :raises JWSError: not three base64url parts, or a header that is not a JSON object
    """
    if not isinstance(jws, str) or jws.count(".") != 2:
        raise JWSError(f"{what} is not a compact JWS (three base64url parts joined by dots)")
    header_b64, payload_b64, signature_b64 = jws.split(".")
    try:
        header = json.loads(b64url_decode(header_b64, what=f"{what} header"))
        payload = b64url_decode(payload_b64, what=f"{what} payload")
        signature = b64url_decode(signature_b64, what=f"{what} signature")
    except (ValueError, UnicodeDecodeError) as exc:
        raise JWSError(f"{what} cannot be read: {exc}") from None
    if not isinstance(header, dict):
        raise JWSError(f"{what} header is not a JSON object")
    return header, payload, f"{header_b64}.{payload_b64}".encode("ascii"), signature


def verify_compact(jws: object, key_for_kid: KeyForKid, *, what: str = "the JWS",
                   algorithms: tuple[str, ...] | None = None) -> VerifiedJWS:
    """Check a compact JWS signed by the key its header's ``kid`` names (found with ``key_for_kid``).

    ``algorithms`` narrows the accepted ``alg`` values (default: every one in :data:`JWS_ALGORITHMS`).

    :raises JWSError: unreadable, an algorithm not accepted, no ``kid``, a key of another type, a bad signature
    """
    header, payload, signing_input, signature = decode_compact(jws, what=what)
    alg, kid = header.get("alg"), header.get("kid")
    accepted = algorithms or tuple(JWS_ALGORITHMS)
    if alg not in accepted or alg not in JWS_ALGORITHMS:
        raise JWSError(f"{what} algorithm {alg!r} is not accepted ({', '.join(accepted)})")
    if not isinstance(kid, str) or not kid:
        raise JWSError(f"{what} header names no key (kid)")
    key_type, public_key, controller = key_for_kid(kid)
    if key_type not in JWS_ALGORITHMS[alg]:
        raise JWSError(f"{what} says {alg} but {kid} is a {key_type} key")
    try:
        valid = verify_signature(key_type, public_key, signing_input, signature)  # compressed or not
    except KeyFormatError as exc:
        raise JWSError(f"{what} key {kid} cannot be used: {exc}") from None
    if not valid:
        raise JWSError(f"{what} signature does not verify with {kid}")
    return VerifiedJWS(header=header, payload=payload, kid=kid, controller=controller, key_type=key_type)
