"""`microcred anchor` and `microcred export --plain`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.cli._common import credential_files, issuer_session


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--issuer", "issuer_name", required=True, help="Issuer profile whose account anchors.")
@click.option("--batch-limit", default=8192, show_default=True,
              help="Largest batch anchored under one root (1 to 65,536).")
@pass_app
def anchor(app: AppContext, paths: tuple[str, ...], issuer_name: str, batch_limit: int) -> None:
    """Anchor signed credentials: Merkle root on chain, inclusion proof added to each file.

    Crash-safe and idempotent: run it again after an interruption and every credential ends anchored exactly
    once; files already anchored are skipped and no root is paid for twice.

    \b
    Example:
      microcred anchor out/ --issuer tu-munich
    """
    from microcred.registry.anchoring import Anchorer

    from microcred.cli._issue import issuer_locked
    from microcred.cli._node import persist_confirmed
    from microcred.registry.issuance import IssuerStore

    def hook(stage: str, entry: dict) -> None:
        if stage == "mined":  # the chain has the root: on the local node, on disk before any file says so
            persist_confirmed(app)

    from microcred.registry.anchoring import check_batch_limit

    check_batch_limit(batch_limit)  # before any passphrase or connection
    files = credential_files(paths)
    session = issuer_session(app, issuer_name)
    journal_dir = IssuerStore(app.home).journal_dir(session.profile.name, session.account.address)
    anchorer = Anchorer(session.registry, journal_dir, chain_caip2=session.chain.caip2, batch_limit=batch_limit,
                        hook=hook)
    with issuer_locked(app, session.profile.name, "anchor"), \
            click.progressbar(length=len(files), label="anchoring", file=sys.stderr,
                              show_pos=True) as bar:
        result = anchorer.anchor(files, progress=lambda done, total: bar.update(done - bar.pos))
    for batch in result.anchored:
        app.emit({"root": batch["root"], "firstIndex": batch["firstIndex"], "count": batch["count"],
                  "credentials": batch["credentials"], "txHash": batch.get("txHash"),
                  "block": batch.get("blockNumber")},
                 f"anchored {batch['credentials']} credential(s) under root {batch['root'][:18]}… in block "
                 f"{batch.get('blockNumber')} (tx {batch.get('txHash')})")
    if result.skipped:
        app.info(f"{len(result.skipped)} file(s) were already anchored and were left as they are")
    if not result.anchored and not result.skipped:
        app.info("nothing to anchor")


@cli.command("export")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plain", is_flag=True, help="Without the anchor proof (signature proof only).")
@click.option("--format", "fmt", type=click.Choice(["plain", "elm"]), default=None,
              help="plain: without the anchor proof; elm: a European Digital Credential (ELM v3 JSON-LD).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_app
def export(app: AppContext, source: Path, plain: bool, fmt: str | None, out: Path) -> None:
    """Write a copy of a credential: without its anchor proof (--plain, for verifiers that know only Data
    Integrity), or as a European Digital Credential (--format elm, the European Learning Model v3).

    \b
    Example:
      microcred export out/0-ada.json --plain --out ada-plain.json
      microcred export out/0-ada.json --format elm --out ada-edc.jsonld
    """
    if plain and fmt == "elm":
        raise click.UsageError("--plain and --format elm exclude each other")
    if not plain and fmt is None:
        raise click.UsageError("give --plain or --format plain|elm")
    if fmt == "elm":
        from microcred.cli._europass import export_elm

        export_elm(app, source, out)
        return
    from microcred._files import write_json_atomic
    from microcred.registry.credential import load_credential, strip_anchor

    write_json_atomic(out, strip_anchor(load_credential(source)))
    app.emit({"file": str(out)}, f"wrote {out} (signature proof only)")
