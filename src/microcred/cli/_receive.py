"""``microcred wallet receive OFFER --holder KEY``: take a credential an issuer offers (OpenID4VCI 1.0,
pre-authorized code flow) into the wallet, issued to the holder key's did:key. See docs/oid4vci.md."""

from __future__ import annotations

import click

from microcred.cli._app import AppContext, pass_app
from microcred.cli._wallet import open_wallet, wallet
from microcred.did import HTTPSFetcher, Keystore
from microcred.errors import InvalidInputError
from microcred.oid4vci import receive_credential


@wallet.command("receive")
@click.argument("offer")
@click.option("--holder", "holder_key", required=True, metavar="KEY",
              help="The keystore key (ed25519 or p256) the credential is issued to, as its did:key.")
@click.option("--tx-code", default=None, help="The transaction code the issuer sent you, if the offer asks for one.")
@pass_app
def receive(app: AppContext, offer: str, holder_key: str, tx_code: str | None) -> None:
    """Receive the credential an issuer offers (an openid-credential-offer:// link or QR code) into the wallet.

    The wallet proves it holds KEY (a key proof over the issuer's nonce); the issuer issues the credential to
    KEY's did:key. Every request is HTTPS to public addresses only (an offer cannot make the wallet probe your
    network), with a timeout and a size limit.

    \b
    Example:
      microcred wallet receive 'openid-credential-offer://?credential_offer=%7B...%7D' --holder learner
    """
    store = Keystore(app.home / "keys")
    info = store.info(holder_key)  # a missing key fails before any prompt
    if info.key_type not in ("ed25519", "p256"):
        raise InvalidInputError(f"key {holder_key!r} is {info.key_type}: receive with an ed25519 or p256 key "
                                "(the key proof is EdDSA or ES256)")
    passphrase = app.passphrase(f"unlock key {holder_key!r} and the wallet")
    key = store.load(holder_key, passphrase)
    fetcher = HTTPSFetcher(allow_private_network=app.allow_private_network)
    got = receive_credential(offer, key, fetcher, tx_code=tx_code, progress=app.info)
    for done in open_wallet(app, passphrase).add([got.credential], source=got.credential_issuer):
        app.emit({"id": done.entry.id, "action": done.action, "issuer": got.credential_issuer,
                  "issuerName": got.issuer_name, "holder": key.did},
                 f"{done.action:<8} {done.entry.id}  from {got.issuer_name or got.credential_issuer}, "
                 f"issued to {key.did}")
