"""The app factory: assembles settings, store, publishers and the routes of feed and widget."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from feed import api, badges, feeds, pages, static_files
from feed.accesslog import AccessLog
from feed.clients import parse_networks
from feed.config import load_publishers
from feed.context import Context
from feed.metrics import Metrics, metrics_route
from feed.observe import Observer
from feed.openapi import openapi_document
from feed.problems import HTTPProblem, invalid, problem_response
from feed.publishing import InvalidTransition, Publishing
from feed.ratelimit import RateLimits
from feed.render import make_environment
from feed.rendercache import FastPath, ResponseCache
from feed.responses import JSONResponse
from feed.security import SecurityHeaders
from feed.settings import Settings
from feed.store import Conflict, NotFound, StaleVersion, Store, open_store
from schemas.errors import ValidationError
from schemas.publisher import Publisher
from widget.routes import widget_routes


class FactcardApp(Starlette):
    """Starlette, with the cached-response fast path in front of its whole middleware stack,
    and the access log and metrics in front of that."""

    fast_path: FastPath
    observer: Observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.observer(scope, receive, send)


def start_push_worker(settings: Settings, store: Store, publishers: dict[str, Publisher]) -> Any:
    import httpx

    from feed.push.worker import Deliverer, PushWorker

    worker = PushWorker(lambda: Deliverer(store, settings, publishers, httpx.Client()))
    worker.start()
    return worker


def create_app(settings: Settings | None = None, store: Store | None = None) -> FactcardApp:
    settings = settings or Settings.load()
    store = store or open_store(settings.database_url)
    publishers = load_publishers(settings)
    templates = make_environment(
        base_url=settings.base_url,
        site_name=next(iter(publishers.values())).name,
        static_url=static_files.static_url_for(settings.base_url),
    )
    cache = ResponseCache(store)
    context = Context(
        settings=settings,
        store=store,
        publishers=publishers,
        publishing=Publishing(store, publishers, settings.base_url, settings.push_targets),
        templates=templates,
    )

    def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(settings.base_url))

    trusted = parse_networks(settings.trusted_proxies)
    metrics = Metrics(store)
    access_log = AccessLog(settings.access_log)
    limits = RateLimits(
        settings.auth_failures_per_minute, settings.writes_per_minute_per_token,
        settings.writes_per_minute_per_address, trusted, on_limited=metrics.limited,
    )  # fmt: skip

    routes = [
        Route("/", pages.home),
        Route("/checks/{slug}.json", pages.check_json),
        Route("/checks/{slug}", pages.check_page),
        Route("/scales.css", pages.scale_css),
        Route(badges.ROUTE, badges.verdict_badge),
        Route("/feed.json", feeds.json_feed_route),
        Route("/feed.atom", feeds.atom_feed_route),
        Route("/claimreview.json", feeds.datafeed_route),
        Route("/sitemap.xml", feeds.sitemap_route),
        Route("/sitemap-{number:int}.xml", feeds.sitemap_part_route),
        Route("/robots.txt", feeds.robots_route),
        Route("/openapi.json", openapi),
        Route("/api/checks", api.list_checks, methods=["GET"]),
        Route("/api/checks", api.create_check, methods=["POST"]),
        Route("/api/checks/{slug}", api.get_check, methods=["GET"]),
        Route("/api/checks/{slug}", api.update_check, methods=["PUT"]),
        Route("/api/checks/{slug}/publish", api.publish_check, methods=["POST"]),
        Route("/api/checks/{slug}/retract", api.retract_check, methods=["POST"]),
        Route("/api/checks/{slug}/revisions", api.list_revisions, methods=["GET"]),
        *widget_routes(),
        Route(static_files.PREFIX + "{name}", static_files.static_route),
        Route("/favicon.ico", static_files.favicon_route),
        Route("/metrics", metrics_route(metrics, settings.metrics_token, limits), methods=["GET"]),
    ]
    if settings.indexnow_key:
        routes.append(Route(f"/{settings.indexnow_key}.txt", feeds.indexnow_key_route))

    def render_problem(request: Request, problem: HTTPProblem) -> Response:
        """HTML for people on pages, problem+json for the API and JSON twins."""
        path = request.url.path
        is_page = not path.startswith(("/api/", "/oembed")) and not path.endswith(
            (".json", ".css", ".atom", ".xml", ".txt", ".js")
        )
        if is_page and request.method in ("GET", "HEAD"):
            html = templates.get_template("error.html").render(title=problem.title, detail=problem.detail or "")
            return HTMLResponse(html, status_code=problem.status)
        return problem_response(request, problem)

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPProblem)
        return render_problem(request, exc)

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        titles = {404: "Not found", 405: "Method not allowed"}
        problem = HTTPProblem(
            exc.status_code, titles.get(exc.status_code, "Error"), exc.detail, headers=dict(exc.headers or {})
        )
        return render_problem(request, problem)

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

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker = start_push_worker(settings, store, publishers) if settings.push_targets else None
        access_log.start()
        yield
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
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            HTTPProblem: on_problem,
            HTTPException: on_http_exception,
            ValidationError: on_invalid,
            NotFound: on_not_found,
            Conflict: on_conflict,
            InvalidTransition: on_transition,
            StaleVersion: on_stale,
        },
    )
    # Starlette would answer /checks/x/ with a redirect built from the Host header.
    app.router.redirect_slashes = False
    app.state.context = context
    app.state.response_cache = cache
    app.state.rate_limits = limits
    app.state.metrics = metrics
    app.fast_path = FastPath(super(FactcardApp, app).__call__, cache)
    app.observer = Observer(app.fast_path, app.router.routes, access_log, metrics, trusted)
    return app


def app_from_environment() -> FactcardApp:
    """The app for a server worker process, configured by environment variables."""
    return create_app(Settings.load())
