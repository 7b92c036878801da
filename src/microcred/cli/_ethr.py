"""`microcred did add-delegate|revoke-delegate|change-owner`: an issuer manages its did:ethr on chain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from microcred.cli._app import AppContext, pass_app
from microcred.cli._did import did as did_group

if TYPE_CHECKING:
    from microcred.did import EthrDIDController


def _controller(app: AppContext, key_name: str) -> EthrDIDController:
    from microcred.did import Keystore
    from microcred.did import EthrDIDController

    chain = app.chain()
    account = Keystore(app.home / "keys").load_eth_account(key_name, app.passphrase(f"unlock key {key_name!r}"))
    if chain.is_dev:
        chain.fund(account.address)
    return EthrDIDController(chain.w3, chain.address_of("EthereumDIDRegistry"), account, chain_id=chain.chain_id)


def _done(app: AppContext, what: str, receipt: Mapping[str, Any]) -> None:
    block = receipt["blockNumber"]
    app.emit({"done": what, "block": block}, f"{what} (block {block})")


@did_group.command("add-delegate")
@click.option("--key", "key_name", required=True, help="secp256k1 key of the keystore that owns the did:ethr.")
@click.argument("delegate")
@click.option("--type", "delegate_type", type=click.Choice(["veriKey", "sigAuth"]), default="veriKey",
              show_default=True, help="veriKey: may sign credentials; sigAuth: may also authenticate.")
@click.option("--validity", type=int, default=365 * 24 * 3600, show_default=True, help="Seconds it stays valid.")
@pass_app
def add_delegate(app: AppContext, key_name: str, delegate: str, delegate_type: str, validity: int) -> None:
    """Authorise a delegate key (an address) of your did:ethr for a time.

    \b
    Example:
      microcred did add-delegate --key tum-chain 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC
    """
    _done(app, f"{delegate} is a {delegate_type} delegate for {validity} s",
          _controller(app, key_name).add_delegate(delegate_type, delegate, validity))


@did_group.command("revoke-delegate")
@click.option("--key", "key_name", required=True, help="secp256k1 key of the keystore that owns the did:ethr.")
@click.argument("delegate")
@click.option("--type", "delegate_type", type=click.Choice(["veriKey", "sigAuth"]), default="veriKey")
@pass_app
def revoke_delegate(app: AppContext, key_name: str, delegate: str, delegate_type: str) -> None:
    """Withdraw a delegate of your did:ethr.

    \b
    Example:
      microcred did revoke-delegate --key tum-chain 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC
    """
    _done(app, f"{delegate} is no longer a {delegate_type} delegate",
          _controller(app, key_name).revoke_delegate(delegate_type, delegate))


@did_group.command("change-owner")
@click.option("--key", "key_name", required=True, help="secp256k1 key of the keystore that owns the did:ethr.")
@click.argument("new_owner")
@pass_app
def change_owner(app: AppContext, key_name: str, new_owner: str) -> None:
    """Rotate the controlling key of your did:ethr to a new owner address.

    \b
    Example:
      microcred did change-owner --key tum-chain 0x90F79bf6EB2c4f870365E785982E1f101E93b906
    """
    _done(app, f"the DID's owner is now {new_owner}", _controller(app, key_name).change_owner(new_owner))
