"""The desk's People page, for admins: who has an account, with what role and in what state;
add a person, change a role, reset a password, disable an account; the accounts' audit trail.

Every change is a form POST with the session's CSRF token and a same-origin check, as on the
other desk pages. Resetting and disabling ask first, on a page of their own (without
JavaScript), since both sign the person out at once. A set-password link is shown once, on the
answer to the change that made it. What the changes do is feed.desk.people's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from feed.core.problems import HTTPProblem
from feed.core.query import takes
from feed.core.urls import PATTERNS, fill
from feed.desk.accounts import AccountError, SignedIn, check_email, check_name
from feed.desk.auth import check_origin, check_token, desk_of, require_role
from feed.desk.home import ROLE_NAMES, read_form
from feed.desk.people import INVITE_DAYS, RESET_HOURS, invite, reset
from feed.render.context import context_of
from feed.site.errorpage import reader_language
from feed.store import ROLES, AccountEvent, DuplicateEmail, LastAdmin, User
from feed.store.clock import stamp, store_time
from widget.i18n import N_, Messages

NO_STORE = {"Cache-Control": "no-store"}
MAX_NAME = 200
TRAIL = 50  # the newest changes the page lists
CHANGES = {
    "created": N_("Account made, as %(role)s"),
    "role_changed": N_("Role changed from %(old)s to %(new)s"),
    "invite": N_("Link to set a first password given"),
    "reset": N_("Password reset: the old one stopped, a link to set a new one given"),
    "password_set": N_("Password set"),
    "disabled": N_("Account disabled, signed out everywhere"),
}


def _messages(request: Request) -> Messages:
    return Messages(reader_language(request, context_of(request).settings.language))


def _role(t: Messages, role: str) -> str:
    return t.gettext(ROLE_NAMES.get(role, role))


def _when(t: Messages, value: str) -> str:
    return f"{t.date(value)} {store_time(value):%H:%M} UTC"


def change_text(t: Messages, event: AccountEvent) -> str:
    """What an audit-trail row says happened, in the reader's language."""
    if event.action == "created":
        return t.gettext(CHANGES["created"], role=_role(t, event.detail or ""))
    if event.action == "role_changed":
        old, _, new = (event.detail or "").partition(" ")
        return t.gettext(CHANGES["role_changed"], old=_role(t, old), new=_role(t, new))
    if event.action == "password_link":
        return t.gettext(CHANGES["reset" if event.detail == "reset" else "invite"])
    return t.gettext(CHANGES.get(event.action, event.action))


def _person(t: Messages, user: User, link_until: str | None) -> dict[str, Any]:
    if user.disabled_at:
        state = t.gettext("Disabled since %(date)s", date=t.date(user.disabled_at))
    elif link_until:
        state = t.gettext("Waiting to set a password (the link works until %(when)s)", when=_when(t, link_until))
    else:
        state = t.gettext("Active")
    return {"user": user, "role_name": _role(t, user.role), "state": state, "active": not user.disabled_at}


def _page(request: Request, who: SignedIn, status: int = 200, **values: Any) -> HTMLResponse:
    """The People page (blocking); `values` are a notice, an error, or the add form as sent."""
    ctx = context_of(request)
    t = _messages(request)
    now = stamp(desk_of(request).clock())
    links = ctx.store.open_password_links(now)
    people = [_person(t, user, links[user.id].expires_at if user.id in links else None) for user in ctx.store.users()]
    trail = [
        {"when": _when(t, event.recorded_at), "at": event.recorded_at, "name": event.name, "email": event.email,
         "change": change_text(t, event), "by": event.actor_name or ""}
        for event in ctx.store.account_events(TRAIL)
    ]  # fmt: skip
    roles = [(role, _role(t, role)) for role in ROLES]
    values = {"notice": "", "error": "", "sent": {"name": "", "email": "", "role": ""}} | values
    html = ctx.templates.get_template("desk_people.html").render(
        t=t, people=people, trail=trail, roles=roles, csrf_token=who.csrf_token, me=who.user.id, **values
    )
    return HTMLResponse(html, status, headers=NO_STORE)


def _target(request: Request) -> User:
    user_id = int(request.path_params["user_id"])
    user = context_of(request).store.user(user_id) if user_id < 2**63 else None  # BIGINT's range
    if user is None:
        raise HTTPProblem(404, "Not found", "No account has that id.")
    return user


def _admin(request: Request, form: dict[str, str]) -> SignedIn:
    who = require_role(request, "admin")
    check_token(who.csrf_token, form.get("csrf"))
    return who


def _last_admin(request: Request, who: SignedIn, user: User) -> HTMLResponse:
    return _page(request, who, 409, error="last_admin", error_name=user.name)


def _wrong_field(sent: dict[str, str]) -> str:
    """The field of the add form that is wrong ("" when none is)."""
    if len(sent["name"]) > MAX_NAME or not _passes(check_name, sent["name"]):
        return "name"
    if sent["role"] not in ROLES:
        return "role"
    return "" if _passes(check_email, sent["email"]) else "email"


def _passes(check: Callable[[str], str], value: str) -> bool:
    try:
        check(value)
    except AccountError:
        return False
    return True


def _add(request: Request, form: dict[str, str]) -> HTMLResponse:
    who = _admin(request, form)
    sent = {key: form.get(key, "").strip() for key in ("name", "email", "role")}
    error = _wrong_field(sent)
    if error:
        return _page(request, who, 422, error=error, sent=sent)
    store, now = context_of(request).store, desk_of(request).clock()
    try:
        user, secret = invite(store, sent["email"], sent["name"], sent["role"], now, who.user.name)
    except DuplicateEmail:
        return _page(request, who, 409, error="duplicate", sent=sent)
    link = context_of(request).urls.url("desk_set_password", secret=secret)
    return _page(request, who, notice="invited", notice_name=user.name, link=link, days=INVITE_DAYS)


def _change_role(request: Request, form: dict[str, str]) -> Response:
    who = _admin(request, form)
    user, role = _target(request), form.get("role", "")
    if role not in ROLES:
        return _page(request, who, 422, error="no_such_role")
    try:
        context_of(request).store.set_role(user.id, role, stamp(desk_of(request).clock()), who.user.name)
    except LastAdmin:
        return _last_admin(request, who, user)
    if user.id == who.user.id and role != "admin":
        return RedirectResponse(fill("desk"), 303)  # no longer an admin: the People page is not theirs
    t = _messages(request)
    return _page(request, who, notice="role", notice_name=user.name, notice_role=_role(t, role))


def _confirm(request: Request, who: SignedIn, action: str, user: User) -> HTMLResponse:
    ctx = context_of(request)
    html = ctx.templates.get_template("desk_person_confirm.html").render(
        t=_messages(request), action=action, person=user, csrf_token=who.csrf_token, hours=RESET_HOURS
    )
    return HTMLResponse(html, headers=NO_STORE)


def _reset(request: Request, form: dict[str, str]) -> Response:
    who = _admin(request, form)
    user = _target(request)
    if user.disabled_at:
        raise HTTPProblem(409, "Conflict", "A disabled account's password cannot be reset.")
    secret, _ = reset(context_of(request).store, user, desk_of(request).clock(), who.user.name)
    link = context_of(request).urls.url("desk_set_password", secret=secret)
    return _page(request, who, notice="reset", notice_name=user.name, link=link, hours=RESET_HOURS)


def _disable(request: Request, form: dict[str, str]) -> Response:
    who = _admin(request, form)
    user = _target(request)
    try:
        context_of(request).store.disable_user(user.id, stamp(desk_of(request).clock()), who.user.name)
    except LastAdmin:
        return _last_admin(request, who, user)
    if user.id == who.user.id:
        return RedirectResponse(fill("desk_login"), 303)  # they disabled themselves, and are signed out
    return _page(request, who, notice="disabled", notice_name=user.name)


async def people_page(request: Request) -> Response:
    if request.method == "GET":
        who = await run_in_threadpool(require_role, request, "admin")
        return await run_in_threadpool(_page, request, who)
    check_origin(request)
    form = await read_form(request)
    return await run_in_threadpool(_add, request, form)


async def role(request: Request) -> Response:
    check_origin(request)
    form = await read_form(request)
    return await run_in_threadpool(_change_role, request, form)


def _asking(action: str) -> Any:
    """The handler of a change that asks first: GET asks, POST does it."""
    change = {"reset": _reset, "disable": _disable}[action]

    async def handler(request: Request) -> Response:
        if request.method == "GET":
            who = await run_in_threadpool(require_role, request, "admin")
            user = await run_in_threadpool(_target, request)
            return await run_in_threadpool(_confirm, request, who, action, user)
        check_origin(request)
        form = await read_form(request)
        return await run_in_threadpool(change, request, form)

    return handler


def people_routes() -> list[Route]:
    return [
        Route(PATTERNS["desk_people"], takes()(people_page), methods=["GET", "POST"]),
        Route(PATTERNS["desk_person_role"], takes()(role), methods=["POST"]),
        Route(PATTERNS["desk_person_reset"], takes()(_asking("reset")), methods=["GET", "POST"]),
        Route(PATTERNS["desk_person_disable"], takes()(_asking("disable")), methods=["GET", "POST"]),
    ]
