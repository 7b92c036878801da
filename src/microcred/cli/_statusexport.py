"""`microcred status export --issuer NAME`: signed Bitstring Status List credentials from the chain's state."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.registry.ledger import registry_client


@cli.group("status")
def status_group() -> None:
    """Status for verifiers that do not read chains.

    \b
    Example:
      microcred status export --issuer tum --out status/
    """


@status_group.command("export")
@click.option("--issuer", "issuer_name", required=True, help="Issuer profile whose key signs the lists.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for revocation.json and suspension.json.")
@click.option("--base-url", default=None,
              help="Where the lists will be published (their ids); default: the profile's --status-list-url,"
                   " else a urn:microcred:status: URN (the list id the issuer's credentials name).")
@pass_app
def export(app: AppContext, issuer_name: str, out: Path, base_url: str | None) -> None:
    """Write the issuer's revocation and suspension lists as signed W3C Bitstring Status List credentials.

    The lists are read from the chain (every anchored index, in one call per 10,000), at least 131,072 entries
    long, and signed with the issuer's key.

    \b
    Example:
      microcred status export --issuer tum --out status/ --base-url https://tum.example/status
    """
    from microcred.did import Keystore
    from microcred._files import write_json_atomic
    from microcred.registry.issuance import IssuerStore
    from microcred.registry.proofs import add_proof
    from microcred.registry.ledger import status_list_credential
    from microcred.registry.status import LIST_PURPOSES, status_list_id

    profile = IssuerStore(app.home).load(issuer_name)
    base_url = base_url or profile.status_list_url
    chain_id, registry, account = profile.require_chain()
    chain = app.chain()
    client = registry_client(chain, address=registry)
    block = chain.w3.eth.block_number
    next_index, _ = client.issuer_state(account, block=block)
    statuses = []
    for start in range(0, next_index, 10_000):
        statuses.extend(client.status_of(account, list(range(start, min(next_index, start + 10_000))), block=block))
    key = Keystore(app.home / "keys").load(profile.key, app.passphrase("unlock the issuer key"))
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.fromtimestamp(chain.w3.eth.get_block(block)["timestamp"], timezone.utc)
    for purpose in LIST_PURPOSES:
        url = status_list_id(chain=chain_id, registry=registry, issuer_account=account, purpose=purpose,
                             base_url=base_url)
        doc = status_list_credential(list_url=url, issuer_did=profile.did, purpose=purpose, statuses=statuses,
                                     valid_from=now, chain=chain_id, registry=registry, block=block)
        signed = add_proof(doc, key, verification_method=profile.verification_method, cryptosuite=profile.cryptosuite)
        write_json_atomic(out / f"{purpose}.json", signed)
    counts = {p.label: sum(1 for s in statuses if s == p) for p in {s for s in statuses}}
    app.emit({"out": str(out), "block": block, "indexes": next_index, "counts": counts},
             f"wrote {out}/revocation.json and {out}/suspension.json ({next_index} indexes at block {block}: "
             + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ")")
