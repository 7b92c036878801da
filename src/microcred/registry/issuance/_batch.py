"""Batch issuance: a course template and a learner list in, one signed micro-credential per learner out.

Inputs
    *Course template* (JSON, :class:`CourseTemplate`): the course-level Annex I elements (title, description,
    learning outcomes, ECTS or hours, EQF level, assessment, participation form, quality assurance, optional
    prerequisites, supervision, grading scheme, stackability, further information) and the validity rule.
    *Learner list* (CSV with a header row, or JSON Lines; :class:`Learner`): name, at least one of DID, e-mail,
    student id or national id, date of completion, optional start date and grade.

Bad rows: **all or nothing.** Every row is checked before anything is reserved or signed; if any row is invalid,
no credential is issued and :class:`LearnerFileError` lists every bad row as ``file:line: element … what``. A batch
therefore always covers the whole list, and fixing the file and running the same command again issues it whole.

Index allocation and crash safety
    Each credential carries a status index that the issuer must never use twice. :func:`issue_batch` proceeds so
    that a kill (or power loss) at any instant, followed by the same command, yields exactly one credential per
    learner with distinct indexes:

    1. *Reserve.* :class:`IndexAllocator` reserves the whole range for the batch in the issuer's state file
       (``<home>/issuers/NAME.state.json``), written with fsync and a directory fsync, **before anything is
       signed**. The state only moves forward, so an index handed to one batch is never handed to another. The
       reservation is keyed by the batch id (a hash of issuer, chain, template, learner rows and output directory),
       so a run killed right after reserving finds its own range again.
    2. *Journal.* The batch journal ``<out>/.microcred-batch-<id>.journal`` (JSON) fixes, for every learner row,
       its index, credential id (``urn:uuid``) and file name; it is written durably before signing and the
       reservation is then marked as bound to it. A re-run reads it and only issues what is missing, with the
       original index and id.
    3. *Write.* Each credential is written to a temporary file in the output directory and renamed into place
       (``os.replace``): a file name exists only with a complete credential in it, whatever kills the process.
       Files are **not** fsynced one by one (at 10,000 credentials that would dominate the run). After a process
       kill the kernel still holds their data; only an OS crash or power loss can lose it. That is covered because
       a re-run re-reads every existing file and re-signs, with the same index and id, any that is empty, truncated
       or not the journalled credential.
    4. *Complete.* Only after the file system is synced (``syncfs``/``sync``) and the directory fsynced is the
       journal marked complete and the batch reported as issued. Nothing is reported (and so handed out or
       anchored) before it is durable.

    A re-run of a complete batch changes nothing. An output directory holding an unfinished batch of *other*
    inputs is refused (finish that one first), so a changed learner file cannot leave two credentials for a learner.

Performance: the course-level part of the credential is built once per batch; per learner only the subject, id,
status entry and dates are filled in. Rows are validated by a small pydantic model (microseconds each); the
credential built for the first row is checked against the full :class:`MicroCredential` model before any index is
reserved.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from microcred._files import (
    fsync_directory,
    remove_stale_temporaries,
    sync_filesystem,
    write_json_atomic,
)
from microcred.errors import InvalidInputError
from microcred.registry.credential._documents import status_entry
from microcred.registry.credential._model import (
    CredentialFormatError,
    validate_microcredential,
)
from microcred.registry.issuance._allocate import IndexAllocator, IndexRange, _file_lock
from microcred.registry.issuance._build import _Builder, _slug
from microcred.registry.issuance._common import (
    _FILE_NAME,
    _JOURNAL_PREFIX,
    _JOURNAL_SUFFIX,
    _LOCK_NAME,
    JOURNAL_FORMAT,
    BatchConflictError,
    Hook,
    IssuanceError,
    Progress,
    Sign,
    _iso,
    _journal_path,
    _read_journal,
)
from microcred.registry.issuance._issuer import IssuerProfile
from microcred.registry.issuance._learners import Learner
from microcred.registry.issuance._template import CourseTemplate

__all__ = [
    "BatchResult",
    "CredentialWriter",
    "DiskFullError",
    "IssuedCredential",
    "batch_id_for",
    "issue_batch",
]


# -- the batch --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCredential:
    """One credential of a batch: its learner row, status index, id and file; ``new`` if written by this run."""

    row: int
    line: int
    learner: str
    index: int
    id: str
    path: Path
    new: bool


@dataclass
class BatchResult:
    """What :func:`issue_batch` did."""

    batch_id: str
    out_dir: Path
    indexes: IndexRange
    journal: Path
    credentials: list[IssuedCredential] = field(default_factory=list)

    @property
    def issued_now(self) -> int:
        return sum(1 for c in self.credentials if c.new)

    @property
    def already_present(self) -> int:
        return sum(1 for c in self.credentials if not c.new)

    def summary(self) -> dict[str, Any]:
        return {"batch": self.batch_id, "outDir": str(self.out_dir), "total": len(self.credentials),
                "issued": self.issued_now, "alreadyPresent": self.already_present,
                "firstIndex": self.indexes.first, "lastIndex": self.indexes.last, "journal": str(self.journal)}


def batch_id_for(profile: IssuerProfile, template: CourseTemplate, learners: Sequence[Learner],
                 out_dir: Path) -> str:
    """The id of a batch: the same issuer, chain, template, learners and output directory give the same id."""
    digest = hashlib.sha256()
    head = {"issuer": profile.name, "did": profile.did, "chain": profile.chain, "registry": profile.registry,
            "account": profile.account, "out": str(Path(out_dir).resolve())}
    digest.update(json.dumps(head, sort_keys=True).encode())
    digest.update(template.canonical().encode())
    for learner in learners:
        digest.update(b"\n" + json.dumps(learner.canonical(), sort_keys=True).encode())
    return digest.hexdigest()


def _credential_ok(path: Path, entry: Mapping[str, Any]) -> bool | None:
    """True: the journalled credential is on disk, signed. None: no file. False: damaged file (re-sign).
    :class:`BatchConflictError` when the file holds another credential."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        return False
    if not isinstance(doc, dict):
        return False
    if doc.get("id") != entry["id"]:
        raise BatchConflictError(f"{path} holds credential {doc.get('id')!r}, not {entry['id']} of this batch: "
                                 "move it away or choose another output directory")
    try:
        index = status_entry(doc)["statusIndex"]
    except InvalidInputError:
        return False
    return bool(doc.get("proof")) and index == entry["index"]


def _write_credential(out_dir: Path, name: str, doc: dict[str, Any]) -> None:
    """Atomic, not yet durable: the batch syncs its file system once when every file is written."""
    write_json_atomic(out_dir / name, doc, durable=False)


#: writes one credential file: (output directory, file name, document); injectable to test a full disk
CredentialWriter = Callable[[Path, str, dict[str, Any]], None]

_DISK_FULL: Final = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class DiskFullError(IssuanceError, OSError):
    """The disk filled up (or a quota was reached) during a batch: the message says what was written and how to
    resume (run the same command again once there is space: the batch resumes, reusing its indexes)."""

    def __str__(self) -> str:
        return str(self.strerror)


def _unfinished_other_batches(out_dir: Path, batch_id: str) -> list[dict[str, Any]]:
    others = []
    for path in out_dir.glob(f"{_JOURNAL_PREFIX}*{_JOURNAL_SUFFIX}"):
        data = _read_journal(path)
        if data and data.get("batch") != batch_id and not data.get("complete"):
            others.append({**data, "_path": path})
    return others


def issue_batch(profile: IssuerProfile, template: CourseTemplate, learners: Sequence[Learner],
                out_dir: str | os.PathLike[str], sign: Sign, allocator: IndexAllocator,
                now: Callable[[], datetime] | datetime, *, progress: Progress | None = None,
                hook: Hook | None = None, source: str = "",
                writer: CredentialWriter | None = None) -> BatchResult:
    """Issue one signed credential per learner into ``out_dir`` (see the module docstring for the guarantees).

    ``sign`` turns an unsigned credential into a signed one; ``allocator`` reserves status indexes; ``now`` gives
    the issuing time (one instant per run); ``progress(done, total)`` is called as credentials are written;
    ``hook(stage, details)`` is called at each durable step. Running it again with the same inputs resumes an
    interrupted batch and leaves a complete one unchanged. ``writer`` writes each credential file; a full disk
    (``ENOSPC``, a quota) anywhere in the batch is a :class:`DiskFullError` saying what was written.
    """
    if not learners:
        raise InvalidInputError("the learner list is empty: nothing to issue")
    writer = writer or _write_credential
    builder = _Builder(profile, template)  # fails early when the profile has no chain/registry/account
    issued_at = now() if callable(now) else now
    # a template or profile that cannot make a valid credential is refused before any index is reserved
    sample = builder.build(learners[0], credential_id=f"urn:uuid:{uuid.UUID(int=0)}", index=0, issued_at=issued_at)
    problems = validate_microcredential(sample)
    if problems:
        raise CredentialFormatError(problems, f"the credential built for {source or 'the list'} line "
                                              f"{learners[0].line}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    batch_id = batch_id_for(profile, template, learners, out)
    journal_path = _journal_path(out, batch_id)
    emit = hook or (lambda stage, details: None)
    written: dict[str, Any] = {}
    try:
        with _file_lock(out / _LOCK_NAME, what=f"output directory {out}"):
            remove_stale_temporaries(out)
            journal = _read_journal(journal_path)
            if journal is None:
                others = _unfinished_other_batches(out, batch_id)
                if others:
                    o = others[0]
                    raise BatchConflictError(
                        f"{out} holds an unfinished batch of other inputs ({o.get('source') or o['_path']}, indexes "
                        f"{o['first']}-{o['first'] + o['count'] - 1}): run that command again to finish it, or issue "
                        "into another directory")
                journal = _start_journal(profile, template, learners, out, batch_id, journal_path, allocator, source,
                                         emit)
            elif journal.get("batch") != batch_id:
                raise BatchConflictError(f"{journal_path} belongs to batch {journal.get('batch')}, not {batch_id}")
            else:
                allocator.bind(batch_id, journal_path)  # a no-op unless killed between journal and bind
            indexes = IndexRange(journal["first"], journal["count"])
            result = BatchResult(batch_id, out, indexes, journal_path)
            written["result"] = result
            entries = journal["entries"]
            if len(entries) != len(learners):
                raise BatchConflictError(f"{journal_path} lists {len(entries)} learners, the list has {len(learners)}")
            for entry in entries:
                if not (isinstance(entry.get("file"), str) and _FILE_NAME.fullmatch(entry["file"])
                        and entry.get("index") in indexes):
                    raise BatchConflictError(f"{journal_path} is damaged: entry {entry!r} is not one of this batch")
            total = len(entries)
            todo: list[tuple[dict[str, Any], Learner]] = []
            present = set(os.listdir(out))
            for entry, learner in zip(entries, learners):
                state = _credential_ok(out / entry["file"], entry) if entry["file"] in present else None
                if state:
                    result.credentials.append(_issued(entry, learner, out, new=False))
                elif journal.get("complete"):
                    what = "is gone" if state is None else "is damaged"
                    raise BatchConflictError(f"batch {batch_id[:16]} was completed, but {out / entry['file']} {what}; "
                                             "restore it from a backup (a credential is never issued twice)")
                else:
                    todo.append((entry, learner))
            done = len(result.credentials)
            if progress:
                progress(done, total)
            if not todo and journal.get("complete"):
                result.credentials.sort(key=lambda c: c.row)
                return result
            for entry, learner in todo:
                unsigned = builder.build(learner, credential_id=entry["id"], index=entry["index"], issued_at=issued_at)
                signed = sign(unsigned)
                if not isinstance(signed, dict) or not signed.get("proof") or signed.get("id") != entry["id"]:
                    raise IssuanceError("the signer returned a credential without a proof or with another id")
                if isinstance(signed["proof"], dict):  # OB 3.0 wants a proof array in every form
                    signed = {**signed, "proof": [signed["proof"]]}
                writer(out, entry["file"], signed)
                result.credentials.append(_issued(entry, learner, out, new=True))
                done += 1
                emit("written", {"row": entry["row"], "index": entry["index"], "file": entry["file"]})
                if progress:
                    progress(done, total)
            sync_filesystem(out)
            fsync_directory(out)
            emit("synced", {"count": total})
            journal["complete"] = True
            journal["completedAt"] = _iso(issued_at)
            write_json_atomic(journal_path, journal, indent=None)
            emit("complete", {"batch": batch_id})
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            raise
        partial: BatchResult | None = written.get("result")
        where = f" writing {exc.filename}" if exc.filename else ""
        if partial is None:
            situation = "nothing of this batch was written yet (no credential, no index reserved unless said above)"
        else:
            new_now = sum(1 for c in partial.credentials if c.new)
            situation = (f"{len(partial.credentials)} of {len(learners)} credentials are in {out} ({new_now} "
                         f"written by this run), status indexes {partial.indexes} reserved, journal {journal_path}")
        raise DiskFullError(exc.errno, f"the disk is full ({exc.strerror or exc}){where}: {situation}. Nothing is "
                            "lost: free some space and run the same command again; it resumes the batch with the "
                            "same indexes") from exc
    result.credentials.sort(key=lambda c: c.row)
    return result


def _issued(entry: Mapping[str, Any], learner: Learner, out: Path, *, new: bool) -> IssuedCredential:
    return IssuedCredential(row=entry["row"], line=entry["line"], learner=learner.name, index=entry["index"],
                            id=entry["id"], path=out / entry["file"], new=new)


def _start_journal(profile: IssuerProfile, template: CourseTemplate, learners: Sequence[Learner], out: Path,
                   batch_id: str, journal_path: Path, allocator: IndexAllocator, source: str,
                   emit: Hook) -> dict[str, Any]:
    previous = allocator.reservation(batch_id)
    if previous is not None and previous[1] is not None:
        raise BatchConflictError(
            f"this batch was issued before (indexes {previous[0]}) into {out}, but its journal {journal_path} is "
            "gone; its indexes are never reused: issue into another output directory")
    indexes = allocator.reserve(batch_id, len(learners))
    emit("reserved", {"first": indexes.first, "count": indexes.count})
    entries = []
    names: set[str] = set()
    for row, learner in enumerate(learners):
        index = indexes.first + row
        name = f"{index:06d}-{_slug(learner.name)}.json"
        if name in names:  # pragma: no cover - indexes are distinct
            raise IssuanceError(f"file name {name} twice in one batch")
        names.add(name)
        entries.append({"row": row, "line": learner.line, "index": index, "id": f"urn:uuid:{uuid.uuid4()}",
                        "file": name})
    journal = {"format": JOURNAL_FORMAT, "version": 1, "batch": batch_id, "issuer": profile.name,
               "issuerDid": profile.did, "course": template.title, "source": source, "first": indexes.first,
               "count": indexes.count, "complete": False, "entries": entries}
    write_json_atomic(journal_path, journal, indent=None)
    allocator.bind(batch_id, journal_path)
    emit("journaled", {"journal": str(journal_path)})
    return journal
