"""`factcard serve` under connections that hold on: slowloris, slow bodies, idle keep-alive.

Each test runs a real server process and ends by itself, whatever the server does.
"""

from __future__ import annotations

import importlib.util
import resource
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from feed.core.settings import Settings
from feed.server import BodyGuards, check, files_needed, granian_options
from tests.serving import ROOT, allow_open_files, serve

LORIS = 2_000  # twice granian's default limit of 1,024 connections per worker


def test_a_slowloris_does_not_starve_fresh_clients(tmp_path: Path) -> None:
    """Thousands of sockets dribbling a request line: a fresh client is still served at once."""
    allow_open_files(LORIS + 256)
    # Default connection limits; a long header deadline, so that on a slow machine the
    # slow clients are still held while the fresh ones are served.
    with serve(tmp_path, tmp_path / "loris.db", env={"FACTCARD_HEADER_TIMEOUT": "120"}) as server:
        sockets: list[socket.socket] = []
        try:
            for _ in range(LORIS):
                sock = socket.socket()
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", server.port))
                sockets.append(sock)
            time.sleep(1)
            _send_to_all(sockets, b"GET /robots.txt HTTP/1.1\r\nHo")
            for _ in range(5):
                started = time.monotonic()
                try:
                    status, _ = server.get("/robots.txt", timeout=5)
                except TimeoutError:
                    pytest.fail(f"a fresh client timed out while {LORIS} slow clients were connected")
                assert status == 200
                assert time.monotonic() - started < 5
                _send_to_all(sockets, b"s")  # still sending, slowly
                time.sleep(1)
            # The slow clients were still connected, not dropped, while the fresh ones were served.
            assert _still_open(sockets) > LORIS * 0.9
        finally:
            for sock in sockets:
                sock.close()


def _send_to_all(sockets: list[socket.socket], data: bytes) -> None:
    for sock in sockets:
        try:
            sock.send(data)
        except OSError:  # not connected yet, or cut: either way not ours to fix here
            pass


def _still_open(sockets: list[socket.socket]) -> int:
    """Sockets the server has not closed (a closed one polls readable, with EOF)."""
    poller = select.poll()
    for sock in sockets:
        poller.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)
    closed = {fd for fd, _ in poller.poll(0)}
    return sum(1 for sock in sockets if sock.fileno() not in closed)


def _closed_within(sock: socket.socket, seconds: float, dribble: bytes = b"") -> float | None:
    """Seconds until the server closed `sock` (sending `dribble` twice a second), or None."""
    started = time.monotonic()
    sock.settimeout(0.5)
    while time.monotonic() - started < seconds:
        try:
            if dribble:
                sock.send(dribble)
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except OSError:  # reset: closed as well
            return time.monotonic() - started
    return None


def test_the_header_deadline_closes_slow_and_idle_connections(tmp_path: Path) -> None:
    with serve(tmp_path, tmp_path / "headers.db", env={"FACTCARD_HEADER_TIMEOUT": "2"}) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as dribbling:
            dribbling.sendall(b"GET /robots.txt HTTP/1.1\r\n")
            waited = _closed_within(dribbling, 10, dribble=b"X-Slow: y\r\n")
            assert waited is not None, "a client dribbling headers kept its connection past the deadline"
            assert waited >= 1
        with socket.create_connection(("127.0.0.1", server.port)) as idle:
            idle.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
            idle.settimeout(5)
            assert idle.recv(65536).startswith(b"HTTP/1.1 200")
            assert _closed_within(idle, 10) is not None, "an idle keep-alive connection was never closed"
        assert server.get("/robots.txt", timeout=5)[0] == 200


def test_a_body_sent_too_slowly_gets_408(tmp_path: Path) -> None:
    database = tmp_path / "body.db"
    created = subprocess.run(
        [sys.executable, "-m", "feed.cli", "token", "create", "desk", "--database-url", f"sqlite:///{database}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    token = created.stdout.strip()
    with serve(tmp_path, database, env={"FACTCARD_BODY_TIMEOUT": "2"}) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as slow:
            head = (
                "POST /api/checks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {token}\r\nContent-Length: 1000\r\n\r\n"
            )
            slow.sendall(head.encode() + b'{"slug": ')
            started = time.monotonic()
            slow.settimeout(15)
            response = b""
            while b"\r\n\r\n" not in response or not response.rstrip().endswith(b"}"):
                data = slow.recv(65536)
                if not data:
                    break
                response += data
            waited = time.monotonic() - started
        assert response.startswith(b"HTTP/1.1 408"), response[:200]
        assert 1.5 <= waited < 12
        problem = orjson.loads(response.split(b"\r\n\r\n", 1)[1])
        assert problem["status"] == 408 and "2 seconds" in problem["detail"]
        # A body sent in time is read as before (here: refused for its content, not its pace).
        with socket.create_connection(("127.0.0.1", server.port)) as prompt:
            body = b'{"slug": "x"}'
            prompt.sendall(head.replace("1000", str(len(body))).encode() + body)
            prompt.settimeout(15)
            assert prompt.recv(65536).startswith(b"HTTP/1.1 422")


def test_server_settings_become_granian_options() -> None:
    settings = Settings.load(
        {"FACTCARD_MAX_CONNECTIONS": "5000", "FACTCARD_HEADER_TIMEOUT": "7", "FACTCARD_SHUTDOWN_TIMEOUT": "4"}
    )
    options = granian_options(settings)
    assert options["backpressure"] == 5000 and options["backlog"] == settings.backlog
    assert options["http1_settings"].header_read_timeout == 7000
    assert options["workers_kill_timeout"] == 4
    assert files_needed(settings, workers=2) > 2 * 5000 + settings.backlog
    # uvloop when installed (the package depends on it), never a loop granian happens to find
    assert options["loop"] == ("uvloop" if importlib.util.find_spec("uvloop") else "asyncio")


def test_serve_raises_a_low_open_files_limit() -> None:
    """A soft limit of 1,024 (common for services) cannot hold 10,000 connections; the hard one may."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"the hard limit on open files is only {hard}")
    script = (
        "import resource; from feed.server import raise_open_files_limit as r; "
        "resource.setrlimit(resource.RLIMIT_NOFILE, (1024, resource.getrlimit(resource.RLIMIT_NOFILE)[1])); "
        "print(r(4096), resource.getrlimit(resource.RLIMIT_NOFILE)[0])"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["4096", "4096"]


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("FACTCARD_MAX_CONNECTIONS", "0", "FACTCARD_MAX_CONNECTIONS must be at least 1"),
        ("FACTCARD_BACKLOG", "64", "FACTCARD_BACKLOG must be at least 128"),
        ("FACTCARD_HEADER_TIMEOUT", "0", "FACTCARD_HEADER_TIMEOUT must be 1-300 seconds"),
        ("FACTCARD_HEADER_TIMEOUT", "3600", "FACTCARD_HEADER_TIMEOUT must be 1-300 seconds"),
        ("FACTCARD_BODY_TIMEOUT", "0", "FACTCARD_BODY_TIMEOUT must be at least 1"),
        ("FACTCARD_SHUTDOWN_TIMEOUT", "0", "FACTCARD_SHUTDOWN_TIMEOUT must be at least 1"),
    ],
)
def test_impossible_server_settings_are_refused(env: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check(Settings.load({env: value}))


def test_only_requests_with_a_body_go_through_the_body_guards() -> None:
    """Without Content-Length or Transfer-Encoding there is no body to time or drain."""
    import asyncio

    from starlette.types import Receive, Scope, Send

    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append("app")

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append("guarded")

    guards = BodyGuards(app, guarded)

    async def receive() -> dict[str, object]:
        return {}

    async def send(message: dict[str, object]) -> None:
        pass

    def http(*headers: tuple[bytes, bytes]) -> Scope:
        return {"type": "http", "method": "GET", "headers": [(b"host", b"x"), *headers]}

    async def run() -> None:
        for scope in (
            http(),
            http((b"content-length", b"5")),
            http((b"content-length", b"0")),
            http((b"transfer-encoding", b"chunked")),
            http((b"expect", b"100-continue")),  # no body announced: nothing will be sent
            {"type": "lifespan"},
        ):
            await guards(scope, receive, send)

    asyncio.run(run())
    assert seen == ["app", "guarded", "guarded", "guarded", "app", "app"]
