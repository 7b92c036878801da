"""Credentials in their containers, as Open Badges 3.0 allows them: JSON, a baked PNG (an ``iTXt`` chunk with the
keyword ``openbadgecredential``), a baked SVG (an ``<openbadges:credential>`` element), a PDF certificate (the
``credential.json`` attachment, see :mod:`._pdf`), or a compact JWS (VC-JWT: the credential as the payload, or in its
``vc`` claim). :func:`read_container` reads any of them; :func:`bake_png`
and :func:`bake_svg` write the two images."""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from microcred.errors import InvalidInputError
from microcred.registry.credential._documents import parse_credential, read_bounded
from microcred.registry.credential._pdf import PDF_SIGNATURE, NoEmbeddedCredentialError, pdf_credential

__all__ = ["JWSCredential", "MAX_CONTAINER_BYTES", "NoEmbeddedCredentialError", "NotABadgeError", "bake_png",
           "bake_svg", "read_container", "read_container_file"]

#: an image larger than this is refused before it is read
MAX_CONTAINER_BYTES = 16 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class NotABadgeError(InvalidInputError):
    """An image (PNG or SVG) that carries no baked credential."""


class JWSCredential(dict):
    """A credential read from a compact JWS: the credential, with the JWS text in :attr:`jws` (its signature is
    the JWS's, checked by the verifier's signature check)."""

    jws: str

    def __init__(self, doc: dict, jws: str) -> None:
        super().__init__(doc)
        self.jws = jws


def _png_chunks(data: bytes, source: str) -> Iterator[tuple[int, bytes, bytes]]:
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        crc = data[position + 8 + length:position + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise InvalidInputError(f"{source}: a truncated PNG chunk {kind!r}")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body):
            raise InvalidInputError(f"{source}: PNG chunk {kind.decode('latin-1')!r} has a wrong CRC")
        yield position, kind, body
        position += 12 + length
        if kind == b"IEND":
            return
    raise InvalidInputError(f"{source}: a PNG without an IEND chunk")


def _png_credential(data: bytes, source: str) -> bytes:
    for _pos, kind, body in _png_chunks(data, source):
        if kind != b"iTXt" or not body.startswith(PNG_KEYWORD + b"\x00"):
            continue
        rest = body[len(PNG_KEYWORD) + 1:]
        if len(rest) < 2:
            raise InvalidInputError(f"{source}: a truncated iTXt chunk")
        compressed, method, rest = rest[0], rest[1], rest[2:]
        _language, _, rest = rest.partition(b"\x00")
        _translated, _, text = rest.partition(b"\x00")
        if compressed:
            if method != 0:
                raise InvalidInputError(f"{source}: iTXt compression method {method} is unknown")
            try:
                text = zlib.decompressobj().decompress(text, MAX_CONTAINER_BYTES)
            except zlib.error as exc:
                raise InvalidInputError(f"{source}: the iTXt text cannot be decompressed ({exc})") from None
        return text
    raise NotABadgeError(f"{source}: a PNG image that is not a badge (no iTXt chunk 'openbadgecredential')")


def _svg_credential(text: str, source: str) -> bytes:
    match = re.search(r"<openbadges:credential\b([^>]*?)(/?)>(.*?)(?:</openbadges:credential>|$)", text, re.S)
    if not match:
        raise NotABadgeError(f"{source}: an SVG image that is not a badge (no <openbadges:credential> element)")
    attributes, empty, body = match.groups()
    if empty:
        raise InvalidInputError(f"{source}: the <openbadges:credential> element is empty (a hosted badge, whose "
                                "credential is not in the image)")
    body = body.strip()
    cdata = re.fullmatch(r"<!\[CDATA\[(.*)\]\]>", body, re.S)
    if cdata:
        body = cdata.group(1).replace("]]]]><![CDATA[>", "]]>")
    else:
        body = body.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return body.strip().encode("utf-8")


def _jws_credential(text: str, source: str) -> JWSCredential:
    header_b64, payload_b64, _sig = text.split(".")
    try:
        header = json.loads(base64.urlsafe_b64decode(header_b64 + "=" * (-len(header_b64) % 4)))
        payload = base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4))
    except ValueError as exc:
        raise InvalidInputError(f"{source}: a JWS whose header or payload cannot be read ({exc})") from None
    if not isinstance(header, dict):
        raise InvalidInputError(f"{source}: a JWS whose header is not a JSON object")
    claims = parse_credential(payload, source=f"{source} (JWS payload)")
    vc = claims.get("vc")
    return JWSCredential(vc if isinstance(vc, dict) else claims, text)


def read_container(data: bytes, *, source: str = "the credential") -> dict:
    """The credential in ``data``: JSON, a baked PNG or SVG, a PDF certificate, or a compact JWS.

    :raises NotABadgeError: an image that carries no credential
    :raises NoEmbeddedCredentialError: a PDF that carries no credential
    :raises InvalidInputError: anything else unreadable (with what is wrong)
    """
    if len(data) > MAX_CONTAINER_BYTES:
        raise InvalidInputError(f"{source}: too large ({len(data)} bytes)")
    if data.startswith(PNG_SIGNATURE):
        return read_container(_png_credential(data, source), source=f"{source} (baked PNG)")
    if data.startswith(PDF_SIGNATURE):
        return read_container(pdf_credential(data, source=source), source=f"{source} (embedded in the PDF)")
    head = data[:4096].lstrip()
    if head.startswith(b"<"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(f"{source}: an XML file that is not UTF-8") from None
        if "<svg" not in text:
            raise InvalidInputError(f"{source}: an XML file that is not an SVG image")
        return read_container(_svg_credential(text, source), source=f"{source} (baked SVG)")
    stripped = data.strip()
    if stripped[:1] not in (b"{", b"[") and _JWS.match(stripped.decode("ascii", "replace")):
        return _jws_credential(stripped.decode("ascii"), source)
    return parse_credential(data, source=source)


def read_container_file(path: str | Path) -> dict:
    path = Path(path)
    data = read_bounded(path, MAX_CONTAINER_BYTES, "a credential file or badge image")
    return read_container(data, source=str(path))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bake_png(image: bytes, credential: dict) -> bytes:
    """``image`` (a PNG) with ``credential`` in an ``iTXt`` chunk ``openbadgecredential`` before ``IEND`` (any
    credential baked before is replaced)."""
    if not image.startswith(PNG_SIGNATURE):
        raise InvalidInputError("the image is not a PNG")
    text = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out = [PNG_SIGNATURE]
    for position, kind, body in _png_chunks(image, "the image"):
        if kind == b"iTXt" and body.startswith(PNG_KEYWORD + b"\x00"):
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + text))
        out.append(image[position:position + 12 + len(body)])
    return b"".join(out)


def bake_svg(image: str, credential: dict) -> str:
    """``image`` (an SVG) with ``credential`` in an ``<openbadges:credential>`` element (CDATA) right after the
    ``<svg>`` tag, and the ``openbadges`` namespace declared."""
    match = re.search(r"<svg\b[^>]*>", image)
    if not match:
        raise InvalidInputError("the image is not an SVG (no <svg> element)")
    if "<openbadges:credential" in image:
        image = re.sub(r"<openbadges:credential\b.*?(?:</openbadges:credential>|/>)", "", image, flags=re.S)
        match = re.search(r"<svg\b[^>]*>", image)
        assert match is not None
    tag = match.group(0)
    if "xmlns:openbadges" not in tag:
        tag = tag[:-2] + f' xmlns:openbadges="{SVG_NAMESPACE}"/>' if tag.endswith("/>") else \
            tag[:-1] + f' xmlns:openbadges="{SVG_NAMESPACE}">'
    text = json.dumps(credential, ensure_ascii=False, indent=2).replace("]]>", "]]]]><![CDATA[>")
    element = f"\n<openbadges:credential><![CDATA[{text}]]></openbadges:credential>"
    return image[:match.start()] + tag + element + image[match.end():]
