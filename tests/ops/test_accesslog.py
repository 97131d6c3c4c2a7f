from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.core.tokens import create_token
from feed.ops.accesslog import AccessLog
from feed.store.clock import utc_now
from tests.conftest import demo_documents


def app_logging_to(tmp_path: Path, destination: str, **overrides: Any) -> Any:
    settings = Settings.load(
        {},
        {"database_url": f"sqlite:///{tmp_path / 'log.db'}", "base_url": "http://testserver", "access_log": destination}
        | overrides,
    )
    application = create_app(settings)
    application.state.context.publishing.import_documents(demo_documents(), utc_now())
    return application


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_text().splitlines()]


def test_one_json_line_per_request_for_rendered_and_cached_answers(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    with TestClient(app_logging_to(tmp_path, str(log))) as client:
        first = client.get("/embed/lightning-never-strikes-twice?theme=dark")
        second = client.get("/embed/lightning-never-strikes-twice?theme=dark")
        missing = client.get("/no/such/page")
        write = client.post("/api/checks", json={})
    # Leaving the client shuts the app down, which writes out every queued line.
    rendered, cached, not_found, refused = lines(log)

    assert first.status_code == second.status_code == 200
    assert rendered["cache"] == "miss" and cached["cache"] == "hit"  # the second came from the fast path
    for line, response in ((rendered, first), (cached, second)):
        assert line["method"] == "GET"
        assert line["path"] == "/embed/lightning-never-strikes-twice"
        assert line["query"] == "theme=dark"
        assert line["route"] == "/embed/{slug}"
        assert line["status"] == 200
        assert line["bytes"] == int(response.headers["content-length"])  # as sent: compressed
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["client"] == "testclient"
        assert datetime.fromisoformat(line["time"]).tzinfo is not None
    assert not_found["status"] == 404 and not_found["route"] is None and not_found["bytes"] == len(missing.content) > 0
    assert refused["method"] == "POST" and refused["status"] == write.status_code == 401
    assert refused["route"] == "/api/checks" and refused["cache"] is None


def test_pages_rendered_after_a_write_are_not_logged_as_requests(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    app = app_logging_to(tmp_path, str(log))
    token = create_token(app.state.context.store, "desk", utc_now())
    document = demo_documents()[0] | {"slug": "warmed-after-writing"}
    with TestClient(app) as client:
        created = client.post("/api/checks", json=document, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201 and created.json()["status"] == "published"
        assert client.get("/checks/warmed-after-writing").status_code == 200
    write, read = lines(log)  # the pages rendered for the cache after the write made no lines
    assert (write["method"], write["status"]) == ("POST", 201)
    assert (read["route"], read["cache"]) == ("/checks/{slug}", "hit")


def test_requests_never_wait_for_the_log_to_be_written(tmp_path: Path) -> None:
    release = threading.Event()
    written: list[bytes] = []

    class Stuck:
        """A destination that blocks, like a full pipe or a hung network disk."""

        def write(self, data: bytes) -> None:
            release.wait(30)
            written.append(data)

        def close(self) -> None:
            pass

    app = app_logging_to(tmp_path, "stderr")
    app.observer.access_log.open_sink = Stuck
    try:
        with TestClient(app) as client:
            started = time.monotonic()
            for _ in range(5):
                assert client.get("/").status_code == 200
            assert time.monotonic() - started < 10
            assert written == []  # the writer is still stuck on the first line
            release.set()
    finally:
        release.set()
    assert [orjson.loads(line)["route"] for line in b"".join(written).splitlines()] == ["/"] * 5


def test_lines_past_the_queue_limit_are_dropped_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("feed.ops.accesslog.MAX_QUEUED", 3)
    log = AccessLog(str(tmp_path / "access.log"))
    log.thread = threading.Thread()  # a writer that is not writing: lines pile up
    for n in range(5):
        log.write({"n": n})
    log.thread = None
    log.start()
    log.stop()
    found = lines(tmp_path / "access.log")
    assert [line.get("n") for line in found[:3]] == [0, 1, 2]
    assert found[3]["dropped"] == 2


def test_standard_error_by_default_and_off_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert Settings.load({}).access_log == "stderr"
    with TestClient(app_logging_to(tmp_path, "stderr")) as client:
        client.get("/feed.json")
    (line,) = [orjson.loads(text) for text in capsys.readouterr().err.splitlines() if text.startswith("{")]
    assert line["route"] == "/feed.json" and line["status"] == 200

    quiet = tmp_path / "quiet"
    quiet.mkdir()
    with TestClient(app_logging_to(quiet, "off")) as client:
        client.get("/feed.json")
    assert capsys.readouterr().err == ""


def test_the_client_is_the_forwarded_address_only_behind_a_trusted_proxy(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    app = app_logging_to(tmp_path, str(log), trusted_proxies="10.0.0.0/8")
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.0.0.3"}
    with TestClient(app, client=("10.0.0.2", 5000)) as proxied:
        proxied.get("/", headers=headers)
    with TestClient(app, client=("192.0.2.8", 5000)) as direct:
        direct.get("/", headers=headers)
    behind_proxy, not_a_proxy = lines(log)
    # 10.0.0.3 is another trusted proxy; 198.51.100.1 was written by the client itself.
    assert behind_proxy["client"] == "203.0.113.9"
    assert not_a_proxy["client"] == "192.0.2.8"


def test_nothing_is_queued_when_off_or_not_running(tmp_path: Path) -> None:
    for log in (AccessLog("off"), AccessLog(str(tmp_path / "access.log"))):
        log.write({"path": "/"})
        assert log.thread is None and log.queue.empty()
    off = AccessLog("off")
    off.start()
    assert off.thread is None


def test_the_writers_lines_are_request_line_byte_for_byte() -> None:
    import random

    from feed.ops.accesslog import Clock, LineWriter, request_line

    rng, writer, clock = random.Random(7), LineWriter(), Clock()
    writer.MAX_PARTS = 8  # small, so the parts are also dropped and made again
    paths = ["/", "/embed/x", '/a"b\\c', "/ünï", "/\u2028x", "/checks/x.json", "/\x7f"]
    queries = [b"", b"a=1&b=%22", "é=1".encode("latin-1"), b'q="<x>"']
    for _ in range(3000):
        queued = (
            1_790_000_000 + rng.random() * 100, rng.choice(["GET", "HEAD", "POST"]), rng.choice(paths),
            rng.choice(queries), rng.choice([None, "/embed/{slug}"]), rng.choice([200, 304, 404]),
            rng.randrange(10**7), rng.random() * rng.choice([0.001, 3, 1000]), rng.choice(["127.0.0.1", "::1"]),
            rng.choice([None, "hit", "miss", "bypass"]),
        )  # fmt: skip
        assert writer.line(queued) == request_line(clock, queued)
