"""Render once, serve bytes: the fast path answers from the cache and never serves stale pages."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.core.tokens import create_token
from feed.render.cache import CHECK_INTERVAL, LISTING
from feed.render.caching import Entry, representation
from feed.store.clock import utc_now
from tests.conftest import demo_documents

LIGHTNING = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")
HOT = [
    "/checks/lightning-never-strikes-twice", "/checks/lightning-never-strikes-twice.json", "/feed.json",
    "/feed.atom", "/", "/embed/lightning-never-strikes-twice", "/embed/lightning-never-strikes-twice?theme=dark",
    "/oembed?url=http%3A%2F%2Ftestserver%2Fchecks%2Flightning-never-strikes-twice", "/widget.js", "/sitemap.xml",
]  # fmt: skip


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


def count_reads(monkeypatch: pytest.MonkeyPatch, app: Any) -> list[str]:
    """Every store read the handlers make."""
    calls: list[str] = []
    store = app.state.context.store
    for name in ("get", "feed_entries", "snapshot", "count", "newest", "sitemap_entries", "public_count"):
        original = getattr(store, name)

        def spy(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(store, name, spy)
    return calls


@pytest.mark.parametrize("url", HOT)
def test_hot_reads_touch_no_handler_and_no_sql(
    client: TestClient, app: Any, demo: None, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    first = client.get(url)
    assert first.status_code == 200
    calls = count_reads(monkeypatch, app)
    app.state.response_cache.checked_at = time.monotonic() + 3600  # within the check interval
    again = client.get(url)
    assert calls == []
    assert again.content == first.content
    assert dict(again.headers) == dict(first.headers)  # the fast path sends the same headers


def test_fast_path_answers_conditional_requests(client: TestClient, demo: None) -> None:
    etag = client.get("/checks/lightning-never-strikes-twice").headers["etag"]
    response = client.get("/checks/lightning-never-strikes-twice", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.headers["etag"] == etag
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_write_in_this_process_is_served_at_once(client: TestClient, auth: dict[str, str], demo: None) -> None:
    for url in HOT:
        client.get(url)
    etag = client.get("/api/checks/lightning-never-strikes-twice").headers["etag"]
    edited = LIGHTNING | {"headline": "A fresh headline"}
    assert (
        client.put(
            "/api/checks/lightning-never-strikes-twice", json=edited, headers=auth | {"If-Match": etag}
        ).status_code
        == 200
    )
    assert "A fresh headline" in client.get("/checks/lightning-never-strikes-twice").text
    assert "A fresh headline" in client.get("/feed.json").text
    assert "A fresh headline" in client.get("/").text
    assert (
        "A fresh headline"
        in client.get("/oembed?url=http%3A%2F%2Ftestserver%2Fchecks%2Flightning-never-strikes-twice").text
    )


def test_pages_rendered_from_older_data_are_not_kept(app: Any) -> None:
    cache = app.state.response_cache
    entry = Entry(representation(b"old", "text/plain", None), "public")
    cache.put("/x", entry, LISTING, cache.seen - 1)
    assert cache.get("/x") is None
    cache.put("/x", entry, LISTING, cache.seen)
    assert cache.get("/x") is entry


def test_cache_is_bounded(app: Any) -> None:
    cache = app.state.response_cache
    cache.max_entries = 3
    for n in range(5):
        cache.put(f"/{n}", Entry(representation(b"x" * 10, "text/plain", None), "public"), LISTING, cache.seen)
    assert list(cache.entries) == ["/2", "/3", "/4"]
    cache.max_bytes = 15
    cache.put("/5", Entry(representation(b"y" * 10, "text/plain", None), "public"), LISTING, cache.seen)
    assert list(cache.entries) == ["/5"]


def two_servers(database_url: str) -> tuple[Any, Any]:
    settings = Settings.load({}, {"database_url": database_url, "base_url": "http://testserver"})
    return create_app(settings), create_app(settings)


def assert_change_seen_by_the_other_server(database_url: str) -> float:
    writer_app, reader_app = two_servers(database_url)
    writer_app.state.context.publishing.import_documents(demo_documents(), utc_now())
    token = create_token(writer_app.state.context.store, "desk", utc_now())
    with TestClient(writer_app) as writer, TestClient(reader_app) as reader:
        for url in HOT:
            assert reader.get(url).status_code == 200  # cached on the reading server
        etag = writer.get("/api/checks/lightning-never-strikes-twice").headers["etag"]
        edited = LIGHTNING | {"headline": "Changed headline"}
        edited["claims"] = [LIGHTNING["claims"][0] | {"text": "Changed claim about lightning"}]
        response = writer.put("/api/checks/lightning-never-strikes-twice", json=edited,
                              headers={"Authorization": f"Bearer {token}", "If-Match": etag})  # fmt: skip
        assert response.status_code == 200
        changed_at = time.monotonic()
        waits = {}
        for url in ("/checks/lightning-never-strikes-twice", "/feed.json", "/embed/lightning-never-strikes-twice"):
            while "Changed" not in reader.get(url).text:
                assert time.monotonic() - changed_at < 1.0, f"{url} still stale after a second"
                time.sleep(0.02)
            waits[url] = time.monotonic() - changed_at
        return max(waits.values())


def test_two_servers_on_one_sqlite_file(tmp_path: Any) -> None:
    assert assert_change_seen_by_the_other_server(f"sqlite:///{tmp_path / 'shared.db'}") < 1.0


@pytest.mark.postgres
def test_two_app_servers_on_postgresql_see_each_others_changes_within_a_second(postgres_url: str) -> None:
    assert assert_change_seen_by_the_other_server(postgres_url) < 1.0
    assert CHECK_INTERVAL <= 0.5


def test_a_write_renders_the_changed_pages_at_once(client: TestClient, app: Any, auth: dict[str, str],
                                                    demo: None, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from feed.render.cache import pages_of

    cache = app.state.response_cache
    etag = client.get("/api/checks/lightning-never-strikes-twice").headers["etag"]
    edited = LIGHTNING | {"headline": "Rendered on write"}
    response = client.put("/api/checks/lightning-never-strikes-twice", json=edited, headers=auth | {"If-Match": etag})
    assert response.status_code == 200
    for path in pages_of("lightning-never-strikes-twice"):
        assert cache.get(path) is not None, path  # rendered before any reader asked
    calls = count_reads(monkeypatch, app)
    cache.checked_at = time.monotonic() + 3600
    assert "Rendered on write" in client.get("/checks/lightning-never-strikes-twice").text
    assert "Rendered on write" in client.get("/feed.json").text
    assert calls == []


def test_memory_accounting_counts_compressed_copies_and_stays_exact(client: TestClient, app: Any, demo: None) -> None:
    cache = app.state.response_cache
    cache.max_entries = 2
    for slug in [d["slug"] for d in demo_documents() if d["status"] == "published"]:
        for coding in ("identity", "gzip", "br"):
            client.get(f"/checks/{slug}", headers={"Accept-Encoding": coding})
    assert cache.bytes == sum(entry.size for entry, _ in cache.entries.values())
    assert len(cache.entries) == 2


def test_unknown_query_parameters_are_refused_and_not_kept(client: TestClient, app: Any, demo: None) -> None:
    cache = app.state.response_cache
    for n in range(5):
        assert client.get(f"/checks/lightning-never-strikes-twice?n={n}").status_code == 400
    assert not [key for key in cache.entries if "?n=" in key]
    client.get("/embed/lightning-never-strikes-twice?theme=dark")
    assert "/embed/lightning-never-strikes-twice?theme=dark" in cache.entries
