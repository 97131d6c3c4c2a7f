"""The app factory: assembles settings, store, publishers and the routes of feed and widget."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from feed.api import claimsearch
from feed.api import routes as api
from feed.api.googleerrors import google_errors
from feed.assistants.http import McpEndpoint
from feed.assistants.server import build_server
from feed.assistants.tools import Archive
from feed.build.keeper import BuildKeeper
from feed.core.clients import parse_networks
from feed.core.problems import HTTPProblem, invalid, problem_response
from feed.core.publishing import InvalidTransition
from feed.core.query import takes
from feed.core.security import SecurityHeaders, host_problem
from feed.core.settings import Settings
from feed.core.urls import PATTERNS, api_root, desk_root, fill
from feed.desk import editor
from feed.desk import flow as deskflow
from feed.desk import home as desk
from feed.desk import importpage as deskimport
from feed.desk import password as deskpassword
from feed.desk import peoplepage as deskpeople
from feed.desk import tokens as desktokens
from feed.desk.auth import Desk
from feed.desk.imports import ImportJobs
from feed.importer.fetching import user_agent_for
from feed.ops.accesslog import AccessLog
from feed.ops.health import health_routes
from feed.ops.metrics import Metrics, metrics_route
from feed.ops.observe import Observer
from feed.ops.ratelimit import RateLimits
from feed.render.cache import FastPath, ResponseCache
from feed.site import feeds
from feed.site.assembly import open_site
from feed.site.errorpage import error_page, reader_language
from feed.site.renderer import Renderer
from feed.site.respond import public_routes
from feed.site.search import search_routes
from feed.store import Conflict, NotFound, StaleVersion, Store, StoreUnavailable, open_store
from schemas.errors import ValidationError
from schemas.publisher import Publisher


class FactcardApp(Starlette):
    """Starlette, with the cached-response fast path in front of its whole middleware stack,
    and the access log and metrics in front of that."""

    fast_path: FastPath
    observer: Observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = host_problem(scope) if scope["type"] == "http" else None
        if problem is not None:
            scope["app"] = self  # as Starlette sets it: the problem's type is a URL on this site
            await SecurityHeaders(problem_response(Request(scope), problem))(scope, receive, send)
            return
        await self.observer(scope, receive, send)


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method that some route serves at the scope's path, for a 405's Allow header."""
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, Route) and route.methods and route.matches(scope)[0] != Match.NONE:
            methods |= route.methods
    return sorted(methods)


def start_push_worker(settings: Settings, store: Store, publishers: dict[str, Publisher]) -> Any:
    import httpx

    from feed.push.worker import Deliverer, PushWorker

    worker = PushWorker(lambda: Deliverer(store, settings, publishers, httpx.Client()))
    worker.start()
    return worker


def create_app(settings: Settings | None = None, store: Store | None = None) -> FactcardApp:
    settings = settings or Settings.load()
    store = store or open_store(settings.database_url)
    cache = ResponseCache(store)
    # Views with several spellings of one URL find the canonical one's bytes in the cache.
    context = dataclasses.replace(open_site(settings, store), recall=cache.get)
    publishers, templates = context.publishers, context.templates
    renderer = Renderer(context)
    # With a build directory, every server rewrites what each change touched (feed.build.keeper).
    keeper = BuildKeeper(context, Path(settings.build_dir)) if settings.build_dir else None
    if keeper is not None:
        cache.on_change.append(keeper.changed)

    trusted = parse_networks(settings.trusted_proxies)
    metrics = Metrics(store)
    access_log = AccessLog(settings.access_log)
    limits = RateLimits(
        settings.auth_failures_per_minute, settings.writes_per_minute_per_token,
        settings.writes_per_minute_per_address, trusted, on_limited=metrics.limited,
        mcp_requests_per_minute_per_address=settings.mcp_requests_per_minute_per_address,
    )  # fmt: skip
    # Assistants' MCP server: the public archive, read-only, at /mcp (feed.assistants).
    mcp = McpEndpoint(build_server(Archive(store, publishers, context.urls)), settings.base_url, limits)

    # Each route names the query parameters it reads (feed.core.query.takes): any other is a 400.
    routes = [
        *public_routes(),
        *search_routes(),  # per request, never kept: not renderer views (feed.site.search)
        Route(PATTERNS["datafeed"], takes()(feeds.datafeed_route)),
        Route(PATTERNS["api_checks"], takes("status", "page", "lang")(api.list_checks), methods=["GET"]),
        Route(PATTERNS["api_checks"], takes()(api.create_check), methods=["POST"]),
        Route(PATTERNS["api_check"], takes()(api.get_check), methods=["GET"]),
        Route(PATTERNS["api_check"], takes()(api.update_check), methods=["PUT"]),
        Route(PATTERNS["api_publish"], takes()(api.publish_check), methods=["POST"]),
        Route(PATTERNS["api_retract"], takes()(api.retract_check), methods=["POST"]),
        Route(PATTERNS["api_revisions"], takes()(api.list_revisions), methods=["GET"]),
        # Google's claims.search, its errors in Google's shape (its parameters' too: outside takes)
        Route(
            PATTERNS["claims_search"],
            google_errors(takes(*claimsearch.PARAMETERS)(claimsearch.claims_search)),
            methods=["GET"],
        ),
        Route(PATTERNS["mcp"], mcp),  # an ASGI app: it checks its method and its (no) parameters itself
        *desk.desk_routes(),
        *editor.editor_routes(),
        *deskflow.workflow_routes(),
        *desktokens.token_routes(),
        *deskpeople.people_routes(),
        *deskimport.import_routes(),
        *deskpassword.password_routes(),
        *health_routes(),
        Route("/metrics", metrics_route(metrics, settings.metrics_token, limits), methods=["GET"]),
    ]
    if settings.indexnow_key:
        routes.append(Route(fill("indexnow_key", key=settings.indexnow_key), takes()(feeds.indexnow_key_route)))

    def render_problem(request: Request, problem: HTTPProblem) -> Response:
        """HTML for people on pages, problem+json for the API and JSON twins."""
        path = request.url.path
        is_page = not path.startswith(
            (api_root(), PATTERNS["oembed"], PATTERNS["claims_search"], PATTERNS["mcp"])
        ) and not path.endswith((".json", ".css", ".atom", ".xml", ".txt", ".js", ".png", ".svg"))
        # The desk's forms are pages too: a person posted them, and reads the answer.
        if is_page and (request.method in ("GET", "HEAD") or path.startswith(desk_root())):
            html = error_page(templates, problem, reader_language(request, settings.language))
            # The problem's own headers (Retry-After, Allow, WWW-Authenticate) hold for people too.
            return HTMLResponse(html, status_code=problem.status, headers=problem.headers)
        return problem_response(request, problem)

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPProblem)
        return render_problem(request, exc)

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        titles = {404: "Not found", 405: "Method not allowed"}
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path; a path served by
            # several routes (GET and POST /api/checks) allows the methods of them all.
            headers["Allow"] = ", ".join(allowed_methods(request.app.router.routes, request.scope))
        problem = HTTPProblem(exc.status_code, titles.get(exc.status_code, "Error"), exc.detail, headers=headers)
        return render_problem(request, problem)

    async def on_error(request: Request, exc: Exception) -> Response:
        return problem_response(request, HTTPProblem(500, "Internal server error", "Something broke on our side."))

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ValidationError)
        return render_problem(request, invalid(exc.errors))

    async def on_not_found(request: Request, exc: Exception) -> Response:
        return render_problem(request, HTTPProblem(404, "Not found", f"No fact-check is called {exc}."))

    async def on_conflict(request: Request, exc: Exception) -> Response:
        return render_problem(request, HTTPProblem(409, "Conflict", f"A fact-check called {exc} exists already."))

    async def on_transition(request: Request, exc: Exception) -> Response:
        return render_problem(request, HTTPProblem(409, "Conflict", f"{exc}."))

    async def on_stale(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StaleVersion)
        detail = f"Someone saved version {exc.current} first; fetch it, merge, and send its ETag."
        return render_problem(request, HTTPProblem(412, "Precondition failed", detail))

    async def on_unavailable(request: Request, exc: Exception) -> Response:
        detail = "The database cannot be reached just now; try again shortly. A write is saved whole or not at all."
        headers = {"Retry-After": "5", "Cache-Control": "no-store"}
        return render_problem(request, HTTPProblem(503, "Service unavailable", detail, headers=headers))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker = start_push_worker(settings, store, publishers) if settings.push_targets else None
        access_log.start()
        if keeper is not None:
            keeper.start()
        async with mcp.running():
            yield
        if keeper is not None:
            keeper.stop()
        if worker is not None:
            worker.stop()
        store.close()
        metrics.flush()
        access_log.stop()

    # This process's own writes drop their cached pages at once; other processes' within
    # CHECK_INTERVAL.
    context.publishing.after_write.append(lambda: cache.refresh(force=True))
    app = FactcardApp(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            HTTPProblem: on_problem,
            HTTPException: on_http_exception,
            ValidationError: on_invalid,
            NotFound: on_not_found,
            Conflict: on_conflict,
            InvalidTransition: on_transition,
            StaleVersion: on_stale,
            StoreUnavailable: on_unavailable,
            **desk.EXCEPTION_HANDLERS,
            Exception: on_error,
        },
    )
    # Starlette would answer /checks/x/ with a redirect built from the Host header.
    app.router.redirect_slashes = False
    app.state.context = context
    app.state.response_cache = cache
    app.state.renderer = renderer
    app.state.rate_limits = limits
    app.state.desk = Desk(settings.base_url, trusted, on_limited=metrics.limited)
    app.state.desk_imports = ImportJobs(user_agent_for(settings.base_url))
    app.state.metrics = metrics
    # Security headers outermost, so even the 500 of an unhandled error carries them.
    app.fast_path = FastPath(SecurityHeaders(super(FactcardApp, app).__call__), cache)
    app.observer = Observer(app.fast_path, app.router.routes, access_log, metrics, trusted)
    return app


def app_from_environment() -> FactcardApp:
    """The app for a server worker process, configured by environment variables."""
    return create_app(Settings.load())
