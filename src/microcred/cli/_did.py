"""``microcred did``: resolve DIDs. The group is open: other modules add subcommands to :data:`did`.

:func:`build_resolver` is the one place the CLI builds its :class:`~microcred.did.Resolver`; methods that need a
chain (did:ethr) are registered there from the :class:`~microcred.cli.AppContext`.
"""

from __future__ import annotations

import time

import json
from datetime import datetime, timezone

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.did import DIDKeyMethod, DIDWebResolver, Resolver
from microcred.errors import InvalidInputError


def build_resolver(app: AppContext) -> Resolver:
    """The resolver of the command line: did:key and did:web built in (system CAs, 10 s timeout; hosts on
    loopback or private networks refused unless --allow-private-network).

    did:ethr is resolved from the chain of --network (its ERC-1056 registry), connected on first use only, so
    resolving a did:key never needs a node.
    """
    resolver = Resolver(web=DIDWebResolver(allow_private_network=app.allow_private_network))
    resolver.register("ethr", lambda did, at=None: ethr_resolver(app)(did, at))
    return resolver


def ethr_resolver(app: AppContext):
    """The did:ethr resolver of the app's chain (built once)."""
    if "ethr" not in app._cache:
        from microcred.did import EthrResolver

        chain = app.chain(read_only=True)  # resolving only reads: nothing is deployed

        def chain_now() -> float:  # "now" is the chain's time, so a change is seen as soon as it is mined
            return float(max(chain.w3.eth.get_block("latest")["timestamp"], int(time.time())))

        app._cache["ethr"] = EthrResolver(chain.w3, chain.address_of("EthereumDIDRegistry"), chain.chain_id,
                                          clock=chain_now)
    return app._cache["ethr"]


def parse_at(value: str | None) -> datetime | None:
    """``--at`` as a UTC datetime: ISO 8601 (``2026-05-01``, ``2026-05-01T12:00:00Z``) or unix seconds."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), timezone.utc)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInputError(
            f"--at: not a time: {value!r} (use ISO 8601 like 2026-05-01T12:00:00Z, or unix seconds)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@cli.group("did")
def did() -> None:
    """Resolve DIDs (did:key, did:web, and the methods the network provides).

    \b
    Example:
      microcred did resolve did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK
    """


@did.command("resolve")
@click.argument("did_value", metavar="DID")
@click.option("--at", "at", metavar="TIME", help="Resolve as of TIME (ISO 8601 or unix seconds; UTC if no zone).")
@click.option("--jwk", is_flag=True, help="did:key: express the key as a JsonWebKey (publicKeyJwk), not a Multikey.")
@click.option("--metadata", is_flag=True,
              help="Print the whole resolution result (didDocument, didDocumentMetadata, didResolutionMetadata).")
@pass_app
def resolve(app: AppContext, did_value: str, at: str | None, jwk: bool, metadata: bool) -> None:
    """Resolve DID and print its DID document as JSON.

    \b
    Examples:
      microcred did resolve did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK
      microcred did resolve did:web:example.com --metadata
      microcred did resolve did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv --jwk
    """
    when = parse_at(at)
    resolver = build_resolver(app)
    if jwk:
        resolver.register("key", DIDKeyMethod(jwk=True), cache=False)
    result = resolver.resolve(did_value, at=when)
    if result.deactivated:
        app.info(f"warning: {did_value} is deactivated; its keys must not be trusted")
    warning = result.resolution_metadata.get("warning")
    if warning:
        app.info(f"warning: {warning}")
    out = result.to_json() if metadata else result.document.to_json()
    click.echo(json.dumps(out) if app.json_output else json.dumps(out, indent=2))
