"""HTTP details: If-Match *, Allow on 405, strict JSON bodies, Host, and errors under the real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from feed.core.tokens import create_token
from feed.store import open_store
from feed.store.clock import utc_now
from tests.api.test_api import create, draft
from tests.conftest import free_port

CHECKOUT = Path(__file__).resolve().parent.parent.parent


# -- If-Match: * ---------------------------------------------------------------


def test_if_match_star_matches_the_current_version(client: TestClient, auth: dict[str, str]) -> None:
    create(client, auth, draft())
    star = auth | {"If-Match": "*"}
    edited = client.put("/api/checks/a-claim", json=draft() | {"headline": "Edited"}, headers=star)
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] == '"a-claim.v2"'
    published = client.post("/api/checks/a-claim/publish", headers=star)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    retracted = client.post("/api/checks/a-claim/retract", json={"reason": "Wrong."}, headers=star)
    assert retracted.status_code == 200, retracted.text
    # `*` matches nothing where nothing exists: no write, the same 404 as without it.
    assert client.put("/api/checks/nothing", json=draft("nothing"), headers=star).status_code == 404


# -- 405 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/checks", "GET, HEAD, POST"),
        ("PATCH", "/api/checks/a-claim", "GET, HEAD, PUT"),
        ("GET", "/api/checks/a-claim/publish", "POST"),
        ("POST", "/feed.json", "GET, HEAD"),
    ],
)
def test_405_allows_every_method_of_every_route_on_the_path(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"] == "application/problem+json"


# -- JSON bodies ---------------------------------------------------------------


def post_raw(client: TestClient, auth: dict[str, str], body: bytes, content_type: str) -> Any:
    return client.post("/api/checks", content=body, headers=auth | {"Content-Type": content_type})


def test_duplicate_json_keys_are_refused_naming_the_key(client: TestClient, auth: dict[str, str]) -> None:
    body = orjson.dumps(draft())[:-1] + b',"headline":"A second headline"}'
    response = post_raw(client, auth, body, "application/json")
    assert response.status_code == 400
    problem = response.json()
    assert problem["title"] == "Duplicate key" and "'headline'" in problem["detail"]
    assert problem["errors"][0]["field"] == "headline"
    nested = b'{"slug": "n", "claims": [{"text": "a", "text": "b", "verdict": "False"}]}'
    assert "'text'" in post_raw(client, auth, nested, "application/json").json()["detail"]
    assert client.get("/api/checks/a-claim", headers=auth).status_code == 404  # nothing stored


@pytest.mark.parametrize("charset", ["latin-1", "ISO-8859-1", '"utf-16"', "windows-1252"])
def test_a_declared_charset_other_than_utf8_is_415_naming_it(
    client: TestClient, auth: dict[str, str], charset: str
) -> None:
    response = post_raw(client, auth, orjson.dumps(draft()), f"application/json; charset={charset}")
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert charset.strip('"').lower() in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          'application/json;charset="UTF-8"'])  # fmt: skip
def test_utf8_or_no_charset_is_accepted(client: TestClient, auth: dict[str, str], content_type: str) -> None:
    assert post_raw(client, auth, orjson.dumps(draft()), content_type).status_code == 201


# -- under the real server -----------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    """`factcard serve` of this checkout on a free port, and a write token for it."""
    folder = tmp_path_factory.mktemp("served")
    database_url = f"sqlite:///{folder / 'factcard.db'}"
    store = open_store(database_url)
    token = create_token(store, "desk", utc_now())
    store.close()
    port = free_port()
    env = os.environ | {"PYTHONPATH": str(CHECKOUT), "FACTCARD_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "feed.cli", "serve", "--demo", "--port", str(port)],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while b" 200 " not in exchange(port, b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"):
            assert time.monotonic() < deadline, "factcard serve did not start"
            time.sleep(0.2)
        yield port, token
    finally:
        process.terminate()
        process.wait(10)


def exchange(port: int, request: bytes) -> bytes:
    """Send raw bytes, read until the server closes (or 5 s pass)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(request)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            return answer
    except OSError:
        return b""


def head_of(answer: bytes) -> tuple[int, dict[str, str]]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(head[0].split()[1]), headers


def test_a_malformed_chunk_size_is_a_400_problem_with_security_headers(served: tuple[int, str]) -> None:
    port, token = served
    request = (
        b"POST /api/checks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode() + b"\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"zz\r\n{}\r\n0\r\n\r\n"
    )
    status, headers = head_of(exchange(port, request))
    assert status == 400
    assert headers["content-type"] == "application/problem+json"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "request_head",
    [
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n",
        b"GET /feed.json HTTP/1.1\r\nHost: a.example\r\nHost: a.example\r\nConnection: close\r\n\r\n",
        b"POST /api/checks HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.0\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
    ],
)
def test_a_request_without_exactly_one_host_is_400(served: tuple[int, str], request_head: bytes) -> None:
    port, _ = served
    exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")  # the home page is cached now
    status, headers = head_of(exchange(port, request_head))
    assert status == 400
    assert headers["content-type"] == "application/problem+json"
    assert headers["x-frame-options"] == "DENY"


def test_one_host_or_none_on_http_1_0_is_served(served: tuple[int, str]) -> None:
    port, _ = served
    assert head_of(exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))[0] == 200
    assert head_of(exchange(port, b"GET / HTTP/1.0\r\n\r\n"))[0] == 200


def test_an_unexpected_error_is_a_500_problem_with_security_headers(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> int:
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(app.state.context.store, "sitemap_count", broken)  # what /sitemap.xml reads first
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/sitemap.xml")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Internal server error"
    assert "store fell over" not in response.text  # no internals in the answer
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "body",
    [b'{"n": ' + b"1" * 5000 + b"}", b"[" * 1020 + b"]" * 1020, b'{"a": {"b": 1, "c": 2}, "b": 3}'],
)
def test_odd_but_valid_json_bodies_get_a_4xx_not_a_500(client: TestClient, auth: dict[str, str], body: bytes) -> None:
    response = post_raw(client, auth, body, "application/json")
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] != "Duplicate key"  # a key in two different objects is no duplicate
