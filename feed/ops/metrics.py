"""Prometheus metrics, served at /metrics to a scraper holding FACTCARD_METRICS_TOKEN.

Request counters and latency histograms are counted as each request ends (see observe.py)
and added to the metrics in batches, at the latest FLUSH_SECONDS later. What the store
knows (the push outbox's backlog, connection pool figures) is read when scraped, so it is
the same whichever process answers and costs nothing between scrapes.

`factcard serve` runs several worker processes, and a scrape reaches one of them. It
therefore uses prometheus_client's multiprocess mode: each worker keeps its counters in
files under PROMETHEUS_MULTIPROC_DIR (a fresh folder the server makes for each run) and a
scrape adds up every worker's files, so the counters are the whole server's. Without that
variable (an app built in one process, as in tests) the counters live in memory.
"""

from __future__ import annotations

import asyncio
import hmac
import os
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, values
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from feed.core.problems import HTTPProblem, problem_response
from feed.ops.metricsdir import MULTIPROC_ENV
from feed.ops.ratelimit import RateLimits
from feed.store import Store
from feed.store.clock import store_time, utc_now

UNMATCHED = "(unmatched)"  # the route label of a path no route matches: never the path itself
# Latency buckets from a cached hit (well under a millisecond) to a slow render or stream.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FLUSH_SECONDS = 1.0  # the longest a worker's requests wait to be seen by a scrape of another worker
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_SLOTS = 4096  # (method, route, status) combinations kept resolved


class Slot:
    """The requests of one method, route template and status since the last flush: a count per
    latency bucket (then +Inf), the total, and the seconds they took; with the metrics' children
    for those labels."""

    __slots__ = ("counts", "duration", "requests", "seconds")

    def __init__(self, requests: Any, duration: Any):
        self.requests, self.duration = requests, duration
        self.counts = [0] * (len(BUCKETS) + 2)
        self.seconds = 0.0


@runtime_checkable
class PoolStats(Protocol):
    """The hook for database connection pool figures.

    A store with a pool exposes `pool_stats()`: a mapping of figure name to number (for
    psycopg_pool, its `get_stats()`, such as pool_size, pool_available, requests_waiting).
    Each becomes `factcard_db_pool{stat="<name>"}`, read from the process that answers the
    scrape. A store without the method reports no pool figures.
    """

    def pool_stats(self) -> Mapping[str, float]: ...


def multiprocess() -> bool:
    """True when counters are kept in files shared by the server's worker processes."""
    if not os.environ.get(MULTIPROC_ENV):
        return False
    if values.ValueClass is values.MutexValue:
        # Counting in memory while a scrape reads the folder would report nothing, silently.
        raise RuntimeError(f"{MULTIPROC_ENV} was set after prometheus_client was imported; set it before")
    return True


class StoreCollector(Collector):
    """Figures read from the store at each scrape: indexed counts, no table scans."""

    def __init__(self, store: Store):
        self.store = store

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("factcard_store_up", "1 if the store answered this scrape's queries, else 0.")
        try:
            backlog = self.store.outbox_backlog()
        except Exception:  # a scrape must still answer, and say the store did not
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        pending = GaugeMetricFamily(
            "factcard_outbox_pending", "Push notifications waiting to be delivered.", labels=["target"]
        )
        failed = GaugeMetricFamily(
            "factcard_outbox_failed", "Push notifications given up on (see `last_error` in the outbox).",
            labels=["target"],
        )  # fmt: skip
        oldest = GaugeMetricFamily(
            "factcard_outbox_oldest_pending_seconds", "Age of the oldest push notification still waiting.",
            labels=["target"],
        )  # fmt: skip
        now = utc_now()
        for row in backlog:
            pending.add_metric([row.target], row.pending)
            failed.add_metric([row.target], row.failed)
            age = (now - store_time(row.oldest_pending_at)).total_seconds() if row.oldest_pending_at else 0.0
            oldest.add_metric([row.target], max(0.0, age))
        yield from (pending, failed, oldest)
        if isinstance(self.store, PoolStats):
            pool = GaugeMetricFamily(
                "factcard_db_pool", "Database connection pool figures of the answering process.", labels=["stat"]
            )
            for name, value in self.store.pool_stats().items():
                pool.add_metric([name], float(value))
            yield pool


class Metrics:
    """The request and cache metrics of one app, and the registry a scrape reads."""

    def __init__(self, store: Store):
        # A `_created` series beside each counter doubles the output and no dashboard reads it.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.multiprocess = multiprocess()
        # In multiprocess mode the values live in files, and a scrape reads every worker's files.
        self.registry = CollectorRegistry()
        own = None if self.multiprocess else self.registry
        if self.multiprocess:
            MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
        self.registry.register(StoreCollector(store))
        self.requests = Counter(
            "factcard_http_requests", "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"], registry=own,
        )  # fmt: skip
        self.duration = Histogram(
            "factcard_http_request_duration_seconds", "Time from a request's arrival to its last byte sent.",
            ["method", "route"], buckets=BUCKETS, registry=own,
        )  # fmt: skip
        self.cache_hits = Counter(
            "factcard_render_cache_hits", "GET and HEAD requests answered from the render cache.", registry=own
        )
        self.cache_misses = Counter(
            "factcard_render_cache_misses", "GET and HEAD requests for cacheable URLs that the app had to answer.",
            registry=own,
        )  # fmt: skip
        self.rate_limited = Counter(
            "factcard_rate_limited", "Requests refused with 429, by the limit reached.", ["limit"], registry=own
        )
        # A request adds to plain numbers here (a fraction of a microsecond); they go into the
        # metrics above in batches: before each scrape, when the app stops and, for the other
        # workers' sake, FLUSH_SECONDS after the first request since the last batch.
        # prometheus_client's own inc() and observe() take a lock each and cost several times
        # what a cached answer does. Each (method, route, status) has one Slot, found once
        # (`slot`) and kept by the caller, with its counter and histogram children resolved
        # once by label, so neither a request nor a flush looks a label up again.
        self.slots: dict[tuple[str, str | None, int], Slot] = {}
        self.pending: list[Slot] = []  # the slots counted since the last flush
        self.hits = self.misses = 0
        self.flush_due = False

    def slot(self, method: str, route: str | None, status: int) -> Slot:
        """The counts of requests with this method, route template and status."""
        label = method if method in METHODS else "OTHER"
        found = self.slots.get((label, route, status))
        if found is None:
            if len(self.slots) >= MAX_SLOTS:  # a slot kept by a caller still counts, and is flushed
                self.slots.clear()
            template = route or UNMATCHED
            found = self.slots[(label, route, status)] = Slot(
                self.requests.labels(label, template, str(status)), self.duration.labels(label, template)
            )
        return found

    def count(self, slot: Slot, seconds: float, cache: str | None) -> None:
        """Count one request in `slot`; called on the event loop's thread."""
        counts = slot.counts
        if not counts[-1]:  # its first request since the last flush
            self.pending.append(slot)
        counts[bisect_left(BUCKETS, seconds)] += 1  # the first bucket whose bound is >= seconds
        counts[-1] += 1
        slot.seconds += seconds
        if cache is not None:
            if cache == "hit":
                self.hits += 1
            elif cache == "miss":
                self.misses += 1
        if not self.flush_due:
            self.flush_due = True
            asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)

    def observe(self, method: str, route: str | None, status: int, seconds: float, cache: str | None) -> None:
        """Count one request; called on the event loop's thread."""
        self.count(self.slot(method, route, status), seconds, cache)

    def flush(self) -> None:
        """Move what was counted into the metrics (and, with several workers, their files)."""
        self.flush_due = False
        pending, self.pending = self.pending, []
        hits, misses, self.hits, self.misses = self.hits, self.misses, 0, 0
        for slot in pending:
            counts, seconds = slot.counts, slot.seconds
            slot.counts, slot.seconds = [0] * len(counts), 0.0
            slot.requests.inc(counts[-1])
            # Histogram has no public way to add many observations at once; its per-bucket
            # (non-cumulative) values and sum are what observe() itself adds to.
            for bucket, observed in zip(slot.duration._buckets, counts[:-1], strict=True):
                if observed:
                    bucket.inc(observed)
            slot.duration._sum.inc(seconds)
        if hits:
            self.cache_hits.inc(hits)
        if misses:
            self.cache_misses.inc(misses)

    def limited(self, limit: str) -> None:
        self.rate_limited.labels(limit).inc()

    def exposition(self, accept: str) -> tuple[bytes, str]:
        encoder, media_type = choose_encoder(accept)
        return encoder(self.registry), media_type


def metrics_route(metrics: Metrics, token: str, limits: RateLimits) -> Callable[[Request], Any]:
    """The /metrics handler: 404 while no token is set, 401 without it, never cached."""
    expected = f"Bearer {token}".encode()

    async def handler(request: Request) -> Response:
        # Problems are answered here as problem+json, with their headers, for a scraper, not a person.
        try:
            if not token:
                raise HTTPProblem(404, "Not found", "Metrics are off; set FACTCARD_METRICS_TOKEN to turn them on.")
            limits.before_auth(request.scope)
            given = request.headers.get("authorization", "").encode("latin-1")
            if not hmac.compare_digest(given, expected):
                limits.auth_failed(request.scope)
                raise HTTPProblem(
                    401, "Unauthorized", "Scraping needs 'Authorization: Bearer <FACTCARD_METRICS_TOKEN>'.",
                    headers={"WWW-Authenticate": 'Bearer realm="factcard metrics"'},
                )  # fmt: skip
        except HTTPProblem as problem:
            return problem_response(request, problem)
        metrics.flush()  # this worker's latest requests, on the thread that counts them
        body, media_type = await run_in_threadpool(metrics.exposition, request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": media_type, "Cache-Control": "no-store"})

    return handler
