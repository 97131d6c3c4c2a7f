"""The embedded store: one SQLite file in WAL mode."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from feed.store.base import Store


class SQLiteStore(Store):
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        parent = Path(path).parent
        if not parent.is_dir():
            raise ValueError(f"DATABASE_URL names {path!r}, but folder {str(parent)!r} does not exist")

    def _connect(self) -> Any:
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE in _begin).
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    def _begin(self, cursor: Any) -> None:
        # IMMEDIATE takes the write lock now, so read-check-write cannot interleave.
        cursor.execute("BEGIN IMMEDIATE")
