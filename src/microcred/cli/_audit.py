"""`microcred audit ISSUER --out report.html`: a self-contained report of an issuer's history for a quality agency."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.registry.ledger import registry_client


@cli.command()
@click.argument("issuer")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML report; the same data is written beside it as JSON (.json).")
@click.option("--explorer", default=None, help="Explorer URL for transactions, with {tx}, e.g. "
                                                "https://sepolia.etherscan.io/tx/{tx}")
@pass_app
def audit(app: AppContext, issuer: str, out: Path, explorer: str | None) -> None:
    """Write an audit report of an issuer (0x account, did:ethr, or the DID of an issuer profile here).

    The timeline (batches, status changes with reasons, operator changes, DID key and delegate changes,
    accreditation grants and withdrawals), counts and rates by reason and by month
    with charts, each claim linked to its transaction and block so anyone can re-check it with any RPC endpoint.

    \b
    Example:
      microcred audit 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --out report.html
    """
    from microcred.cli._history import _account_for, _other_sources
    from microcred.registry.audit._timeline import merge_timelines
    from microcred.registry.audit._report import AuditReport
    from microcred.registry.audit._timeline import from_registry_events

    chain = app.chain()
    account = _account_for(app, issuer)
    registry = chain.address_of("CredentialRegistry")
    events = registry_client(chain, address=registry).history(account)
    timeline = merge_timelines(from_registry_events(events), *_other_sources(app, chain, account, None))
    report = AuditReport.build(account, timeline, chain.caip2, registry,
                               datetime.now(timezone.utc), explorer_tx_url=explorer)
    out.write_text(report.to_html(), encoding="utf-8")
    json_path = out.with_suffix(".json")
    json_path.write_text(report.to_json(), encoding="utf-8")
    app.emit({"html": str(out), "json": str(json_path), "events": len(events)},
             f"wrote {out} and {json_path} ({len(events)} events of {account} on {chain.caip2})")
