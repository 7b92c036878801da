"""``format``: VC 2.0 / Open Badges 3.0 / EU Annex I elements."""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from microcred.registry.credential._model import format_problems
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import FAIL, PASS, Outcome

__all__ = ["FormatCheck"]


class FormatCheck:
    """``problems(doc)`` lists what is wrong in plain words (default: the micro-credential profile's)."""

    name = "format"

    def __init__(self, problems: Callable[[Any], list[str]] = format_problems, *, shown: int = 6) -> None:
        self.problems = problems
        self.shown = shown

    def run(self, subject: Subject, view: ChainView | None) -> Outcome:
        found = self.problems(subject.doc)
        if not found:
            return PASS, "a VC 2.0 Open Badges 3.0 micro-credential with every Annex I element"
        more = f" (and {len(found) - self.shown} more)" if len(found) > self.shown else ""
        return FAIL, "; ".join(found[:self.shown]) + more
