"""``components``: a stacked credential's components (its ``relatedResource`` references, see
:mod:`microcred.registry.issuance._stack`) are each given, unchanged (same digest), valid as of the check's time
(verified by the same verifier, so revoked or suspended fails), and of the same learner.

The components are given to the check (``verify --component FILE``, or a wallet's credentials): without one of
them the check could not be made — never "invalid"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from microcred.registry.issuance import component_digest, component_references, learner_key
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import ERROR, FAIL, PASS, Outcome

__all__ = ["ComponentsCheck"]


class ComponentsCheck:
    """``available``: the credentials that may be components (any others are ignored). The verifier this check is
    given to (:meth:`bind`) verifies the components."""

    name = "components"

    def __init__(self, available: Iterable[Mapping[str, Any]] = ()) -> None:
        self.available = [dict(c) for c in available]
        self.verifier: Any = None

    def bind(self, verifier: Any) -> None:
        self.verifier = verifier

    @staticmethod
    def applies(subject: Subject) -> bool:
        return bool(component_references(subject.doc))

    def run(self, subject: Subject, view: ChainView | None) -> Outcome | None:
        refs = component_references(subject.doc)
        by_id: dict[str, list[dict[str, Any]]] = {}
        for doc in self.available:
            if isinstance(doc.get("id"), str):
                by_id.setdefault(doc["id"], []).append(doc)
        found: list[tuple[str, dict[str, Any]]] = []
        missing: list[str] = []
        for ref in refs:
            same_id = by_id.get(ref["id"], [])
            match = next((d for d in same_id if component_digest(d) == ref["digestMultibase"]), None)
            if match is not None:
                found.append((ref["id"], match))
            elif same_id:
                return FAIL, (f"component {ref['id']} was given, but its digest is not the one the stacked "
                              "credential references: it was changed")
            else:
                missing.append(ref["id"])
        learner = learner_key(subject.doc)
        for ident, doc in found:
            if learner_key(doc) != learner:
                return FAIL, f"component {ident} is another learner's ({learner_key(doc)}, not {learner})"
        if found and self.verifier is None:
            return ERROR, "could not check: no verifier to check the components with"
        verdicts = self.verifier.verify([(ident, doc) for ident, doc in found], at=subject.at,
                                        block=subject.block) if found else []
        bad = [(ident, v) for (ident, _), v in zip(found, verdicts) if v.outcome == "invalid"]
        if bad:
            return FAIL, "; ".join(f"component {ident} is not valid (status: {v.status}; "
                                   + ", ".join(f"{c.name}: {c.detail}" for c in v.ordered_checks()
                                               if c.result == FAIL) + ")" for ident, v in bad)
        unknown = [ident for (ident, _), v in zip(found, verdicts) if v.outcome != "valid"]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"{len(missing)} of {len(refs)} components not given ({', '.join(missing)}; give them "
                             "with --component FILE or keep them in the wallet)")
            if unknown:
                parts.append(f"component(s) {', '.join(unknown)} could not be verified")
            return ERROR, "could not check: " + "; ".join(parts)
        return PASS, (f"{len(refs)} components, each unchanged (digest), valid and the same learner's: "
                      + ", ".join(str(v.summary.get("achievement") if v.summary else ident)
                                  for (ident, _), v in zip(found, verdicts)))
