"""``microcred wallet receive OFFER --holder KEY``: take a credential an issuer offers (OpenID4VCI 1.0,
pre-authorized code flow) into the wallet, issued to the holder key's did:key; ``wallet receive --pending`` asks
again for credentials the issuer hands over once anchored. See docs/oid4vci.md."""

from __future__ import annotations

import json
from pathlib import Path

import click

from microcred._files import write_atomic
from microcred.cli._app import AppContext, pass_app
from microcred.cli._wallet import open_wallet, wallet
from microcred.did import HTTPSFetcher, Keystore, open_sealed, seal_data
from microcred.errors import InvalidInputError
from microcred.oid4vci import Pending, Received, collect_deferred, receive_credential

_AAD = b"microcred-oid4vci-pending-v1"


def _pending_dir(app: AppContext) -> Path:
    return app.home / "wallet" / "pending"


def _keep_pending(app: AppContext, pending: Pending, passphrase: str) -> Path:
    """The deferred request, sealed with the wallet's passphrase (its access token obtains the credential)."""
    path = _pending_dir(app) / f"{pending.transaction_id[:32]}.json"
    sealed = seal_data(json.dumps(pending.to_json()).encode("utf-8"), passphrase, aad=_AAD)
    write_atomic(path, json.dumps({"format": "microcred-oid4vci-pending", "crypto": sealed}).encode("utf-8"),
                 mode=0o600)
    return path


def _add(app: AppContext, got: Received, passphrase: str, holder: str) -> None:
    assert got.credential is not None
    for done in open_wallet(app, passphrase).add([got.credential], source=got.credential_issuer):
        app.emit({"id": done.entry.id, "action": done.action, "issuer": got.credential_issuer,
                  "issuerName": got.issuer_name, "holder": holder, "pending": False},
                 f"{done.action:<8} {done.entry.id}  from {got.issuer_name or got.credential_issuer}, "
                 f"issued to {holder}")


@wallet.command("receive")
@click.argument("offer", required=False)
@click.option("--holder", "holder_key", default=None, metavar="KEY",
              help="The keystore key (ed25519 or p256) the credential is issued to, as its did:key.")
@click.option("--tx-code", default=None, help="The transaction code the issuer sent you, if the offer asks for one.")
@click.option("--pending", "collect", is_flag=True,
              help="Ask again for the credentials the issuers hand over once anchored (no OFFER then).")
@pass_app
def receive(app: AppContext, offer: str | None, holder_key: str | None, tx_code: str | None, collect: bool) -> None:
    """Receive the credential an issuer offers (an openid-credential-offer:// link or QR code) into the wallet.

    The wallet proves it holds KEY (a key proof over the issuer's nonce); the issuer issues the credential to
    KEY's did:key. An issuer that hands credentials over once anchored answers "pending": the request is kept
    (sealed with the wallet's passphrase) and `--pending` asks again. Every request is HTTPS to public addresses
    only (an offer cannot make the wallet probe your network), with a timeout and a size limit.

    \b
    Example:
      microcred wallet receive 'openid-credential-offer://?credential_offer=%7B...%7D' --holder learner
      microcred wallet receive --pending
    """
    fetcher = HTTPSFetcher(allow_private_network=app.allow_private_network)
    if collect:
        if offer is not None:
            raise click.UsageError("give an OFFER or --pending, not both")
        _collect(app, fetcher)
        return
    if offer is None or holder_key is None:
        raise click.UsageError("give the OFFER link and --holder KEY (or --pending)")
    store = Keystore(app.home / "keys")
    info = store.info(holder_key)  # a missing key fails before any prompt
    if info.key_type not in ("ed25519", "p256"):
        raise InvalidInputError(f"key {holder_key!r} is {info.key_type}: receive with an ed25519 or p256 key "
                                "(the key proof is EdDSA or ES256)")
    passphrase = app.passphrase(f"unlock key {holder_key!r} and the wallet")
    key = store.load(holder_key, passphrase)
    got = receive_credential(offer, key, fetcher, tx_code=tx_code, progress=app.info)
    if got.pending is not None:
        _keep_pending(app, got.pending, passphrase)
        app.emit({"id": None, "action": "pending", "issuer": got.credential_issuer, "issuerName": got.issuer_name,
                  "holder": key.did, "pending": True, "interval": got.pending.interval},
                 f"pending  {got.issuer_name or got.credential_issuer} hands the credential over once it is "
                 f"anchored: run `microcred wallet receive --pending` later (it asks to wait "
                 f"{got.pending.interval} s between tries)")
        return
    _add(app, got, passphrase, key.did)


def _collect(app: AppContext, fetcher: HTTPSFetcher) -> None:
    paths = sorted(_pending_dir(app).glob("*.json"))
    if not paths:
        app.emit({"pending": 0}, "nothing pending")
        return
    passphrase = app.passphrase("open the wallet")
    for path in paths:
        try:
            sealed = json.loads(path.read_text(encoding="utf-8"))["crypto"]
        except (OSError, ValueError, KeyError, TypeError):
            app.info(f"{path}: not a pending request (left alone)")
            continue
        pending = Pending.from_json(json.loads(open_sealed(sealed, passphrase, aad=_AAD, what=str(path))))
        got = collect_deferred(pending, fetcher)
        if got.pending is not None:
            app.emit({"id": None, "action": "pending", "issuer": pending.credential_issuer, "pending": True,
                      "holder": pending.holder},
                     f"pending  {pending.issuer_name or pending.credential_issuer}: not anchored yet")
            continue
        _add(app, got, passphrase, pending.holder)
        path.unlink()
