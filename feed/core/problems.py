"""The one place error bodies are made: RFC 9457 application/problem+json.

Every failure a client can cause becomes an HTTPProblem with a status, a
short title, a detail sentence and, for bad input, the failing fields. Its `type` is the URL of
the site's page about it (feed.core.problemtypes), or about:blank when the status says it all.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from feed.core.problemtypes import type_name
from feed.core.responses import ProblemResponse
from feed.core.urls import fill
from schemas.errors import FieldError

BLANK = "about:blank"


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


def problem_type(problem: HTTPProblem, base_url: str | None) -> str:
    """The problem's `type`: its page on the site at `base_url`, else about:blank."""
    name = type_name(problem.title)
    return base_url + fill("problem_type", name=name) if name and base_url else BLANK


def problem_body(problem: HTTPProblem, instance: str | None = None, base_url: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(problem, base_url),
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
    body = problem_body(problem, request.url.path, _base_url(request))
    return ProblemResponse(body, status_code=problem.status, headers=problem.headers)


def _base_url(request: Request) -> str | None:
    """The site's origin, from the app's settings (an answer made before routing has the app too)."""
    context = getattr(getattr(request.scope.get("app"), "state", None), "context", None)
    base: str | None = getattr(getattr(context, "settings", None), "base_url", None)
    return base


def invalid(errors: list[FieldError]) -> HTTPProblem:
    """422 naming every failing field; the detail line lists them for humans."""
    fields = ", ".join(dict.fromkeys(e.field for e in errors))
    return HTTPProblem(422, "Invalid fact-check", f"{len(errors)} problem(s) in: {fields}", errors)
