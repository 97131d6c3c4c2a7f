"""Shared fixtures: real SQLite files, a real PostgreSQL server, a live HTTP server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.publishing import Publishing
from feed.core.settings import Settings
from feed.core.tokens import create_token
from feed.site.config import load_publishers
from feed.store import Store, open_store
from feed.store.clock import utc_now

DEMO = Path(__file__).resolve().parent.parent / "feed" / "demo"


def demo_documents() -> list[dict[str, Any]]:
    return [orjson.loads(path.read_bytes()) for path in sorted(DEMO.glob("*.json"))]


def canonical_verdicts(document: dict[str, Any], publishers: Any) -> dict[str, Any]:
    """`document` as stored: a verdict given in the fact-check's language ("Falso") becomes the
    publisher's label ("False")."""
    scale = publishers[document.get("publisher", "demo")].scale
    claims = []
    for claim in document["claims"]:
        label = scale.find(claim["verdict"])
        assert label is not None, claim["verdict"]
        claims.append(claim | {"verdict": label.label})
    return document | {"claims": claims}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- PostgreSQL: an external server by URL, or a throwaway cluster we start ----


def _pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


def _as_postgres_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder: started, stopped, restarted, removed."""

    pg_ctl: str
    root: Path
    options: str
    url: str  # libpq URL without a database name

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _ctl(self, *args: str) -> None:
        log = self.root / "log"
        command = [self.pg_ctl, "-D", str(self.data), "-o", self.options, "-l", str(log), "-w", *args]
        subprocess.run(_as_postgres_user(command), check=True, capture_output=True)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def remove(self) -> None:
        subprocess.run(
            _as_postgres_user([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(self.root, ignore_errors=True)


def new_cluster(prefix: str) -> Cluster:
    """initdb a cluster and start it (skips, or fails under FACTCARD_REQUIRE_ALL, without the binaries)."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not initdb or not pg_ctl:
        if os.environ.get("FACTCARD_REQUIRE_ALL") == "1":
            pytest.fail("PostgreSQL binaries not found, and FACTCARD_REQUIRE_ALL=1")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not installed")
    root = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres_user([initdb, "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    cluster = Cluster(pg_ctl, root, options, f"postgresql://postgres@127.0.0.1:{port}")
    cluster.start()
    return cluster


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A libpq URL (without database name) of a PostgreSQL server for this test session."""
    external = os.environ.get("FACTCARD_TEST_POSTGRES_URL")
    if external:
        yield external.rstrip("/")
        return
    cluster = new_cluster("factcard-pg-")
    try:
        yield cluster.url
    finally:
        cluster.remove()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server."""
    import psycopg

    name = "factcard_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"{postgres_server}/{name}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on a real SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'factcard.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


# -- the app on a SQLite file ------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'app.db'}", "base_url": "http://testserver"})


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def publishing(app: Any) -> Publishing:
    result: Publishing = app.state.context.publishing
    return result


@pytest.fixture
def token(app: Any) -> str:
    return create_token(app.state.context.store, "test newsroom", utc_now())


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def publishers(settings: Settings) -> Any:
    return load_publishers(settings)


# -- a live server on a random port, for consumers that fetch URLs -------------


class LiveServer:
    def __init__(self, app: Any, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def live_app(tmp_path: Path, documents: list[dict[str, Any]]) -> tuple[Any, int]:
    """An app whose base URL is the live server's own origin, loaded with `documents`."""
    port = free_port()
    live_settings = Settings.load(
        {}, {"database_url": f"sqlite:///{tmp_path / 'live.db'}", "base_url": f"http://127.0.0.1:{port}"}
    )
    application = create_app(live_settings)
    application.state.context.publishing.import_documents(documents, utc_now())
    return application, port
