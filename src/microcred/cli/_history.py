"""`microcred history DID|ACCOUNT|FILE [--at TIME] [--json|--csv]`: an issuer's or a credential's timeline."""

from __future__ import annotations

import csv
import functools
import io
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from microcred.registry.ledger import registry_client
from microcred.cli._app import AppContext, cli, pass_app
from microcred.chain import RPCUnavailableError
from microcred.errors import InvalidInputError, NetworkError


def _account_for(app: AppContext, target: str) -> str:
    from eth_utils import is_address, to_checksum_address

    if is_address(target):
        return to_checksum_address(target)
    if target.startswith("did:ethr:"):
        from microcred.did import parse_ethr_did

        return to_checksum_address(parse_ethr_did(target).address)
    if target.startswith("did:"):
        from microcred.registry.issuance import IssuerStore

        store = IssuerStore(app.home)
        for profile in store.list():
            if profile.did == target and profile.account:
                return to_checksum_address(profile.account)
        raise InvalidInputError(f"{target} is not a did:ethr and no issuer profile here names its account: give the "
                                "issuer's 0x account instead")
    raise InvalidInputError(f"{target}: not a credential file, a 0x account or a DID")


def _iso(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if ts else ""


@cli.command()
@click.argument("target")
@click.option("--at", "at", default=None, metavar="TIME|block:N",
              help="The timeline as it stood at this time (ISO 8601 or unix seconds) or at block N (block:N).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of a table.")
@click.option("--quorum", type=int, default=None,
              help="How many --rpc endpoints must answer, all alike (default: 2 where 2 or more are given).")
@pass_app
def history(app: AppContext, target: str, at: str | None, as_csv: bool, quorum: int | None) -> None:
    """The timeline of an issuer (by 0x account or DID) or of one credential (by its file), from the chain.

    For an issuer: batches anchored, status changes with reasons, operator changes, read by walking the issuer's
    linked events (one log query per changed block, never a scan). For a credential: when it was anchored, every
    status change with its reason and time, and its status now (or at --at).

    \b
    Example:
      microcred history out/0-ada.json
      microcred --json history 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --at 2026-06-01
      microcred history ada.json --at block:1234
    """
    from microcred.registry.credential import anchor_proofs, load_credential, status_entry
    from microcred.registry.audit import (
        AuditRegistries,
        count_events,
        from_registry_events,
        issuer_timeline,
        status_at,
    )
    from microcred.chain import block_at, block_header
    from microcred.cli._common import connect_endpoints
    from microcred.registry.verify import agree, agreed_block_time, parse_moment, require_quorum

    when, at_block = parse_moment(at)
    require_quorum(quorum, len(app.rpc_urls))
    endpoints = connect_endpoints(app)
    usable = [e for e in endpoints if e.chain is not None]
    if not usable:
        raise NetworkError("no RPC endpoint could be used: " + "; ".join(f"{e.name}: {e.problem}" for e in endpoints))
    chain = usable[0].chain
    assert chain is not None  # a usable endpoint has its chain
    if at_block is not None:  # the block's time is the time asked, as a quorum agrees; each endpoint reads that block
        headers, unusable = {}, {}
        for e in endpoints:
            if e.chain is None:
                unusable[e.name] = str(e.problem)
            elif e.chain.caip2 != chain.caip2:
                unusable[e.name] = f"it serves chain {e.chain.caip2}, not {chain.caip2}"
            else:
                headers[e.name] = functools.partial(block_header, e.chain.w3, endpoint=e.chain.endpoint)
        when = agreed_block_time(headers, at_block, quorum=require_quorum(quorum, len(endpoints)), left_out=unusable)

    def block_of(c: Any) -> int | str:
        return at_block if at_block is not None else block_at(c.w3, when, endpoint=c.endpoint)
    index = None
    path = Path(target)
    if path.is_file():
        doc = load_credential(path)
        entry = status_entry(doc)
        if entry["chain"] != chain.caip2:
            raise InvalidInputError(f"{target} lives on chain {entry['chain']}, not {chain.caip2}: use --network")
        account, registry, index = entry["issuerAccount"], entry["registry"], entry["statusIndex"]
        proofs = anchor_proofs(doc)
        root = proofs[0]["merkleRoot"] if proofs else None
    else:
        account, registry, root = _account_for(app, target), chain.address_of("CredentialRegistry"), None
    answers: dict = {}
    left_out: dict = {}
    by_name: dict = {}
    for e in endpoints:
        name = e.name if e.name not in answers and e.name not in left_out else f"{e.name} (#{len(answers) + 1})"
        if e.chain is None and e.caip2 == chain.caip2:  # it answers, without the registry: a different answer
            answers[name] = (("no registry", str(e.problem)),)
            by_name[name] = []
            continue
        if e.chain is None:
            left_out[name] = str(e.problem)
            continue
        if e.chain.caip2 != chain.caip2:
            left_out[name] = f"it serves chain {e.chain.caip2}, not {chain.caip2}"
            continue
        try:
            got = registry_client(e.chain, address=registry).history(
                account, block=block_of(e.chain))
        except RPCUnavailableError as exc:
            left_out[name] = f"unreachable ({exc})"
            continue
        by_name[name] = got
        answers[name] = tuple((ev.block_number, ev.tx_hash, ev.kind, repr(ev.data)) for ev in got)
    agreed = agree(answers, quorum=require_quorum(quorum, len(endpoints)), left_out=left_out,
                   what=f"the history of {account}",
                   show={n: "there is no registry" if a and a[0][0] == "no registry" else f"{len(a)} changes"
                         for n, a in answers.items()})
    events = by_name[next(n for n, a in answers.items() if a == agreed)]
    for name, why in left_out.items():
        app.info(f"left out: {name}: {why}")
    if index is not None:
        events = [e for e in events if (e.kind == "anchored" and (e.data.get("root") == root or (
            e.data["first_index"] <= index < e.data["first_index"] + e.data["count"])))
            or index in e.data.get("indexes", [])]
    if index is None:  # an issuer's whole timeline, its DID and accreditation changes too: as the audit reads it
        timeline = issuer_timeline(chain, account, AuditRegistries.of_chain(chain.addresses, registry),
                                   block=block_of(chain), credential_events=events)
    else:
        timeline = from_registry_events(events)
    counts = count_events(timeline)  # the audit report's count
    rows = [{"time": _iso(t.time), "block": t.block, "source": t.source, "kind": t.kind, "summary": t.summary,
             "tx": t.tx_hash} for t in timeline]
    if app.json_output:
        for row in rows:
            app.emit(row)
    elif as_csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["time", "block", "source", "kind", "summary", "tx"])
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        who = f"credential index {index} of {account}" if index is not None else f"issuer account {account}"
        stamp = f"{when:%Y-%m-%d %H:%M UTC}" if when else ""
        asof = f" as of block {at_block} ({stamp})" if at_block is not None else f" as of {stamp}" if when else ""
        click.echo(f"history of {who} on {chain.caip2}{asof}")
        if not rows:
            click.echo("  (no changes)")
        for row in rows:
            click.echo(f"  {row['time']}  block {row['block']:>6}  {row['summary']}  tx {str(row['tx'])[:14]}…")
        if rows:
            click.echo(f"  {counts.describe()}")
    if index is not None:
        moment = when or datetime.fromtimestamp(chain.w3.eth.get_block("latest")["timestamp"], timezone.utc)
        status, _change = status_at(events, index, moment)
        label = getattr(status, "value", str(status))
        if app.json_output:
            app.emit({"index": index, "statusAt": moment.isoformat(), "status": label})
        elif not as_csv:
            click.echo(f"  status at {moment:%Y-%m-%d %H:%M UTC}: {label}")
