"""A printable certificate of a credential (``microcred pdf``), PDF/A-3 style: one A4 page (more when the learning
outcomes are long) with the Annex I facts laid out for people (:func:`~microcred.wallet.person_view`, in English,
French or German), a QR code of the credential's verification link, fonts embedded, XMP metadata naming PDF/A-3B
(``pdfaid:part`` 3), an sRGB output intent, and the credential itself as the associated file ``credential.json``
(``/AFRelationship /Data``), which ``microcred verify``, ``wallet add`` and the service's ``POST /verify`` read."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from microcred.errors import InvalidInputError
from microcred.registry.credential import anchor_proofs, strip_anchor
from microcred.wallet._render import person_view

__all__ = ["CERTIFICATE_WORDS", "Certificate", "QR_ERROR_LEVEL", "certificate_pdf"]

#: the words of the certificate that neither the page nor the wallet's view have
CERTIFICATE_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "certificate": {"en": "Certificate of achievement", "fr": "Certificat de réussite",
                    "de": "Leistungsnachweis"},
    "awarded-to": {"en": "awarded to", "fr": "décerné à", "de": "verliehen an"},
    "scan": {"en": "Scan to verify this certificate", "fr": "Scannez pour vérifier ce certificat",
             "de": "Scannen, um diesen Nachweis zu prüfen"},
    "embedded": {"en": "The signed credential is embedded in this PDF (credential.json): drop the file on a "
                       "verifier to check it.",
                 "fr": "La certification signée est jointe à ce PDF (credential.json) : déposez le fichier sur un "
                       "vérificateur pour la contrôler.",
                 "de": "Der signierte Nachweis ist in dieses PDF eingebettet (credential.json): legen Sie die Datei "
                       "in einer Prüfstelle ab, um ihn zu prüfen."},
    "no-anchor-in-qr": {"en": "The QR code carries the credential without its anchor proof (the whole credential "
                              "does not fit a QR code); the embedded file is the original.",
                        "fr": "Le code QR porte la certification sans sa preuve d'ancrage (l'ensemble ne tient pas "
                              "dans un code QR) ; le fichier joint est l'original.",
                        "de": "Der QR-Code trägt den Nachweis ohne seinen Verankerungsbeleg (der ganze Nachweis passt "
                              "nicht in einen QR-Code); die eingebettete Datei ist das Original."},
}
#: QR error correction: L, so that a credential of about 4 kB (a link of about 2.8 kB) fits a version 40 code
QR_ERROR_LEVEL: Final = "l"
_A4 = (595.28, 841.89)
_MARGIN = 48.0
_QR_MAX = 400.0  # points (141 mm) at most, for a version 40 code (185 modules with its quiet zone)
_PIXEL = 0.72  # a pixel at 100 dpi, in points: modules are whole pixels there (3 for version 40), so a page image
#                at 100 dpi (or any multiple) has sharp modules that a scanner decodes
_INK, _MUTED, _ACCENT = (0.13, 0.13, 0.16), (0.38, 0.38, 0.42), (0.0, 0.27, 0.53)


def _fonts() -> tuple[str, str]:
    """Embedded TrueType fonts (Bitstream Vera, shipped with reportlab): regular and bold."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "MicrocredSans" not in pdfmetrics.getRegisteredFontNames():
        folder = next(Path(p) for p in rl_config.TTFSearchPath if (Path(p) / "Vera.ttf").is_file())
        pdfmetrics.registerFont(TTFont("MicrocredSans", str(folder / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("MicrocredSans-Bold", str(folder / "VeraBd.ttf")))
    return "MicrocredSans", "MicrocredSans-Bold"


@dataclass(frozen=True)
class Certificate:
    """A certificate drawn: its PDF bytes, the link its QR code holds, and whether that link carries the anchor
    proof (False: the whole credential did not fit a QR code, so the link carries it without its anchor proof, as
    ``export --plain`` does; the embedded file is always the original)."""

    data: bytes
    link: str
    anchor_in_link: bool


def _qr_of(credential: Mapping[str, Any], link_of: Callable[[dict[str, Any]], str]) -> tuple[str, bool, Any]:
    """(link, whether it carries the anchor proof, the QR code): the whole credential's link when it fits a QR
    code, else that of the credential without its anchor proof."""
    import segno
    from segno import DataOverflowError

    tries = [(dict(credential), True)]
    if anchor_proofs(dict(credential)):
        tries.append((strip_anchor(dict(credential)), False))
    for doc, anchored in tries:
        link = link_of(doc)
        try:
            return link, anchored, segno.make(link, error=QR_ERROR_LEVEL, micro=False, boost_error=False)
        except DataOverflowError:
            continue
    raise InvalidInputError(f"the credential is too large for a QR code (its verification link has {len(link)} "
                            "characters; a version 40 code holds 2,953 bytes): publish the file and print its "
                            "address instead")


def _qr_unit(modules: list[bytearray]) -> float:
    """The side of one module: whole pixels at 100 dpi, as large as fits :data:`_QR_MAX`."""
    return max(1, int(_QR_MAX / (len(modules) + 8) / _PIXEL)) * _PIXEL


def _draw_qr(canvas: Any, modules: list[bytearray], x: float, y: float, unit: float) -> None:
    """The QR code as vector squares (runs of dark modules merged), with its 4-module quiet zone, from (x, y)."""
    size = unit * (len(modules) + 8)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(modules):
        top = y + size - (r + 5) * unit
        c = 0
        while c < len(row):
            if row[c] & 1:
                start = c
                while c < len(row) and row[c] & 1:
                    c += 1
                canvas.rect(x + (start + 4) * unit, top, (c - start) * unit, unit, stroke=0, fill=1)
            else:
                c += 1


def _words(lang: str, words: Mapping[str, str] | None) -> dict[str, str]:
    out = {k: v.get(lang) or v["en"] for k, v in CERTIFICATE_WORDS.items()}
    out.update({"learner": "Learner", "achievement": "Achievement"})
    out.update({k: v for k, v in (words or {}).items() if k in ("learner", "achievement")})
    return out


def _draw(credential: Mapping[str, Any], code: Any, link: str, anchored: bool, lang: str,
          words: Mapping[str, str] | None) -> bytes:
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = _fonts()
    w = _words(lang, words)
    rows = person_view(credential, lang, words=words)
    achievement = next((v for k, v in rows if k == w["achievement"]), None) or "—"
    learner = next((v for k, v in rows if k == w["learner"]), None) or ""
    facts = [(k, v) for k, v in rows if k not in (w["achievement"], w["learner"])]
    modules = [bytearray(row) for row in code.matrix]
    note = w["embedded"] if anchored else w["no-anchor-in-qr"]

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=_A4, invariant=True, pageCompression=1, initialFontName=regular)
    canvas.setTitle(f"{w['certificate']}: {achievement}")
    canvas.setSubject(str(credential.get("id") or ""))
    canvas.setCreator("microcred")
    width, height = _A4
    text_width = width - 2 * _MARGIN

    def header() -> float:
        canvas.setFillColorRGB(*_ACCENT)
        canvas.rect(0, height - 14, width, 14, stroke=0, fill=1)
        canvas.setFont(regular, 11)
        canvas.setFillColorRGB(*_MUTED)
        canvas.drawString(_MARGIN, height - 48, w["certificate"].upper())
        return height - 48

    y = header()
    canvas.setFillColorRGB(*_INK)
    for line in simpleSplit(achievement, bold, 22, text_width)[:3]:
        y -= 28
        canvas.setFont(bold, 22)
        canvas.drawString(_MARGIN, y, line)
    if learner:
        y -= 22
        canvas.setFont(regular, 11)
        canvas.setFillColorRGB(*_MUTED)
        canvas.drawString(_MARGIN, y, w["awarded-to"])
        y -= 22
        canvas.setFont(bold, 16)
        canvas.setFillColorRGB(*_INK)
        canvas.drawString(_MARGIN, y, simpleSplit(learner, bold, 16, text_width)[0])
    y -= 14
    canvas.setStrokeColorRGB(*_MUTED)
    canvas.setLineWidth(0.5)
    canvas.line(_MARGIN, y, width - _MARGIN, y)
    y -= 6

    label_width = 150.0
    value_width = text_width - label_width - 8
    qr_top = _MARGIN + 24 + _qr_unit(modules) * (len(modules) + 8) + 20  # the QR code and caption: bottom of page 1
    floor = qr_top
    size, leading = 9.0, 11.5
    for label, value in facts:
        lines = [part for paragraph in str(value).splitlines() or [""]
                 for part in (simpleSplit(paragraph, regular, size, value_width) or [""])]
        for position, line in enumerate(lines):
            if y - leading < floor:
                if floor == qr_top:
                    _footer(canvas, modules, w, regular, link, note)
                canvas.showPage()
                floor = _MARGIN
                y = header() - 12
            y -= leading
            if position == 0:
                canvas.setFont(bold, size)
                canvas.setFillColorRGB(*_MUTED)
                canvas.drawString(_MARGIN, y, label)
            canvas.setFont(regular, size)
            canvas.setFillColorRGB(*_INK)
            canvas.drawString(_MARGIN + label_width + 8, y, line)
        y -= 4
    if floor == qr_top:
        _footer(canvas, modules, w, regular, link, note)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _footer(canvas: Any, modules: list[bytearray], w: Mapping[str, str], font: str, link: str, note: str) -> None:
    from reportlab.lib.utils import simpleSplit

    width, height = _A4
    unit = _qr_unit(modules)
    size = unit * (len(modules) + 8)
    x = round((width - size) / 2 / _PIXEL) * _PIXEL
    y = height - round((height - _MARGIN - 24) / _PIXEL) * _PIXEL  # its top on the 100 dpi grid (rows from the top)
    _draw_qr(canvas, modules, x, y, unit)
    canvas.setFont(font, 9)
    canvas.setFillColorRGB(*_INK)
    canvas.drawCentredString(width / 2, _MARGIN + 24 + size + 4, w["scan"])
    canvas.setFont(font, 7)
    canvas.setFillColorRGB(*_MUTED)
    canvas.drawCentredString(width / 2, _MARGIN + 14, link.split("#", 1)[0])
    for position, line in enumerate(simpleSplit(note, font, 7, width - 2 * _MARGIN)[:2]):
        canvas.drawCentredString(width / 2, _MARGIN + 5 - 8 * position, line)


_XMP_TOOL: Final = "microcred"


def _finish(drawn: bytes, credential: Mapping[str, Any], title: str, lang: str) -> bytes:
    """The drawn PDF made PDF/A-3 style: XMP (pdfaid part 3, conformance B), an sRGB output intent, and the
    credential as the associated file ``credential.json`` (AFRelationship Data)."""
    import pikepdf
    from PIL import ImageCms

    data = json.dumps(credential, ensure_ascii=False, indent=2).encode("utf-8")
    with pikepdf.open(io.BytesIO(drawn)) as pdf:
        spec = pikepdf.AttachedFileSpec(pdf, data, mime_type="application/json", filename="credential.json",
                                        description="The signed credential (Open Badges 3.0 / W3C VC 2.0)")
        pdf.attachments["credential.json"] = spec
        filespec = pdf.Root.Names.EmbeddedFiles.Names[1]
        filespec.AFRelationship = pikepdf.Name.Data
        pdf.Root.AF = pikepdf.Array([filespec])
        pdf.Root.Lang = pikepdf.String(lang)
        icc = pikepdf.Stream(pdf, ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
        icc.N = 3
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, OutputConditionIdentifier="sRGB",
            Info="sRGB IEC61966-2.1", DestOutputProfile=icc)])
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "3"
            meta["pdfaid:conformance"] = "B"
            meta["dc:title"] = title
            meta["dc:language"] = [lang]
            meta["xmp:CreatorTool"] = _XMP_TOOL
            meta["pdf:Producer"] = _XMP_TOOL
            stamp = credential.get("validFrom")
            if isinstance(stamp, str):
                meta["xmp:CreateDate"] = stamp
            meta["xmp:MetadataDate"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, min_version="1.7")
    return out.getvalue()


def certificate_pdf(credential: Mapping[str, Any], *, link_of: Callable[[dict[str, Any]], str], lang: str = "en",
                    words: Mapping[str, str] | None = None) -> Certificate:
    """The certificate of ``credential``: its QR code holds ``link_of(credential)`` (the verification link, which
    the caller builds: :func:`microcred.service.verification_link` with its page's address), or, when that does
    not fit a QR code, ``link_of`` of the credential without its anchor proof; its text is in ``lang`` with the
    verification page's ``words`` (:func:`microcred.service.words`) for the labels the two share.

    :raises InvalidInputError: an unknown language, or a credential whose link does not fit a QR code even so
    """
    link, anchored, code = _qr_of(credential, link_of)
    drawn = _draw(credential, code, link, anchored, lang, words)
    w = _words(lang, words)
    achievement = next((v for k, v in person_view(credential, lang, words=words) if k == w["achievement"]), "")
    data = _finish(drawn, credential, f"{w['certificate']}: {achievement}".rstrip(": "), lang)
    return Certificate(data, link, anchored)
