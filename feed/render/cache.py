"""Render once, serve bytes: the response cache and the fast path in front of the app.

Views render a page once (feed.site.renderer) and the handlers hand its bytes to the cache (feed.site.respond).
Later requests for the same URL are answered here, before routing, middleware or any
template: a dictionary lookup and precomputed headers. The cache stays correct with several
processes or app servers sharing one database: at most every CHECK_INTERVAL seconds a
request asks the store for its newest change id (one indexed query); when it moved, the
pages of the fact-checks written since, and every listing, are dropped and re-rendered on
their next request. A change made through one server is thus served by the others within
CHECK_INTERVAL (and at once by the server that made it).

While the store cannot be reached (a database restart), the check waits in a worker thread so
the event loop goes on serving; the pages kept are served as they are, which only writes made
in the last CHECK_INTERVAL before the outage could have changed, and the first check that gets
through drops everything written meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from feed.core.problems import HTTPProblem
from feed.core.query import is_tracking
from feed.core.urls import BROWSE_KINDS, HEALTH_PATHS, fill
from feed.render.caching import Entry
from feed.render.rendered import FIXED, LISTING, Rendered
from feed.store import Facet, Store, StoreUnavailable

__all__ = ["FIXED", "LISTING", "FastPath", "ResponseCache", "canonical_key", "pages_of", "prerender", "remember"]

CHECK_INTERVAL = 0.25  # seconds between checks for changes made elsewhere
GENERATION = "factcard.cache_generation"
# How the fast path dealt with a GET or HEAD, for the access log and metrics: "hit" (answered
# from the cache), "miss" (the app answered a URL it may keep), "bypass" (never kept).
CACHE_STATE = "factcard.cache"
# Query parameters some cached page reads. Routes refuse parameters they do not take (see
# feed.core.query), and keys are canonical (see cache_key); a URL with any other parameter is still
# never kept, so made-up query strings cannot fill the cache with copies of one page.
# Answers never kept (writes' reads, the streamed DataFeed, the signed-in desk, claims:search, the
# assistants' MCP, a reader's search and its JSON twin): concurrent requests for them are not made to wait
# for one another.
NEVER_KEPT = (
    fill("api_checks"), fill("datafeed"), fill("widget_manifest"), fill("openapi"), "/metrics", fill("desk"),
    fill("claims_search"), fill("mcp"), fill("search"),
)  # fmt: skip
PARAMETERS = {"page", "cursor", "since", "theme", "lang", "claim", "url", "maxwidth", "maxheight", "format"}
READS = frozenset({"GET", "HEAD"})
# The request headers a cached answer depends on (and the only ones the fast path decodes).
CONDITIONS = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since"})


class ResponseCache:
    def __init__(self, store: Store, max_entries: int = 4096, max_bytes: int = 64 * 1024 * 1024):
        self.store = store
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.entries: OrderedDict[str, tuple[Entry, tuple[str, str]]] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()
        self.refreshing = threading.Lock()
        self.known: set[str] = set()  # URLs kept at least once: worth waiting for when re-rendered
        self.seen = store.snapshot()
        self.checked_at = time.monotonic()
        self.on_change: list[Callable[[set[str]], None]] = []  # told which fact-checks changed

    def claim(self) -> bool:
        """Whether the calling request is the one to look for changes now.

        Called on the event loop, where claiming needs no lock: one request per CHECK_INTERVAL
        then waits for a worker thread to look (`look`), rather than every request that arrives
        while a look is due, which on a busy server would queue cache hits behind renders.
        """
        now = time.monotonic()
        if now - self.checked_at < CHECK_INTERVAL or self.refreshing.locked():
            return False
        self.checked_at = now
        return True

    def look(self) -> None:
        """Look for changes now, unless another thread is looking (see `claim`)."""
        self._look(blocking=False)

    def refresh(self, force: bool = False) -> None:
        """Drop what changed in the store since the last look (at most every CHECK_INTERVAL).

        If the store cannot be reached, nothing is dropped and the next look (CHECK_INTERVAL
        later) tries again; `seen` stays put, so that look drops all that changed meanwhile.
        """
        if not force and time.monotonic() - self.checked_at < CHECK_INTERVAL:
            return
        self._look(blocking=force)

    def _look(self, blocking: bool) -> None:
        if not self.refreshing.acquire(blocking=blocking):
            return  # another thread is looking right now
        try:
            self.checked_at = time.monotonic()
            self._drop_changed()
        except StoreUnavailable:
            pass  # the next look tries again; readers get the pages kept, writes have committed
        finally:
            self.refreshing.release()

    def _drop_changed(self) -> None:
        latest = self.store.snapshot()
        if latest == self.seen:
            return
        changed = self.store.changed_slugs(self.seen, latest)
        with self.lock:
            self.seen = latest
            for key, (entry, scope) in list(self.entries.items()):
                kind, slug = scope
                if kind == "listing" or (kind == "check" and slug in changed):
                    del self.entries[key]
                    entry.on_grow = None
                    self.bytes -= entry.size
        for listener in self.on_change:
            listener(changed)

    def clear(self) -> None:
        with self.lock:
            for entry, _ in self.entries.values():
                entry.on_grow = None
            self.entries.clear()
            self.bytes = 0

    def get(self, key: str) -> Entry | None:
        # No lock: each dictionary operation is atomic, and an entry dropped by another thread
        # between the two is still the answer it was when found (as if found just before).
        found = self.entries.get(key)
        if found is None:
            return None
        try:
            self.entries.move_to_end(key)
        except KeyError:
            pass
        return found[0]

    def put(self, key: str, entry: Entry, scope: tuple[str, str], generation: int) -> None:
        with self.lock:
            if generation != self.seen:
                return  # rendered from data older than what the cache now knows: don't keep it
            old = self.entries.pop(key, None)
            if old is not None:
                self.bytes -= old[0].size
            self.entries[key] = (entry, scope)
            self.bytes += entry.size
            if len(self.known) < 4 * self.max_entries:
                self.known.add(key)
            self._evict()
        entry.on_grow = self._grown

    def _grown(self, delta: int) -> None:
        with self.lock:
            self.bytes += delta
            self._evict()

    def _evict(self) -> None:
        while self.entries and (len(self.entries) > self.max_entries or self.bytes > self.max_bytes):
            _, (evicted, _) = self.entries.popitem(last=False)
            evicted.on_grow = None
            self.bytes -= evicted.size


def canonical_key(path: str, params: Iterable[tuple[str, str]]) -> str:
    """The cache key of `path` with these parameters: tracking tags dropped, the rest sorted and
    percent-encoded one way, so spellings of one request share one key."""
    kept = sorted((name, value) for name, value in params if not is_tracking(name))
    return path + ("?" + urlencode(kept, quote_via=quote) if kept else "")


def cache_key(scope: Scope) -> str:
    query: bytes = scope.get("query_string", b"")
    path: str = scope["path"]
    if not query:
        return path
    # Parsed as Starlette parses it for handlers: one key per distinct set of values they see.
    return canonical_key(path, parse_qsl(query.decode("latin-1"), keep_blank_values=True))


def remember(request: Request, entry: Entry, scope: tuple[str, str], key: str | None = None) -> None:
    """Keep `entry` under `key`: the canonical URL a handler worked out, by default the request's
    own (kept only when every parameter is one that pages read)."""
    cache: ResponseCache | None = getattr(request.app.state, "response_cache", None)
    generation = request.scope.get(GENERATION)
    if key is None:
        if any(name not in PARAMETERS for name in request.query_params if not is_tracking(name)):
            return
        key = cache_key(request.scope)
    if cache is not None and generation is not None:
        cache.put(key, entry, scope, generation)


def recall(request: Request, key: str) -> Entry | None:
    """The kept response for canonical `key`, for a request that spells the same page another way."""
    cache: ResponseCache | None = getattr(request.app.state, "response_cache", None)
    return cache.get(key) if cache is not None else None


class FastPath:
    """Answers GET/HEAD from the cache before the app sees the request; the rest goes to the app.

    Concurrent misses for one cacheable URL (a viral card whose fact-check was just edited)
    render it once: the first goes to the app; the others wait, at most WAIT seconds, until its
    bytes are in the cache, not until its client has read them.
    """

    WAIT = 2.0

    def __init__(self, app: ASGIApp, cache: ResponseCache):
        self.app, self.cache = app, cache
        self.rendering: dict[str, object] = {}  # URL -> the request rendering it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)  # health checks: no store look, nothing kept
            return
        cache = self.cache
        if cache.claim():
            try:
                # In a worker thread: while the database is away the look waits for a connection.
                await run_in_threadpool(cache.look)
            except Exception:  # the store failed otherwise: let the app answer (and report) it
                await self.app(scope, receive, send)
                return
        key = cache_key(scope)
        entry = cache.get(key)
        if entry is None and key in self.rendering:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.WAIT
            while entry is None and key in self.rendering and loop.time() < deadline:
                await asyncio.sleep(0.005)
                entry = cache.get(key)
        if entry is None:
            await self._render(key, scope, receive, send)
            return
        status, headers, body = self._respond(scope, entry)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def answer(self, scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """(status, headers, body) of an HTTP request the cache answers as it stands; else None.

        Called first, so that a hit is sent without a trip through the layers of an ASGI app.
        None leaves the request to `__call__` (a miss, a method or path never answered from
        the cache, or a look for changes due first), which then does exactly what it would
        have done anyway.
        """
        method = scope["method"]
        if method not in READS or scope["path"] in HEALTH_PATHS:
            return None
        cache = self.cache
        if time.monotonic() - cache.checked_at >= CHECK_INTERVAL:
            return None  # a look may be due: `claim` decides, in __call__
        entry = cache.get(scope["path"] if not scope.get("query_string") else cache_key(scope))
        return None if entry is None else self._respond(scope, entry)

    @staticmethod
    def _respond(scope: Scope, entry: Entry) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        accept_encoding, if_none_match, if_modified_since = b"", None, None
        for name, value in scope["headers"]:
            if name in CONDITIONS:
                if name == b"accept-encoding":
                    accept_encoding = value
                elif name == b"if-none-match":
                    if_none_match = value.decode("latin-1")
                else:
                    if_modified_since = value.decode("latin-1")
        status, headers, body = entry.respond(
            accept_encoding.decode("latin-1"), if_none_match, if_modified_since, secured=True
        )
        scope[CACHE_STATE] = "hit"
        return status, headers, b"" if scope["method"] == "HEAD" else body

    async def _render(self, key: str, scope: Scope, receive: Receive, send: Send) -> None:
        scope[GENERATION] = self.cache.seen  # taken before the handler reads any data
        never_kept = scope["path"].startswith(NEVER_KEPT)
        scope[CACHE_STATE] = "bypass" if never_kept and key not in self.cache.known else "miss"
        if (never_kept and key not in self.cache.known) or key in self.rendering:
            await self.app(scope, receive, send)
            return
        token = object()
        self.rendering[key] = token
        try:
            await self.app(scope, receive, send)
        finally:
            if self.rendering.get(key) is token:
                del self.rendering[key]


def pages_of(slug: str, facets: Iterable[Facet] = ()) -> list[str]:
    """What a change to one fact-check re-renders at once: its pages, the first listings, and the
    first page of each tag, claimant and author in `facets` (the fact-check's, as it now is)."""
    paths = [
        fill("check", slug=slug), fill("check_json", slug=slug), fill("card", slug=slug),
        fill("json_feed"), fill("atom_feed"), fill("home"),
    ]  # fmt: skip
    browsed = sorted({(facet.kind, facet.key) for facet in facets if facet.kind in BROWSE_KINDS})
    return paths + [fill(kind, key=key) for kind, key in browsed]


def prerender(render: Callable[[str], Rendered], cache: ResponseCache, paths: list[str]) -> None:
    """Render `paths` into the cache now, so the bytes of a changed fact-check are ready before
    its first reader arrives. Runs after a write, in the process that made it."""
    generation = cache.seen  # taken before any data is read, as for a reader's request
    for path in paths:
        try:
            result = render(path)
        except (HTTPProblem, StoreUnavailable):
            continue  # a retracted card still renders; what cannot is rendered by its first reader
        if result.scope is not None:
            for key in (result.key or path, *result.also):
                cache.put(key, result.entry, result.scope, generation)
