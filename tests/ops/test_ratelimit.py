from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.clients import client_address, parse_networks
from feed.core.settings import Settings
from feed.core.tokens import create_token
from feed.ops.ratelimit import Limit
from feed.store.clock import utc_now
from tests.api.test_api import draft


def limited_app(tmp_path: Path, **limits: Any) -> Any:
    overrides = {"database_url": f"sqlite:///{tmp_path / 'limits.db'}", "base_url": "http://testserver"}
    return create_app(Settings.load({}, overrides | {"access_log": "off"} | limits))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_too_many(response: Any) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 429
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 60
    return retry


def test_failed_token_checks_are_limited_per_address(tmp_path: Path) -> None:
    app = limited_app(tmp_path, auth_failures_per_minute=3)
    token = create_token(app.state.context.store, "desk", utc_now())
    guesser = TestClient(app, client=("192.0.2.1", 40000))
    neighbour = TestClient(app, client=("192.0.2.2", 40000))
    for guess in range(3):
        assert guesser.post("/api/checks", json=draft(), headers=bearer(f"fc_nope_{guess}")).status_code == 401
    assert_too_many(guesser.post("/api/checks", json=draft(), headers=bearer("fc_nope_4")))
    # Once limited, the address gets no token checked at all, not even a good one, on any route.
    assert_too_many(guesser.post("/api/checks", json=draft(), headers=bearer(token)))
    assert_too_many(guesser.get("/api/checks?status=draft", headers=bearer("fc_nope_5")))
    # Public reads carry no token and stay open.
    assert guesser.get("/api/checks").status_code == 200
    assert guesser.get("/").status_code == 200
    # Another address is judged on its own record.
    assert neighbour.post("/api/checks", json=draft(), headers=bearer("fc_nope_6")).status_code == 401
    assert neighbour.post("/api/checks", json=draft(), headers=bearer(token)).status_code == 201


def test_writes_are_limited_per_token_and_reads_are_not(tmp_path: Path) -> None:
    app = limited_app(tmp_path, writes_per_minute_per_token=2)
    store = app.state.context.store
    busy, other = create_token(store, "busy desk", utc_now()), create_token(store, "other desk", utc_now())
    with TestClient(app) as client:
        for slug in ("one", "two"):
            assert client.post("/api/checks", json=draft(slug), headers=bearer(busy)).status_code == 201
        assert_too_many(client.post("/api/checks", json=draft("three"), headers=bearer(busy)))
        assert_too_many(client.post("/api/checks/one/publish", headers=bearer(busy)))
        for _ in range(10):  # reads with the same token go on
            assert client.get("/api/checks?status=draft", headers=bearer(busy)).json()["total"] == 2
            assert client.get("/api/checks/one", headers=bearer(busy)).status_code == 200
            assert client.get("/api/checks/one/revisions", headers=bearer(busy)).status_code == 200
        assert client.post("/api/checks", json=draft("three"), headers=bearer(other)).status_code == 201
        assert client.get("/api/checks/three", headers=bearer(other)).status_code == 200


def test_writes_are_limited_per_address_across_tokens(tmp_path: Path) -> None:
    app = limited_app(tmp_path, writes_per_minute_per_address=2)
    store = app.state.context.store
    tokens = [create_token(store, f"desk {n}", utc_now()) for n in range(3)]
    here, there = TestClient(app, client=("192.0.2.1", 1)), TestClient(app, client=("192.0.2.2", 1))
    assert here.post("/api/checks", json=draft("a"), headers=bearer(tokens[0])).status_code == 201
    assert here.post("/api/checks", json=draft("b"), headers=bearer(tokens[1])).status_code == 201
    assert_too_many(here.post("/api/checks", json=draft("c"), headers=bearer(tokens[2])))
    assert there.post("/api/checks", json=draft("c"), headers=bearer(tokens[2])).status_code == 201


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    app = limited_app(tmp_path, auth_failures_per_minute=2, trusted_proxies="127.0.0.1, ::1")
    proxy = TestClient(app, client=("127.0.0.1", 1))
    stranger = TestClient(app, client=("192.0.2.9", 1))

    def guess(client: TestClient, forwarded: str) -> int:
        headers = bearer("fc_nope_nope") | {"X-Forwarded-For": forwarded}
        return client.post("/api/checks", json=draft(), headers=headers).status_code

    assert [guess(proxy, "198.51.100.1") for _ in range(3)] == [401, 401, 429]
    assert guess(proxy, "198.51.100.2") == 401  # another client behind the proxy
    # A stranger cannot escape its own record by writing the header itself.
    assert [guess(stranger, f"198.51.100.{n}") for n in range(10, 13)] == [401, 401, 429]


def test_no_limit_when_set_to_zero(tmp_path: Path) -> None:
    app = limited_app(tmp_path, auth_failures_per_minute=0)
    client = TestClient(app)
    for _ in range(30):
        assert client.post("/api/checks", json=draft(), headers=bearer("fc_nope_nope")).status_code == 401


def test_a_bucket_refills_at_the_limits_pace() -> None:
    now = [1000.0]
    limit = Limit(6, clock=lambda: now[0])  # one every 10 s, bursts of 6
    assert [limit.take("a") for _ in range(6)] == [0.0] * 6
    assert limit.take("a") == pytest.approx(10.0)
    assert limit.take("b") == 0.0
    now[0] += 5
    assert limit.wait("a") == pytest.approx(5.0)
    now[0] += 5
    assert limit.take("a") == 0.0 and limit.take("a") == pytest.approx(10.0)
    now[0] += 3600
    assert [limit.take("a") for _ in range(7)][-2:] == [0.0, pytest.approx(10.0)]  # full again, never more


def scope(peer: str, forwarded: str | None = None) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"type": "http", "client": (peer, 1234), "headers": headers}


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("192.0.2.1", None, "", "192.0.2.1"),
        ("192.0.2.1", "203.0.113.5", "", "192.0.2.1"),  # no proxy trusted: the header is ignored
        ("10.1.2.3", "203.0.113.5", "10.0.0.0/8", "203.0.113.5"),
        ("10.1.2.3", "6.6.6.6, 203.0.113.5, 10.9.9.9", "10.0.0.0/8", "203.0.113.5"),  # rightmost untrusted hop
        ("10.1.2.3", "203.0.113.5:4711", "10.0.0.0/8", "203.0.113.5"),
        ("::1", "[2001:db8::7]:443", "::1", "2001:db8::7"),
        ("::ffff:10.1.2.3", "203.0.113.5", "10.0.0.0/8", "203.0.113.5"),
        ("10.1.2.3", "junk, 203.0.113.5", "10.0.0.0/8", "203.0.113.5"),
        ("10.1.2.3", "203.0.113.5, junk", "10.0.0.0/8", "10.1.2.3"),  # a proxy wrote junk: trust stops
        ("10.1.2.3", "", "10.0.0.0/8", "10.1.2.3"),
        ("testclient", "203.0.113.5", "10.0.0.0/8", "testclient"),
    ],
)
def test_client_address(peer: str, forwarded: str | None, trusted: str, client: str) -> None:
    assert client_address(scope(peer, forwarded), parse_networks(trusted)) == client


def test_a_bad_trusted_proxy_setting_is_refused() -> None:
    with pytest.raises(ValueError, match=r"FACTCARD_TRUSTED_PROXIES: 'proxy\.internal' is not an IP"):
        Settings.load({"FACTCARD_TRUSTED_PROXIES": "10.0.0.1, proxy.internal"})


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="writes_per_minute_per_token must be 0"):
        Settings.load({"FACTCARD_WRITES_PER_MINUTE_PER_TOKEN": "-1"})
