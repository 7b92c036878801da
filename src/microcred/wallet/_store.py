"""The wallet: a learner's credentials, kept in one file encrypted at rest (credentials hold personal data).

Format (``<directory>/wallet.json``, mode 0600 in a 0700 directory, written atomically)::

    {"format": "microcred-wallet", "version": 1,
     "crypto": {"kdf": "scrypt", ..., "cipher": "aes-256-gcm", "nonce": "<hex>", "ciphertext": "<hex>"}}

The ``crypto`` object is the keystore's (:func:`microcred.did.seal_data`: scrypt and AES-256-GCM under the holder's
keystore passphrase, ``format`` and ``version`` authenticated); the plaintext is ``{"credentials": [entry, …]}``,
each entry the credential as received (a VC-JWT keeps its JWS), where it came from, when, and the verdict of the
last ``wallet check``. Changes take a lock on ``<directory>/.wallet.lock``, so two commands never lose each other's.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from microcred._files import write_atomic
from microcred.did import DEFAULT_SCRYPT_N, open_sealed, seal_data
from microcred.errors import InvalidInputError, NotFoundError
from microcred.registry.credential import JWSCredential, anchor_proofs, credential_digest, signature_proofs
from microcred.registry.verify import Verification, credential_summary

__all__ = ["AddResult", "AmbiguousWalletIdError", "NotInWalletError", "Wallet", "WalletEntry", "WalletFormatError",
           "wallet_id_of"]

FORMAT: Final = "microcred-wallet"
VERSION: Final = 1
_FILE: Final = "wallet.json"
_LOCK: Final = ".wallet.lock"
_ID_LENGTH: Final = 10


class WalletFormatError(InvalidInputError):
    """The wallet file is not a microcred wallet, or its content is unreadable once opened."""


class NotInWalletError(NotFoundError):
    """No credential of the wallet has the id asked for."""


class AmbiguousWalletIdError(InvalidInputError):
    """An id prefix that names more than one credential of the wallet."""


def wallet_id_of(credential: Mapping[str, Any]) -> str:
    """The wallet's short id of a credential: the first hex digits of its digest (the anchored and the plain copy
    of a credential have the same), or of its JWS for a VC-JWT."""
    import hashlib

    jws = getattr(credential, "jws", None)
    if isinstance(jws, str):
        return hashlib.sha256(jws.encode("ascii")).hexdigest()[:_ID_LENGTH]
    return credential_digest(dict(credential)).hex()[:_ID_LENGTH]


@dataclass
class WalletEntry:
    """One credential of the wallet."""

    id: str
    credential: dict[str, Any]
    added_at: str
    source: str | None = None
    #: the last ``wallet check``: ``checkedAt``, ``outcome`` (valid|invalid|unknown), ``status``, ``checks``
    last_check: dict[str, Any] | None = None

    @property
    def credential_id(self) -> str | None:
        value = self.credential.get("id")
        return value if isinstance(value, str) else None

    @property
    def summary(self) -> dict[str, Any]:
        """What the credential says (:func:`microcred.registry.verify.credential_summary`)."""
        return credential_summary(dict(self.credential))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "addedAt": self.added_at, "source": self.source,
                               "lastCheck": self.last_check, "credential": dict(self.credential)}
        jws = getattr(self.credential, "jws", None)
        if isinstance(jws, str):
            out["jws"] = jws
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WalletEntry:
        credential = data["credential"]
        if not isinstance(credential, dict) or not isinstance(data["id"], str):
            raise ValueError("an entry without a credential object or id")
        if isinstance(data.get("jws"), str):
            credential = JWSCredential(credential, data["jws"])
        return cls(id=data["id"], credential=credential, added_at=str(data["addedAt"]), source=data.get("source"),
                   last_check=data.get("lastCheck"))


@dataclass(frozen=True)
class AddResult:
    """What :meth:`Wallet.add` did with one credential: ``added``, ``replaced`` (a copy with more proofs, e.g.
    the anchored original of a plain copy) or ``kept`` (already there)."""

    entry: WalletEntry
    action: str


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Wallet:
    """The wallet in ``directory`` (``<home>/wallet``), opened with ``passphrase``; ``scrypt_n`` is the KDF cost
    when it is written. Reading a wallet that does not exist yet gives no credentials (nothing is written)."""

    def __init__(self, directory: str | os.PathLike[str], passphrase: str, *, scrypt_n: int = DEFAULT_SCRYPT_N,
                 clock: Callable[[], datetime] = _now) -> None:
        self.directory = Path(directory)
        self.path = self.directory / _FILE
        self._passphrase = passphrase
        self.scrypt_n = scrypt_n
        self.clock = clock

    def __repr__(self) -> str:
        return f"Wallet({str(self.directory)!r})"

    @staticmethod
    def exists_in(directory: str | os.PathLike[str]) -> bool:
        """Whether a wallet was written in ``directory`` (no passphrase needed to tell)."""
        return (Path(directory) / _FILE).is_file()

    # -- reading ------------------------------------------------------------------------------------------------
    def entries(self) -> list[WalletEntry]:
        """Every credential of the wallet, in the order they were added."""
        return self._load()

    def get(self, ref: str) -> WalletEntry:
        """The entry ``ref`` names: its wallet id, a unique prefix of it (4 characters at least), or the
        credential's own ``id``."""
        return _find(self._load(), ref)

    # -- changing -----------------------------------------------------------------------------------------------
    def add(self, credentials: Sequence[Mapping[str, Any]], *, source: str | None = None) -> list[AddResult]:
        """Keep ``credentials`` (each once: a credential already there is kept, or replaced by a copy with more
        proofs)."""
        results: list[AddResult] = []
        with self._changing() as entries:
            by_id = {e.id: e for e in entries}
            for credential in credentials:
                wid = wallet_id_of(credential)
                doc = credential if isinstance(credential, JWSCredential) else dict(credential)
                known = by_id.get(wid)
                if known is None:
                    entry = WalletEntry(wid, doc, _stamp(self.clock()), source)
                    entries.append(entry)
                    by_id[wid] = entry
                    results.append(AddResult(entry, "added"))
                elif _proof_count(doc) > _proof_count(known.credential):
                    known.credential, known.source, known.last_check = doc, source, None
                    results.append(AddResult(known, "replaced"))
                else:
                    results.append(AddResult(known, "kept"))
        return results

    def remove(self, ref: str) -> WalletEntry:
        """Remove the credential ``ref`` names (see :meth:`get`) and return it."""
        with self._changing() as entries:
            entry = _find(entries, ref)
            entries.remove(entry)
        return entry

    def record_checks(self, verdicts: Mapping[str, Verification]) -> list[WalletEntry]:
        """Keep the verdict of each credential (by wallet id) as its last check; returns the entries updated."""
        when = _stamp(self.clock())
        updated = []
        with self._changing() as entries:
            for entry in entries:
                v = verdicts.get(entry.id)
                if v is None:
                    continue
                entry.last_check = {"checkedAt": when, "outcome": v.outcome, "status": v.status,
                                    "checks": [c.as_json() for c in v.ordered_checks()]}
                updated.append(entry)
        return updated

    # -- file ---------------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _changing(self) -> Iterator[list[WalletEntry]]:
        self._ensure_directory()
        with open(self.directory / _LOCK, "a+b") as lock:
            os.chmod(lock.name, 0o600)
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                entries = self._load()
                yield entries
                self._save(entries)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.directory.stat().st_mode & 0o077:
            self.directory.chmod(0o700)

    def _load(self) -> list[WalletEntry]:
        if not self.path.exists():
            return []
        try:
            record = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as exc:
            raise WalletFormatError(f"the wallet {self.path} cannot be read: {exc}") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("version") != VERSION \
                or not isinstance(record.get("crypto"), dict):
            raise WalletFormatError(f"{self.path} is not a microcred wallet (version {VERSION})")
        plain = open_sealed(record["crypto"], self._passphrase, aad=_aad(), what=f"the wallet {self.path}")
        try:
            content = json.loads(plain)
            return [WalletEntry.from_json(e) for e in content["credentials"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise WalletFormatError(f"the wallet {self.path} opened, but its content is unreadable: {exc}") \
                from None

    def _save(self, entries: list[WalletEntry]) -> None:
        plain = json.dumps({"credentials": [e.to_json() for e in entries]}, ensure_ascii=False,
                           separators=(",", ":")).encode("utf-8")
        record = {"format": FORMAT, "version": VERSION,
                  "crypto": seal_data(plain, self._passphrase, aad=_aad(), scrypt_n=self.scrypt_n)}
        write_atomic(self.path, (json.dumps(record, indent=2) + "\n").encode("utf-8"), mode=0o600)


def _aad() -> bytes:
    return json.dumps({"format": FORMAT, "version": VERSION}, sort_keys=True, separators=(",", ":")).encode()


def _proof_count(doc: Mapping[str, Any]) -> int:
    """How many proofs a copy carries (the signature, and the anchor proof that a plain export lacks)."""
    return len(signature_proofs(dict(doc))) + len(anchor_proofs(dict(doc)))


def _find(entries: list[WalletEntry], ref: str) -> WalletEntry:
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInputError("name a credential of the wallet by its id (see `microcred wallet list`)")
    ref = ref.strip()
    exact = [e for e in entries if e.id == ref or e.credential_id == ref]
    if len(exact) == 1:
        return exact[0]
    matches = [e for e in entries if len(ref) >= 4 and e.id.startswith(ref.lower())]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise AmbiguousWalletIdError(f"{ref!r} names {len(matches)} credentials of the wallet "
                                     f"({', '.join(e.id for e in matches)}): give more of the id")
    raise NotInWalletError(f"no credential {ref!r} in the wallet (see `microcred wallet list`)")
