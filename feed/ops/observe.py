"""The outermost layer: times every request, then counts it and writes its access log line.

It sits in front of the fast path, so requests answered from the render cache are seen
too, and sends those answers itself. Per request it does a few dictionary look-ups and puts
one record on a queue: the route template and the metrics slot of each method, path and
status are found once and remembered.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feed.core.clients import Network, client_address
from feed.ops.accesslog import AccessLog
from feed.ops.metrics import Metrics, Slot
from feed.render.cache import CACHE_STATE, FastPath

MAX_REMEMBERED = 8192  # routed paths whose template is remembered (unrouted ones are never kept)


class Observer:
    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        access_log: AccessLog,
        metrics: Metrics | None,
        trusted: tuple[Network, ...],
    ):
        self.app, self.routes, self.access_log, self.metrics, self.trusted = app, routes, access_log, metrics, trusted
        self.templates: dict[str, str] = {}
        # What a (method, path, status) is counted as: its route template and its metrics slot,
        # found once (for routed paths; an unrouted one is looked up each time, never kept).
        self.known: dict[tuple[str, str, int], tuple[str | None, Slot | None]] = {}
        # The fast path's answers from the cache, when the app is the fast path.
        self.answer = app.answer if isinstance(app, FastPath) else None

    def route_of(self, scope: Scope) -> str | None:
        """The path template of the route a request's path matches (any method), or None."""
        path: str = scope["path"]
        template = self.templates.get(path)
        if template is not None:
            return template
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                template = getattr(route, "path", None)
                break
        if template is not None and len(self.templates) < MAX_REMEMBERED:
            self.templates[path] = template
        return template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answer = self.answer(scope) if self.answer is not None else None
        if answer is not None:
            # A cache hit, sent here: what the fast path would send, without its layers.
            status, headers, body = answer
            size = 0
            try:
                await send({"type": "http.response.start", "status": status, "headers": headers})
                size = len(body)
                await send({"type": "http.response.body", "body": body})
            finally:
                self.record(scope, status, size, time.perf_counter() - started)
            return
        status = size = 0

        async def observed(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            elif message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            # status 0: the app failed, or the client left, before any response began.
            self.record(scope, status or 500, size, time.perf_counter() - started)

    def record(self, scope: Scope, status: int, size: int, seconds: float) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        known = self.known.get((method, path, status))
        if known is None:
            route = self.route_of(scope)
            known = (route, self.metrics.slot(method, route, status) if self.metrics is not None else None)
            if route is not None and len(self.known) < MAX_REMEMBERED:
                self.known[(method, path, status)] = known
        route, slot = known
        cache = scope.get(CACHE_STATE)
        if slot is not None:
            self.metrics.count(slot, seconds, cache)  # type: ignore[union-attr]
        if self.access_log.thread is not None:  # on and running
            self.access_log.request(
                method, path, scope.get("query_string", b""), route, status, size, seconds,
                client_address(scope, self.trusted), cache,
            )  # fmt: skip
