"""`microcred accredit` and `microcred accreditation declare-root|show|withdraw`: the accreditation bodies' side."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

import click

from microcred.cli._app import AppContext, cli, pass_app

if TYPE_CHECKING:
    from microcred.registry.accreditation import AccreditationClient


def _client(app: AppContext, key_name: str | None) -> AccreditationClient:
    from microcred.registry.accreditation import AccreditationClient

    chain = app.chain()
    sender = None
    if key_name:
        from microcred.did import Keystore

        account = Keystore(app.home / "keys").load_eth_account(key_name, app.passphrase(f"unlock key {key_name!r}"))
        if chain.is_dev:
            chain.fund(account.address)
        sender = chain.sender(account)
    return AccreditationClient(chain.w3, chain.address_of("AccreditationRegistry"), sender=sender,
                               endpoint=chain.endpoint)


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


@cli.command()
@click.argument("subject")
@click.option("--key", "key_name", required=True, help="secp256k1 key of the accrediting body (keystore).")
@click.option("--kind", default="MicroCredential", show_default=True, help="Kind of credential covered.")
@click.option("--max-level", type=click.IntRange(1, 8), required=True, help="Highest EQF level covered.")
@click.option("--field", default="", help="ISCED-F field code covered (e.g. 06); empty: every field.")
@click.option("--from", "valid_from", required=True, help="Start of validity (ISO 8601 or unix seconds).")
@click.option("--until", "valid_until", required=True, help="End of validity (ISO 8601 or unix seconds).")
@click.option("--parent", type=int, default=0, show_default=True,
              help="Your own grant this one derives from (0 when you act as a root body).")
@pass_app
def accredit(app: AppContext, subject: str, key_name: str, kind: str, max_level: int, field: str, valid_from: str,
             valid_until: str, parent: int) -> None:
    """Accredit SUBJECT (a body or an issuer account) for a scope and a period; a body grants only what it holds.

    \b
    Example:
      microcred accredit 0xBA91… --key hceres --max-level 6 --field 06 --from 2026-01-01 --until 2027-01-01
    """
    from microcred.registry.accreditation import Scope
    from microcred.registry.verify import parse_time

    grant_id = _client(app, key_name).grant(subject, Scope(kind, max_level, field), parse_time(valid_from),
                                            parse_time(valid_until), parent)
    app.emit({"grantId": grant_id, "subject": subject},
             f"grant {grant_id}: {subject} accredited for {kind} EQF ≤ {max_level}, "
             f"{('field ' + field) if field else 'all fields'}, {valid_from} – {valid_until}")


@cli.group()
def accreditation() -> None:
    """Root accreditation bodies and the grants of an account.

    \b
    Example:
      microcred accreditation show 0xBA91dfFF5d11da328D2F8bA96CF4082adE3e8B1d
    """


@accreditation.command("declare-root")
@click.option("--key", "key_name", required=True, help="secp256k1 key of the body (keystore).")
@click.option("--name", required=True, help="The body's name.")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 country code.")
@pass_app
def declare_root(app: AppContext, key_name: str, name: str, country: str) -> None:
    """Declare your account a root accreditation body (it counts only for verifiers whose trust list names it).

    \b
    Example:
      microcred accreditation declare-root --key hceres --name "Hcéres" --country FR
    """
    receipt = _client(app, key_name).declare_root(name, country.upper())
    app.emit({"root": name, "block": receipt.block_number}, f"declared root body {name} ({country.upper()}) in "
                                                            f"block {receipt.block_number}")


@accreditation.command("show")
@click.argument("account")
@pass_app
def show(app: AppContext, account: str) -> None:
    """The grants an account holds, each with its scope, period and state.

    \b
    Example:
      microcred --json accreditation show 0xBA91dfFF5d11da328D2F8bA96CF4082adE3e8B1d
    """
    client = _client(app, None)
    for grant_id in client.grants_of(account):
        g = client.grant_of(grant_id)
        state = f"withdrawn {_day(g.withdrawn_at)}" if g.withdrawn_at else "in force"
        app.emit({"grantId": g.id, "grantor": g.grantor, "subject": g.subject, "scope": g.scope.describe(),
                  "validFrom": g.valid_from, "validUntil": g.valid_until, "parent": g.parent,
                  "withdrawnAt": g.withdrawn_at},
                 f"grant {g.id} from {g.grantor}: {g.scope.describe()}, {_day(g.valid_from)} – "
                 f"{_day(g.valid_until)}, {state}" + (f" (under grant {g.parent})" if g.parent else " (by a root)"))


@accreditation.command("withdraw")
@click.argument("grant_id", type=int)
@click.option("--key", "key_name", required=True, help="secp256k1 key of the body that granted it.")
@click.option("--reason", default="0", show_default=True, help="Withdrawal reason code or name.")
@pass_app
def withdraw(app: AppContext, grant_id: int, key_name: str, reason: str) -> None:
    """Withdraw a grant you made; its record stays, so the past remains answerable.

    \b
    Example:
      microcred accreditation withdraw 3 --key hceres
    """
    receipt = _client(app, key_name).withdraw(grant_id, int(reason) if reason.isdigit() else reason)
    app.emit({"withdrawn": grant_id, "block": receipt.block_number},
             f"grant {grant_id} withdrawn in block {receipt.block_number}")
