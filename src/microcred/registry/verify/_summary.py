"""What a credential says, for the person reading a verdict: learner, achievement, credits, level, awarding body,
date of issuing. Read from the Open Badges 3.0 homes of these elements; ``None`` where a credential has none."""

from __future__ import annotations

from typing import Any

__all__ = ["SUMMARY_FIELDS", "credential_summary"]

SUMMARY_FIELDS = ("learner", "achievement", "credits", "level", "awardingBody", "country", "issued")


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str | None:
    if type(value) is str:  # the usual case, at once
        return value if value.strip() else None
    value = _first(value)
    if isinstance(value, dict):  # a language map or a value object
        value = value.get("@value") or value.get("en") or next(iter(value.values()), None)
    return value if isinstance(value, str) and value.strip() else None


def _learner(subject: dict) -> str | None:
    if _text(subject.get("name")):
        return _text(subject.get("name"))
    identifiers = subject.get("identifier")
    for ident in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(ident, dict) and ident.get("identityType") == "name" and not ident.get("hashed"):
            return _text(ident.get("identityHash"))
    return _text(subject.get("id"))


def _level(achievement: dict) -> str | None:
    for a in achievement.get("alignment") or []:
        if not isinstance(a, dict):
            continue
        framework = str(a.get("targetFramework", ""))
        url = str(a.get("targetUrl", ""))
        if "European Qualifications Framework" in framework or "/snb/eqf/" in url:
            code = a.get("targetCode") or url.rstrip("/").rsplit("/", 1)[-1]
            return f"EQF {code}" if code else _text(a.get("targetName"))
    return None


_NOTHING: dict = {}


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else _NOTHING


def credential_summary(doc: Any) -> dict[str, Any]:
    """``learner``, ``achievement``, ``credits`` (ECTS), ``level`` (EQF), ``awardingBody`` (legal name),
    ``country``, ``issued`` — each ``None`` when the credential does not say."""
    if not isinstance(doc, dict):
        return dict.fromkeys(SUMMARY_FIELDS)
    subject = _mapping(_first(doc.get("credentialSubject")))
    achievement = _mapping(subject.get("achievement"))
    issuer = _mapping(doc.get("issuer"))
    address = _mapping(issuer.get("address"))
    credits = achievement.get("creditsAvailable")
    return {  # in the order of SUMMARY_FIELDS
        "learner": _learner(subject),
        "achievement": _text(achievement.get("name")) or _text(doc.get("name")),
        "credits": credits if isinstance(credits, (int, float)) and not isinstance(credits, bool) else None,
        "level": _level(achievement),
        "awardingBody": _text(issuer.get("legalName")) or _text(issuer.get("name")),
        "country": _text(address.get("addressCountryCode")) or _text(address.get("addressCountry")),
        "issued": _text(doc.get("awardedDate")) or _text(doc.get("validFrom")) or _text(doc.get("issuanceDate")),
    }
