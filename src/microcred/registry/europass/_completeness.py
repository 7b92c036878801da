"""The Annex I completeness of a European Digital Credential: which of the 16 elements its content gives."""

from __future__ import annotations

from typing import Any
from collections.abc import Mapping

from microcred.registry.credential import ANNEX_I_ELEMENTS
from microcred.registry.europass._import import read_edc

__all__ = ["annex_i_completeness"]

#: Annex I element → course template keys of which one is enough
_TEMPLATE_KEYS = {2: ("title",), 6: ("learning_outcomes",), 7: ("ects", "workload_hours"),
                  8: ("eqf_level", "level_not_applicable", "qf_ehea_cycle"), 9: ("assessment",),
                  10: ("participation",), 11: ("quality_assurance",), 12: ("prerequisites",),
                  13: ("supervision",), 15: ("stackability",), 16: ("further_information",)}


def annex_i_completeness(edc: Mapping[str, Any]) -> tuple[dict[int, bool], list[str]]:
    """``({element: present}, [the missing ones, in plain words])`` for the content of an EDC.

    Optional elements (12-16) count as missing only in the first value; the list names mandatory ones only.
    """
    reading = read_edc(edc)
    t, learner = reading.template_data, reading.learner_data
    present: dict[int, bool] = {}
    for number in ANNEX_I_ELEMENTS:
        if number == 1:
            ok = bool(learner.get("name")) and (any(k in learner for k in ("did", "email", "student_id",
                                                                           "national_id"))
                                                or bool(reading.hashed_identifiers))
        elif number == 3:
            ok = reading.awarding_country is not None
        elif number == 4:
            ok = reading.awarding_body is not None
        elif number == 5:
            ok = reading.issued_at is not None
        elif number == 14:
            ok = "grade" in learner
        else:
            ok = any(t.get(k) not in (None, "", [], False) for k in _TEMPLATE_KEYS[number])
        present[number] = ok
    missing = [ANNEX_I_ELEMENTS[n].title for n, ok in present.items() if not ok and ANNEX_I_ELEMENTS[n].mandatory]
    return present, missing
