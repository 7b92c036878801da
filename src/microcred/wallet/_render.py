"""A credential of the wallet, for a person: what was achieved, by whom it was awarded, the Annex I facts, and its
status as last checked, in English, French or German.

The words shared with the verification page (learner, achievement, credits, …) come from the caller (the CLI
passes the page's, :func:`microcred.service.words`), so one translation serves both; the few this view adds are
here, in :data:`WALLET_WORDS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from microcred.errors import InvalidInputError
from microcred.wallet._store import WalletEntry

__all__ = ["WALLET_LANGUAGES", "WALLET_WORDS", "person_view", "render_entry"]

WALLET_LANGUAGES: Final = ("en", "fr", "de")

#: the words of the wallet's view that the verification page does not have
WALLET_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "description": {"en": "Description", "fr": "Description", "de": "Beschreibung"},
    "outcomes": {"en": "Learning outcomes", "fr": "Acquis d'apprentissage", "de": "Lernergebnisse"},
    "workload": {"en": "Workload", "fr": "Charge de travail", "de": "Arbeitsaufwand"},
    "grade": {"en": "Grade", "fr": "Note", "de": "Note"},
    "assessment": {"en": "Assessment", "fr": "Évaluation", "de": "Prüfungsform"},
    "participation": {"en": "Form of participation", "fr": "Forme de participation", "de": "Teilnahmeform"},
    "quality": {"en": "Quality assurance", "fr": "Assurance qualité", "de": "Qualitätssicherung"},
    "holder": {"en": "Holder (DID)", "fr": "Titulaire (DID)", "de": "Inhaber (DID)"},
    "last-check": {"en": "Last checked", "fr": "Dernière vérification", "de": "Zuletzt geprüft"},
    "never-checked": {"en": "not checked yet (run `microcred wallet check`)",
                      "fr": "pas encore vérifiée (lancez `microcred wallet check`)",
                      "de": "noch nicht geprüft (`microcred wallet check` ausführen)"},
    "added": {"en": "In the wallet since", "fr": "Dans le portefeuille depuis", "de": "In der Wallet seit"},
    "hours": {"en": "hours", "fr": "heures", "de": "Stunden"},
}
#: English for the page's words, when the caller gives none (the keys of the verification page)
_FALLBACK: Final = {"learner": "Learner", "achievement": "Achievement", "credits": "Credits", "level": "Level",
                    "awardingBody": "Awarded by", "country": "Country", "issued": "Issued on",
                    "validUntil": "Valid until", "not-said": "not stated", "status": "Status", "valid": "Valid",
                    "invalid": "Not valid", "unknown": "Could not be checked"}


def _words(lang: str, words: Mapping[str, str] | None) -> dict[str, str]:
    if lang not in WALLET_LANGUAGES:
        raise InvalidInputError(f"unknown language {lang!r}: use one of {', '.join(WALLET_LANGUAGES)}")
    out = dict(_FALLBACK)
    out.update({k: v.get(lang) or v["en"] for k, v in WALLET_WORDS.items()})
    out.update(words or {})
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("en") or next(iter(value.values()), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _hours(duration: Any, unit: str) -> str | None:
    match = re.fullmatch(r"PT(\d+(?:\.\d+)?)H", duration) if isinstance(duration, str) else None
    return f"{float(match.group(1)):g} {unit}" if match else _text(duration)


def person_view(credential: Mapping[str, Any], lang: str = "en", *,
                words: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(label, value) rows of what a credential says, for people, in ``lang``: the achievement and its
    description, learner, holder DID, awarding body and country, date of issuing, validity, credits, workload,
    level, grade, assessment, form of participation, quality assurance, learning outcomes. Rows the credential
    does not fill are left out."""
    from microcred.registry.verify import credential_summary

    w = _words(lang, words)
    summary = credential_summary(dict(credential))
    subject = _mapping(_first(credential.get("credentialSubject")))
    achievement = _mapping(subject.get("achievement"))
    criteria = _mapping(achievement.get("criteria"))
    results = subject.get("result")
    grade = next((_text(r.get("value")) for r in (results if isinstance(results, list) else [])
                  if isinstance(r, Mapping) and r.get("value")), None)
    valid_until = _text(credential.get("validUntil"))
    body = summary["awardingBody"]
    if body and summary["country"]:
        body = f"{body} ({summary['country']})"
    credits = summary["credits"]
    rows = [
        (w["achievement"], summary["achievement"]),
        (w["description"], _text(achievement.get("description"))),
        (w["learner"], summary["learner"]),
        (w["holder"], subject.get("id") if isinstance(subject.get("id"), str) else None),
        (w["awardingBody"], body),
        (w["issued"], str(summary["issued"])[:10] if summary["issued"] else None),
        (w["validUntil"], valid_until[:10] if valid_until else None),
        (w["credits"], f"{credits:g} ECTS" if isinstance(credits, (int, float)) else None),
        (w["workload"], _hours(achievement.get("workload"), w["hours"])),
        (w["level"], summary["level"]),
        (w["grade"], grade),
        (w["assessment"], _text(achievement.get("assessmentType"))),
        (w["participation"], _text(achievement.get("participationForm"))),
        (w["quality"], _text(achievement.get("qualityAssurance"))),
        (w["outcomes"], _text(criteria.get("narrative"))),
    ]
    return [(label, value) for label, value in rows if value]


def render_entry(entry: WalletEntry, lang: str = "en", *, words: Mapping[str, str] | None = None) -> str:
    """The text of ``wallet show``: :func:`person_view` rows, then the status as last checked."""
    w = _words(lang, words)
    rows = person_view(entry.credential, lang, words=words)
    check = entry.last_check
    if check:
        verdict = w.get(str(check.get("outcome")), str(check.get("outcome")))
        status = f"{verdict} ({w['status'].lower()}: {check.get('status')}), {str(check.get('checkedAt'))[:10]}"
    else:
        status = w["never-checked"]
    rows += [(w["last-check"], status), (w["added"], entry.added_at[:10])]
    width = max(len(label) for label, _ in rows)
    lines = [f"{entry.id}  {entry.credential_id or ''}".rstrip()]
    for label, value in rows:
        text = str(value).splitlines() or [""]
        lines.append(f"  {label:<{width}}  {text[0]}")
        lines += [f"  {'':<{width}}  {more}" for more in text[1:]]
    return "\n".join(lines)
