"""The embedded store: one SQLite file in WAL mode, one connection per thread.

The file holds drafts and token hashes, so it is created readable by its owner only; SQLite
gives its -wal and -shm files the database file's mode. Commits are durable once acknowledged
(synchronous=FULL): in WAL mode, NORMAL can lose the last commits on power loss.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from feed.store.base import Store
from feed.store.search import WordMatch
from feed.store.searchentry import FIELDS
from feed.store.sql import Cursor

FILE_MODE = 0o600


class NoStore(Exception):
    """A command that only works on an existing store found no file where DATABASE_URL points."""


def create_private(path: str) -> None:
    """Create an empty database file readable by its owner only, unless it exists already.

    An existing file keeps the mode its operator gave it.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, FILE_MODE)  # exactly this mode, whatever the umask took away
    finally:
        os.close(fd)


class SQLiteStore(Store):
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"
    tag_column = "TEXT"  # SQLite compares text byte by byte unless told otherwise
    document_language = "json_extract(document, '$.language')"
    document_translations = "json_each(f.document, '$.translations') AS t"
    document_canonical_url = (
        "CASE WHEN json_type(document, '$.originalIsCanonical') = 'true' "
        "THEN json_extract(document, '$.originalUrl') END"
    )
    integrity_errors = (sqlite3.IntegrityError,)
    # Terms arrive made (feed.words), a space between each: the ascii tokenizer splits at ASCII
    # spaces and punctuation only, so every other character stays inside its term, as made.
    search_text_schema = (
        "CREATE VIRTUAL TABLE search_text USING fts5(claim, headline, labels, body, tokenize = 'ascii')",
    )

    def __init__(self, path: str, create: bool = True):
        """`create=False` refuses a missing file (NoStore) rather than making an empty store:
        a command that reads, run in the wrong folder, must say so, not leave a file behind."""
        self.path = path
        if path != ":memory:":  # SQLite's own name for a database in memory: no file to make
            parent = Path(path).parent
            if not create and not Path(path).is_file():
                raise NoStore(f"there is no store at {str(Path(path).resolve())!r} (DATABASE_URL sqlite:///{path})")
            if not parent.is_dir():
                raise ValueError(f"DATABASE_URL names {path!r}, but folder {str(parent)!r} does not exist")
            create_private(path)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []  # every thread's connection, so close() can reach them
        self._opened_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE in _begin).
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
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

    def _write_search_text(self, cur: Cursor, document_id: int, fields: dict[str, list[frozenset[str]]]) -> None:
        cur.execute("DELETE FROM search_text WHERE rowid = ?", (document_id,))
        columns = [" ".join(term for terms in fields[name] for term in sorted(terms)) for name in FIELDS]
        cur.execute("INSERT INTO search_text (rowid, claim, headline, labels, body) VALUES (?, ?, ?, ?, ?)",
                    (document_id, *columns))  # fmt: skip

    def _delete_search_text(self, cur: Cursor, document_id: int) -> None:
        cur.execute("DELETE FROM search_text WHERE rowid = ?", (document_id,))

    def _match(self, groups: Sequence[frozenset[str]], every: bool) -> WordMatch:
        expression = (" AND " if every else " OR ").join(
            "(" + " OR ".join('"' + term.replace('"', '""') + '"' for term in sorted(group)) + ")" for group in groups
        )
        newest = self._newest_only(expression)
        condition = " AND search_text MATCH ?" + ("" if newest is None else " AND search_text.rowid > ?")
        params: tuple[Any, ...] = (expression,) if newest is None else (expression, newest)
        # bm25 is lower for better matches; the claims weigh most, then headline, labels, body.
        return WordMatch(" JOIN search_text ON search_text.rowid = d.id", condition, params,
                         "bm25(search_text, 10.0, 6.0, 3.0, 1.0), ", ())  # fmt: skip

    # A word in one fact-check of ten or more ("covid" in a fact-checking archive) is ranked
    # among the most recently indexed `newest_window` fact-checks only: bm25 costs about a
    # microsecond a match, so ranking a third of 100,000 fact-checks would take longer than the
    # whole page may, and which of thousands of equal matches comes first says little; the
    # newest are the better guess. Whether a word is that common is read off the newest
    # `probe_window` (a tenth of a millisecond); an archive within the window is ranked whole.
    newest_window = 20_000
    probe_window = 2_000
    common_share = 0.1

    def _newest_only(self, expression: str) -> int | None:
        """The id after which to rank when `expression` matches too much to rank whole, else None."""
        top = self._query("SELECT max(id) FROM search_documents")[0][0]
        if top is None or top <= self.newest_window:
            return None
        enough = max(1, int(self.probe_window * self.common_share))
        rows = self._query(
            "SELECT count(*) FROM (SELECT rowid FROM search_text WHERE search_text MATCH ? AND rowid > ? LIMIT ?)",
            (expression, top - self.probe_window, enough),
        )
        return int(top) - self.newest_window if int(rows[0][0]) >= enough else None

    def close(self) -> None:
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
        self._local = threading.local()
