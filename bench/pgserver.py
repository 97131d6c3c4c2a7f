"""A PostgreSQL server for a benchmark: the one FACTCARD_BENCH_POSTGRES_URL names, or a throwaway
cluster started for the run (initdb in a temporary folder, on 127.0.0.1 only) and removed after.

    with postgres_database() as url:   # a fresh, empty database, dropped afterwards
        ...
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.soak import Postgres

ENVIRONMENT = "FACTCARD_BENCH_POSTGRES_URL"


@contextmanager
def postgres_server() -> Iterator[str]:
    """A libpq URL of a server, without a database name."""
    external = os.environ.get(ENVIRONMENT)
    if external:
        yield external.rstrip("/")
        return
    root = Path(tempfile.mkdtemp(prefix="factcard-bench-pg-"))
    try:
        server = Postgres(root)
        try:
            yield server.url.rsplit("/", 1)[0]
        finally:
            server.ctl("stop", "-m", "fast")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A fresh database on `server`, dropped when the block ends."""
    import psycopg

    name = "factcard_bench_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
