"""`microcred deploy`: deploy the registries to the chain of --network and record their addresses."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import ConfigError
from microcred.chain import connect, deploy_contracts, install_factory
from microcred.chain import record_deployment

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount


def load_account(app: AppContext, key_name: str | None, *, purpose: str) -> LocalAccount:
    """The eth-account signer: a secp256k1 key of the keystore, or MICROCRED_PRIVATE_KEY from the environment."""
    from eth_account import Account

    if key_name:
        from microcred.did import Keystore

        return Keystore(app.home / "keys").load_eth_account(key_name, app.passphrase(f"unlock key {key_name!r}"))
    env = os.environ.get("MICROCRED_PRIVATE_KEY")
    if env:
        try:
            return Account.from_key(env)
        except Exception:  # noqa: BLE001 - never echo the value
            raise ConfigError("MICROCRED_PRIVATE_KEY is not a valid secp256k1 private key (hex)") from None
    raise click.UsageError(f"{purpose} needs an account: give --key NAME (a secp256k1 key of the keystore) or set "
                           "MICROCRED_PRIVATE_KEY")


@cli.command()
@click.option("--key", "key_name", default=None, help="secp256k1 key of the keystore that pays for deployment.")
@pass_app
def deploy(app: AppContext, key_name: str | None) -> None:
    """Deploy the credential, DID and accreditation registries and record their addresses.

    They deploy through the CREATE2 factory with fixed salts, so they have the same addresses on every chain.

    On memory and local chains the dev account pays and contracts deploy on first use anyway; on a public test
    network the key comes from the keystore (--key) or MICROCRED_PRIVATE_KEY.

    \b
    Example:
      microcred --network https://sepolia.example/rpc deploy --key deployer
    """
    chain = app.chain() if app.network == "memory" else connect(app.network, home=app.home,
                                                                 rpc_urls=app.rpc_urls)
    if chain.is_dev:  # dev chains deploy what is missing on connection
        app.emit({"chainId": chain.chain_id, "network": chain.name, "addresses": chain.addresses},
                 "\n".join([f"chain {chain.chain_id} ({chain.name}):"] +
                           [f"  {n}: {a}" for n, a in chain.addresses.items()]))
        return
    account = load_account(app, key_name, purpose="deploying")
    app.info(f"deploying from {account.address} to chain {chain.chain_id} …")
    sender = chain.sender(account)
    install_factory(chain.w3, sender)  # a no-op where the CREATE2 factory is (most networks)
    deployed = deploy_contracts(chain.w3, sender)
    record_deployment(app.home, chain.chain_id, {n: a for n, (a, _) in deployed.items()})
    app.emit({"chainId": chain.chain_id, "addresses": {n: a for n, (a, _) in deployed.items()},
              "gas": {n: g for n, (_, g) in deployed.items()}},
             "\n".join([f"deployed on chain {chain.chain_id}, recorded in {app.home / 'deployments.json'}:"] +
                       [f"  {n}: {a} ({g} gas)" for n, (a, g) in deployed.items()]))
