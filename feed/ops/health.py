"""Operator endpoints: `/healthz` (the process answers) and `/readyz` (it can serve: the database
answers and has every migration of this release).

Both are cheap and never cached: the fast path passes them straight to the app (see
feed.render.cache), and every answer says `Cache-Control: no-store`. A liveness probe must not
touch the database, or a database outage would get every app server restarted.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from feed.core.problems import HTTPProblem, problem_response
from feed.core.responses import JSONResponse
from feed.core.urls import HEALTHZ, READYZ
from feed.render.context import context_of
from feed.store import StoreUnavailable

READY_TIMEOUT = 1.0  # seconds to wait for a database connection; probes time out after about that
NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> Response:
    # On the event loop, not in a worker thread: threads may all be waiting for the database.
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


def readyz(request: Request) -> Response:
    try:
        pending = context_of(request).store.pending_migrations(timeout=READY_TIMEOUT)
    except StoreUnavailable:
        return not_ready(request, "The database cannot be reached.")
    if pending:
        versions = ", ".join(str(version) for version in pending)
        return not_ready(request, f"The database lacks migration(s) {versions}; restart to apply them.")
    return JSONResponse({"status": "ready"}, headers=NO_STORE)


def not_ready(request: Request, detail: str) -> Response:
    return problem_response(request, HTTPProblem(503, "Not ready", detail, headers=NO_STORE | {"Retry-After": "5"}))


def health_routes() -> list[Route]:
    return [Route(HEALTHZ, healthz, methods=["GET"]), Route(READYZ, readyz, methods=["GET"])]
