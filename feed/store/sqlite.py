"""The embedded store: one SQLite file in WAL mode, one connection per thread."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from feed.store.base import Store


class SQLiteStore(Store):
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str):
        self.path = path
        parent = Path(path).parent
        if not parent.is_dir():
            raise ValueError(f"DATABASE_URL names {path!r}, but folder {str(parent)!r} does not exist")
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []  # every thread's connection, so close() can reach them
        self._opened_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE in _begin).
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    @contextmanager
    def _checkout(self, timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        # A file has no server to lose: each thread keeps its connection for good.
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
            with self._opened_lock:
                self._opened.append(connection)
        yield connection

    def _begin(self, cursor: Any) -> None:
        # IMMEDIATE takes the write lock now, so read-check-write cannot interleave.
        cursor.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
        self._local = threading.local()
