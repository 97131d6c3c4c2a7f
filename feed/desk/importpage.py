"""The desk's Import page, for admins: paste a sitemap or page URLs, choose the publisher and
whether the originals stay canonical, and watch the import's progress (the page refreshes itself
while it runs, without JavaScript). The work is feed.desk.imports'."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from feed.core.problems import HTTPProblem
from feed.core.query import takes
from feed.core.urls import PATTERNS, fill
from feed.desk.accounts import SignedIn
from feed.desk.auth import check_origin, check_token, require_role
from feed.desk.home import read_form
from feed.desk.imports import MAX_SOURCES, ImportJobs
from feed.render.context import context_of
from feed.site.errorpage import reader_language
from schemas.urls import url_problem
from widget.i18n import Messages

NO_STORE = {"Cache-Control": "no-store"}


def jobs_of(request: Request) -> ImportJobs:
    jobs: ImportJobs = request.app.state.desk_imports
    return jobs


def _page(request: Request, who: SignedIn, status: int = 200, **values: Any) -> HTMLResponse:
    ctx = context_of(request)
    t = Messages(reader_language(request, ctx.settings.language))
    values = {"error": "", "sent": {"sources": "", "publisher": "", "keep": ""}} | values
    publishers = [(p.id, p.name) for p in ctx.publishers.values()]
    jobs = sorted(jobs_of(request).jobs.values(), key=lambda job: -job.started_at)
    html = ctx.templates.get_template("desk_import.html").render(
        t=t, csrf_token=who.csrf_token, publishers=publishers, jobs=jobs, most=MAX_SOURCES, **values
    )
    return HTMLResponse(html, status, headers=NO_STORE)


def _start(request: Request, form: dict[str, str]) -> Response:
    who = require_role(request, "admin")
    check_token(who.csrf_token, form.get("csrf"))
    ctx = context_of(request)
    sources = [line.strip() for line in form.get("sources", "").splitlines() if line.strip()]
    sent = {"sources": form.get("sources", ""), "publisher": form.get("publisher", ""), "keep": form.get("keep", "")}
    publisher = form.get("publisher") or None
    if not sources or len(sources) > MAX_SOURCES or any(url_problem(url) for url in sources):
        return _page(request, who, 422, error="sources", sent=sent)
    if publisher is not None and publisher not in ctx.publishers:
        return _page(request, who, 422, error="publisher", sent=sent)
    from feed.importer.run import ImportOptions  # the readers load with the first import

    options = ImportOptions(keep_original_urls=form.get("keep") == "on", publisher=publisher)
    job = jobs_of(request).start(ctx.publishing, sources, options, who.user.name, ctx.settings.language)
    return RedirectResponse(fill("desk_import_job", job=job.id), 303)


def _job_page(request: Request, who: SignedIn) -> HTMLResponse:
    job = jobs_of(request).jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPProblem(404, "Not found", "No import has that id on this server.")
    ctx = context_of(request)
    t = Messages(reader_language(request, ctx.settings.language))
    html = ctx.templates.get_template("desk_import_job.html").render(t=t, job=job)
    return HTMLResponse(html, headers=NO_STORE)


async def import_page(request: Request) -> Response:
    if request.method == "GET":
        who = await run_in_threadpool(require_role, request, "admin")
        return await run_in_threadpool(_page, request, who)
    check_origin(request)
    form = await read_form(request)
    return await run_in_threadpool(_start, request, form)


async def import_job(request: Request) -> Response:
    who = await run_in_threadpool(require_role, request, "admin")
    return await run_in_threadpool(_job_page, request, who)


def import_routes() -> list[Route]:
    return [
        Route(PATTERNS["desk_import"], takes()(import_page), methods=["GET", "POST"]),
        Route(PATTERNS["desk_import_job"], takes()(import_job), methods=["GET"]),
    ]
