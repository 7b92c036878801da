"""`microcred bake FILE --image badge.png|badge.svg --out OUT`: a baked badge (the credential inside the image)."""

from __future__ import annotations

from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import InvalidInputError


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--image", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The badge image, PNG or SVG.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the baked badge.")
@pass_app
def bake(app: AppContext, file: Path, image: Path, out: Path) -> None:
    """Bake a credential into a badge image (Open Badges 3.0): a PNG gets an iTXt chunk 'openbadgecredential',
    an SVG an <openbadges:credential> element. `microcred verify` reads baked badges.

    \b
    Example:
      microcred bake ada.json --image badge.png --out ada-badge.png
      microcred verify ada-badge.png
    """
    from microcred.registry.credential import bake_png, bake_svg, read_container_file

    credential = read_container_file(file)
    if getattr(credential, "jws", None) is not None:
        raise InvalidInputError(f"{file}: a JWS credential is baked as its JSON only by its issuer; give the JSON")
    data = image.read_bytes()
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        baked: bytes = bake_png(data, credential)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(f"{image}: neither a PNG nor an SVG image") from None
        if "<svg" not in text:
            raise InvalidInputError(f"{image}: neither a PNG nor an SVG image")
        baked = bake_svg(text, credential).encode("utf-8")
    out.write_bytes(baked)
    app.emit({"file": str(file), "image": str(image), "out": str(out), "bytes": len(baked)},
             f"baked {file} into {out} ({len(baked)} bytes)")
