"""The `components` check on its own (offline, signed badges): another learner's component fails, a changed one
fails, a missing one could not be checked, and a credential without component references is not given the check."""

from __future__ import annotations

from datetime import datetime, timezone

from microcred.did import KeyPair
from microcred.registry.issuance import component_reference
from microcred.registry.verify import ComponentsCheck, Subject
from tests.support.wallet import badge, offline_verifier, tampered

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _stacked(issuer: KeyPair, learner: str, *components: dict) -> dict:
    doc = badge(issuer, learner, 9, "Certificate")
    doc.pop("proof")
    doc["relatedResource"] = [component_reference(c) for c in components]
    return doc


def _run(check: ComponentsCheck, doc: dict) -> tuple[str, str]:
    outcome = check.run(Subject.of(None, doc, when=NOW, at=None), None)
    assert outcome is not None
    return outcome


def test_the_components_check() -> None:
    issuer, ada, bob = KeyPair.generate("ed25519"), KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    first, second = badge(issuer, ada.did, 1, "Data literacy"), badge(issuer, ada.did, 2, "FAIR software")
    theirs = badge(issuer, bob.did, 3, "FAIR software")
    verifier = offline_verifier()
    check = next(c for c in verifier.checks if isinstance(c, ComponentsCheck))

    stacked = _stacked(issuer, ada.did, first, second)
    assert ComponentsCheck.applies(Subject.of(None, stacked, when=NOW, at=None))
    assert not ComponentsCheck.applies(Subject.of(None, first, when=NOW, at=None))

    check.available = [first, second]
    result, detail = _run(check, stacked)
    assert result == "pass" and "2 components" in detail, detail

    check.available = [first]
    result, detail = _run(check, stacked)
    assert result == "error" and detail.startswith("could not check") and second["id"] in detail

    check.available = [first, tampered(second)]
    result, detail = _run(check, stacked)
    assert result == "fail" and "was changed" in detail

    check.available = [first, theirs]
    result, detail = _run(check, _stacked(issuer, ada.did, first, theirs))
    assert result == "fail" and "another learner's" in detail and bob.did in detail
