"""The desk's editor: write a fact-check in a form, save it as a draft, see it as readers will.

GET shows the form (a new fact-check, or the current version of one); POST saves it or
changes the form's rows (add, remove, move a claim, source, section or author) without
saving. A save names the version it was based on, as the API's If-Match does: when someone
else saved in between, nothing is overwritten; the form comes back with the writer's text,
and with the other version's value beside every field the two changed, to merge.

The preview renders the form's text with the same code that renders the public page and the
card, into a frame beside the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from feed.core.problems import HTTPProblem
from feed.core.publishing import InvalidTransition
from feed.core.query import takes
from feed.core.security import PREVIEW_CSP
from feed.core.urls import PATTERNS
from feed.desk.accounts import SignedIn, has_role
from feed.desk.auth import check_origin, check_token, require_role
from feed.desk.changenotes import change_notes
from feed.desk.editorform import LABELS, editor_form
from feed.desk.history import history
from feed.desk.home import STATUS_NAMES, desk_state, read_form
from feed.desk.messages import Notice, by_field, notices
from feed.desk.slug import freed, proposed, slug_for_headline
from feed.render.context import Context, context_of
from feed.site.cards import card_links
from feed.site.errorpage import reader_language
from feed.site.pages import check_html
from feed.site.shareimage import ShareImageUnavailable, share_image
from feed.store import Actor, Conflict, StaleVersion
from feed.store.clock import store_time, utc_now
from schemas.errors import FieldError, ValidationError
from schemas.formfields import from_form, renumbered, row_numbers, to_form
from schemas.paste import read_article
from schemas.validation import parse_factcheck
from widget.card import CardRequest, card_page
from widget.i18n import Messages

# A row action: a submit button named "row" valued `add:claims`, `remove:claims:2`, `up:sources:1`.
ROW_ACTION = re.compile(r"^(add|remove|up|down):([A-Za-z]+(?:\.\d{1,3}\.[A-Za-z]+)*)(?::(\d{1,3}))?$")
NO_STORE = {"Cache-Control": "no-store"}
AUTOSAVE_MS = 60_000  # a draft saves itself this long after the last keystroke (desk.js)


def form_fields(form: Mapping[str, str]) -> dict[str, str]:
    """The document's fields of a posted form (the form's own controls left out)."""
    controls = {"version", "row", "action", "csrf", "preview", "reason", "correction"}
    return {key: value for key, value in form.items() if key not in controls}


def apply_row_action(fields: Mapping[str, str], action: str) -> tuple[dict[str, str], dict[str, int]]:
    """The fields after a row button, and the blank rows to show: (fields, extra rows by list)."""
    found = ROW_ACTION.match(action)
    if not found:
        return dict(fields), {}
    verb, name, number = found[1], found[2], int(found[3]) if found[3] else None
    order = row_numbers(fields, name)
    if verb == "add":
        return dict(fields), {name: 1}  # one row, to this list only
    if number is None or number not in order:
        return dict(fields), {}
    at = order.index(number)
    if verb == "remove":
        order.pop(at)
    elif verb == "up" and at > 0:
        order[at - 1], order[at] = order[at], order[at - 1]
    elif verb == "down" and at < len(order) - 1:
        order[at + 1], order[at] = order[at], order[at + 1]
    return renumbered(fields, name, order), {}


def changed_fields(mine: Mapping[str, str], base: Mapping[str, str], theirs: Mapping[str, str]) -> dict[str, str]:
    """The fields someone else changed since `base` that the writer's form holds otherwise:
    name -> their value (what the writer merges)."""
    names = set(base) | set(theirs)
    return {
        name: theirs.get(name, "")
        for name in sorted(names)
        if theirs.get(name, "") != base.get(name, "") and theirs.get(name, "") != mine.get(name, "")
    }


class Editor:
    """The editor's pages for one request: the desk's language, the person writing."""

    def __init__(self, request: Request, who: SignedIn):
        self.request = request
        self.ctx: Context = context_of(request)
        self.who = who
        self.actor = Actor(f"user:{who.user.id}", who.user.name)  # the revision's author, for the history
        self.t = Messages(reader_language(request, self.ctx.settings.language))

    def page(
        self,
        fields: Mapping[str, str],
        *,
        slug: str | None,
        version: int | None,
        errors: list[Notice] | None = None,
        warnings: list[str] | None = None,
        advice: list[Notice] | None = None,
        theirs: Mapping[str, str] | None = None,
        extra_rows: Mapping[str, int] | None = None,
        status: int = 200,
        saved: bool = False,
        correction: str = "",
        notes: list[str] | None = None,
        shared: tuple[str, str] | None = None,
    ) -> HTMLResponse:
        """`notes`: what a change readers can see means (feed.desk.changenotes); `shared`: a new preview
        link (what it does, its URL) for the page's Share section."""
        record = self.ctx.store.get(slug) if slug else None
        review = self.ctx.store.review_stages([slug]).get(slug) if slug else None
        error_of = by_field(errors or [])
        widgets = editor_form(fields, error_of, self.t, self.ctx.publishers, slug_locked=record is not None,
                              extra_rows=extra_rows, warnings=by_field(advice or []))  # fmt: skip
        html = self.ctx.templates.get_template("desk_editor.html").render(
            t=self.t, widgets=widgets, slug=slug, version=version, errors=errors or [], warnings=warnings or [],
            advice=advice or [], error_of=error_of, field_names=set().union(*(w.names() for w in widgets)),
            theirs=theirs or {}, saved=saved, fields=fields, csrf_token=self.who.csrf_token,
            status=record.status if record else None, may_publish=has_role(self.who.user, "editor"),
            status_name=self.t.gettext(STATUS_NAMES[desk_state(record.status, review)]) if record else "",
            action=self.ctx.urls.url("desk_edit", slug=slug) if slug else self.ctx.urls.url("desk_new"),
            correction=correction, corrections=(record.document.get("corrections") or []) if record else [],
            autosave_ms=AUTOSAVE_MS,
            history_url=self.ctx.urls.url("desk_history", slug=slug) if slug else None,
            review=review, notes=notes or [], shared=shared,
        )  # fmt: skip
        return HTMLResponse(html, status, headers=NO_STORE)

    def show(self, slug: str | None, saved: str = "") -> HTMLResponse:
        """The editor page; `saved` is the `saved` query of the redirect after a save, "published" or
        "retracted" (a change readers can see also says what caches do with it)."""
        if slug is None:
            return self.page({"language": self.ctx.settings.language}, slug=None, version=None)
        record = self.ctx.store.get(slug)
        if record is None:
            raise HTTPProblem(404, "Not found", f"No fact-check is called {slug}.")
        fields = to_form(record.document)
        notes = change_notes(self.ctx, self.t, saved) if saved and record.status != "draft" else []
        return self.page(fields, slug=slug, version=record.version, saved=bool(saved),
                         advice=self.advice(record.document, fields), notes=notes)  # fmt: skip

    def post(self, form: dict[str, str], slug: str | None) -> Response:
        check_token(self.who.csrf_token, form.get("csrf"))
        fields = form_fields(form)
        version = _version(form.get("version"))
        action = form.get("row", "")
        if action:
            changed, extra = apply_row_action(fields, action)
            return self.page(changed, slug=slug, version=version, extra_rows=extra)
        return self.save(fields, slug, version, form.get("correction", "").strip())

    def save(self, fields: dict[str, str], slug: str | None, version: int | None, correction: str = "") -> Response:
        document = from_form(fields)
        now = utc_now()
        publishing = self.ctx.publishing
        try:
            if slug is None:
                if "slug" not in document and document.get("headline"):
                    document["slug"] = proposed(self.ctx, str(document["headline"]))  # the writer may change it
                record = publishing.create({**document, "status": "draft"}, now, self.actor)
            else:
                current = self.ctx.store.get(slug)
                if current is not None and current.status != "draft" and not has_role(self.who.user, "editor"):
                    raise HTTPProblem(403, "Forbidden", "Only an editor may change a published fact-check.")
                if version is None:
                    raise ValidationError([FieldError("version", "is missing: reload the fact-check")])
                if current is not None:
                    document = with_corrections(document, current.document, correction, now)
                record = publishing.update(slug, document, version, now, self.actor)
        except ValidationError as invalid:
            errors = notices(invalid.errors, fields, self.t)
            return self.page(fields, slug=slug, version=version, errors=errors, status=422, correction=correction)
        except Conflict:
            label = self.t.gettext(LABELS["slug"])
            error = self.t.gettext("A fact-check with this address exists already: choose another.")
            return self.page(fields, slug=slug, version=version, errors=[Notice("slug", label, error)], status=409)
        except StaleVersion as stale:
            return self.conflict(fields, slug, version, stale.current)
        except InvalidTransition as refused:
            return self.page(fields, slug=slug, version=version, warnings=[str(refused)], status=409)
        return RedirectResponse(self.ctx.urls.url("desk_edit", {"saved": str(record.version)}, slug=record.slug), 303)

    def conflict(self, mine: dict[str, str], slug: str | None, version: int | None, current: int) -> Response:
        """Someone saved after `version`: the writer's text stays, their changes are shown beside it."""
        assert slug is not None
        history = {revision.version: revision for revision in self.ctx.store.revisions(slug)}
        base = to_form(history[version].document) if version in history else {}
        latest = self.ctx.store.get(slug)
        theirs = to_form(latest.document) if latest else {}
        notice = self.t.gettext(
            "Someone saved this fact-check while you were writing. Your text is below; their changes are "
            "shown beside each field they changed. Merge them, then save again."
        )
        return self.page(mine, slug=slug, version=current, theirs=changed_fields(mine, base, theirs),
                         warnings=[notice], status=409)  # fmt: skip

    def advice(self, document: Mapping[str, Any], fields: Mapping[str, str]) -> list[Notice]:
        """What a stored draft still needs for publication, beside the fields it concerns."""
        if document.get("status", "draft") != "draft":
            return []
        return notices(self.ctx.publishing.advice(document, utc_now()), fields, self.t)

    def preview(self, form: dict[str, str]) -> Response:
        """The form's text as a reader will see it: the page, or the card (`preview=card-dark`)."""
        check_token(self.who.csrf_token, form.get("csrf"))
        fields = form_fields(form)
        kind = form.get("preview") or "page"
        try:
            fc = parse_factcheck({"status": "draft", **from_form(fields)}, self.ctx.publishers)
        except ValidationError as invalid:
            html = self.ctx.templates.get_template("desk_preview_problems.html").render(
                t=self.t, errors=[notice.message for notice in notices(invalid.errors, fields, self.t)]
            )
            return HTMLResponse(html, headers=NO_STORE | {"Content-Security-Policy": PREVIEW_CSP})
        shown = replace(fc, status="published")  # as it will read once published
        if kind == "share":
            # The picture a link to the page shows on social networks (og:image).
            try:
                png = share_image(shown, self.ctx.publishers[fc.publisher], fc.language)
            except ShareImageUnavailable as missing:
                raise HTTPProblem(503, "Service unavailable", str(missing)) from missing
            return Response(png, media_type="image/png", headers=NO_STORE)
        if kind.startswith("card"):
            theme = "dark" if kind == "card-dark" else "light"
            html, policy = card_page(self.ctx.templates, shown, self.ctx.publishers[fc.publisher],
                                     card_links(self.ctx.urls, shown), CardRequest(theme=theme))  # fmt: skip
            framed = policy.replace("frame-ancestors *", "frame-ancestors 'self'")
            return HTMLResponse(html, headers=NO_STORE | {"Content-Security-Policy": framed})
        return HTMLResponse(check_html(self.ctx, shown), headers=NO_STORE | {"Content-Security-Policy": PREVIEW_CSP})

    def paste_form(self) -> HTMLResponse:
        html = self.ctx.templates.get_template("desk_paste.html").render(
            t=self.t, csrf_token=self.who.csrf_token, language=self.ctx.settings.language
        )
        return HTMLResponse(html, headers=NO_STORE)

    def pasted(self, form: dict[str, str]) -> HTMLResponse:
        """A new fact-check's form filled from a pasted article, with what the writer must check."""
        check_token(self.who.csrf_token, form.get("csrf"))
        article = read_article(form.get("article", ""), form.get("language") or None, utc_now().date())
        fields = to_form(article.document)
        fields["slug"] = freed(self.ctx, fields["slug"]) if fields.get("slug") else ""
        return self.page(fields, slug=None, version=None, warnings=article.notes)

    def history(self, slug: str) -> HTMLResponse:
        """Every revision: who saved it, when, and what changed (the audit log of one fact-check)."""
        record = self.ctx.store.get(slug)
        if record is None:
            raise HTTPProblem(404, "Not found", f"No fact-check is called {slug}.")
        entries = history(self.ctx.store.revisions(slug))
        when = {e.version: self._when(e.recorded_at) for e in entries}
        html = self.ctx.templates.get_template("desk_history.html").render(
            t=self.t, headline=record.document.get("headline", slug), entries=entries, when=when,
            edit_url=self.ctx.urls.url("desk_edit", slug=slug),
            reviews=[(event, self._when(event.recorded_at)) for event in self.ctx.store.review_events(slug)],
            status_names={status: self.t.gettext(name) for status, name in STATUS_NAMES.items()},
        )  # fmt: skip
        return HTMLResponse(html, headers=NO_STORE)

    def _when(self, recorded_at: str) -> str:
        return f"{self.t.date(recorded_at)} {store_time(recorded_at):%H:%M} UTC"


# -- routes ----------------------------------------------------------------------------------


def _editor(request: Request) -> Editor:
    """The editor for a signed-in writer (blocking: run in a worker thread)."""
    return Editor(request, require_role(request, "writer"))


async def new_check(request: Request) -> Response:
    editor = await run_in_threadpool(_editor, request)
    if request.method == "GET":
        return await run_in_threadpool(editor.show, None)
    check_origin(request)
    form = await read_form(request, editor.ctx.settings.max_body_bytes)
    return await run_in_threadpool(editor.post, form, None)


async def edit_check(request: Request) -> Response:
    editor = await run_in_threadpool(_editor, request)
    slug = request.path_params["slug"]
    if request.method == "GET":
        return await run_in_threadpool(editor.show, slug, request.query_params.get("saved", ""))
    check_origin(request)
    form = await read_form(request, editor.ctx.settings.max_body_bytes)
    return await run_in_threadpool(editor.post, form, slug)


async def paste(request: Request) -> Response:
    editor = await run_in_threadpool(_editor, request)
    if request.method == "GET":
        return editor.paste_form()
    check_origin(request)
    form = await read_form(request, editor.ctx.settings.max_body_bytes)
    return await run_in_threadpool(editor.pasted, form)


async def revisions(request: Request) -> Response:
    editor = await run_in_threadpool(_editor, request)
    return await run_in_threadpool(editor.history, request.path_params["slug"])


async def preview(request: Request) -> Response:
    editor = await run_in_threadpool(_editor, request)
    check_origin(request)
    form = await read_form(request, editor.ctx.settings.max_body_bytes)
    return await run_in_threadpool(editor.preview, form)


def editor_routes() -> list[Route]:
    return [
        Route(PATTERNS["desk_new"], takes()(new_check), methods=["GET", "POST"]),
        Route(PATTERNS["desk_edit"], takes("saved")(edit_check), methods=["GET", "POST"]),
        Route(PATTERNS["desk_preview"], takes()(preview), methods=["POST"]),
        Route(PATTERNS["desk_paste"], takes()(paste), methods=["GET", "POST"]),
        Route(PATTERNS["desk_slug"], takes("headline")(slug_for_headline), methods=["GET"]),
        Route(PATTERNS["desk_history"], takes()(revisions), methods=["GET"]),
    ]


def with_corrections(document: dict[str, Any], stored: Mapping[str, Any], note: str, now: datetime) -> dict[str, Any]:
    """`document` as the form gave it, keeping the corrections log the form does not show, and
    a new public correction at the end when the editor wrote one."""
    corrections = list(stored.get("corrections") or [])
    if note:
        corrections.append({"date": now.date().isoformat(), "note": note})
    return {**document, "corrections": corrections} if corrections else document


def _version(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None
