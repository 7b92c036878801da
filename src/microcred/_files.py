"""The one atomic, durable file writer of microcred.

A file written here holds either its old or its new content, never half of either, whatever kills the process:
the bytes go to a temporary file beside it, are flushed and fsynced, and replace the file with ``os.replace``.
``durable`` also fsyncs the directory, so the rename itself survives a power cut; a batch of many files may pass
``durable=False`` and sync its file system once at the end (:func:`sync_filesystem`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["TMP_SUFFIX", "fsync_directory", "remove_stale_temporaries", "sync_filesystem", "write_atomic",
           "write_json_atomic"]

#: suffix of the temporary files this module writes (``.<name>.<random>.tmp``)
TMP_SUFFIX = ".tmp"


def fsync_directory(directory: Path) -> None:
    """Make the entries of ``directory`` (creations, renames) durable."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def sync_filesystem(directory: Path) -> None:
    """Flush the data of every file written to ``directory``'s file system (``syncfs``; ``sync`` elsewhere)."""
    try:
        import ctypes

        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        os.sync()
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, durable: bool = True, mode: int | None = None,
                 exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` all or nothing.

    ``mode`` sets the file's permissions before it gets its name (``0o600`` for secrets); ``exclusive`` refuses to
    replace an existing file (``FileExistsError``), atomically, so of two racing writers exactly one wins.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)  # mode 0600
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        if exclusive:
            os.link(tmp, path)  # atomic create-if-absent
            tmp.unlink()
        else:
            os.replace(tmp, path)
        if durable:
            fsync_directory(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_json_atomic(path: Path, data: Any, *, indent: int | None = 2, sort_keys: bool = False,
                      durable: bool = True, mode: int | None = None) -> None:
    """Write ``data`` as UTF-8 JSON (and a final newline) with :func:`write_atomic`."""
    text = json.dumps(data, indent=indent, ensure_ascii=False, sort_keys=sort_keys) + "\n"
    write_atomic(path, text.encode("utf-8"), durable=durable, mode=mode)


def remove_stale_temporaries(directory: Path) -> None:
    """Remove what a killed writer left in ``directory``: its temporary files, never a real one."""
    for tmp in Path(directory).glob(f".*{TMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
