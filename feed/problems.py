"""The one place error bodies are made: RFC 9457 application/problem+json.

Every failure a client can cause becomes an HTTPProblem with a status, a
short title, a detail sentence and, for bad input, the failing fields.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from feed.responses import ProblemResponse
from schemas.errors import FieldError

TYPE_BASE = "https://factcard.invalid/problems/"


class HTTPProblem(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.status, self.title, self.detail = status, title, detail
        self.errors = errors or []
        self.headers = headers or {}
        super().__init__(detail or title)


def problem_body(problem: HTTPProblem, instance: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.title.lower().replace(" ", "-"),
        "title": problem.title,
        "status": problem.status,
    }
    if problem.detail:
        body["detail"] = problem.detail
    if instance:
        body["instance"] = instance
    if problem.errors:
        body["errors"] = [e.as_dict() for e in problem.errors]
    return body


def problem_response(request: Request, problem: HTTPProblem) -> Response:
    return ProblemResponse(problem_body(problem, request.url.path), status_code=problem.status, headers=problem.headers)


def invalid(errors: list[FieldError]) -> HTTPProblem:
    """422 naming every failing field; the detail line lists them for humans."""
    fields = ", ".join(dict.fromkeys(e.field for e in errors))
    return HTTPProblem(422, "Invalid fact-check", f"{len(errors)} problem(s) in: {fields}", errors)
