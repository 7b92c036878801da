"""`microcred issuer bind NAME`: publish, on chain, that the issuer's DID is bound to its chain account."""

from __future__ import annotations

import click

from microcred.cli._app import AppContext, pass_app
from microcred.cli._common import IssuerSession, issuer_session, settle_journal, tx_journal
from microcred.cli._issuer import issuer as issuer_group


@issuer_group.command("bind")
@click.argument("name")
@pass_app
def bind(app: AppContext, name: str) -> None:
    """Bind the issuer's DID (did:key, did:web) to its chain account, so verifiers can check who anchored.

    The DID's key signs (DID, account, chain id, DID registry, and the credential registry the issuer anchors in);
    the account publishes the statement as the attribute `microcred/binding` of its identity in the chain's
    ERC-1056 DID registry. Verifiers accept the issuer of a credential only when its registry is the bound one. A
    did:ethr issuer needs no binding: its account is its identity. Binding again is harmless: an issuer already
    bound for its registry is told so and nothing is sent; one bound by an older binding that names no credential
    registry is bound again, for its registry.

    \b
    Example:
      microcred issuer bind tu-munich
    """
    from microcred.cli._issue import issuer_locked

    session = issuer_session(app, name)
    with issuer_locked(app, session.profile.name, "bind"):
        _bind(app, session)


def _bind(app: AppContext, session: IssuerSession) -> None:
    from microcred.cli._node import persist_confirmed
    from microcred.did import Keystore
    from microcred.did import publish_binding
    from microcred.did import EthrDIDController

    profile = session.profile
    if profile.did.startswith("did:ethr:"):
        app.emit({"did": profile.did, "bound": True}, f"{profile.did} is a did:ethr: its account is its identity")
        return
    chain = session.chain
    from microcred.did import verify_binding
    from microcred.did import EthrResolver

    registry = profile.registry  # the credential registry the issuer anchors in
    resolver = EthrResolver(chain.w3, chain.address_of("EthereumDIDRegistry"), chain.chain_id)
    sender = chain.sender(session.account, journal=tx_journal(app, session))  # a rerun after a kill never pays twice
    settle_journal(app, sender.journal, sender)
    current = verify_binding(resolver, session.account.address, profile.did, credential_registry=registry)
    if current.bound:  # idempotent: a second bind sends nothing
        app.emit({"did": profile.did, "account": session.account.address, "registry": registry,
                  "block": current.block, "already": True},
                 f"{profile.did} is already bound to account {session.account.address} for registry {registry} in "
                 f"block {current.block}; nothing was sent")
        return
    if current.code == "no-credential-registry":
        app.info(f"{profile.did} is bound by an older binding (block {current.block}) that names no credential "
                 f"registry; binding it again for registry {registry}")
    key = Keystore(app.home / "keys").load(profile.key, app.passphrase("unlock the issuer key"))
    what = f"binding {profile.did} to account {session.account.address}"
    controller = EthrDIDController(chain.w3, chain.address_of("EthereumDIDRegistry"), session.account,
                                   chain_id=chain.chain_id,
                                   send=lambda fn: sender.send(fn, contract="EthereumDIDRegistry", what=what).raw)
    receipt = publish_binding(controller, profile.did, key, verification_method=profile.verification_method,
                              credential_registry=registry)
    persist_confirmed(app)
    block = receipt["blockNumber"] if isinstance(receipt, dict) or hasattr(receipt, "__getitem__") else None
    app.emit({"did": profile.did, "account": session.account.address, "registry": registry, "block": block},
             f"bound {profile.did} to account {session.account.address} for registry {registry} (block {block})")
