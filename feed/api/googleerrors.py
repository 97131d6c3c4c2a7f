"""Errors as Google's APIs give them, for the routes that answer in a Google API's shape.

Tools written for Fact Check Tools read a failure as Google sends it (google.rpc.Status in
JSON: `{"error": {"code", "message", "status", "details"}}`; Google's client libraries raise
`error.message`), not as RFC 9457 problem details, which the rest of the service uses. The
problem is still made as an HTTPProblem, the service's one way to say what went wrong; only its
body is written here, with each failing parameter as a google.rpc.BadRequest field violation.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from feed.core.problems import HTTPProblem
from feed.core.responses import JSONResponse
from feed.store import StoreUnavailable

Endpoint = Callable[[Request], Awaitable[Response]]

# google.rpc.Code names by HTTP status, as Google's APIs map them.
STATUS = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    405: "UNIMPLEMENTED", 409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
}  # fmt: skip
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def google_error_body(problem: HTTPProblem) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": problem.status,
        "message": problem.detail or problem.title,
        "status": STATUS.get(problem.status, "UNKNOWN"),
    }
    if problem.errors:
        violations = [{"field": e.field, "description": e.message} for e in problem.errors]
        error["details"] = [{"@type": BAD_REQUEST, "fieldViolations": violations}]
    return {"error": error}


def google_error(problem: HTTPProblem) -> Response:
    # Google answers errors as application/json, which some clients check before they parse.
    headers = {"Cache-Control": "no-store", **problem.headers}
    return JSONResponse(google_error_body(problem), status_code=problem.status, headers=headers)


def google_errors(endpoint: Endpoint) -> Endpoint:
    """`endpoint` with its problems (its parameters' too: wrap it outside `takes`) in Google's shape."""

    @functools.wraps(endpoint)
    async def answered(request: Request) -> Response:
        try:
            return await endpoint(request)
        except HTTPProblem as problem:
            return google_error(problem)
        except StoreUnavailable:
            detail = "The database cannot be reached just now; try again shortly."
            return google_error(HTTPProblem(503, "Service unavailable", detail, headers={"Retry-After": "5"}))

    return answered
