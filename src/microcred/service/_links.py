"""Verification links: the credential itself, compressed, in the URL fragment (which browsers never send).

``https://verifier.example/#vc=<base64url(deflate-raw(JSON))>``: the JSON is the credential as issued (compact,
UTF-8), compressed with raw DEFLATE (RFC 1951, no zlib header), written in base64url without padding (RFC 4648 §5).
The key ``vc`` names this version of the format."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any
from urllib.parse import urlsplit

from microcred.errors import InvalidInputError
from microcred.registry.credential._documents import parse_credential  # not yet in the public face

__all__ = ["FRAGMENT_KEY", "credential_from_link", "verification_link"]

FRAGMENT_KEY = "vc"
#: the most a link may expand to: the verifier's limit on a credential
_MAX_EXPANDED = 1024 * 1024


def verification_link(credential: dict[str, Any], base_url: str) -> str:
    """The link that opens ``base_url`` (the verification page) and has it check ``credential``."""
    data = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    packer = zlib.compressobj(level=9, wbits=-15)
    packed = packer.compress(data) + packer.flush()
    text = base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")
    return f"{base_url.split('#', 1)[0].rstrip('/')}/#{FRAGMENT_KEY}={text}"


def credential_from_link(link: str) -> dict[str, Any]:
    """The credential a verification link carries; :class:`InvalidInputError` says what is wrong with the link."""
    fragment = urlsplit(link).fragment if "#" in link else link
    fields = dict(part.split("=", 1) for part in fragment.split("&") if "=" in part)
    text = fields.get(FRAGMENT_KEY)
    if not text:
        raise InvalidInputError(f"not a verification link: its fragment has no '{FRAGMENT_KEY}=' part")
    try:
        packed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (ValueError, TypeError):
        raise InvalidInputError("the verification link is damaged: its data is not base64url") from None
    unpacker = zlib.decompressobj(wbits=-15)
    try:
        data = unpacker.decompress(packed, _MAX_EXPANDED + 1)
    except zlib.error:
        raise InvalidInputError("the verification link is damaged: its data does not decompress") from None
    if len(data) > _MAX_EXPANDED or unpacker.unconsumed_tail:
        raise InvalidInputError(f"the verification link expands to more than {_MAX_EXPANDED} bytes")
    if not unpacker.eof:
        raise InvalidInputError("the verification link is cut short: its data ends before the credential does")
    return parse_credential(data, source="the credential of the link")
