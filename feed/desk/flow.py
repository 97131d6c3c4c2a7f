"""The desk's small forms about one fact-check: review, publication, retraction, preview links.

A writer submits a draft for review; an editor asks for changes, publishes or retracts. A
retraction takes two steps: the first shows what readers will see (the notice with its reason)
and asks to confirm; only the second, which carries `confirm=yes`, retracts. Both are plain
forms, so this works without JavaScript. After a change readers can see, the editor page says
how long caches may show the previous version (feed.desk.changenotes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from feed.core.problems import HTTPProblem
from feed.core.publishing import InvalidTransition
from feed.core.query import takes
from feed.core.urls import PATTERNS
from feed.desk.accounts import has_role
from feed.desk.auth import check_origin, check_token, require_role
from feed.desk.editor import NO_STORE, Editor
from feed.desk.home import read_form
from feed.desk.messages import notices
from feed.desk.previewlinks import MAX_DAYS, make_link, shared_preview
from feed.store import Record, StaleVersion
from feed.store.clock import stamp, utc_now
from schemas.errors import FieldError, ValidationError
from schemas.formfields import to_form


def version_of(value: str | None) -> int | None:
    text = value or ""
    return int(text) if text.isdigit() and len(text) < 10 else None


def editor_only(editor: Editor) -> None:
    if not has_role(editor.who.user, "editor"):
        raise HTTPProblem(403, "Forbidden", "Only an editor may publish or retract; a writer saves drafts.")


def _record(editor: Editor, slug: str) -> Record:
    record = editor.ctx.store.get(slug)
    if record is None:
        raise HTTPProblem(404, "Not found", f"No fact-check is called {slug}.")
    return record


def show_with(
    editor: Editor,
    slug: str,
    warning: str | None,
    status: int = 409,
    errors: list[FieldError] | None = None,
    **extra: Any,
) -> HTMLResponse:
    """The fact-check's editor page as stored, with `warning` or a refusal's `errors` beside their
    fields (neither: what the draft still needs for publication, beside its fields)."""
    record = _record(editor, slug)
    fields = to_form(record.document)
    found = notices(errors or [], fields, editor.t)
    advice = [] if warning or found else editor.advice(record.document, fields)
    return editor.page(fields, slug=slug, version=record.version, warnings=[warning] if warning else [],
                       errors=found, advice=advice, status=status, **extra)  # fmt: skip


def review(editor: Editor, form: dict[str, str], slug: str, action: str) -> Response:
    """A writer submits a draft for review; an editor asks for changes (saying which)."""
    record = _record(editor, slug)
    t = editor.t
    if record.status != "draft":
        return show_with(editor, slug, t.gettext("Only a draft is reviewed."))
    note = form.get("note", "").strip()
    if action == "changes_requested":
        editor_only(editor)
        if not note:
            return show_with(editor, slug, t.gettext("Say which changes you ask for."))
    editor.ctx.store.add_review_event(slug, action, note[:5000] or None, stamp(utc_now()), editor.who.user.name)
    return RedirectResponse(editor.ctx.urls.url("desk_edit", slug=slug), 303)


def share(editor: Editor, form: dict[str, str], slug: str) -> HTMLResponse:
    """A preview link for someone outside the desk, shown once, as a link, in the page's Share section."""
    _record(editor, slug)
    days = min(max(version_of(form.get("days")) or 7, 1), MAX_DAYS)
    secret = make_link(editor.ctx.store, slug, days, editor.who.user.name, utc_now())
    note = editor.t.ngettext(
        "Anyone with this link sees the fact-check as readers will, without signing in, for %(num)s day:",
        "Anyone with this link sees the fact-check as readers will, without signing in, for %(num)s days:",
        days,
    )
    link = editor.ctx.urls.url("shared_preview", secret=secret)
    return show_with(editor, slug, None, status=200, shared=(note, link))


def unshare(editor: Editor, form: dict[str, str], slug: str) -> HTMLResponse:
    ended = editor.ctx.store.end_preview_links(slug, stamp(utc_now()))
    notice = editor.t.ngettext("%(num)s preview link ended.", "%(num)s preview links ended.", ended)
    return show_with(editor, slug, notice, status=200)


def publish(editor: Editor, form: dict[str, str], slug: str) -> Response:
    editor_only(editor)
    try:
        editor.ctx.publishing.publish(slug, version_of(form.get("version")), utc_now(), editor.actor)
    except StaleVersion:
        return show_with(editor, slug, editor.t.gettext("Someone saved a newer version: check it, then publish."))
    except ValidationError as refused:  # what publication needs, beside the fields to fix
        return show_with(editor, slug, None, errors=refused.errors)
    except InvalidTransition as refused:
        return show_with(editor, slug, str(refused))
    return RedirectResponse(editor.ctx.urls.url("desk_edit", {"saved": "published"}, slug=slug), 303)


def retract(editor: Editor, form: dict[str, str], slug: str) -> Response:
    """The first step shows the retraction as readers will see it; the second (confirm=yes) retracts."""
    editor_only(editor)
    reason, version = form.get("reason", ""), version_of(form.get("version"))
    stale = editor.t.gettext("Someone saved a newer version: check it, then retract.")
    if form.get("confirm") != "yes":
        record = _record(editor, slug)
        if version is not None and version != record.version:
            return show_with(editor, slug, stale)
        try:
            fc = editor.ctx.publishing.retracted(record, reason, utc_now())
        except ValidationError as refused:
            return show_with(editor, slug, None, status=422, errors=refused.errors)
        except InvalidTransition as refused:
            return show_with(editor, slug, str(refused), status=422)
        html = editor.ctx.templates.get_template("desk_retract.html").render(
            t=editor.t, fc=fc, slug=slug, version=record.version, csrf_token=editor.who.csrf_token
        )
        return HTMLResponse(html, headers=NO_STORE)
    try:
        editor.ctx.publishing.retract(slug, reason, version, utc_now(), editor.actor)
    except StaleVersion:
        return show_with(editor, slug, stale)
    except ValidationError as refused:
        return show_with(editor, slug, None, errors=refused.errors)
    except InvalidTransition as refused:
        return show_with(editor, slug, str(refused))
    return RedirectResponse(editor.ctx.urls.url("desk_edit", {"saved": "retracted"}, slug=slug), 303)


def _on_check(action: Callable[[Editor, dict[str, str], str], Response]) -> Callable[[Request], Awaitable[Response]]:
    """The handler of a small form about one fact-check: a signed-in writer, a same-site form
    with its CSRF token, then `action(editor, form, slug)` on a worker thread."""

    def checked(editor: Editor, form: dict[str, str], slug: str) -> Response:
        check_token(editor.who.csrf_token, form.get("csrf"))
        return action(editor, form, slug)

    async def handler(request: Request) -> Response:
        editor = await run_in_threadpool(lambda: Editor(request, require_role(request, "writer")))
        check_origin(request)
        form = await read_form(request)
        return await run_in_threadpool(checked, editor, form, request.path_params["slug"])

    return handler


def workflow_routes() -> list[Route]:
    submit = _on_check(lambda editor, form, slug: review(editor, form, slug, "submitted"))
    request_changes = _on_check(lambda editor, form, slug: review(editor, form, slug, "changes_requested"))
    return [
        Route(PATTERNS["desk_submit"], takes()(submit), methods=["POST"]),
        Route(PATTERNS["desk_request_changes"], takes()(request_changes), methods=["POST"]),
        Route(PATTERNS["desk_share"], takes()(_on_check(share)), methods=["POST"]),
        Route(PATTERNS["desk_unshare"], takes()(_on_check(unshare)), methods=["POST"]),
        Route(PATTERNS["shared_preview"], takes()(shared_preview), methods=["GET"]),
        Route(PATTERNS["desk_publish"], takes()(_on_check(publish)), methods=["POST"]),
        Route(PATTERNS["desk_retract"], takes()(_on_check(retract)), methods=["POST"]),
    ]
