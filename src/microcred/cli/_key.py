"""``microcred key``: create, list, export and import the named keys of ``<home>/keys``.

Keys are encrypted at rest with the passphrase (``$MICROCRED_PASSPHRASE`` or a prompt); see
:class:`microcred.did.Keystore`. No command prints a private key unless ``export --private --yes-i-know`` asks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.did import KEY_TYPES, KeyExistsError, KeyInfo, Keystore, check_key_name
from microcred.errors import InvalidInputError


def open_keystore(app: AppContext) -> Keystore:
    """The keystore of the app's home: ``<home>/keys``."""
    return Keystore(app.home / "keys")


def _as_json(info: KeyInfo) -> dict[str, Any]:
    out: dict[str, Any] = {"name": info.name, "type": info.key_type, "did": info.did}
    if info.eth_address is not None:
        out["ethAddress"] = info.eth_address
    return out


def _as_text(info: KeyInfo) -> str:
    lines = [f"name:        {info.name}", f"type:        {info.key_type}", f"did:         {info.did}"]
    if info.eth_address is not None:
        lines.append(f"eth address: {info.eth_address}")
    return "\n".join(lines)


def _refuse_existing(store: Keystore, name: str, force: bool) -> None:
    """Fail before asking for a passphrase when the name is taken."""
    if not force and store.exists(name):
        raise KeyExistsError(f"a key named {name!r} exists already in {store.directory} (use --force to replace it)")


@cli.group("key")
def key() -> None:
    """Create, list, export and import keys (stored encrypted in <home>/keys).

    \b
    Example:
      microcred key new issuer --type secp256k1
    """


@key.command("new")
@click.argument("name")
@click.option("--type", "key_type", type=click.Choice(KEY_TYPES), default="ed25519", show_default=True,
              help="Key type: ed25519 signs credentials (eddsa), p256 too (ecdsa), secp256k1 is an Ethereum account.")
@click.option("--force", is_flag=True, help="Replace an existing key of that name (the old key is lost).")
@pass_app
def new(app: AppContext, name: str, key_type: str, force: bool) -> None:
    """Create key NAME and print its type, did:key (and Ethereum address for secp256k1).

    The passphrase comes from $MICROCRED_PASSPHRASE or is asked twice.

    \b
    Examples:
      microcred key new issuer
      microcred key new chain-account --type secp256k1
    """
    check_key_name(name)
    store = open_keystore(app)
    _refuse_existing(store, name, force)
    info = store.create(name, key_type, app.passphrase(f"encrypt key {name!r}", confirm=True), overwrite=force)
    app.emit(_as_json(info), _as_text(info))


@key.command("list")
@pass_app
def list_keys(app: AppContext) -> None:
    """List the stored keys: name, type, did:key, Ethereum address. Needs no passphrase.

    \b
    Example:
      microcred --json key list
    """
    store = open_keystore(app)
    app.emit_list(store.list(), empty=f"no keys in {store.directory} (create one with `microcred key new NAME`)",
                  as_json=_as_json, table=_key_table)


def _key_table(infos: Sequence[KeyInfo]) -> Iterator[str]:
    width = max(4, *(len(i.name) for i in infos))
    yield f"{'NAME':<{width}}  {'TYPE':<9}  DID / ETH ADDRESS"
    for info in infos:
        extra = f"  {info.eth_address}" if info.eth_address else ""
        yield f"{info.name:<{width}}  {info.key_type:<9}  {info.did}{extra}"


@key.command("export")
@click.argument("name")
@click.option("--private", is_flag=True, help="Include the private key ('d'). Needs --yes-i-know.")
@click.option("--yes-i-know", "yes_i_know", is_flag=True,
              help="Confirm that the private key may be written out in clear.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JWK to this new file (mode 0600) instead of stdout.")
@pass_app
def export(app: AppContext, name: str, private: bool, yes_i_know: bool, out: Path | None) -> None:
    """Print key NAME as a JWK: the public key, or with --private --yes-i-know the private key too.

    \b
    Examples:
      microcred key export issuer > issuer.pub.jwk
      microcred key export issuer --private --yes-i-know --out issuer.jwk
    """
    store = open_keystore(app)
    if private and not yes_i_know:
        raise click.UsageError("--private writes the secret key in clear: add --yes-i-know to confirm")
    if private:
        store.info(name)  # a missing key fails before the passphrase prompt
        jwk = store.export_jwk(name, app.passphrase(f"decrypt key {name!r}"), private=True)
        app.info(f"warning: the output holds the PRIVATE key of {name!r}; anyone who reads it can sign as you")
    else:
        jwk = store.export_jwk(name)
    text = json.dumps(jwk, indent=2)
    if out is None:
        click.echo(text)
        return
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInputError(f"{out} exists already: choose a new file") from None
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    app.info(f"wrote {out}")


@key.command("import")
@click.argument("name")
@click.argument("file", type=click.File("r"))
@click.option("--force", is_flag=True, help="Replace an existing key of that name (the old key is lost).")
@pass_app
def import_(app: AppContext, name: str, file: IO[str], force: bool) -> None:
    """Import a private JWK (with "d") from FILE ('-' for stdin) as key NAME.

    \b
    Example:
      microcred key import issuer issuer.jwk
    """
    check_key_name(name)
    store = open_keystore(app)
    _refuse_existing(store, name, force)
    try:
        jwk = json.loads(file.read())
    except ValueError as exc:
        raise InvalidInputError(f"{file.name} is not a JSON JWK: {exc}") from None
    if not isinstance(jwk, dict):
        raise InvalidInputError(f"{file.name} does not hold a JWK object")
    info = store.import_jwk(name, jwk, app.passphrase(f"encrypt key {name!r}", confirm=True), overwrite=force)
    app.emit(_as_json(info), _as_text(info))
