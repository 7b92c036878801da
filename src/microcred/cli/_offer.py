"""``microcred offer``: the issuer offers one learner's credential to the learner's wallet (OID4VCI 1.0,
pre-authorized code flow), as a link and a QR code; ``microcred serve --issuer NAME --public-url URL`` answers
the wallet, which receives with ``microcred wallet receive``."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import InvalidInputError
from microcred.oid4vci import CONFIGURATION_ID, CredentialOffer, OfferBook, oid4vci_folder
from microcred.registry.issuance import IssuerStore, Learner, load_template


def write_qr(text: str, path: Path) -> None:
    """``text`` as a QR code image at ``path`` (.svg or .png), error correction M, a quiet zone of 4."""
    import segno

    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise InvalidInputError(f"--qr {path}: write a .svg or a .png file")
    path.parent.mkdir(parents=True, exist_ok=True)
    segno.make(text, error="m", micro=False).save(str(path), scale=6 if suffix == ".png" else 4, border=4)


@cli.command("offer")
@click.option("--issuer", "issuer_name", required=True, help="Issuer profile (see `microcred issuer init`).")
@click.option("--template", "template_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Course template (JSON), as for `microcred issue`.")
@click.option("--name", "learner_name", required=True, help="The learner's full name.")
@click.option("--email", default=None, help="The learner's e-mail (an identifier in the credential).")
@click.option("--student-id", default=None, help="The learner's student number (an identifier).")
@click.option("--completion-date", default=None, help="Date the course was completed (YYYY-MM-DD; default today).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where the credential is written when the wallet takes it (then `microcred anchor` it).")
@click.option("--url", "public_url", required=True,
              help="The issuer service's public https URL (`microcred serve --issuer NAME --public-url URL`).")
@click.option("--tx-code", default=None, help="A transaction code the learner must type (send it separately).")
@click.option("--deferred/--at-once", default=True, show_default=True,
              help="Hand the credential over once it is anchored (deferred issuance), or at once, unanchored.")
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 90),
              help="Days the offer stays valid.")
@click.option("--qr", "qr_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the offer link as a QR code image (.svg or .png).")
@pass_app
def offer(app: AppContext, issuer_name: str, template_path: Path, learner_name: str, email: str | None,
          student_id: str | None, completion_date: str | None, out_dir: Path, public_url: str, tx_code: str | None,
          deferred: bool, days: int, qr_path: Path | None) -> None:
    """Offer one learner's credential to their wallet (OpenID4VCI, pre-authorized code).

    Prints an `openid-credential-offer://` link (and writes its QR code with --qr). The learner opens it in a
    wallet (`microcred wallet receive LINK --holder KEY`); the wallet proves it holds its did:key, and the
    credential is issued to that DID into --out. The code in the link can be used once; only its hash is kept.
    By default the wallet gets the credential once you have anchored --out (`microcred anchor`): it asks again
    (`microcred wallet receive --pending`) and receives the anchored copy.

    \b
    Example:
      microcred offer --issuer tux --template examples/course-template.json --name "Zoë Ørsted" \\
          --email zoe@example.org --out credentials/offers --url https://issuer.example.org --qr offer.svg
    """
    from microcred.oid4vci import OfferError, issuer_url

    store = IssuerStore(app.home)
    profile = store.load(issuer_name)
    profile.require_chain()
    try:
        issuer_url(public_url, what="--url", allow_http=False)
    except OfferError as exc:
        raise click.BadParameter(str(exc), param_hint="--url") from None
    load_template(template_path)  # every problem of the template is named now, before any offer exists
    if email is None and student_id is None:
        raise click.UsageError("give the learner's --email or --student-id (how the credential names them "
                               "besides their wallet's DID)")
    learner = {"name": learner_name, "completion_date": completion_date or date.today().isoformat()}
    if email:
        learner["email"] = email
    if student_id:
        learner["student_id"] = student_id
    Learner.model_validate({**learner, "line": 1})  # a bad date or e-mail is refused now, not at the wallet's turn
    now = datetime.now(timezone.utc)
    book = OfferBook(oid4vci_folder(app.home, profile.name))
    template = json.loads(template_path.read_text(encoding="utf-8"))
    made, code = book.create(profile.name, template, learner, out_dir, now=now, ttl=timedelta(days=days),
                             tx_code=tx_code, deferred=deferred)
    credential_offer = CredentialOffer(public_url.rstrip("/"), (CONFIGURATION_ID,), code,
                                       {"input_mode": "text", "description": "the code your issuer sent you"}
                                       if tx_code else None)
    link = credential_offer.uri()
    if qr_path is not None:
        write_qr(link, qr_path)
    app.emit({"offer": link, "id": made.id, "expires": made.expires, "learner": learner_name,
              "qr": str(qr_path) if qr_path else None, "credentialOffer": credential_offer.to_json()},
             text="\n".join([f"Offer for {learner_name} (valid until {made.expires[:10]}, usable once):", link,
                             *([f"QR code: {qr_path}"] if qr_path else []),
                             *(["The learner also needs the transaction code you send them."] if tx_code else [])]))
