"""Imported archives: which fact-check each original page became, and how far an import run got.

`imported_pages` holds, per original article URL, what the last import wrote: the slug, a digest
of the document it read (a re-import that reads the same document changes nothing), the
fact-check's version it wrote (a later version is an edit made here since, which a re-import
reports as a conflict rather than overwrite) and the page's ETag and Last-Modified for a
conditional GET next time. The row is written in the fact-check's own transaction
(`Store.write_imported`), so the two never disagree after a crash.

An import run is known by its sources and options (its key); a run that stopped before its end
is resumed by the next run with the same key, which passes over the pages it already did.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from feed.store.sql import Cursor, SQLBase


@dataclass(frozen=True)
class ImportedPage:
    source_url: str  # the original article's URL
    slug: str
    digest: str  # SHA-256 of the document the import read for it
    version: int  # the fact-check's version that import wrote
    fetched_url: str | None = None  # the URL the page was fetched by, when not source_url
    etag: str | None = None
    last_modified: str | None = None
    imported_at: str = ""


_COLUMNS = "source_url, slug, digest, version, fetched_url, etag, last_modified, imported_at"


class ImportLedger(SQLBase):
    def imported_page(self, source_url: str) -> ImportedPage | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM imported_pages WHERE source_url = ?", (source_url,))
        return ImportedPage(*rows[0]) if rows else None

    def imported_page_fetched(self, url: str) -> ImportedPage | None:
        """The page last fetched by `url` (for a conditional GET), whichever URL it says is its own."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM imported_pages WHERE source_url = ? OR fetched_url = ? "
            "ORDER BY imported_at DESC LIMIT 1",
            (url, url),
        )
        return ImportedPage(*rows[0]) if rows else None

    def imported_pages(self) -> Iterator[ImportedPage]:
        """Every original page an import brought in, by URL (for redirect maps and tools)."""
        for row in self._query(f"SELECT {_COLUMNS} FROM imported_pages ORDER BY source_url"):
            yield ImportedPage(*row)

    def _record_import(self, cur: Cursor, page: ImportedPage) -> None:
        """Write `page`'s row inside the transaction that wrote its fact-check."""
        cur.execute("DELETE FROM imported_pages WHERE source_url = ?", (page.source_url,))
        cur.execute(
            f"INSERT INTO imported_pages ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                page.source_url,
                page.slug,
                page.digest,
                page.version,
                page.fetched_url,
                page.etag,
                page.last_modified,
                page.imported_at,
            ),
        )

    def remember_validators(self, source_url: str, etag: str | None, last_modified: str | None) -> None:
        """A page read again unchanged: keep its newest ETag and Last-Modified for the next run."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE imported_pages SET etag = ?, last_modified = ? WHERE source_url = ?",
                (etag, last_modified, source_url),
            )

    # -- runs ------------------------------------------------------------------------------------

    def start_import_run(self, run_key: str, now: str) -> tuple[int, bool]:
        """The run to record pages under, and whether it resumes one that stopped before its end."""
        with self._transaction() as cur:
            cur.execute(
                "SELECT id FROM import_runs WHERE run_key = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
                (run_key,),
            )
            rows = cur.fetchall()
            if rows:
                return int(rows[0][0]), True
            cur.execute("INSERT INTO import_runs (run_key, started_at) VALUES (?, ?) RETURNING id", (run_key, now))
            return int(cur.fetchall()[0][0]), False

    def import_run_pages(self, run_id: int) -> dict[str, str]:
        """The pages a run has done, and each one's outcome."""
        rows = self._query("SELECT url, outcome FROM import_run_pages WHERE run_id = ?", (run_id,))
        return {str(url): str(outcome) for url, outcome in rows}

    def _mark_run_page(self, cur: Cursor, run_id: int, url: str, outcome: str) -> None:
        cur.execute("DELETE FROM import_run_pages WHERE run_id = ? AND url = ?", (run_id, url))
        cur.execute("INSERT INTO import_run_pages (run_id, url, outcome) VALUES (?, ?, ?)", (run_id, url, outcome))

    def mark_run_page(self, run_id: int, url: str, outcome: str) -> None:
        """A page done without a write (unchanged, skipped, failed)."""
        with self._transaction() as cur:
            self._mark_run_page(cur, run_id, url, outcome)

    def finish_import_run(self, run_id: int, now: str) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE import_runs SET finished_at = ? WHERE id = ?", (now, run_id))
            cur.execute("DELETE FROM import_run_pages WHERE run_id = ?", (run_id,))
