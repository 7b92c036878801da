"""`microcred revoke|suspend|reinstate FILE|INDEX... --issuer NAME --reason CODE`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.cli._common import issuer_session, settle_journal, tx_journal
from microcred.errors import InvalidInputError, MicrocredError
from microcred.registry.ledger import REASONS, Status

_REASON_HELP = "Reason: a code or name — " + ", ".join(f"{c} {n}" for c, n in REASONS.items()) + "."


def _targets(targets: tuple[str, ...], account: str) -> list[tuple[int, dict]]:
    """(index, what is known of its credential) for each target: a credential file or a bare status index."""
    from microcred.registry.credential import load_credential, status_entry
    from microcred.registry.issuance import learner_name

    out: list[tuple[int, dict]] = []
    for target in targets:
        if target.isdigit():
            out.append((int(target), {}))
            continue
        path = Path(target)
        if not path.is_file():
            raise InvalidInputError(f"{target}: neither a credential file nor a status index")
        doc = load_credential(path)
        entry = status_entry(doc)
        if str(entry["issuerAccount"]).lower() != account.lower():
            raise InvalidInputError(f"{target} belongs to issuer account {entry['issuerAccount']}, not to this "
                                    f"issuer ({account}): an issuer changes only its own credentials")
        out.append((entry["statusIndex"], {"learner": learner_name(doc), "file": str(path)}))
    return out


def _describe(app: AppContext, issuer_name: str, targets: list[tuple[int, dict]]) -> list[dict]:
    """Each target with its learner, course and file, from the file itself or from the issuer's own records."""
    from microcred.registry.issuance import IndexAllocator, IssuerStore

    records = IndexAllocator(IssuerStore(app.home).state_path(issuer_name)).holders([i for i, _ in targets])
    described = []
    for index, known in targets:
        record = records.get(index, {})
        described.append({"index": index, "learner": known.get("learner") or record.get("learner"),
                          "course": record.get("course"), "file": known.get("file") or record.get("file")})
    return described


def _line(item: dict) -> str:
    who = item["learner"] or "learner unknown to this issuer's records"
    course = f", {item['course']}" if item["course"] else ""
    return f"  {item['index']}: {who}{course}" + (f" ({item['file']})" if item["file"] else "")


_VERB = {Status.REVOKED: "revoke", Status.SUSPENDED: "suspend", Status.ACTIVE: "reinstate"}
_DONE = {Status.REVOKED: "revoked", Status.SUSPENDED: "suspended", Status.ACTIVE: "reinstated"}


def _change(app: AppContext, status: Status, targets: tuple[str, ...], issuer_name: str, reason: str, *, yes: bool,
            dry_run: bool) -> None:
    from microcred.cli._issue import issuer_locked
    from microcred.cli._node import persist_confirmed
    from microcred.registry.issuance import IssuerStore
    from microcred.registry.ledger import reason_code, reason_label

    code = reason_code(reason)
    profile = IssuerStore(app.home).load(issuer_name)
    _, _, account = profile.require_chain()
    items = _describe(app, profile.name, _targets(targets, account))
    indexes = [item["index"] for item in items]
    verb = _VERB[status]
    plan = f"{'would ' if dry_run else ''}{verb} {len(items)} credential(s) of {profile.name} for " \
           f"{reason_label(code)}:\n" + "\n".join(_line(i) for i in items)
    if dry_run:
        app.emit({"dryRun": True, "status": _DONE[status], "indexes": indexes, "reason": code,
                  "reasonLabel": reason_label(code), "credentials": items}, plan + "\n(dry run: nothing was sent)")
        return
    app.info(plan)
    in_terminal = sys.stdin is not None and sys.stdin.isatty()
    if status is Status.REVOKED and not yes and in_terminal and \
            not click.confirm("Revocation is final. Revoke these credentials?", default=False, err=True):
        raise ConfirmationDeclinedError("nothing was revoked: the revocation was not confirmed")
    session = issuer_session(app, issuer_name)
    done = _DONE[status]
    with issuer_locked(app, session.profile.name, verb):
        registry = session.registry
        sender = registry.sender
        if sender is None:  # an issuer session's client always signs
            raise InvalidInputError(f"issuer {issuer_name!r} has no signer: it can only read")
        sender.journal = tx_journal(app, session)  # a rerun after a kill never pays twice
        settle_journal(app, sender.journal, sender)
        already: list[int] = []
        if status is not Status.ACTIVE:  # revoked or suspended already (by an earlier run): nothing to send
            current = registry.status_of(account, indexes)
            already = [i for i, s in zip(indexes, current) if s is status]
        todo = [i for i in indexes if i not in already]
        if not todo:
            app.emit({"status": done, "indexes": indexes, "reason": code, "reasonLabel": reason_label(code),
                      "already": already, "txHash": None, "block": None, "gasUsed": 0},
                     f"{len(indexes)} credential(s) {indexes} are {done} already; nothing was sent")
            return
        if already:
            app.info(f"{len(already)} credential(s) {already} are {done} already; changing the other {len(todo)}")
        receipt = registry.change_status(status, todo, code)
        persist_confirmed(app)
    app.emit({"status": done, "indexes": indexes, "reason": code, "reasonLabel": reason_label(code),
              "already": already, "txHash": receipt.tx_hash, "block": receipt.block_number,
              "gasUsed": receipt.gas_used},
             f"{done} {len(todo)} credential(s) {todo} for {reason_label(code)} in block "
             f"{receipt.block_number} (tx {receipt.tx_hash}, {receipt.gas_used} gas)")


class ConfirmationDeclinedError(MicrocredError):
    """The person at the terminal did not confirm a final revocation."""

    exit_code = 1


def _command(name: str, status: Status, summary: str, example: str) -> click.Command:
    final = " Revocation is final: in a terminal it asks for confirmation (--yes skips the question)." \
        if status is Status.REVOKED else ""
    already = f" A credential {_DONE[status]} already is left as it is." if status is not Status.ACTIVE else ""
    @cli.command(name, help=f"{summary}\n\nMany credentials change in one transaction; each is listed with its "
                            f"learner first, and --dry-run only lists them.{final} Run again after an "
                            f"interruption, it never sends a second transaction.{already} {_REASON_HELP}\n\n"
                            f"\b\nExample:\n  {example}")
    @click.argument("targets", nargs=-1, required=True)
    @click.option("--issuer", "issuer_name", required=True, help="Issuer profile whose account signs.")
    @click.option("--reason", required=True, help="Reason code or name (see above).")
    @click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (for scripts).")
    @click.option("--dry-run", is_flag=True, help="Say what would change, with the learners' names; send nothing.")
    @pass_app
    def command(app: AppContext, targets: tuple[str, ...], issuer_name: str, reason: str, yes: bool,
                dry_run: bool) -> None:
        _change(app, status, targets, issuer_name, reason, yes=yes, dry_run=dry_run)

    return command


revoke = _command("revoke", Status.REVOKED, "Revoke credentials, finally.",
                  "microcred revoke out/0-ada.json --issuer tu-munich --reason fraud")
suspend = _command("suspend", Status.SUSPENDED, "Suspend credentials (reversible with reinstate).",
                   "microcred suspend 17 42 --issuer tu-munich --reason under-investigation")
reinstate = _command("reinstate", Status.ACTIVE, "Reinstate suspended credentials.",
                     "microcred reinstate 17 --issuer tu-munich --reason investigation-closed")
