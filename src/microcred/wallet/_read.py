"""What goes into a wallet: the credentials a file holds, whatever its container — JSON, a baked PNG or SVG badge, a
VC-JWT, a Verifiable Presentation (each of its credentials), or a PDF certificate with the credential embedded
(``microcred pdf``; read by :func:`microcred.registry.credential.read_container`, as every container is)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred.errors import InvalidInputError
from microcred.registry.credential import read_container
from microcred.registry.presentation import is_presentation, presented_credentials

__all__ = ["credentials_in", "read_credentials_file"]

#: the largest file `wallet add` reads (a PDF certificate with its pictures and attachment, or a badge image)
MAX_INPUT_BYTES = 32 * 1024 * 1024


def _is_credential(doc: Any) -> bool:
    if not isinstance(doc, Mapping):
        return False
    types = doc.get("type")
    return "VerifiableCredential" in (types if isinstance(types, list) else [types]) and \
        doc.get("credentialSubject") is not None


def credentials_in(data: bytes, *, source: str = "the file") -> list[dict[str, Any]]:
    """The credentials in ``data``: one for a credential (JSON, baked image, VC-JWT, PDF), each of a presentation's.

    :raises InvalidInputError: anything that holds no credential, with what it is (a PDF without an embedded
        credential: :class:`~microcred.registry.credential.NoEmbeddedCredentialError`)
    """
    doc = read_container(data, source=source)
    if is_presentation(doc):
        credentials = presented_credentials(doc)
        if not credentials:
            raise InvalidInputError(f"{source}: a presentation that carries no credential")
    else:
        credentials = [doc]
    for position, credential in enumerate(credentials, start=1):
        if not _is_credential(credential):
            where = source if len(credentials) == 1 else f"{source}, credential {position}"
            raise InvalidInputError(f"{where}: not a Verifiable Credential (no VerifiableCredential type or no "
                                    "credentialSubject)")
    return [dict(c) if getattr(c, "jws", None) is None else c for c in credentials]


def read_credentials_file(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """:func:`credentials_in` of a file, its size checked before it is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InvalidInputError(f"{path}: too large ({size} bytes; at most {MAX_INPUT_BYTES})")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path}: a directory, not a credential file") from None
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc})") from None
    return credentials_in(data, source=str(path))
