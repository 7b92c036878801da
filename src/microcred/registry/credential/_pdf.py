"""A credential embedded in a PDF certificate (``microcred pdf``): a PDF/A-3 associated file named
``credential.json`` (the file specification in the catalogue's ``/AF`` array, ``/AFRelationship /Data``), or failing
that the first embedded file whose name ends in ``.json``. :func:`pdf_credential` reads it; writing is the wallet's
(:mod:`microcred.wallet`), which draws the certificate around it."""

from __future__ import annotations

import io
from typing import Any

from microcred.errors import InvalidInputError

__all__ = ["ATTACHMENT_NAME", "NoEmbeddedCredentialError", "PDF_SIGNATURE", "pdf_credential"]

PDF_SIGNATURE = b"%PDF-"
#: the name of the attachment that holds the credential
ATTACHMENT_NAME = "credential.json"


class NoEmbeddedCredentialError(InvalidInputError):
    """A PDF that carries no credential (no ``credential.json`` attachment, nor any JSON attachment)."""


def _attachment_bytes(spec: Any, source: str, name: str) -> bytes:
    try:
        return bytes(spec.get_file().read_bytes())
    except Exception as exc:  # pikepdf raises its own errors for a damaged stream
        raise InvalidInputError(f"{source}: the attachment {name!r} cannot be read ({exc})") from None


def pdf_credential(data: bytes, *, source: str = "the PDF") -> bytes:
    """The bytes of the credential file embedded in the PDF ``data``.

    :raises NoEmbeddedCredentialError: a PDF with no embedded credential
    :raises InvalidInputError: not a readable PDF
    """
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, ValueError) as exc:
        raise InvalidInputError(f"{source}: a PDF that cannot be read ({exc})") from None
    with pdf:
        try:
            attachments = dict(pdf.attachments.items())
        except pikepdf.PdfError as exc:
            raise InvalidInputError(f"{source}: the PDF's embedded files cannot be read ({exc})") from None
        if ATTACHMENT_NAME in attachments:
            return _attachment_bytes(attachments[ATTACHMENT_NAME], source, ATTACHMENT_NAME)
        for name, spec in attachments.items():
            if name.lower().endswith(".json"):
                return _attachment_bytes(spec, source, name)
    raise NoEmbeddedCredentialError(
        f"{source}: a PDF with no embedded credential (no '{ATTACHMENT_NAME}' attachment); a certificate from "
        "`microcred pdf` carries one — verify the credential's own file instead")
