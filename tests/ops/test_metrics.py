from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.publishing import Publishing
from feed.core.settings import Settings
from feed.ops.metrics import FLUSH_SECONDS
from feed.ops.metricsdir import MULTIPROC_ENV, remove_dir, use_multiprocess_dir
from feed.site.config import load_publishers
from feed.store import Store
from feed.store.clock import stamp, store_time, utc_now
from feed.store.sqlite import SQLiteStore
from tests.conftest import demo_documents, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SCRAPER = {"Authorization": "Bearer scrape-me"}
PAGE = "/checks/lightning-never-strikes-twice"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, by name and labels (parsed by prometheus_client's own parser)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def metrics_settings(tmp_path: Path, **overrides: Any) -> Settings:
    base = {"database_url": f"sqlite:///{tmp_path / 'metrics.db'}", "base_url": "http://testserver"}
    return Settings.load({}, base | {"access_log": "off", "metrics_token": "scrape-me"} | overrides)


@pytest.fixture
def scraped(tmp_path: Path) -> Any:
    app = create_app(metrics_settings(tmp_path))
    app.state.context.publishing.import_documents(demo_documents(), utc_now())
    with TestClient(app) as client:
        yield client


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert response.headers["cache-control"] == "no-store"
    return samples(response.text)


def test_metrics_are_off_without_a_token_and_closed_to_others(tmp_path: Path) -> None:
    with TestClient(create_app(metrics_settings(tmp_path, metrics_token=""))) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers=SCRAPER).status_code == 404
    other = tmp_path / "other"
    other.mkdir()
    with TestClient(create_app(metrics_settings(other, auth_failures_per_minute=3))) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "scrape-me"}):
            response = client.get("/metrics", headers=headers)
            assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
            assert "factcard_http_requests_total" not in response.text
        # Guessing the scrape token counts as failed authentication, like guessing an API token.
        assert client.get("/metrics", headers={"Authorization": "Bearer guess"}).status_code == 429


def test_request_counters_latency_and_cache_counters_move(scraped: TestClient) -> None:
    before = scrape(scraped)
    assert scraped.get(PAGE).status_code == 200  # rendered
    assert scraped.get(PAGE).status_code == 200  # from the render cache
    assert scraped.head(PAGE).status_code == 200
    assert scraped.get("/no/such/thing").status_code == 404
    assert scraped.post("/api/checks", json={}).status_code == 401
    after = scrape(scraped)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    page = {"route": "/checks/{slug}"}
    assert moved("factcard_http_requests_total", method="GET", status="200", **page) == 2
    assert moved("factcard_http_requests_total", method="HEAD", status="200", **page) == 1
    assert moved("factcard_http_requests_total", method="GET", route="(unmatched)", status="404") == 1
    assert moved("factcard_http_requests_total", method="POST", route="/api/checks", status="401") == 1
    assert moved("factcard_http_request_duration_seconds_count", method="GET", **page) == 2
    assert moved("factcard_http_request_duration_seconds_bucket", method="GET", le="+Inf", **page) == 2
    assert moved("factcard_http_request_duration_seconds_sum", method="GET", **page) > 0
    assert moved("factcard_render_cache_misses_total") == 2  # the first GET and the 404 (not kept)
    assert moved("factcard_render_cache_hits_total") == 2  # the second GET and the HEAD
    # Paths nobody routes are never labels: made-up URLs cannot grow the exposition.
    assert not any("/no/such/thing" in str(labels) for _, labels in after)
    # The scrape itself is counted, and never kept by the render cache.
    assert moved("factcard_http_requests_total", method="GET", route="/metrics", status="200") == 1
    assert scraped.app.state.response_cache.get("/metrics") is None


def test_outbox_backlog_and_failures_are_read_from_the_store(tmp_path: Path) -> None:
    settings = metrics_settings(tmp_path)
    app = create_app(settings)  # no push target configured here, so no worker drains the outbox
    store = app.state.context.store
    announcing = Publishing(store, load_publishers(settings), settings.base_url, ("websub", "indexnow"))
    announcing.import_documents(demo_documents(), utc_now())
    rows = store.outbox()
    assert len(rows) >= 4
    websub = [row for row in rows if row.target == "websub"]
    store.mark_failed(websub[0].id, "HTTP 410 from the hub", stamp(utc_now()))
    store.mark_delivered(websub[1].id, stamp(utc_now()))
    with TestClient(app) as client:
        found = scrape(client)
    per_target = {target: sum(1 for row in rows if row.target == target) for target in ("websub", "indexnow")}
    assert value(found, "factcard_outbox_pending", target="websub") == per_target["websub"] - 2
    assert value(found, "factcard_outbox_failed", target="websub") == 1
    assert value(found, "factcard_outbox_pending", target="indexnow") == per_target["indexnow"]
    assert value(found, "factcard_outbox_failed", target="indexnow") == 0
    assert value(found, "factcard_outbox_oldest_pending_seconds", target="indexnow") >= 0
    assert value(found, "factcard_store_up") == 1


def test_a_store_with_a_pool_reports_it(tmp_path: Path) -> None:
    class PooledStore(SQLiteStore):
        def pool_stats(self) -> Mapping[str, float]:
            return {"pool_size": 4, "pool_available": 3, "requests_waiting": 0}

    store = PooledStore(str(tmp_path / "pooled.db"))
    store.migrate()
    with TestClient(create_app(metrics_settings(tmp_path), store=store)) as client:
        found = scrape(client)
    assert value(found, "factcard_db_pool", stat="pool_size") == 4
    assert value(found, "factcard_db_pool", stat="pool_available") == 3


@pytest.mark.postgres
def test_the_postgresql_pool_reports_its_figures(tmp_path: Path, postgres_url: str) -> None:
    with TestClient(create_app(metrics_settings(tmp_path, database_url=postgres_url))) as client:
        assert client.get("/").status_code == 200
        found = scrape(client)
    assert value(found, "factcard_db_pool", stat="pool_size") >= 1
    assert value(found, "factcard_db_pool", stat="pool_max") == 10


def test_rate_limited_requests_are_counted(tmp_path: Path) -> None:
    app = create_app(metrics_settings(tmp_path, auth_failures_per_minute=1))
    with TestClient(app, client=("192.0.2.1", 1)) as guesser:
        for _ in range(3):
            guesser.post("/api/checks", json={}, headers={"Authorization": "Bearer fc_x_y"})
        # The guesser's address is refused even with the scrape token; Prometheus scrapes from elsewhere.
        assert guesser.get("/metrics", headers=SCRAPER).status_code == 429
        found = scrape(TestClient(app, client=("192.0.2.2", 1)))
    assert value(found, "factcard_rate_limited_total", limit="auth_failures") == 3
    assert value(found, "factcard_http_requests_total", method="POST", route="/api/checks", status="429") == 2


def test_an_operators_multiprocess_dir_is_emptied_of_a_previous_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = tmp_path / "prom"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"old")
    (given / "notes.txt").write_text("kept")
    monkeypatch.setenv(MULTIPROC_ENV, str(given))
    assert use_multiprocess_dir() == str(given) and sorted(os.listdir(given)) == ["notes.txt"]
    monkeypatch.delenv(MULTIPROC_ENV)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr("atexit.register", lambda function, *args: removals.append((function, args)))
    removals: list[tuple[Any, tuple[Any, ...]]] = []
    folder = use_multiprocess_dir()
    assert os.environ[MULTIPROC_ENV] == folder and Path(folder).is_dir() and folder.startswith(str(tmp_path))
    monkeypatch.delenv(MULTIPROC_ENV)
    assert removals == [(remove_dir, (folder,))]  # removed when the server process exits


def _get(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_two_worker_server_reports_the_whole_servers_counts(tmp_path: Path) -> None:
    """`factcard serve --workers 2`: whichever worker answers a scrape, it counts both workers' requests."""
    port, scratch = free_port(), tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k != MULTIPROC_ENV}
    # PYTHONPATH: the workers import this checkout; TMPDIR: where the server makes its metrics folder.
    env |= {"PYTHONPATH": str(ROOT), "TMPDIR": str(scratch), "FACTCARD_METRICS_TOKEN": "scrape-me"}
    env |= {"FACTCARD_ACCESS_LOG": "off"}
    process = subprocess.Popen(
        [sys.executable, "-m", "feed.cli", "serve", "--demo", "--workers", "2", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(base + "/metrics", SCRAPER)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        (folder,) = scratch.glob("factcard-metrics-*")
        deadline = time.monotonic() + 20
        while len({name.stem.rsplit("_", 1)[-1] for name in folder.glob("*.db")}) < 2:
            assert time.monotonic() < deadline, "both workers should keep their counters in the shared folder"
            time.sleep(0.2)

        sent = 120
        with ThreadPoolExecutor(8) as pool:  # concurrent connections, so both workers answer some
            statuses = list(pool.map(lambda _: _get(base + PAGE)[0], range(sent)))
        assert statuses == [200] * sent
        time.sleep(FLUSH_SECONDS + 0.5)  # each worker adds its counts to the shared files within this
        totals = set()
        for _ in range(12):
            found = samples(_get(base + "/metrics", SCRAPER)[1])
            route = {"method": "GET", "route": "/checks/{slug}"}
            totals.add(value(found, "factcard_http_requests_total", status="200", **route))
            hits, misses = (value(found, f"factcard_render_cache_{name}_total") for name in ("hits", "misses"))
            assert hits + misses >= sent
        assert totals == {float(sent)}  # every scrape, from either worker, counts all of them
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert not folder.exists(), output  # the server removes its metrics folder when it stops


def test_batched_latencies_match_prometheus_clients_own_histogram(tmp_path: Path) -> None:
    """Requests are counted in batches; the histogram must read as if each were observed."""
    import asyncio

    from prometheus_client import CollectorRegistry, Histogram, generate_latest

    from feed.ops.metrics import BUCKETS, Metrics
    from feed.store import open_store

    durations = [0.0001, 0.0005, 0.00050001, 0.003, 0.003, 0.7, 10.0, 42.0]
    metrics = Metrics(open_store(f"sqlite:///{tmp_path / 'h.db'}"))

    async def count() -> None:
        for seconds in durations:
            metrics.observe("GET", "/x", 200, seconds, None)
        metrics.flush()

    asyncio.run(count())
    reference = CollectorRegistry()
    expected = Histogram(
        "factcard_http_request_duration_seconds", "", ["method", "route"], buckets=BUCKETS, registry=reference
    ).labels("GET", "/x")
    for seconds in durations:
        expected.observe(seconds)

    def histogram(found: Samples) -> Samples:
        return {key: number for key, number in found.items() if key[0].startswith("factcard_http_request_duration")}

    ours = histogram(samples(metrics.exposition("")[0].decode()))
    assert ours == histogram(samples(generate_latest(reference).decode()))
    assert value(ours, "factcard_http_request_duration_seconds_bucket", method="GET", route="/x", le="0.0005") == 2


def test_outbox_backlog_on_each_backend(store: Store, publishers: Any) -> None:
    assert store.outbox_backlog() == []
    Publishing(store, publishers, "http://testserver", ("websub",)).import_documents(demo_documents(), utc_now())
    rows = store.outbox()
    store.mark_failed(rows[0].id, "HTTP 410", stamp(utc_now()))
    store.mark_delivered(rows[1].id, stamp(utc_now()))
    (backlog,) = store.outbox_backlog()
    assert (backlog.target, backlog.pending, backlog.failed) == ("websub", len(rows) - 2, 1)
    assert backlog.oldest_pending_at is not None and store_time(backlog.oldest_pending_at) <= utc_now()


def test_a_multiprocess_folder_set_too_late_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feed.ops.metrics import Metrics
    from feed.store import open_store

    # This test process imported prometheus_client with no folder set: its counters are in memory.
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    with pytest.raises(RuntimeError, match="set after prometheus_client was imported"):
        Metrics(open_store(f"sqlite:///{tmp_path / 'late.db'}"))


def test_a_slot_kept_past_the_slot_limit_still_counts_in_its_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The observer keeps each path's slot; when the metrics forget their slots, a kept one still
    counts, and a new slot for the same labels adds to the same series."""
    import asyncio

    from feed.ops.metrics import Metrics
    from feed.store import open_store

    monkeypatch.setattr("feed.ops.metrics.MAX_SLOTS", 2)
    metrics = Metrics(open_store(f"sqlite:///{tmp_path / 's.db'}"))

    async def count() -> None:
        kept = metrics.slot("GET", "/a", 200)
        for status in (201, 202, 203):  # past the limit: the slots are forgotten
            metrics.observe("GET", "/b", status, 0.001, None)
        assert metrics.slot("GET", "/a", 200) is not kept
        metrics.count(kept, 0.001, "hit")
        metrics.observe("GET", "/a", 200, 0.002, None)
        metrics.observe("BREW", "/a", 200, 0.002, None)  # an unknown method is counted as OTHER
        metrics.flush()

    asyncio.run(count())
    found = samples(metrics.exposition("")[0].decode())
    assert value(found, "factcard_http_requests_total", method="GET", route="/a", status="200") == 2
    assert value(found, "factcard_http_requests_total", method="OTHER", route="/a", status="200") == 1
    assert value(found, "factcard_http_requests_total", method="GET", route="/b", status="203") == 1
    assert value(found, "factcard_http_request_duration_seconds_count", method="GET", route="/a") == 2
    assert value(found, "factcard_render_cache_hits_total") == 1
