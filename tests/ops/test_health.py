"""Operator endpoints: /healthz (the process answers) and /readyz (the database answers, schema current).

On PostgreSQL, /readyz going 503 while the server is stopped is in test_postgres_outage.py.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.store import StoreUnavailable
from feed.store.migrations import MIGRATIONS


def test_healthz_answers_without_the_database(client: TestClient, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    for name in ("_query", "_transaction", "_checkout", "snapshot", "changed_slugs", "pending_migrations"):

        def unreachable(*args: Any, _name: str = name, **kwargs: Any) -> Any:
            asked.append(_name)
            raise StoreUnavailable("down")

        monkeypatch.setattr(app.state.context.store, name, unreachable)
    app.state.response_cache.checked_at = 0.0  # a look for changes is due: the health check must not make it
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"
    assert client.head("/healthz").status_code == 200
    assert asked == []


def test_readyz_is_200_when_the_schema_is_current(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {"status": "ready"}


def test_readyz_is_a_503_problem_when_the_database_cannot_be_reached(
    client: TestClient, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(timeout: float | None = None) -> list[int]:
        raise StoreUnavailable("down")

    monkeypatch.setattr(app.state.context.store, "pending_migrations", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["detail"] == "The database cannot be reached."


def test_readyz_is_a_503_problem_when_a_migration_is_missing(client: TestClient, app: Any) -> None:
    latest = MIGRATIONS[-1][0]
    with app.state.context.store._transaction() as cur:
        cur.execute("DELETE FROM schema_migrations WHERE version = ?", (latest,))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert str(latest) in response.json()["detail"]


def test_health_answers_are_never_kept_by_the_render_cache(client: TestClient, app: Any) -> None:
    cache = app.state.response_cache
    for path in ("/healthz", "/readyz"):
        for _ in range(3):
            assert client.get(path).status_code == 200
        assert cache.get(path) is None and path not in cache.known


@pytest.mark.postgres
def test_readyz_on_postgresql(postgres_url: str) -> None:
    app = create_app(Settings.load({}, {"database_url": postgres_url, "base_url": "http://testserver"}))
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.get("/readyz")
        assert response.status_code == 200 and response.json() == {"status": "ready"}
        assert time.monotonic() - started < 1.0
