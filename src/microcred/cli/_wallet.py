"""``microcred wallet add|list|show|remove|check``: the learner's credentials, kept encrypted in ``<home>/wallet``
with the keystore's passphrase (``$MICROCRED_PASSPHRASE`` or a prompt). See :mod:`microcred.wallet`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.did import DEFAULT_SCRYPT_N
from microcred.wallet import WALLET_LANGUAGES, Wallet, WalletEntry, check_wallet, read_credentials_file, render_entry

#: scrypt cost of the wallet file when it is written (the keystore's)
SCRYPT_N = DEFAULT_SCRYPT_N


def open_wallet(app: AppContext, passphrase: str | None = None) -> Wallet:
    """The wallet of the app's home, ``<home>/wallet``, opened with the keystore's passphrase (asked twice in a
    terminal when the wallet does not exist yet, so a typo cannot lock it)."""
    directory = app.home / "wallet"
    if passphrase is None:
        new = not Wallet.exists_in(directory)
        passphrase = app.passphrase("create the wallet" if new else "open the wallet", confirm=new)
    return Wallet(directory, passphrase, scrypt_n=SCRYPT_N)


def _row(entry: WalletEntry) -> dict[str, Any]:
    s = entry.summary
    check = entry.last_check or {}
    return {"id": entry.id, "credentialId": entry.credential_id, "achievement": s["achievement"],
            "issuer": s["awardingBody"], "issued": s["issued"], "outcome": check.get("outcome"),
            "status": check.get("status"), "checkedAt": check.get("checkedAt")}


def _status_text(row: dict[str, Any]) -> str:
    if not row["outcome"]:
        return "not checked"
    return f"{row['outcome']} ({row['status']}) {str(row['checkedAt'])[:10]}"


def _table(rows: list[dict[str, Any]]) -> str:
    head = ("ID", "ACHIEVEMENT", "ISSUER", "DATE", "STATUS (LAST CHECKED)")
    cells = [(r["id"], r["achievement"] or "-", r["issuer"] or "-", str(r["issued"] or "-")[:10], _status_text(r))
             for r in rows]
    widths = [min(40, max(len(h), *(len(c[i]) for c in cells))) for i, h in enumerate(head[:-1])]

    def line(values: tuple[str, ...]) -> str:
        fixed = [v if len(v) <= w else v[:w - 1] + "…" for v, w in zip(values, widths)]
        return "  ".join(f"{v:<{w}}" for v, w in zip(fixed, widths)) + "  " + values[-1]

    return "\n".join([line(head), *(line(c) for c in cells)])


@cli.group("wallet")
def wallet() -> None:
    """Keep your credentials: add, list, show, check and remove them (stored encrypted in <home>/wallet).

    The wallet is encrypted with the keystore's passphrase ($MICROCRED_PASSPHRASE or a prompt).

    \b
    Example:
      microcred wallet add ada.json badge.png vp.json
      microcred wallet list
    """


@wallet.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def add(app: AppContext, files: tuple[Path, ...]) -> None:
    """Add the credentials in FILES: JSON, a baked PNG/SVG badge, a VC-JWT, a presentation (each of its
    credentials), or a PDF certificate with the credential embedded.

    \b
    Example:
      microcred wallet add ~/Downloads/ds4r.json ~/Downloads/badge.png
    """
    found = [(path, read_credentials_file(path)) for path in files]  # every file read before anything is kept
    store = open_wallet(app)
    for path, credentials in found:
        for done in store.add(credentials, source=path.name):
            row = _row(done.entry)
            app.emit({**row, "action": done.action, "file": str(path)},
                     f"{done.action:<8} {row['id']}  {row['achievement'] or '-'} ({row['issuer'] or '-'})")


@wallet.command("list")
@pass_app
def list_(app: AppContext) -> None:
    """List the credentials: id, achievement, issuer, date of issuing, status as last checked.

    \b
    Example:
      microcred wallet list --json
    """
    store = open_wallet(app)
    rows = [_row(e) for e in store.entries()]
    if not rows:
        app.info(f"the wallet {store.directory} is empty (add a credential with `microcred wallet add FILE`)")
        return
    if app.json_output:
        for row in rows:
            app.emit(row)
        return
    click.echo(_table(rows))


@wallet.command("show")
@click.argument("ref", metavar="ID")
@click.option("--lang", type=click.Choice(WALLET_LANGUAGES), default="en", show_default=True,
              help="Language of the text: English, French or German.")
@pass_app
def show(app: AppContext, ref: str, lang: str) -> None:
    """Show credential ID for a person (the achievement, the awarding body, the Annex I facts, the status as
    last checked); with --json, the credential itself and its last check.

    \b
    Example:
      microcred wallet show 3f2a9c01b2 --lang fr
    """
    from microcred.service import words

    entry = open_wallet(app).get(ref)
    app.emit(entry.to_json(), render_entry(entry, lang, words=words(lang)))


@wallet.command("remove")
@click.argument("ref", metavar="ID")
@pass_app
def remove(app: AppContext, ref: str) -> None:
    """Remove credential ID from the wallet (the issuer's record on the chain is not touched).

    \b
    Example:
      microcred wallet remove 3f2a9c01b2
    """
    entry = open_wallet(app).remove(ref)
    row = _row(entry)
    app.emit({**row, "action": "removed"}, f"removed  {row['id']}  {row['achievement'] or '-'}")


@wallet.command("check")
@click.argument("refs", nargs=-1, metavar="[ID]...")
@click.option("--trust", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Trust list of accreditation bodies (adds the accreditation check).")
@pass_app
def check(app: AppContext, refs: tuple[str, ...], trust: Path | None) -> None:
    """Verify the wallet's credentials again (all, or those named), as `microcred verify` does, and keep each
    verdict as its status. Exit code 0 when all are valid, 1 when one is invalid, 2 when one could not be checked.

    \b
    Example:
      microcred wallet check --network sepolia
    """
    from microcred.cli._verify import build_verifier, render

    store = open_wallet(app)
    checked = check_wallet(store, build_verifier(app, trust), ids=refs)
    if not checked:
        app.info(f"the wallet {store.directory} is empty")
        return
    for entry, v in checked:
        app.emit({**v.as_record(), "walletId": entry.id}, render(v))
    outcomes = [v.outcome for _, v in checked]
    raise SystemExit(1 if "invalid" in outcomes else 2 if "unknown" in outcomes else 0)
