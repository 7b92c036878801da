"""``microcred present ID... --holder KEY --challenge C --domain D --out vp.json``: a Verifiable Presentation of
credentials of the wallet (or files), signed by the holder's key. See :mod:`microcred.registry.presentation`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from microcred._files import write_atomic
from microcred.cli._app import AppContext, cli, pass_app
from microcred.did import Keystore
from microcred.errors import InvalidInputError
from microcred.registry.presentation import create_presentation
from microcred.registry.proofs import CRYPTOSUITES
from microcred.wallet import NotInWalletError, read_credentials_file

#: the suite a holder key signs with unless --cryptosuite says otherwise
_SUITE_OF_KEY = {"ed25519": "eddsa-rdfc-2022", "p256": "ecdsa-rdfc-2019", "p384": "ecdsa-rdfc-2019"}


def _credentials(app: AppContext, refs: tuple[str, ...], passphrase: str) -> list[Any]:
    from microcred.cli._wallet import open_wallet

    store = open_wallet(app, passphrase)
    out: list[Any] = []
    for ref in refs:
        try:
            out.append(store.get(ref).credential)
        except NotInWalletError:
            if not Path(ref).is_file():
                raise
            out.extend(read_credentials_file(ref))
    return out


@cli.command("present")
@click.argument("refs", nargs=-1, required=True, metavar="ID...")
@click.option("--holder", "holder_key", required=True, metavar="KEY",
              help="Your key in the keystore (its did:key must be the credentials' subject).")
@click.option("--challenge", required=True, help="The challenge the verifier gave you (it makes the copy useless "
                                                 "to anyone else).")
@click.option("--domain", default=None, help="The verifier's domain (e.g. https://hr.example), bound in the proof.")
@click.option("--cryptosuite", type=click.Choice(CRYPTOSUITES), default=None,
              help="Data Integrity suite (default: eddsa-rdfc-2022 for ed25519 keys, ecdsa-rdfc-2019 for p256).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the presentation here (default: stdout).")
@pass_app
def present(app: AppContext, refs: tuple[str, ...], holder_key: str, challenge: str, domain: str | None,
            cryptosuite: str | None, out: Path | None) -> None:
    """Present credentials ID... of the wallet (or credential files) to a verifier: a W3C Verifiable Presentation
    2.0 signed by your key with the verifier's challenge and domain. Each credential must be issued to your DID.

    \b
    Example:
      microcred present 3f2a9c01b2 --holder learner --challenge 8f3a --domain https://hr.example --out vp.json
      microcred verify vp.json --challenge 8f3a --domain https://hr.example
    """
    store = Keystore(app.home / "keys")
    info = store.info(holder_key)  # a missing key fails before the passphrase prompt
    suite = cryptosuite or _SUITE_OF_KEY.get(info.key_type)
    if suite is None:
        raise InvalidInputError(f"key {holder_key!r} is {info.key_type}: a presentation is signed with an ed25519 "
                                "or p256 key (`microcred key new NAME`)")
    passphrase = app.passphrase(f"unlock key {holder_key!r} and the wallet")
    credentials = _credentials(app, refs, passphrase)
    key = store.load(holder_key, passphrase)
    vp = create_presentation(credentials, key, holder=key.did, verification_method=f"{key.did}#"
                             f"{key.public_key_multibase}", challenge=challenge, domain=domain, cryptosuite=suite)
    text = json.dumps(vp, indent=2, ensure_ascii=False)
    if out is None:
        click.echo(text)
        return
    write_atomic(out, (text + "\n").encode("utf-8"))
    if app.json_output:
        app.emit({"file": str(out), "id": vp["id"], "holder": key.did, "credentials": len(credentials)})
    app.info(f"wrote {out}: {len(credentials)} credential(s) presented by {key.did}")
