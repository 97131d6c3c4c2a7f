"""Where a person sets their password, by the one-time link an admin gave them (feed.desk.people).

Opening the link changes nothing (mail scanners and link previews open links too); the form's
POST sets the password, uses the link up and signs the account out everywhere. The form carries
a CSRF token by double submit, as the sign-in form does (no one is signed in yet), and a POST
from another site is refused. The page is never cached or indexed and sends no Referer to other
sites, so the secret in its address does not leak to them.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from feed.core.query import takes
from feed.core.urls import PATTERNS
from feed.desk.accounts import MAX_PASSWORD, MIN_PASSWORD
from feed.desk.auth import check_origin, check_token, desk_of, new_token
from feed.desk.home import read_form
from feed.desk.people import link_account, set_password
from feed.render.context import context_of
from feed.site.errorpage import reader_language
from widget.i18n import Messages

# same-origin, not no-referrer: under no-referrer the browser posts the form with `Origin: null`,
# which the origin check refuses; the secret still goes to no other site.
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "same-origin"}


def _page(request: Request, state: str, status: int = 200, **values: object) -> HTMLResponse:
    ctx = context_of(request)
    t = Messages(reader_language(request, ctx.settings.language))
    html = ctx.templates.get_template("desk_password.html").render(
        t=t, state=state, secret=request.path_params["secret"], min_length=MIN_PASSWORD, **({"error": ""} | values)
    )
    return HTMLResponse(html, status, headers=HEADERS)


def _problem(password: str, again: str) -> str:
    """What is wrong with a new password, as the page names it; "" when nothing is."""
    if len(password) < MIN_PASSWORD:
        return "short"
    if len(password) > MAX_PASSWORD:
        return "long"
    if not password.strip():
        return "blank"
    return "differ" if again != password else ""


async def password_form(request: Request) -> Response:
    desk = desk_of(request)
    user = await run_in_threadpool(link_account, context_of(request).store, request.path_params["secret"], desk.clock())
    if user is None:
        return _page(request, "gone", 404)
    token = request.cookies.get(desk.sign_in_cookie, "")
    fresh = not (20 <= len(token) <= 100)
    if fresh:
        token = new_token()
    response = _page(request, "form", csrf=token, email=user.email, name=user.name)
    if fresh:
        desk.set_cookie(response, desk.sign_in_cookie, token)
    return response


async def password_set(request: Request) -> Response:
    desk, store = desk_of(request), context_of(request).store
    check_origin(request)
    form = await read_form(request)
    token = request.cookies.get(desk.sign_in_cookie)
    check_token(token, form.get("csrf"))
    secret = request.path_params["secret"]
    user = await run_in_threadpool(link_account, store, secret, desk.clock())
    if user is None:
        return _page(request, "gone", 404)
    password, again = form.get("password", ""), form.get("again", "")
    problem = _problem(password, again)
    if problem:
        return _page(request, "form", 422, csrf=token, email=user.email, name=user.name, error=problem)
    if await run_in_threadpool(set_password, store, secret, password, desk.clock()) is None:
        return _page(request, "gone", 404)  # used or ended in the moment between
    return _page(request, "done", email=user.email)


def password_routes() -> list[Route]:
    return [
        Route(PATTERNS["desk_set_password"], takes()(password_form), methods=["GET"]),
        Route(PATTERNS["desk_set_password"], takes()(password_set), methods=["POST"]),
    ]
