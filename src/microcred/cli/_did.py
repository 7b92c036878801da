"""``microcred did``: resolve DIDs. The group is open: other modules add subcommands to :data:`did`.

:func:`build_resolver` is the one place the CLI builds its :class:`~microcred.did.Resolver`; methods that need a
chain (did:ethr) are registered there from the :class:`~microcred.cli.AppContext`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.did import ETHR_KEY_FORMATS, DIDKeyMethod, DIDWebResolver, Resolver
from microcred.errors import InvalidInputError
from microcred.registry.verify import parse_moment

if TYPE_CHECKING:
    from microcred.did import EthrResolver


def build_resolver(app: AppContext) -> Resolver:
    """The resolver of the command line: did:key and did:web built in (system CAs, 10 s timeout; hosts on
    loopback or private networks refused unless --allow-private-network).

    did:ethr is resolved from the chain of --network (its ERC-1056 registry), connected on first use only, so
    resolving a did:key never needs a node.
    """
    resolver = Resolver(web=DIDWebResolver(allow_private_network=app.allow_private_network))
    resolver.register("ethr", lambda did, at=None: ethr_resolver(app)(did, at))
    return resolver


def ethr_resolver(app: AppContext) -> EthrResolver:
    """The did:ethr resolver of the app's chain (built once)."""
    if "ethr" not in app._cache:
        from microcred.did import EthrResolver

        chain = app.chain(read_only=True)  # resolving only reads: nothing is deployed

        def chain_now() -> float:
            # "now" is after the chain's latest block (the next block is mined at a later second), so a change is
            # seen as soon as it is mined, and a revocation (validTo = its block's time, still valid *at* that time
            # by the spec's inclusive rule) is in force once its block is the latest
            return float(max(chain.w3.eth.get_block("latest")["timestamp"] + 1, int(time.time())))

        app._cache["ethr"] = EthrResolver(chain.w3, chain.address_of("EthereumDIDRegistry"), chain.chain_id,
                                          clock=chain_now)
    return app._cache["ethr"]


def _version_query(did_url: str, at: str | None) -> tuple[str, str | None]:
    """A did:ethr DID URL's ``?versionId=N`` / ``?versionTime=T`` (the method's parameters) as ``--at``: the bare
    DID and ``block:N`` or T. Both, or one with ``--at``, are a misuse."""
    if not did_url.startswith("did:ethr:") or "?" not in did_url:
        return did_url, at
    from urllib.parse import parse_qs

    did, _, query = did_url.partition("?")
    params = parse_qs(query, keep_blank_values=True)
    unknown = sorted(set(params) - {"versionId", "versionTime"})
    if unknown or any(len(v) != 1 for v in params.values()):
        raise InvalidInputError(f"{did_url}: a did:ethr DID URL takes one versionId or one versionTime "
                                f"(unknown or repeated: {', '.join(unknown) or 'a parameter given twice'})")
    if len(params) > 1 or (params and at is not None):
        raise InvalidInputError(f"{did_url}: give one of versionId, versionTime and --at")
    if "versionId" in params:
        return did, f"block:{params['versionId'][0]}"
    return did, params["versionTime"][0] if params else at


@cli.group("did")
def did() -> None:
    """Resolve DIDs (did:key, did:web, and the methods the network provides).

    \b
    Example:
      microcred did resolve did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK
    """


@did.command("resolve")
@click.argument("did_value", metavar="DID")
@click.option("--at", "at", metavar="TIME|block:N",
              help="Resolve as of TIME (ISO 8601 or unix seconds; UTC if no zone) or, for did:ethr, as of block N "
                   "(block:N, the versionId).")
@click.option("--jwk", is_flag=True, help="did:key: express the key as a JsonWebKey (publicKeyJwk), not a Multikey.")
@click.option("--key-format", "key_format", type=click.Choice(ETHR_KEY_FORMATS), default=None,
              help="did:ethr: how keys are written: hex (default, as ethr-did-resolver 11 writes them), jwk, or "
                   "multibase (as ethr-did-resolver 12+ writes them).")
@click.option("--metadata", is_flag=True,
              help="Print the whole resolution result (didDocument, didDocumentMetadata, didResolutionMetadata).")
@pass_app
def resolve(app: AppContext, did_value: str, at: str | None, jwk: bool, key_format: str | None,
            metadata: bool) -> None:
    """Resolve DID and print its DID document as JSON.

    \b
    Examples:
      microcred did resolve did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK
      microcred did resolve did:web:example.com --metadata
      microcred did resolve did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv --jwk
      microcred did resolve did:ethr:0x7a69:0x70997970c51812dc3a010c7d01b50e0d17dc79c8 --at block:42 --metadata
      microcred did resolve 'did:ethr:0x7a69:0x70997970c51812dc3a010c7d01b50e0d17dc79c8?versionId=42'
      microcred did resolve did:ethr:0x7a69:0x70997970c51812dc3a010c7d01b50e0d17dc79c8 --key-format multibase
    """
    did_value, at = _version_query(did_value, at)
    when, block = parse_moment(at)
    is_ethr = did_value.startswith("did:ethr:")
    if block is not None and not is_ethr:
        raise InvalidInputError(f"--at block:{block}: a block number applies to did:ethr DIDs only; give a time")
    if key_format is not None and not is_ethr:
        raise InvalidInputError("--key-format applies to did:ethr DIDs only (did:key: --jwk)")
    resolver = build_resolver(app)
    if jwk:
        resolver.register("key", DIDKeyMethod(jwk=True), cache=False)
    if block is not None or key_format is not None:
        resolver.register("ethr", lambda did, at=None: ethr_resolver(app).resolve(
            did, at, block=block, key_format=key_format), cache=False)
    result = resolver.resolve(did_value, at=when)
    if result.deactivated:
        app.info(f"warning: {did_value} is deactivated; its keys must not be trusted")
    warning = result.resolution_metadata.get("warning")
    if warning:
        app.info(f"warning: {warning}")
    out = result.to_json() if metadata else result.document.to_json()
    click.echo(json.dumps(out) if app.json_output else json.dumps(out, indent=2))
