"""W3C Bitstring Status List credentials derived from the on-chain state, for verifiers that do not read chains.

A list is a bitstring, index 0 its left-most bit (the most significant bit of the first byte), at least
131,072 bits long (the minimum the Bitstring Status List specification asks, for group privacy), GZIP-compressed
and written as a multibase base64url string without padding (prefix ``u``). One list per purpose: ``revocation``
(the revoked indexes) and ``suspension`` (the suspended ones).
"""

from __future__ import annotations

import base64
import gzip
from datetime import datetime
from collections.abc import Iterable

from microcred.errors import InvalidInputError
from microcred.registry.ledger._client import Status

__all__ = ["MIN_BITS", "encode_bitstring", "decode_bitstring", "status_list_credential"]

MIN_BITS = 131_072


def encode_bitstring(set_indexes: Iterable[int], length: int) -> str:
    """The ``encodedList`` with the bits of ``set_indexes`` set, padded to at least :data:`MIN_BITS`."""
    size = max(MIN_BITS, length)
    size += (-size) % 8
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise InvalidInputError(f"status index {index} is outside the list of {size} entries")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise InvalidInputError("an encodedList is multibase base64url: it starts with 'u'")
    text = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, OSError) as exc:
        raise InvalidInputError(f"the encodedList is not GZIP-compressed base64url: {exc}") from None


def bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(*, list_url: str, issuer_did: str, purpose: str, statuses: list[Status],
                           valid_from: datetime, chain: str, registry: str, block: int) -> dict:
    """An unsigned BitstringStatusListCredential of ``purpose`` for ``statuses`` (index = position), recording
    the chain state it was derived from in its description."""
    wanted = {"revocation": Status.REVOKED, "suspension": Status.SUSPENDED}.get(purpose)
    if wanted is None:
        raise InvalidInputError(f"a status purpose is revocation or suspension, not {purpose!r}")
    encoded = encode_bitstring((i for i, s in enumerate(statuses) if s == wanted), len(statuses))
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": valid_from.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": f"{purpose} list derived from registry {registry} on {chain} at block {block}",
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded,
        },
    }
