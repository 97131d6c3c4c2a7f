"""PostgreSQL restarts and outages, on real servers: one of the test's own that it stops and restarts.

Before, during and after: reads and writes answer 200 or a 503 problem, never a 500; a write
that meets a dead connection is applied whole or not at all; within seconds of the server's
return everything works again, the render cache included.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.core.tokens import create_token
from feed.store import Change, Store, StoreUnavailable, open_store
from feed.store.clock import utc_now
from feed.store.postgres import PostgresStore
from tests.conftest import Cluster, demo_documents, new_cluster

pytestmark = pytest.mark.postgres

SLUG = "lightning-never-strikes-twice"
LIGHTNING = next(d for d in demo_documents() if d["slug"] == SLUG)
RECOVERY = 10.0  # seconds the app may take to work again once the server is back


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A cluster of the test's own, which it may stop and restart (never the session's)."""
    server = new_cluster("factcard-pg-restart-")
    try:
        yield server
    finally:
        server.remove()


def app_on(store: Store) -> Any:
    return create_app(Settings.load({}, {"database_url": "sqlite:///unused", "base_url": "http://testserver"}), store)


def no_500(response: httpx.Response) -> int:
    """The status of an answer that must be a success or a 503 problem, never a crash."""
    if response.status_code == 503:
        assert response.headers["content-type"] == "application/problem+json", response.text
    assert response.status_code in (200, 503), (response.status_code, response.text)
    return response.status_code


def until_ok(call: Callable[[], httpx.Response], since: float) -> httpx.Response:
    """Repeat `call` until it answers 200, failing on any 500 and after RECOVERY seconds."""
    while True:
        response = call()
        if no_500(response) == 200:
            return response
        assert time.monotonic() - since < RECOVERY, f"still {response.status_code}: {response.text}"
        time.sleep(0.1)


def edit(client: TestClient, headers: dict[str, str], headline: str) -> httpx.Response:
    current = client.get(f"/api/checks/{SLUG}", headers=headers)
    if current.status_code != 200:
        return current
    document = LIGHTNING | {"headline": headline}
    return client.put(f"/api/checks/{SLUG}", json=document, headers=headers | {"If-Match": current.headers["etag"]})


def test_app_servers_ride_out_a_postgresql_restart(cluster: Cluster) -> None:
    writer_app, reader_app = (
        app_on(open_store(cluster.url + "/postgres")),
        app_on(open_store(cluster.url + "/postgres")),
    )
    writer_app.state.context.publishing.import_documents(demo_documents(), utc_now())
    auth = {"Authorization": "Bearer " + create_token(writer_app.state.context.store, "desk", utc_now())}
    page = f"/checks/{SLUG}"
    with (
        TestClient(writer_app, raise_server_exceptions=False) as writer,
        TestClient(reader_app, raise_server_exceptions=False) as reader,
    ):
        assert edit(writer, auth, "Before the restart").status_code == 200
        assert "Before the restart" in reader.get(page).text  # now kept in the reader's cache
        assert reader.get("/readyz").status_code == 200

        during: list[httpx.Response] = []
        stop = threading.Event()

        def read_through_the_restart() -> None:
            while not stop.is_set():
                during.append(reader.get(f"/api/checks/{SLUG}", headers=auth))
                during.append(reader.get(page))

        reading = threading.Thread(target=read_through_the_restart)
        reading.start()
        try:
            cluster.restart()
        finally:
            stop.set()
            reading.join()
        assert during and all(no_500(response) for response in during)
        restarted = time.monotonic()
        # Reads on both servers, then a write, then the reader's cache drops the changed page.
        assert "Before the restart" in until_ok(lambda: reader.get(f"/api/checks/{SLUG}", headers=auth), restarted).text
        until_ok(lambda: writer.get("/feed.json"), restarted)
        until_ok(lambda: edit(writer, auth, "After the restart"), restarted)
        assert "After the restart" in until_ok(lambda: writer.get(page), restarted).text
        while "After the restart" not in until_ok(lambda: reader.get(page), restarted).text:
            assert time.monotonic() - restarted < RECOVERY, "the reader's cache still serves the old page"
            time.sleep(0.05)
        assert no_500(reader.get("/readyz")) == 200
        assert reader.get("/api/checks", headers=auth).json()["total"] == len(demo_documents())


def test_an_outage_answers_503_and_a_write_during_it_changes_nothing(cluster: Cluster) -> None:
    store = PostgresStore(cluster.url + "/postgres", timeout=1.0)
    store.migrate()
    app = app_on(store)
    app.state.context.publishing.import_documents(demo_documents(), utc_now())
    auth = {"Authorization": "Bearer " + create_token(store, "desk", utc_now())}
    with TestClient(app, raise_server_exceptions=False) as client:
        etag = client.get(f"/api/checks/{SLUG}", headers=auth).headers["etag"]
        assert client.get("/readyz").status_code == 200

        cluster.stop()
        for response in (
            client.get(f"/api/checks/{SLUG}", headers=auth),
            client.put(f"/api/checks/{SLUG}", json=LIGHTNING | {"headline": "Lost"}, headers=auth | {"If-Match": etag}),
            client.get("/readyz"),
        ):
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["cache-control"] == "no-store"
        page = client.get("/checks/not-rendered-yet")  # a reader gets a page, with the same advice
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert page.headers["retry-after"] == "5"
        started = time.monotonic()
        assert client.get("/healthz").status_code == 200  # the process is alive; the database is not its concern
        assert time.monotonic() - started < 0.5

        cluster.start()
        started = time.monotonic()
        until_ok(lambda: client.get("/readyz"), started)
        current = until_ok(lambda: client.get(f"/api/checks/{SLUG}", headers=auth), started)
        assert current.headers["etag"] == etag and current.json()["document"]["headline"] == LIGHTNING["headline"]
        assert until_ok(lambda: edit(client, auth, "Saved"), started).json()["document"]["headline"] == "Saved"


def test_a_transaction_whose_connection_dies_is_rolled_back_whole(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    store = open_store(postgres_url)
    record_revision = store._record_revision

    def killed_midway(cur: Any, *args: Any) -> None:
        """The server ends this connection after the fact-check row is written, before its revision."""
        cur.execute("SELECT pg_backend_pid()")
        (pid,) = cur.fetchall()[0]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        record_revision(cur, *args)

    monkeypatch.setattr(store, "_record_revision", killed_midway)
    with pytest.raises(StoreUnavailable):
        store.create(Change({"slug": "a", "status": "draft"}), "2025-01-01T00:00:00.000000Z")
    monkeypatch.undo()
    assert store.get("a") is None  # the row written before the connection died was not kept
    assert store.create(Change({"slug": "a", "status": "draft"}), "2025-01-01T00:00:01.000000Z").version == 1
    store.close()


def test_reads_survive_the_server_ending_every_connection(postgres_url: str) -> None:
    import psycopg

    store = open_store(postgres_url)
    store.create(Change({"slug": "a", "status": "draft"}), "2025-01-01T00:00:00.000000Z")
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                      "AND datname = current_database() AND backend_type = 'client backend'")  # fmt: skip
    assert store.get("a") is not None
    assert store.snapshot() == 1
    store.close()


def test_a_read_whose_connection_dies_after_its_check_is_retried(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg
    from psycopg_pool import ConnectionPool

    store = open_store(postgres_url)
    store.create(Change({"slug": "a", "status": "draft"}), "2025-01-01T00:00:00.000000Z")
    check, killed = ConnectionPool.check_connection, []

    def passes_then_dies(connection: Any) -> None:
        check(connection)
        if not killed:  # the first connection handed out dies between its check and its query
            killed.append(connection.info.backend_pid)
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s, 5000)", (killed[0],))

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(passes_then_dies))
    assert store.get("a") is not None
    assert killed
    store.close()
