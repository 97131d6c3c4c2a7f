"""The newsroom's desk in the browser: sign-in, sign-out and the desk's front page.

Every desk answer is rendered per request for the person asking: never kept by the render
cache (feed.render.cache.NEVER_KEPT), sent with `Cache-Control: no-store` and the desk's
strict CSP (feed.core.security). Sign-in attempts are throttled (feed.ops.throttle) and answered
alike whether or not the email has an account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from feed.core.clients import client_address
from feed.core.problems import HTTPProblem
from feed.core.query import language_tag, takes
from feed.core.urls import PATTERNS, fill
from feed.desk.accounts import authenticate, end_session, normal_email, start_session
from feed.desk.auth import (
    Refused,
    SignInRequired,
    check_origin,
    check_token,
    desk_of,
    new_token,
    require_signed_in,
    safe_next,
    signed_in,
)
from feed.render.context import context_of
from feed.site.errorpage import reader_language
from feed.store import Record
from feed.store.clock import rfc3339, store_time
from feed.store.reviews import ReviewEvent
from schemas.languages import text_direction
from widget.i18n import N_, Messages

FORM_LIMIT = 16 * 1024  # bytes of a desk form; a password is at most 1024 characters
# "review" is a draft whose last review step is its submission (feed.store.reviews): the
# store keeps three statuses, the desk shows the review's stage as a fourth.
DESK_STATUSES = ("draft", "review", "published", "retracted")
LISTED = 50
SCANNED = 2_000  # most recently changed fact-checks the list's filters look through
ROLE_NAMES = {"writer": N_("writer"), "editor": N_("editor"), "admin": N_("administrator")}
STATUS_NAMES = {"draft": N_("Draft"), "review": N_("In review"), "published": N_("Published"),
                "retracted": N_("Retracted")}  # fmt: skip


def desk_state(status: str, review: ReviewEvent | None) -> str:
    """Where a fact-check stands on the desk: its status, or "review" for a draft submitted for
    review (until an editor asks for changes or publishes it)."""
    return "review" if status == "draft" and review is not None and review.action == "submitted" else status


def _messages(request: Request) -> Messages:
    return Messages(reader_language(request, context_of(request).settings.language))


def _page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    ctx = context_of(request)
    t = _messages(request)
    html = ctx.templates.get_template(template).render(t=t, **values)
    return HTMLResponse(html, status_code=status)


async def read_form(request: Request, limit: int = FORM_LIMIT) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (the first value of each field); 413 past FORM_LIMIT,
    415 for a body of another kind."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise HTTPProblem(413, "Request too large", f"A desk form is at most {limit} bytes.")
    except ClientDisconnect as exc:
        raise HTTPProblem(400, "Unreadable body", "The request body could not be read to its end.") from exc
    if media_type != "application/x-www-form-urlencoded":
        if not body:
            return {}  # no fields at all: the CSRF check refuses it
        raise HTTPProblem(415, "Unsupported media type", "Send the form as application/x-www-form-urlencoded.")
    fields: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, value)
    return fields


# -- sign-in -------------------------------------------------------------------


def _sign_in_page(request: Request, token: str, *, next_path: str, email: str = "", error: str = "",
                  status: int = 200, retry_after: int = 0) -> HTMLResponse:  # fmt: skip
    response = _page(request, "desk_login.html", status, csrf=token, next=next_path, email=email, error=error,
                     retry_after=retry_after)  # fmt: skip
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def sign_in_form(request: Request) -> Response:
    desk = desk_of(request)
    next_path = safe_next(request.query_params.get("next"))
    if await run_in_threadpool(signed_in, request) is not None:
        return RedirectResponse(next_path, status_code=303)
    token = request.cookies.get(desk.sign_in_cookie, "")
    fresh = not (20 <= len(token) <= 100)
    if fresh:
        token = new_token()
    response = _sign_in_page(request, token, next_path=next_path)
    if fresh:
        desk.set_cookie(response, desk.sign_in_cookie, token)
    return response


async def sign_in(request: Request) -> Response:
    desk, store = desk_of(request), context_of(request).store
    check_origin(request)
    form = await read_form(request)
    token = request.cookies.get(desk.sign_in_cookie)
    check_token(token, form.get("csrf"))
    assert token is not None
    email, password = form.get("email", ""), form.get("password", "")
    next_path = safe_next(form.get("next"))
    account, address = normal_email(email)[:320], client_address(request.scope, desk.trusted)
    wait = desk.throttle.wait(account, address, desk.clock().timestamp())
    if wait:
        if desk.on_limited is not None:
            desk.on_limited("sign_in")
        return _sign_in_page(request, token, next_path=next_path, email=email, status=429, retry_after=wait,
                             error="throttled")  # fmt: skip
    user = await run_in_threadpool(authenticate, store, email, password)
    if user is None:
        desk.throttle.failed(account, address, desk.clock().timestamp())
        return _sign_in_page(request, token, next_path=next_path, email=email, status=400, error="wrong")
    desk.throttle.succeeded(account)
    earlier = await run_in_threadpool(signed_in, request)
    if earlier is not None:  # signing in again (perhaps as someone else) ends the session before
        await run_in_threadpool(end_session, store, earlier, desk.clock())
    secret = await run_in_threadpool(start_session, store, user, desk.clock())
    response = RedirectResponse(next_path, status_code=303)
    desk.set_cookie(response, desk.session_cookie, secret)
    desk.delete_cookie(response, desk.sign_in_cookie)
    return response


async def sign_out(request: Request) -> Response:
    desk = desk_of(request)
    check_origin(request)
    form = await read_form(request)
    who = await run_in_threadpool(signed_in, request)
    response = RedirectResponse(fill("desk_login"), status_code=303)
    if who is None:  # nothing to end: already signed out (or the session expired)
        desk.delete_cookie(response, desk.session_cookie)
        return response
    check_token(who.csrf_token, form.get("csrf"))
    await run_in_threadpool(end_session, context_of(request).store, who, desk.clock())
    desk.delete_cookie(response, desk.session_cookie)
    return response


# -- the desk ------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """What the desk's list is narrowed to: a status, a language, an author, words."""

    status: str = ""
    language: str | None = None
    author: str = ""
    words: str = ""

    @classmethod
    def of(cls, query: Mapping[str, str]) -> ListFilter:
        status = query.get("status", "")
        if status and status not in DESK_STATUSES:
            raise HTTPProblem(400, "Bad status", f"status must be one of {', '.join(DESK_STATUSES)}.")
        author, words = query.get("author", "").strip(), query.get("q", "").strip()
        if len(author) > 200 or len(words) > 200:
            raise HTTPProblem(400, "Bad search", "author and q are at most 200 characters.")
        return cls(status, language_tag(query.get("lang") or None), author, words)

    def keeps(self, record: Record, last_actor: str | None) -> bool:
        document = record.document
        if self.author:
            names = [str(a.get("name", "")) for a in document.get("authors", []) if isinstance(a, dict)]
            if not any(self.author.casefold() in name.casefold() for name in [*names, last_actor or ""]):
                return False
        if self.words:
            claims = [str(c.get("text", "")) for c in document.get("claims", []) if isinstance(c, dict)]
            text = " ".join([record.slug, str(document.get("headline", "")), str(document.get("summary", "")), *claims])
            if not all(word in text.casefold() for word in self.words.casefold().split()):
                return False
        return True


@dataclass(frozen=True)
class Listing:
    records: list[Record]  # those shown, the most recently changed first
    actors: dict[str, str]  # slug -> who saved it last
    states: dict[str, str]  # slug -> desk_state
    total: int  # how many matched


def _listing(request: Request, wanted: ListFilter) -> Listing:
    """The fact-checks the list shows, who last saved each, where each stands (blocking)."""
    store = context_of(request).store
    stored = {"review": "draft"}.get(wanted.status, wanted.status)
    records = store.recently_changed((stored,) if stored else ("draft", "published", "retracted"), SCANNED,
                                     wanted.language)  # fmt: skip
    reviews = store.review_stages([record.slug for record in records if record.status == "draft"])
    states = {record.slug: desk_state(record.status, reviews.get(record.slug)) for record in records}
    if wanted.status:
        records = [record for record in records if states[record.slug] == wanted.status]
    actors = store.last_actors([record.slug for record in records])
    matched = [record for record in records if wanted.keeps(record, actors.get(record.slug))]
    return Listing(matched[:LISTED], actors, states, len(matched))


async def desk_home(request: Request) -> Response:
    who = await run_in_threadpool(require_signed_in, request)
    ctx = context_of(request)
    wanted = ListFilter.of(request.query_params)
    listing = await run_in_threadpool(_listing, request, wanted)
    t = _messages(request)
    items = [_item(ctx.urls.url("desk_edit", slug=record.slug), record, listing.actors.get(record.slug),
                   listing.states[record.slug], t) for record in listing.records]  # fmt: skip
    role_name = t.gettext(ROLE_NAMES.get(who.user.role, who.user.role))
    statuses = [(status, t.gettext(STATUS_NAMES[status])) for status in DESK_STATUSES]
    return _page(request, "desk_home.html", who=who.user, role_name=role_name, csrf=who.csrf_token, items=items,
                 total=listing.total, wanted=wanted, statuses=statuses)  # fmt: skip


def _item(edit_url: str, record: Record, last_actor: str | None, state: str, t: Messages) -> dict[str, Any]:
    """A fact-check as the desk lists it."""
    changed = store_time(record.updated_at)
    language = str(record.document.get("language") or "und")
    return {
        "headline": record.document.get("headline") or record.slug,
        "edit_url": edit_url,
        "last_actor": last_actor or "",
        "language": language,
        "direction": text_direction(language),
        "status": t.gettext(STATUS_NAMES.get(state, state)),
        "changed": rfc3339(changed),
        "changed_text": f"{t.date(record.updated_at)} {changed:%H:%M} UTC",
    }


def desk_routes() -> list[Route]:
    return [
        Route(PATTERNS["desk"], takes("status", "lang", "author", "q")(desk_home), methods=["GET"]),
        Route(PATTERNS["desk_login"], takes("next")(sign_in_form), methods=["GET"]),
        Route(PATTERNS["desk_login"], takes()(sign_in), methods=["POST"]),
        Route(PATTERNS["desk_logout"], takes()(sign_out), methods=["POST"]),
    ]


# -- answers to the desk's exceptions --------------------------------------------


async def on_sign_in_required(request: Request, exc: Exception) -> Response:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(fill("desk_login") + "?" + urlencode({"next": safe_next(path)}), status_code=303)


async def on_refused(request: Request, exc: Exception) -> Response:
    return _page(request, "desk_refused.html", 403)


EXCEPTION_HANDLERS = {SignInRequired: on_sign_in_required, Refused: on_refused}
