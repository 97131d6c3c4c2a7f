"""A push worker killed with SIGKILL in the middle of a slow delivery, against a real local server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from feed.app import create_app
from feed.core.settings import Settings
from feed.push.worker import LEASE, Deliverer
from feed.store.clock import utc_now
from tests.conftest import demo_documents

WORKER = """
import sys
from feed.app import create_app
from feed.push.worker import Deliverer
from feed.core.settings import Settings
import httpx

settings = Settings.load({}, {"database_url": sys.argv[1], "base_url": "http://testserver",
                              "websub_hub": sys.argv[2], "indexnow_endpoint": sys.argv[3],
                              "indexnow_key": "key-12345678"})
ctx = create_app(settings).state.context
Deliverer(ctx.store, settings, ctx.publishers, httpx.Client()).deliver_due()
"""


class Remote:
    """A hub and an IndexNow endpoint; the first hub request hangs until released."""

    def __init__(self) -> None:
        self.first_hub_request = threading.Event()
        self.release = threading.Event()
        self.received: list[str] = []
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                remote.received.append(self.path)
                if self.path == "/hub" and not remote.first_hub_request.is_set():
                    remote.first_hub_request.set()
                    remote.release.wait(30)  # slow: the worker is killed while it waits
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def remote() -> Iterator[Remote]:
    server = Remote()
    server.thread.start()
    yield server
    server.release.set()
    server.server.shutdown()
    server.server.server_close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_a_slow_delivery_frees_the_unattempted_rows_at_once(remote: Remote, tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'push.db'}"
    hub, indexnow = f"{remote.url}/hub", f"{remote.url}/indexnow"
    settings = Settings.load({}, {
        "database_url": database_url, "base_url": "http://testserver", "websub_hub": hub,
        "indexnow_endpoint": indexnow, "indexnow_key": "key-12345678",
    })  # fmt: skip
    ctx = create_app(settings).state.context
    ctx.publishing.import_documents([d for d in demo_documents() if d["status"] == "published"][:2], utc_now())
    assert len(ctx.store.outbox()) == 4

    worker = subprocess.Popen([sys.executable, "-c", WORKER, database_url, hub, indexnow])
    try:
        assert remote.first_hub_request.wait(30), "the worker never reached the hub"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(30)
    assert worker.returncode == -signal.SIGKILL
    remote.release.set()

    now = utc_now()
    with httpx.Client() as client:
        survivor = Deliverer(ctx.store, settings, ctx.publishers, client)
        assert survivor.deliver_due(now) == 3  # nothing held back but the row being sent
        assert survivor.deliver_due(now + LEASE + timedelta(seconds=1)) == 1
    assert all(row.delivered_at for row in ctx.store.outbox())
    ctx.store.close()
