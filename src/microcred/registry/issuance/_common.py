"""Shared by the issuance modules: the errors, the callback types, the batch journal's format and reading.

Part of batch issuance: see :mod:`microcred.registry.issuance._batch`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from microcred.errors import InvalidInputError, MicrocredError

__all__ = [
    "JOURNAL_FORMAT",
    "MAX_REPORTED",
    "STATE_FORMAT",
    "BatchConflictError",
    "Hook",
    "IssuanceError",
    "LearnerFileError",
    "Progress",
    "Sign",
    "TemplateError",
]



#: A signer: unsigned credential → the same credential with its proof.
Sign = Callable[[dict[str, Any]], dict[str, Any]]
#: Progress callback: (credentials done, total in the batch).
Progress = Callable[[int, int], None]
#: Test and audit hook: (stage, details); stages are reserved, journaled, written, synced, complete.
Hook = Callable[[str, dict[str, Any]], None]

JOURNAL_FORMAT: Final = "microcred-issue-journal"
STATE_FORMAT: Final = "microcred-index-state"
_JOURNAL_PREFIX: Final = ".microcred-batch-"
#: not ``.json``: whoever globs ``*.json`` in the output directory must find credentials only
_JOURNAL_SUFFIX: Final = ".journal"
_LOCK_NAME: Final = ".microcred-issue.lock"
_FILE_NAME: Final = re.compile(r"\d{6,}-[a-z0-9-]{1,40}\.json")
#: at most this many problems are spelled out in one error message
MAX_REPORTED: Final = 50


class TemplateError(InvalidInputError):
    """The course template is malformed; ``problems`` lists every problem (``file:line: element … what``)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(_summary(f"course template {source} is not valid", problems))


class LearnerFileError(InvalidInputError):
    """The learner list has bad rows; nothing was issued. ``problems`` names each (``file:line: …``)."""

    def __init__(self, source: str, problems: list[str], bad_rows: int = 0) -> None:
        self.source = source
        self.problems = problems
        self.bad_rows = bad_rows
        head = (f"learner list {source}: {bad_rows} row{'s' if bad_rows != 1 else ''} "
                f"{'are' if bad_rows != 1 else 'is'} invalid, no credential was issued" if bad_rows
                else f"learner list {source} cannot be read, no credential was issued")
        super().__init__(_summary(head, problems))


def read_input(path: Path, error: Callable[[str, list[str]], Exception], *, encoding: str = "utf-8") -> str:
    """The text of the input file ``path`` (a template, a learner list); ``error(source, [problem])`` when it is
    missing or is not text in ``encoding``."""
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise error(str(path), [f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(str(path), [f"{path}: cannot be read as UTF-8 text: {exc}"]) from None


class BatchConflictError(InvalidInputError):
    """The output directory holds something this batch must not overwrite or duplicate."""


class IssuanceError(MicrocredError):
    """Issuing went wrong in a way the inputs do not explain (e.g. the signer returned no proof)."""


def _summary(head: str, problems: list[str]) -> str:
    shown = problems[:MAX_REPORTED]
    more = len(problems) - len(shown)
    lines = "\n".join(f"  {p}" for p in shown)
    return f"{head}:\n{lines}" + (f"\n  … and {more} more" if more > 0 else "")


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidInputError("the issuing time must carry a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _journal_path(out_dir: Path, batch_id: str) -> Path:
    return out_dir / f"{_JOURNAL_PREFIX}{batch_id[:16]}{_JOURNAL_SUFFIX}"


def _read_journal(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise BatchConflictError(f"batch journal {path} is damaged ({exc}); it cannot be resumed safely") from None
    if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT:
        raise BatchConflictError(f"{path} is not a microcred batch journal")
    return data
