"""API tokens through the API, on SQLite and PostgreSQL: publisher scope, expiry, revocation, actor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.core.tokens import create_token, parse_expiry
from feed.site.config import DEFAULT_CONFIG
from feed.store.clock import utc_now

REGIONAL_PUBLISHER = """
[publishers.regional]
name = "Regional Desk"
scale = "default"
"""


def draft(slug: str, publisher: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "slug": slug,
        "headline": "Is the claim right?",
        "language": "en",
        "summary": "It is not [1].",
        "claims": [{"text": "The claim", "verdict": "False"}],
        "sources": [{"title": "A source", "url": "https://example.org/source"}],
    }
    if publisher:
        document["publisher"] = publisher
    return document


def newsroom_settings(database_url: str, tmp_path: Path) -> Settings:
    """Two publishers, `demo` and `regional`, on the given database."""
    config = tmp_path / "publishers.toml"
    config.write_text(DEFAULT_CONFIG.read_text() + REGIONAL_PUBLISHER)
    return Settings.load(
        {}, {"database_url": database_url, "base_url": "http://testserver", "config_file": str(config)}
    )


@pytest.fixture
def newsroom(database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Any]]:
    app = create_app(newsroom_settings(database_url, tmp_path))
    with TestClient(app) as client:
        yield client, app.state.context.store


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_scoped_to_one_publisher_writes_for_no_other(newsroom: tuple[TestClient, Any]) -> None:
    client, store = newsroom
    regional = bearer(create_token(store, "Regional desk", utc_now(), publisher="regional"))
    everyone = bearer(create_token(store, "Chief editor", utc_now()))

    refused = client.post("/api/checks", json=draft("theirs", "demo"), headers=regional)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "'regional'" in refused.json()["detail"] and "'demo'" in refused.json()["detail"]
    assert client.get("/api/checks/theirs", headers=everyone).status_code == 404  # nothing written

    own = client.post("/api/checks", json=draft("ours", "regional"), headers=regional)
    assert own.status_code == 201
    defaulted = client.post("/api/checks", json=draft("ours-too"), headers=regional)
    assert defaulted.status_code == 201  # a scoped token's fact-checks default to its publisher
    assert defaulted.json()["document"]["publisher"] == "regional"

    # An unscoped token (a single newsroom's) writes for every publisher.
    theirs = client.post("/api/checks", json=draft("theirs", "demo"), headers=everyone)
    assert theirs.status_code == 201
    etag = theirs.headers["etag"]
    attempts = [
        client.put("/api/checks/theirs", json=draft("theirs", "demo"), headers=regional | {"If-Match": etag}),
        client.post("/api/checks/theirs/publish", headers=regional),
    ]
    assert client.post("/api/checks/theirs/publish", headers=everyone).status_code == 200
    attempts.append(client.post("/api/checks/theirs/retract", json={"reason": "Forged"}, headers=regional))
    for response in attempts:
        assert response.status_code == 403, response.text
        assert "may write only for publisher 'regional'" in response.json()["detail"]
    assert [r.status for r in store.revisions("theirs")] == ["draft", "published"]

    # Nor can a scoped token move its own fact-check to another publisher.
    moved = client.put(
        "/api/checks/ours", json=draft("ours", "demo"), headers=regional | {"If-Match": own.headers["etag"]}
    )
    assert moved.status_code == 403
    assert client.post("/api/checks/ours/publish", headers=regional).status_code == 200
    edited = client.put("/api/checks/ours", json=draft("ours") | {"headline": "Edited"},
                        headers=regional | {"If-Match": '"ours.v2"'})  # fmt: skip
    assert edited.status_code == 200 and edited.json()["document"]["publisher"] == "regional"
    assert client.post("/api/checks/ours/retract", json={"reason": "Forged"}, headers=regional).status_code == 200


def test_an_expired_token_is_refused_like_an_unknown_one(newsroom: tuple[TestClient, Any]) -> None:
    client, store = newsroom
    now = utc_now()
    expired = create_token(store, "Old desk", now - timedelta(days=91), expires_at=now - timedelta(seconds=1))
    current = create_token(store, "New desk", now, expires_at=now + timedelta(days=90))
    unknown = client.post("/api/checks", json=draft("a"), headers=bearer("fc_0000000000000000_nope"))
    refused = client.post("/api/checks", json=draft("a"), headers=bearer(expired))
    assert refused.status_code == unknown.status_code == 401
    assert refused.json() == unknown.json()
    assert refused.headers["www-authenticate"] == unknown.headers["www-authenticate"]
    assert client.get("/api/checks?status=draft", headers=bearer(expired)).status_code == 400  # no draft access
    assert client.post("/api/checks", json=draft("a"), headers=bearer(current)).status_code == 201


def test_a_revoked_token_fails_at_once_on_every_server(database_url: str, tmp_path: Path) -> None:
    settings = newsroom_settings(database_url, tmp_path)
    first, second = create_app(settings), create_app(settings)  # two app servers, one database
    token = create_token(first.state.context.store, "Desk", utc_now())
    key_id = token.split("_")[1]
    with TestClient(first) as one, TestClient(second) as two:
        assert one.post("/api/checks", json=draft("a"), headers=bearer(token)).status_code == 201
        assert two.post("/api/checks/a/publish", headers=bearer(token)).status_code == 200
        assert second.state.context.store.revoke_token(key_id, "2030-01-01T00:00:00.000000Z") is not None
        for client in (one, two):
            response = client.post("/api/checks", json=draft("b"), headers=bearer(token))
            assert response.status_code == 401
            assert client.get("/api/checks/a/revisions", headers=bearer(token)).status_code == 401


def test_revisions_name_the_token_that_wrote_them(newsroom: tuple[TestClient, Any]) -> None:
    client, store = newsroom
    desk = create_token(store, "Night desk", utc_now())
    editor = create_token(store, "Chief editor", utc_now(), publisher="demo")
    created = client.post("/api/checks", json=draft("a"), headers=bearer(desk))
    client.post("/api/checks/a/publish", headers=bearer(editor))
    client.put("/api/checks/a", json=draft("a") | {"headline": "Edited"},
               headers=bearer(desk) | {"If-Match": '"a.v2"'})  # fmt: skip
    client.post("/api/checks/a/retract", json={"reason": "Forged"}, headers=bearer(editor))
    assert created.status_code == 201
    history = client.get("/api/checks/a/revisions", headers=bearer(desk)).json()["revisions"]
    desk_actor = {"keyId": desk.split("_")[1], "name": "Night desk"}
    editor_actor = {"keyId": editor.split("_")[1], "name": "Chief editor"}
    assert [(r["version"], r["status"], r["actor"]) for r in history] == [
        (1, "draft", desk_actor), (2, "published", editor_actor),
        (3, "published", desk_actor), (4, "retracted", editor_actor),
    ]  # fmt: skip
    for revision in history:
        assert desk not in str(revision) and editor not in str(revision)  # the key id, never the secret


def test_expiry_reads_durations_and_dates() -> None:
    now = utc_now()
    assert parse_expiry("90d", now) == now + timedelta(days=90)
    assert parse_expiry("12h", now) == now + timedelta(hours=12)
    assert parse_expiry("2w", now) == now + timedelta(weeks=2)
    assert parse_expiry("2999-12-31", now).isoformat() == "2999-12-31T00:00:00+00:00"
    assert parse_expiry("2999-12-31T10:00:00+02:00", now).isoformat() == "2999-12-31T10:00:00+02:00"
    for bad in ("soon", "0d", "2001-01-01", "2999-12-31T10:00:00", "-5d"):
        with pytest.raises(ValueError):
            parse_expiry(bad, now)
