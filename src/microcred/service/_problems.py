"""Errors as RFC 9457 problem details (``application/problem+json``): a type, a title, the status, a detail."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from microcred.errors import MicrocredError

__all__ = ["PROBLEM_TYPE", "ServiceProblem", "problem_response"]

#: the base of this service's problem types (a URN: nothing to fetch)
PROBLEM_TYPE = "urn:microcred:problem:"


class ServiceProblem(MicrocredError):
    """What the service answers a request it cannot serve, with the HTTP status it carries."""

    def __init__(self, status: int, slug: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail

    def as_json(self) -> dict[str, Any]:
        return {"type": PROBLEM_TYPE + self.slug, "title": self.title, "status": self.status, "detail": self.detail}


def problem_response(problem: ServiceProblem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem.as_json(), status_code=problem.status, media_type="application/problem+json",
                        headers=headers)
