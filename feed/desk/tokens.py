"""API tokens on the desk: each person makes and revokes their own; an admin sees and revokes all.

A token made here belongs to the person who made it (tokens.user_id) and is named after them,
so the revisions it writes say whose script wrote them. Its secret is shown once, on the page
that made it; the store keeps its hash (feed/core/tokens.py).
"""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from feed.core.problems import HTTPProblem
from feed.core.query import takes
from feed.core.tokens import create_token
from feed.core.urls import PATTERNS, fill
from feed.desk.accounts import SignedIn, has_role
from feed.desk.auth import check_origin, check_token, require_role
from feed.desk.home import read_form
from feed.render.context import context_of
from feed.site.errorpage import reader_language
from feed.store.clock import stamp, utc_now
from widget.i18n import Messages

MAX_DAYS = 365
NO_STORE = {"Cache-Control": "no-store"}


def _page(
    request: Request, who: SignedIn, secret: str | None = None, error: str = "", status: int = 200
) -> HTMLResponse:
    ctx = context_of(request)
    everyone = has_role(who.user, "admin")
    tokens = ctx.store.tokens() if everyone else ctx.store.tokens_of(who.user.id)
    now = stamp(utc_now())
    html = ctx.templates.get_template("desk_tokens.html").render(
        t=Messages(reader_language(request, ctx.settings.language)), tokens=tokens, secret=secret, error=error,
        csrf_token=who.csrf_token, everyone=everyone, now=now,
    )  # fmt: skip
    return HTMLResponse(html, status, headers=NO_STORE)


def _make(request: Request, form: dict[str, str]) -> HTMLResponse:
    who = require_role(request, "writer")
    check_token(who.csrf_token, form.get("csrf"))
    label = form.get("name", "").strip()[:100]
    days = form.get("days", "90")
    if not label:
        return _page(request, who, error="name", status=422)
    if not days.isdigit() or not 1 <= int(days) <= MAX_DAYS:
        return _page(request, who, error="days", status=422)
    now = utc_now()
    secret = create_token(context_of(request).store, f"{who.user.name}: {label}", now,
                          expires_at=now + timedelta(days=int(days)), user_id=who.user.id)  # fmt: skip
    return _page(request, who, secret=secret)


def _revoke(request: Request, form: dict[str, str]) -> Response:
    who = require_role(request, "writer")
    check_token(who.csrf_token, form.get("csrf"))
    store = context_of(request).store
    key_id = request.path_params["key_id"]
    found = store.find_token(key_id)
    if found is None or (found[0].user_id != who.user.id and not has_role(who.user, "admin")):
        raise HTTPProblem(404, "Not found", "No token of yours has that key id.")
    store.revoke_token(key_id, stamp(utc_now()))
    return RedirectResponse(fill("desk_tokens"), 303)


async def tokens_page(request: Request) -> Response:
    if request.method == "GET":
        who = await run_in_threadpool(require_role, request, "writer")
        return await run_in_threadpool(_page, request, who)
    check_origin(request)
    form = await read_form(request)
    return await run_in_threadpool(_make, request, form)


async def revoke(request: Request) -> Response:
    check_origin(request)
    form = await read_form(request)
    return await run_in_threadpool(_revoke, request, form)


def token_routes() -> list[Route]:
    return [
        Route(PATTERNS["desk_tokens"], takes()(tokens_page), methods=["GET", "POST"]),
        Route(PATTERNS["desk_token_revoke"], takes()(revoke), methods=["POST"]),
    ]
