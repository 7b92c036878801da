"""W3C Bitstring Status List: the list credentials a credential's ``BitstringStatusListEntry`` points to, read
offline or fetched over HTTPS (the did:web fetcher: timeout, size limit, public addresses only) and cached for
their ``ttl``; and the status an entry reads in a list."""

from __future__ import annotations

import base64
import gzip
import json
import time
from dataclasses import dataclass
from collections.abc import Callable, Iterable
from typing import Any

from microcred.errors import InvalidInputError, NetworkError

__all__ = ["DEFAULT_TTL_MS", "ENTRY_TYPE", "MAX_LIST_BYTES", "ListStatus", "StatusLists", "list_entries",
           "read_entry"]

ENTRY_TYPE = "BitstringStatusListEntry"
#: how long a fetched list is kept when it says no ``ttl`` (milliseconds, as ``ttl`` is)
DEFAULT_TTL_MS = 300_000
#: a list credential larger than this (or a list that decompresses larger than 16 times this) is refused
MAX_LIST_BYTES = 1024 * 1024
#: a list that could not be fetched is not asked for again for this long (seconds)
FAILURE_TTL_S = 60.0


def list_entries(doc: dict) -> list[dict]:
    """The credential's ``BitstringStatusListEntry`` objects."""
    entries = doc.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries]
    return [e for e in entries if isinstance(e, dict) and e.get("type") == ENTRY_TYPE]


@dataclass(frozen=True)
class ListStatus:
    """What one entry reads in its list: ``purpose``, the ``value`` of its ``statusSize`` bits, and for
    ``message`` lists the ``message`` the list gives that value."""

    purpose: str
    value: int
    message: str | None = None

    @property
    def label(self) -> str:
        if self.purpose in ("revocation", "suspension"):
            return ("revoked" if self.purpose == "revocation" else "suspended") if self.value else "active"
        return self.message or f"{self.purpose} {self.value:#x}"


def _decode(encoded: Any) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise InvalidInputError("the list's encodedList is not multibase base64url (it starts with 'u')")
    text = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return gzip.GzipFile(fileobj=__import__("io").BytesIO(packed)).read(16 * MAX_LIST_BYTES + 1)
    except (ValueError, OSError, EOFError) as exc:
        raise InvalidInputError(f"the list's encodedList is not GZIP-compressed base64url: {exc}") from None


def _whole(value: Any, what: str) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"{what} must be a whole number, not {value!r}")
    return value


def read_entry(entry: dict, list_credential: dict) -> ListStatus:
    """The status ``entry`` reads in ``list_credential`` (its purpose must match, its index be in the list)."""
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise InvalidInputError("the status list credential's subject is not a BitstringStatusList")
    purpose = entry.get("statusPurpose")
    listed = subject.get("statusPurpose")
    listed = listed if isinstance(listed, list) else [listed]
    if purpose not in listed:
        raise InvalidInputError(f"the entry's statusPurpose {purpose!r} is not the list's "
                                f"({', '.join(map(str, listed))})")
    size = _whole(entry.get("statusSize", 1), "statusSize")
    if not 1 <= size <= 64:
        raise InvalidInputError(f"statusSize {size} is out of range")
    index = _whole(entry.get("statusListIndex"), "statusListIndex")
    bits = _decode(subject.get("encodedList"))
    first, last = index * size, index * size + size - 1
    if last >= len(bits) * 8:
        raise InvalidInputError(f"statusListIndex {index} is outside the list of {len(bits) * 8 // size} entries")
    value = 0
    for position in range(first, last + 1):
        value = (value << 1) | bool(bits[position // 8] & (0x80 >> (position % 8)))
    message = None
    if size > 1 or purpose == "message":
        for m in entry.get("statusMessage") or []:
            if isinstance(m, dict) and str(m.get("status", "")).lower() in (hex(value), f"0x{value:02x}"):
                message = str(m.get("message"))
    return ListStatus(str(purpose), value, message)


class StatusLists:
    """Where list credentials come from: ``offline`` ones (by their ``id``, as ``--status-list FILE`` gives them),
    else fetched with ``fetcher`` (an :class:`microcred.did._net.HTTPSFetcher`; built with ``max_bytes`` when not
    given) and kept for their ``ttl``. ``clock`` gives seconds (monotonic)."""

    def __init__(self, offline: Iterable[dict] = (), *, fetcher: Any = None, max_bytes: int = MAX_LIST_BYTES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.offline = {str(d.get("id")): d for d in offline if isinstance(d, dict)}
        self._fetcher = fetcher
        self.max_bytes = max_bytes
        self.clock = clock
        self._cache: dict[str, tuple[float, dict]] = {}
        self._failed: dict[str, tuple[float, NetworkError]] = {}
        self.fetches = 0

    @property
    def fetcher(self) -> Any:
        if self._fetcher is None:
            from microcred.did._net import HTTPSFetcher

            self._fetcher = HTTPSFetcher(max_bytes=self.max_bytes)
        return self._fetcher

    def get(self, url: str) -> dict:
        """The list credential at ``url``; raises NetworkError when it cannot be fetched, InvalidInputError when
        what was fetched is not JSON."""
        if url in self.offline:
            return self.offline[url]
        kept = self._cache.get(url)
        if kept is not None and kept[0] > self.clock():
            return kept[1]
        if not url.startswith("https://"):
            raise InvalidInputError(f"the status list {url} is not an https:// URL (give it with --status-list FILE)")
        failed = self._failed.get(url)
        if failed is not None and failed[0] > self.clock():  # one wait per list, not one per credential naming it
            raise failed[1]
        self.fetches += 1
        try:
            body = self.fetcher.get(url, accept="application/vc+ld+json, application/ld+json, application/json").body
        except NetworkError as exc:
            self._failed[url] = (self.clock() + FAILURE_TTL_S, exc)
            raise
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise InvalidInputError(f"the status list {url} is not JSON") from None
        if not isinstance(doc, dict):
            raise InvalidInputError(f"the status list {url} is not a JSON object")
        ttl = doc.get("ttl", (doc.get("credentialSubject") or {}).get("ttl") if isinstance(
            doc.get("credentialSubject"), dict) else None)
        ttl_ms = ttl if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl >= 0 else DEFAULT_TTL_MS
        self._cache[url] = (self.clock() + ttl_ms / 1000, doc)
        return doc
