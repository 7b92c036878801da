"""``microcred issuer``: create, show and list issuer profiles (``<home>/issuers/NAME.json``).

A profile says who awards the credentials (legal name, country, region), which DID and keystore key sign them,
and where their status lives (chain account, chain, registry). See
:class:`microcred.registry.issuance.IssuerProfile`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.did import Keystore
from microcred.errors import InvalidInputError
from microcred.registry.issuance import (
    CRYPTOSUITES,
    IssuerProfile,
    IssuerStore,
    check_issuer_name,
    verification_method_for,
)

#: the suites each key type can sign with, the first being the default
_SUITES_BY_KEY = {"ed25519": ("eddsa-rdfc-2022", "eddsa-jcs-2022"), "p256": ("ecdsa-rdfc-2019", "ecdsa-jcs-2019")}


def _as_text(profile: IssuerProfile) -> str:
    data = profile.to_json()
    rows = [(k, v) for k, v in data.items() if k not in ("format", "version")]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in rows)


@cli.group("issuer")
def issuer() -> None:
    """Create, show and list issuer profiles (stored in <home>/issuers).

    \b
    Example:
      microcred issuer init tux --legal-name "Technische Universität Example" --country DE --key tux-signing
    """


@issuer.command("init")
@click.argument("name")
@click.option("--legal-name", required=True, help="Legal name of the awarding body (Annex I element 4).")
@click.option("--display-name", help="Name shown on credentials (default: the legal name).")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 country code of the issuer, like DE (element 3).")
@click.option("--region", help="Region of the issuer, like Bavaria (element 3).")
@click.option("--key", "key_name", required=True, help="Keystore key that signs credentials (ed25519 or p256).")
@click.option("--did", help="Issuer DID (default: the did:key of --key).")
@click.option("--verification-method", help="Verification method id in the DID (default for did:key: did#key).")
@click.option("--account-key", help="Keystore secp256k1 key whose Ethereum address is the issuer's chain account.")
@click.option("--account", help="The issuer's chain account (0x address), if not given by --account-key.")
@click.option("--chain", help="CAIP-2 chain id of the registry, like eip155:31337.")
@click.option("--registry", help="Address (0x…) of the CredentialRegistry contract.")
@click.option("--cryptosuite", type=click.Choice(CRYPTOSUITES),
              help="Default Data Integrity cryptosuite (eddsa-rdfc-2022 for ed25519, ecdsa-rdfc-2019 for p256).")
@click.option("--website", help="Web address of the issuer (https://…).")
@click.option("--status-list-url", help="Where its Bitstring Status Lists are published (https://…): the "
                                        "credentials' status object then names {URL}/revocation.")
@click.option("--force", is_flag=True, help="Replace an existing profile of that name.")
@pass_app
def init(app: AppContext, name: str, legal_name: str, display_name: str | None, country: str, region: str | None,
         key_name: str, did: str | None, verification_method: str | None, account_key: str | None,
         account: str | None, chain: str | None, registry: str | None, cryptosuite: str | None,
         website: str | None, status_list_url: str | None, force: bool) -> None:
    """Create issuer profile NAME from keystore keys; needs no passphrase.

    \b
    Example:
      microcred key new tux-signing
      microcred key new tux-chain --type secp256k1
      microcred issuer init tux --legal-name "Technische Universität Example" \\
          --country DE --region Bavaria --key tux-signing --account-key tux-chain \\
          --chain eip155:31337 --registry 0x5FbDB2315678afecb367f032d93F642f64180aa3
    """
    check_issuer_name(name)
    if app.network == "memory":
        app.info("warning: --network memory is an in-process chain that ends with this command: an issuer made for "
                 "it can only be used by commands of the same process (the demo, tests). To issue, anchor and revoke "
                 "from the command line, create it with --network local (or a test network's URL)")
    store = IssuerStore(app.home)
    if store.exists(name) and not force:
        raise InvalidInputError(f"an issuer named {name!r} exists already ({store.path(name)}); use --force to "
                                "replace it")
    keys = Keystore(app.home / "keys")
    info = keys.info(key_name)
    suites = _SUITES_BY_KEY.get(info.key_type)
    if suites is None:
        raise InvalidInputError(f"key {key_name!r} is {info.key_type}: credentials are signed with an ed25519 "
                                "(eddsa) or p256 (ecdsa) key")
    if cryptosuite is not None and cryptosuite not in suites:
        raise InvalidInputError(f"key {key_name!r} is {info.key_type}: it signs with {' or '.join(suites)}, not "
                                f"{cryptosuite}")
    if did is None:
        did = info.did
    if verification_method is None:
        verification_method = verification_method_for(did)
    if account_key is not None:
        account_info = keys.info(account_key)
        if account_info.eth_address is None:
            raise InvalidInputError(f"--account-key {account_key!r} is {account_info.key_type}: a chain account is "
                                    "a secp256k1 key")
        if account is not None and account.lower() != account_info.eth_address.lower():
            raise InvalidInputError(f"--account {account} is not the address of --account-key {account_key!r} "
                                    f"({account_info.eth_address})")
        account = account_info.eth_address
    if chain is None and registry is None and app.network != "memory":
        # fill the status entry's chain and registry from the connected network, when it answers
        from microcred.errors import MicrocredError

        try:
            connected = app.chain()
            chain, registry = connected.caip2, connected.address_of("CredentialRegistry")
        except MicrocredError as exc:
            app.info(f"note: chain and registry left empty ({exc}); set them with --chain and --registry")
    data: dict[str, Any] = {
        "name": name, "legalName": legal_name, "displayName": display_name, "country": country.strip().upper(),
        "region": region, "did": did, "verificationMethod": verification_method, "key": key_name,
        "account": account, "accountKey": account_key, "network": app.network, "chain": chain,
        "registry": registry, "cryptosuite": cryptosuite or suites[0], "website": website,
        "statusListUrl": status_list_url,
    }
    options = {k: "--" + re.sub(r"([A-Z])", r"-\1", k).lower() for k in data}
    options["verificationMethod"] = "--verification-method (or the DID)"
    options["did"] = "--did (or the DID of --key)"
    profile = IssuerProfile.from_json({k: v for k, v in data.items() if v is not None},
                                      source=f"issuer {name}", names=options)
    path = store.save(profile, overwrite=force)
    app.info(f"wrote {path}")
    app.emit(profile.to_json(), _as_text(profile))


@issuer.command("show")
@click.argument("name")
@pass_app
def show(app: AppContext, name: str) -> None:
    """Show issuer profile NAME.

    \b
    Example:
      microcred --json issuer show tux
    """
    profile = IssuerStore(app.home).load(name)
    app.emit(profile.to_json(), _as_text(profile))


@issuer.command("list")
@pass_app
def list_issuers(app: AppContext) -> None:
    """List the issuer profiles: name, DID, country, chain, registry.

    \b
    Example:
      microcred issuer list
    """
    store = IssuerStore(app.home)
    empty = f"no issuers in {store.directory} (create one with `microcred issuer init NAME …`)"
    app.emit_list(store.list(), empty=empty, as_json=IssuerProfile.to_json, table=_issuer_table)


def _issuer_table(profiles: Sequence[IssuerProfile]) -> Iterator[str]:
    width = max(4, *(len(p.name) for p in profiles))
    yield f"{'NAME':<{width}}  CC  {'CHAIN':<16}  DID"
    for p in profiles:
        yield f"{p.name:<{width}}  {p.country}  {(p.chain or '-'):<16}  {p.did}"
