"""The issuer's lock: one microcred process at a time changes an issuer's state (issue, anchor, status, bind).

An exclusive advisory lock (``flock``) on ``<home>/state/<issuer>/lock``, released by the kernel when the process
ends, however it ends, so a killed process never leaves a stale lock. While it holds the lock a process writes its
id, its command and the time into the file, so a second process can say who it waits for.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Callable, Iterator

from microcred.errors import MicrocredError

__all__ = ["IssuerBusyError", "LockHolder", "issuer_lock"]


class IssuerBusyError(MicrocredError):
    """Another process holds the issuer's lock and the caller would not wait (or waited too long)."""

    exit_code = 2


class LockHolder(dict):
    """What the holding process wrote: ``pid``, ``command``, ``since`` (may be empty if it just took the lock)."""

    def describe(self) -> str:
        if not self.get("pid"):
            return "another microcred process"
        details = [str(self["command"])] if self.get("command") else []
        if self.get("since"):
            details.append(f"since {self['since']}")
        return f"process {self['pid']}" + (f" ({', '.join(details)})" if details else "")


def _holder(fd: int) -> LockHolder:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = json.loads(os.read(fd, 4096).decode() or "{}")
    except (OSError, ValueError):
        return LockHolder()
    return LockHolder(data) if isinstance(data, dict) else LockHolder()


@contextlib.contextmanager
def issuer_lock(path: str | os.PathLike[str], *, issuer: str, command: str, wait: bool = True,
                timeout: float | None = None, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the issuer's lock at ``path`` for the block.

    When another process holds it: with ``wait`` block until it is free (``on_wait`` is told once who holds it),
    giving up with :class:`IssuerBusyError` after ``timeout`` seconds if one is set; without ``wait`` raise
    :class:`IssuerBusyError` at once, naming the holder.
    """
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd).describe()
            message = f"issuer {issuer!r} is busy: {holder} holds its lock ({path})"
            if not wait:
                raise IssuerBusyError(message + "; try again when it has finished") from None
            if on_wait:
                on_wait(message + "; waiting for it to finish")
            if timeout is None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            else:
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise IssuerBusyError(f"{message}; gave up after {timeout:g} s") from None
                        time.sleep(0.05)
        record = {"pid": os.getpid(), "command": command,
                  "since": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(record).encode())
        try:
            yield
        finally:
            with contextlib.suppress(OSError):  # the lock itself is released below in any case
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
