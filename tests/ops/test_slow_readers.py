"""Slow readers of the streamed DataFeed: bounded memory while they hang on, and a shutdown
that does not wait for them past its deadline. A real `factcard serve` on a few thousand
fact-checks; generous bounds, since the machines running this are shared.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.generate import generate
from tests.serving import Served, serve

CHECKS = 5_000
READERS = 24


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("big") / "big.db"
    generate(f"sqlite:///{database}", CHECKS)
    return database


def slow_reader(server: Served) -> socket.socket:
    """A client that asks for /claimreview.json, reads its first bytes, then stops reading."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect, so the window stays small
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(b"GET /claimreview.json HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\n\r\n")
    sock.settimeout(30)
    assert sock.recv(100).startswith(b"HTTP/1.1 200")
    return sock


def settled_rss_kib(server: Served, limit: float = 25) -> int:
    """The server's resident memory once it stops changing (or after `limit` seconds)."""
    deadline, readings = time.monotonic() + limit, [server.rss_kib()]
    while time.monotonic() < deadline:
        time.sleep(0.5)
        readings.append(server.rss_kib())
        recent = readings[-6:]
        if len(recent) == 6 and max(recent) - min(recent) < 512:
            break
    return readings[-1]


@pytest.fixture
def readers() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def test_slow_readers_hold_little_memory(tmp_path: Path, big_store: Path, readers: list[socket.socket]) -> None:
    with serve(tmp_path, big_store) as server:
        status, body = server.get("/claimreview.json", timeout=60)  # warm up: imports, caches, threads
        assert status == 200
        before = settled_rss_kib(server)
        readers.extend(slow_reader(server) for _ in range(READERS))
        during = settled_rss_kib(server)
        for sock in readers:
            sock.close()
        after = settled_rss_kib(server)
        # Buffering ahead of a slow reader costs a share of the body per reader (a
        # few MiB each before); producing only what the client takes costs a little.
        bound = 4 * len(body) // 1024
        report = f"body {len(body) >> 10} KiB; RSS {before} KiB, {during} with {READERS} slow readers, {after} after"
        assert during - before < bound, report
        assert after - before < bound, report
        assert server.get("/robots.txt", timeout=10)[0] == 200


def test_sigterm_with_a_slow_reader_exits_by_the_deadline(
    tmp_path: Path, big_store: Path, readers: list[socket.socket]
) -> None:
    deadline = 3
    with serve(tmp_path, big_store, env={"FACTCARD_SHUTDOWN_TIMEOUT": str(deadline)}) as server:
        readers.append(slow_reader(server))
        time.sleep(1)  # the response is well under way, and stuck
        workers = server.pids()[1:]
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(deadline + 20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {deadline + 20} s after SIGTERM, with a {deadline} s shutdown deadline")
        took = time.monotonic() - started
        assert took < deadline + 20
        for pid in workers:
            assert not _alive(pid), f"worker {pid} outlived the server"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent has not asked yet
