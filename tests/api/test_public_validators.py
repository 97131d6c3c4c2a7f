"""Saving a draft is private: no public URL's validators or bytes move until a publish."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.core.tokens import create_token
from feed.store.clock import utc_now
from tests.conftest import demo_documents

PUBLIC = ["/", "/feed.json", "/feed.atom", "/claimreview.json", "/sitemap.xml"]


@pytest.fixture
def live(database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    app = create_app(Settings.load({}, {"database_url": database_url, "base_url": "http://testserver"}))
    app.state.context.publishing.import_documents(demo_documents(), utc_now())
    token = create_token(app.state.context.store, "desk", utc_now())
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {token}"}
    app.state.context.store.close()


def public_state(client: TestClient) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for url in PUBLIC:
        response = client.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, url
        state[url] = {
            "etag": response.headers["etag"],
            "last-modified": response.headers.get("last-modified"),
            "body": response.content,
        }
    state["since_url"] = client.get("/feed.json").json()["_claimreview"]["since_url"]
    return state


def draft(slug: str) -> dict[str, Any]:
    return {
        "slug": slug, "status": "draft", "headline": "Work in progress", "language": "en",
        "summary": "Not yet.", "claims": [{"text": "A claim being checked", "verdict": "False"}],
    }  # fmt: skip


def test_a_draft_save_moves_no_public_validator_and_a_publish_moves_them(
    live: tuple[TestClient, dict[str, str]],
) -> None:
    client, auth = live
    before = public_state(client)
    time.sleep(1.1)  # Last-Modified has whole seconds: a draft saved now would show in it
    created = client.post("/api/checks", json=draft("quiet-draft"), headers=auth)
    assert created.status_code == 201, created.text
    edited = client.put(
        "/api/checks/quiet-draft", json=draft("quiet-draft") | {"headline": "Still in progress"},
        headers=auth | {"If-Match": created.headers["etag"]},
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    after_draft = public_state(client)
    for url in PUBLIC:
        for part in ("etag", "last-modified", "body"):
            assert after_draft[url][part] == before[url][part], (url, part)
    assert after_draft["since_url"] == before["since_url"]
    # Polling the advertised since URL finds nothing new either.
    assert client.get(before["since_url"]).json()["items"] == []

    time.sleep(1.1)
    published = client.post("/api/checks/quiet-draft/publish", headers=auth)
    assert published.status_code == 200, published.text
    after_publish = public_state(client)
    for url in PUBLIC:
        for part in ("etag", "last-modified", "body"):
            assert after_publish[url][part] != before[url][part], (url, part)
    assert after_publish["since_url"] != before["since_url"]
    polled = client.get(before["since_url"]).json()["items"]
    assert [item["url"].rsplit("/", 1)[1] for item in polled] == ["quiet-draft"]


def test_a_feed_walk_cursor_survives_a_draft_save(live: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = live
    app: Any = client.app
    ctx = app.state.context
    app.state.context = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, feed_page_size=2))
    app.state.response_cache.clear()
    first = client.get("/feed.json").json()
    client.post("/api/checks", json=draft("another-draft"), headers=auth)
    again = client.get("/feed.json").json()
    assert again["next_url"] == first["next_url"]  # the same pinned walk, the same cursor
