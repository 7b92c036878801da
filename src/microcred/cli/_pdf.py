"""``microcred pdf ID|FILE --out cert.pdf``: a printable certificate with a QR code of the verification link and the
credential embedded; ``microcred wallet share ID|FILE``: the verification link and a LinkedIn add-to-profile URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.cli._wallet import open_wallet, wallet
from microcred.errors import InvalidInputError
from microcred.wallet import WALLET_LANGUAGES, certificate_pdf, read_credentials_file

#: the verification page a link opens when neither --verifier nor $MICROCRED_VERIFIER_URL says
DEFAULT_VERIFIER = "http://127.0.0.1:8080/"
ENV_VERIFIER = "MICROCRED_VERIFIER_URL"
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"

verifier_option = click.option(
    "--verifier", "verifier", default=None, metavar="URL",
    help=f"The verification page the link opens (`microcred serve`; default ${ENV_VERIFIER} or {DEFAULT_VERIFIER}).")


def credential_of(app: AppContext, ref: str) -> dict[str, Any]:
    """The credential ``ref`` names: a file (JSON, badge image, PDF, VC-JWT) when one is there, else a wallet id."""
    path = Path(ref)
    if path.is_file():
        found = read_credentials_file(path)
        if len(found) != 1:
            raise InvalidInputError(f"{path}: holds {len(found)} credentials; name one (add the file to the wallet "
                                    "and give its wallet id)")
        return dict(found[0])
    return dict(open_wallet(app).get(ref).credential)


def _link(credential: dict[str, Any], verifier: str | None) -> str:
    from microcred.service import verification_link

    return verification_link(credential, verifier or os.environ.get(ENV_VERIFIER) or DEFAULT_VERIFIER)


@cli.command("pdf")
@click.argument("ref", metavar="ID|FILE")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF.")
@click.option("--lang", type=click.Choice(WALLET_LANGUAGES), default="en", show_default=True,
              help="Language of the certificate: English, French or German.")
@verifier_option
@pass_app
def pdf(app: AppContext, ref: str, out: Path, lang: str, verifier: str | None) -> None:
    """Write a printable certificate (PDF/A-3 style) of credential ID (a wallet id) or FILE: the Annex I facts,
    a QR code of its verification link, and the credential itself embedded as credential.json, so that
    `microcred verify cert.pdf`, `wallet add cert.pdf` and the verification page check it.

    A QR code holds at most 2,953 bytes: when the whole credential's link is longer, the QR code carries the
    credential without its anchor proof (as `export --plain`), and the certificate says so.

    \b
    Example:
      microcred pdf 3f2a9c01b2 --out cert.pdf --lang fr --verifier https://verify.example.org/
      microcred verify cert.pdf
    """
    from microcred.service import words

    credential = credential_of(app, ref)
    made = certificate_pdf(credential, link_of=lambda doc: _link(doc, verifier), lang=lang, words=words(lang))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(made.data)
    where = made.link.split("#", 1)[0]
    note = "" if made.anchor_in_link else " (the credential without its anchor proof: the whole one does not fit " \
        "a QR code; the embedded file is the original)"
    app.emit({"file": str(out), "bytes": len(made.data), "lang": lang, "link": made.link,
              "linkHasAnchorProof": made.anchor_in_link},
             f"wrote {out} ({len(made.data)} bytes, {lang}); its QR code opens {where}{note}")


def linkedin_url(credential: dict[str, Any], link: str) -> str:
    """LinkedIn's add-to-profile address for ``credential`` (a certification: name, organisation, issue date,
    expiry when the credential has one, ``link`` as the certificate URL, the credential id)."""
    from microcred.registry.verify import credential_summary

    summary = credential_summary(credential)
    params: dict[str, str] = {"startTask": "CERTIFICATION_NAME", "name": summary["achievement"] or "",
                              "organizationName": summary["awardingBody"] or ""}
    issued = str(summary["issued"] or "")
    if len(issued) >= 7 and issued[:4].isdigit() and issued[5:7].isdigit():
        params.update(issueYear=issued[:4], issueMonth=str(int(issued[5:7])))
    until = credential.get("validUntil")
    if isinstance(until, str) and len(until) >= 7 and until[:4].isdigit() and until[5:7].isdigit():
        params.update(expirationYear=until[:4], expirationMonth=str(int(until[5:7])))
    params["certUrl"] = link
    if isinstance(credential.get("id"), str):
        params["certId"] = credential["id"]
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


@wallet.command("share")
@click.argument("ref", metavar="ID|FILE")
@verifier_option
@pass_app
def share(app: AppContext, ref: str, verifier: str | None) -> None:
    """Print the verification link of credential ID (a wallet id) or FILE, and a LinkedIn add-to-profile URL
    that adds it to your profile as a certification (with --json: one object with both).

    \b
    Example:
      microcred wallet share 3f2a9c01b2 --verifier https://verify.example.org/
      microcred --json wallet share ada.json
    """
    credential = credential_of(app, ref)
    link = _link(credential, verifier)
    linkedin = linkedin_url(credential, link)
    app.emit({"id": credential.get("id"), "link": link, "linkedin": linkedin},
             f"verification link:\n  {link}\nadd to LinkedIn:\n  {linkedin}")
