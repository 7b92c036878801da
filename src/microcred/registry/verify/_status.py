"""``status``: active / suspended / revoked, with reason and time, as the registry says (now or at ``--at``)."""

from __future__ import annotations

from datetime import datetime, timezone

from microcred.registry.ledger._client import Status, reason_label
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import ERROR, FAIL, PASS, SKIPPED, Outcome

__all__ = ["StatusCheck"]

_AFTER = {"revoked": Status.REVOKED, "suspended": Status.SUSPENDED, "reinstated": Status.ACTIVE}


def _fmt(ts: int | None) -> str:
    if ts is None:
        return "an unknown time"
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


class StatusCheck:
    name = "status"

    def run(self, subject: Subject, view: ChainView | None) -> Outcome | None:
        if subject.entry is None:
            from microcred.registry.credential._documents import has_registry_entry

            if not has_registry_entry(subject.doc):
                return SKIPPED, "the credential names no status in a registry"
            return FAIL, f"the credential's registry status entry is unusable: {subject.entry_problem}"
        if subject.result("anchor") == ERROR:
            return ERROR, "could not check: the anchor could not be checked, so the status cannot be either"
        if view is None:
            return None
        index = subject.entry["statusIndex"]
        batch = view.facts.get("batch")
        if batch is None:
            return FAIL, (f"no status: the anchor check failed, so index {index} is not known to belong to this "
                          "credential")
        state = view.state()
        current = state.statuses.get(index)
        if current is None:
            return ERROR, f"could not check: {view.endpoint.name} gave no status for index {index}"
        change = state.changes.get(index)
        at = subject.at
        if at is not None:  # as of a past time: replay the history up to it
            status = _AFTER[change.kind] if change else Status.ACTIVE
            if batch.anchored_at > at.timestamp():
                return FAIL, f"not yet anchored at {at:%Y-%m-%d %H:%M UTC}"
        else:
            status = current
        view.facts["status"] = status.label
        if status == Status.ACTIVE:
            extra = ""
            if change and change.kind == "reinstated":
                extra = f" (reinstated {_fmt(change.time)}, {reason_label(change.reason)})"
            return PASS, f"active{extra}"
        if change is None:
            return FAIL, f"{status.label} (the reason could not be found in the issuer's history)"
        view.facts["status_change"] = change
        return FAIL, (f"{status.label} on {_fmt(change.time)} for reason {change.reason} "
                      f"({reason_label(change.reason)}), block {change.block}")
