"""Stacked credentials (Annex I "integration/stackability"): a larger credential issued from a learner's component
micro-credentials, which it references by id and digest.

A **stack template** is a course template (see :mod:`._template`) with two more keys::

    {"kind": "stacked",
     "components": [{"achievement": "https://www.tu-example.de/courses/ds4r-2026", "name": "Data Stewardship"},
                    {"achievement": "https://www.tu-example.de/courses/rdm-law-2026"}],
     "title": "Certificate in Research Data Management", ... every course template key ...}

Each component names the ``credentialSubject.achievement.id`` of one credential the learner must bring.

The stacked credential references each component in the VC 2.0 ``relatedResource`` property (defined by the
``https://www.w3.org/ns/credentials/v2`` context, so the credential stays an Open Badges 3.0 AchievementCredential)::

    "relatedResource": [{"id": "urn:uuid:…the component credential's id…",
                         "mediaType": "application/vc",
                         "digestMultibase": "uEiB…"}]

``digestMultibase`` is a multibase (``u``: base64url, no padding) multihash (``0x12 0x20``: sha2-256, 32 bytes) of
the component's digest, ``sha256(JCS(component without its anchor proofs))`` — the digest its anchor leaf commits to,
so the anchored file and its plain export have the same one (:func:`component_digest`).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from microcred.errors import InvalidInputError
from microcred.registry.credential import credential_digest
from microcred.registry.issuance._learners import Learner
from microcred.registry.issuance._template import CourseTemplate, parse_template

__all__ = ["COMPONENT_MEDIA_TYPE", "STACK_KIND", "ComponentSpec", "StackError", "StackTemplate", "component_digest",
           "component_reference", "component_references", "learner_key", "load_stack_template",
           "parse_stack_template", "plan_stack"]

STACK_KIND: Final = "stacked"
#: the media type of a component reference (a VC 2.0 credential)
COMPONENT_MEDIA_TYPE: Final = "application/vc"
_SHA256_MULTIHASH: Final = b"\x12\x20"


class StackError(InvalidInputError):
    """Components that cannot be stacked by this template (each problem named)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("the components cannot be stacked:\n" + "\n".join(f"  - {p}" for p in self.problems))


@dataclass(frozen=True)
class ComponentSpec:
    """One component of a stack: the achievement id its credential must carry, and a name for people."""

    achievement: str
    name: str | None = None


@dataclass(frozen=True)
class StackTemplate:
    """A stack template: the course template of the larger credential and its components."""

    course: CourseTemplate
    components: tuple[ComponentSpec, ...]


def parse_stack_template(data: Any, *, source: str = "template") -> StackTemplate:
    """A :class:`StackTemplate` from parsed JSON (``kind`` must be ``stacked``)."""
    if not isinstance(data, Mapping):
        raise InvalidInputError(f"{source}: a stack template is a JSON object")
    if data.get("kind") != STACK_KIND:
        raise InvalidInputError(f"{source}: not a stack template (it needs \"kind\": \"{STACK_KIND}\" and "
                                "\"components\"); `issue --stack` takes one")
    raw = data.get("components")
    if not isinstance(raw, list) or len(raw) < 2:
        raise InvalidInputError(f"{source}: \"components\" must list at least two component achievements")
    components: list[ComponentSpec] = []
    for position, item in enumerate(raw, start=1):
        item = {"achievement": item} if isinstance(item, str) else item
        if not isinstance(item, Mapping) or not isinstance(item.get("achievement"), str) or \
                not item["achievement"].strip():
            raise InvalidInputError(f"{source}: component {position} needs an \"achievement\" (the achievement id "
                                    "of the component credential)")
        name = item.get("name")
        components.append(ComponentSpec(item["achievement"].strip(), name if isinstance(name, str) else None))
    if len({c.achievement for c in components}) != len(components):
        raise InvalidInputError(f"{source}: a component achievement is listed twice")
    course = parse_template({k: v for k, v in data.items() if k not in ("kind", "components")}, source=source)
    return StackTemplate(course, tuple(components))


def load_stack_template(path: str | os.PathLike[str]) -> StackTemplate:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{path}: not a readable JSON file ({exc})") from None
    return parse_stack_template(data, source=str(path))


def component_digest(credential: Mapping[str, Any]) -> str:
    """``u`` + base64url(multihash sha2-256 of ``sha256(JCS(credential without anchor proofs))``)."""
    digest = _SHA256_MULTIHASH + credential_digest(dict(credential))
    return "u" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def component_reference(credential: Mapping[str, Any]) -> dict[str, str]:
    """The ``relatedResource`` entry that names ``credential`` as a component."""
    ident = credential.get("id")
    if not isinstance(ident, str) or not ident:
        raise InvalidInputError("a component credential without an id cannot be referenced")
    return {"id": ident, "mediaType": COMPONENT_MEDIA_TYPE, "digestMultibase": component_digest(credential)}


def component_references(credential: Mapping[str, Any]) -> list[dict[str, str]]:
    """The component references of a stacked credential (empty for any other credential)."""
    found = credential.get("relatedResource")
    if found is None:  # most credentials: at once
        return []
    items = found if isinstance(found, list) else [found] if isinstance(found, Mapping) else []
    return [dict(r) for r in items if isinstance(r, Mapping) and r.get("mediaType") == COMPONENT_MEDIA_TYPE
            and isinstance(r.get("id"), str) and isinstance(r.get("digestMultibase"), str)]


def _subject(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    return subject if isinstance(subject, Mapping) else {}


def _identifiers(subject: Mapping[str, Any]) -> dict[str, str]:
    """The learner's plain (unhashed) identifiers: name, student id (hashed ones differ by their salt)."""
    found: dict[str, str] = {}
    items = subject.get("identifier")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and item.get("hashed") is False and isinstance(item.get("identityHash"), str):
            found.setdefault(str(item.get("identityType")), item["identityHash"])
    return found


def learner_key(credential: Mapping[str, Any]) -> str | None:
    """Who a credential is about, comparably across credentials: its subject's DID, else its plain name and
    student id; None when it names its learner by neither."""
    subject = _subject(credential)
    if isinstance(subject.get("id"), str) and subject["id"]:
        return f"did={subject['id']}"
    plain = _identifiers(subject)
    if "name" in plain and "sisSourcedId" in plain:
        return f"name={plain['name']};student={plain['sisSourcedId']}"
    return None


def _achievement_id(credential: Mapping[str, Any]) -> str | None:
    achievement = _subject(credential).get("achievement")
    ident = achievement.get("id") if isinstance(achievement, Mapping) else None
    return ident if isinstance(ident, str) else None


def _completion(credential: Mapping[str, Any]) -> str | None:
    subject = _subject(credential)
    for value in (subject.get("activityEndDate"), credential.get("awardedDate"), credential.get("validFrom")):
        if isinstance(value, str) and len(value) >= 10:
            return value[:10]
    return None


def plan_stack(stack: StackTemplate, components: Sequence[Mapping[str, Any]], *,
               names: Sequence[str] | None = None) -> tuple[Learner, list[dict[str, str]]]:
    """The learner of the stacked credential and its component references, from ``components`` (already
    verified by the caller): each template component covered once, all of one learner.

    :raises StackError: every problem (a component missing, one not in the template, two learners, …)
    """
    names = list(names) if names is not None else [f"component {i}" for i in range(1, len(components) + 1)]
    problems: list[str] = []
    wanted = {c.achievement: c for c in stack.components}
    covered: dict[str, str] = {}
    for name, doc in zip(names, components):
        achievement = _achievement_id(doc)
        if achievement not in wanted:
            problems.append(f"{name}: its achievement {achievement!r} is not a component of this stack "
                            f"(components: {', '.join(wanted)})")
        elif achievement in covered:
            problems.append(f"{name}: achievement {achievement} is already given by {covered[achievement]}")
        else:
            covered[achievement] = name
    for achievement, spec in wanted.items():
        if achievement not in covered:
            problems.append(f"no credential for component {spec.name or achievement} ({achievement})")
    keys = {name: learner_key(doc) for name, doc in zip(names, components)}
    for name, key in keys.items():
        if key is None:
            problems.append(f"{name}: names its learner by no DID (nor a plain name and student id), so it cannot "
                            "be shown to be the same learner's")
    distinct = {k for k in keys.values() if k is not None}
    if len(distinct) > 1:
        problems.append("the components are of different learners: "
                        + "; ".join(f"{n}: {k}" for n, k in keys.items()))
    if problems:
        raise StackError(problems)
    first = components[0]
    subject = _subject(first)
    plain = _identifiers(subject)
    completed = max(d for d in (_completion(doc) for doc in components) if d is not None)
    learner = Learner(name=plain.get("name") or "", did=subject.get("id") if isinstance(subject.get("id"), str)
                      else None, student_id=plain.get("sisSourcedId"), completion_date=completed)
    return learner, [component_reference(doc) for doc in components]
