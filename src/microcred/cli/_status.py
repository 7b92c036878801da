"""`microcred revoke|suspend|reinstate FILE|INDEX... --issuer NAME --reason CODE`."""

from __future__ import annotations

from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.cli._common import issuer_session
from microcred.errors import InvalidInputError
from microcred.registry.ledger._client import REASONS, Status

_REASON_HELP = "Reason: a code or name — " + ", ".join(f"{c} {n}" for c, n in REASONS.items()) + "."


def _indexes(targets: tuple[str, ...], account: str) -> list[int]:
    from microcred.registry.anchoring._anchor import load_credential, status_entry

    out = []
    for target in targets:
        if target.isdigit():
            out.append(int(target))
            continue
        path = Path(target)
        if not path.is_file():
            raise InvalidInputError(f"{target}: neither a credential file nor a status index")
        entry = status_entry(load_credential(path))
        if str(entry["issuerAccount"]).lower() != account.lower():
            raise InvalidInputError(f"{target} belongs to issuer account {entry['issuerAccount']}, not to this "
                                    f"issuer ({account}): an issuer changes only its own credentials")
        out.append(entry["statusIndex"])
    return out


def _change(app: AppContext, status: Status, targets, issuer_name: str, reason: str) -> None:
    from microcred.registry.ledger._client import reason_code, reason_label

    from microcred.cli._issue import issuer_locked
    from microcred.cli._node import persist_confirmed

    code = reason_code(reason)
    session = issuer_session(app, issuer_name)
    indexes = _indexes(targets, session.account.address)
    with issuer_locked(app, session.profile.name, {Status.REVOKED: "revoke", Status.SUSPENDED: "suspend", Status.ACTIVE: "reinstate"}[status]):
        receipt = session.registry.change_status(status, indexes, code)
        persist_confirmed(app)
    verb = {Status.REVOKED: "revoked", Status.SUSPENDED: "suspended", Status.ACTIVE: "reinstated"}[status]
    app.emit({"status": verb, "indexes": indexes, "reason": code, "reasonLabel": reason_label(code),
              "txHash": receipt.tx_hash, "block": receipt.block_number, "gasUsed": receipt.gas_used},
             f"{verb} {len(indexes)} credential(s) {indexes} for {reason_label(code)} in block "
             f"{receipt.block_number} (tx {receipt.tx_hash}, {receipt.gas_used} gas)")


def _command(name: str, status: Status, summary: str, example: str):
    @cli.command(name, help=f"{summary}\n\nMany credentials change in one transaction. {_REASON_HELP}\n\n"
                            f"\b\nExample:\n  {example}")
    @click.argument("targets", nargs=-1, required=True)
    @click.option("--issuer", "issuer_name", required=True, help="Issuer profile whose account signs.")
    @click.option("--reason", required=True, help="Reason code or name (see above).")
    @pass_app
    def command(app: AppContext, targets, issuer_name: str, reason: str) -> None:
        _change(app, status, targets, issuer_name, reason)

    return command


revoke = _command("revoke", Status.REVOKED, "Revoke credentials, finally.",
                  "microcred revoke out/0-ada.json --issuer tu-munich --reason fraud")
suspend = _command("suspend", Status.SUSPENDED, "Suspend credentials (reversible with reinstate).",
                   "microcred suspend 17 42 --issuer tu-munich --reason under-investigation")
reinstate = _command("reinstate", Status.ACTIVE, "Reinstate suspended credentials.",
                     "microcred reinstate 17 --issuer tu-munich --reason investigation-closed")
