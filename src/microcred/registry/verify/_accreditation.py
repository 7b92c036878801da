"""``accreditation``: the issuer held a grant covering the credential at the anchor's time, from a body on the
verifier's trust list (the endpoint's :attr:`~microcred.registry.verify.Endpoint.accreditation` checker)."""

from __future__ import annotations

from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import ERROR, FAIL, SKIPPED, Outcome

__all__ = ["AccreditationCheck"]


class AccreditationCheck:
    """``enabled``: a trust list was given (else the check is skipped and says so)."""

    name = "accreditation"

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled

    def run(self, subject: Subject, view: ChainView | None) -> Outcome | None:
        if not self.enabled:
            return SKIPPED, "no trust list given (--trust FILE)"
        if subject.entry is None or subject.result("anchor") == FAIL:
            return SKIPPED, "the credential is not anchored, so there is no time to check the issuer's accreditation at"
        if subject.result("anchor") == ERROR:
            return ERROR, "could not check: the anchor (and so its time) could not be checked"
        if view is None:
            return None
        checker = view.endpoint.accreditation
        if checker is None:
            return ERROR, f"could not check: no accreditation registry is known on {view.endpoint.name}"
        result, detail = checker(subject.doc, account=subject.entry["issuerAccount"],
                                 anchored_at=view.facts.get("anchored_at"))
        return result, detail
