"""An import run: every page its sources name, read, matched to what an earlier import wrote,
and published, updated, retracted or left alone, each fact-check in its own transaction.

Idempotent: a page whose document reads the same as last time (its digest in `imported_pages`)
writes nothing: no revision, no dateModified, no push; a page the server says is unchanged
(304 to a conditional GET) is not even read. A page whose markup changed is a new revision by
"an import", unless the fact-check was edited here since that import: then it is a conflict,
reported with both versions' differences, and the edit stays. With `keep_original_urls` a page
that now answers 404 or 410 retracts its fact-check ("removed from the original site"), and a
DataFeed tombstone retracts its fact-check whatever the option.

Resumable: the run is recorded under a key made of its sources and options, each page's
outcome with it (in the page's own transaction when it writes); a run that stopped is resumed by
the next with the same key, which passes over the pages already done.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from feed.core.publishing import InvalidTransition, Publishing
from feed.importer.fetching import Fetched, Fetcher, FetchFailed
from feed.importer.progress import Steps
from feed.importer.reading import PageRead, ReadOptions, read_html, read_item
from feed.importer.records import Skipped, Tombstone
from feed.importer.report import Outcome, Report
from feed.importer.sources import FeedTask, PageTask, SourceProblem, Task, list_sources
from feed.store import Actor, Change, ImportedPage, Record
from feed.store.clock import stamp, utc_now
from schemas.errors import ValidationError

IMPORT_ACTOR = Actor(key_id="import", name="an import")  # whom the desk's history names for it
GONE = "removed from the original site"
# Saved pages are read by this many processes at once when there are enough of them to pay
# for starting the processes; the window bounds what is read ahead of the writes (memory).
PARALLEL_AT = 64
WINDOW = 64


@dataclass(frozen=True)
class ImportOptions:
    keep_original_urls: bool = False  # the original articles stay canonical (keep your CMS)
    publisher: str | None = None  # --publisher: every page is this publisher's
    since: str | None = None  # YYYY-MM-DD: sitemap entries last modified before it are left out
    dry_run: bool = False  # read and check everything, write nothing
    workers: int | None = None  # processes reading saved pages; None: one per core


class ImportRun:
    def __init__(
        self,
        publishing: Publishing,
        options: ImportOptions,
        *,
        fetcher: Fetcher | None,
        site_language: str,
        progress: Callable[[int], Steps] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.publishing, self.store, self.options = publishing, publishing.store, options
        self.fetcher = fetcher
        self.read_options = ReadOptions(publishing.publishers, options.publisher, site_language)
        self._progress = progress
        self._clock = clock
        self._run_id: int | None = None

    def run(self, sources: list[str], on_outcome: Callable[[Outcome], None] | None = None) -> Report:
        """Import every page `sources` name; the report says what became of each."""
        report = Report(dry_run=self.options.dry_run)
        done: dict[str, str] = {}
        if not self.options.dry_run:
            self._run_id, report.resumed = self.store.start_import_run(self._key(sources), stamp(self._clock()))
            done = self.store.import_run_pages(self._run_id) if report.resumed else {}
        listing = list_sources(sources, self.fetcher, self.options.since, done=set(done))
        report.left_out = listing.left_out
        progress = self._progress(len(listing.tasks)) if self._progress else None
        try:
            for task, read in self._reads(listing.tasks, done):
                outcome = report.add(self._one(task, read, done))
                if on_outcome is not None:
                    on_outcome(outcome)
                if progress is not None:
                    progress.step()
        finally:
            if progress is not None:
                progress.close()
        if self._run_id is not None:
            self.store.finish_import_run(self._run_id, stamp(self._clock()))
        return report

    def _key(self, sources: list[str]) -> str:
        options = {k: v for k, v in vars(self.options).items() if k not in ("dry_run", "workers")}
        return hashlib.sha256(orjson.dumps([sources, options], option=orjson.OPT_SORT_KEYS)).hexdigest()

    # -- reading, in order, saved pages ahead in other processes ----------------------------------

    def _reads(self, tasks: list[Task], done: dict[str, str]) -> Iterator[tuple[Task, PageRead | None]]:
        """Each task with its saved page read (None for the rest: they are read as they come)."""
        saved = [t for t in tasks if isinstance(t, PageTask) and t.path is not None and t.location not in done]
        if len(saved) < PARALLEL_AT or (self.options.workers or os.cpu_count() or 1) < 2:
            for task in tasks:
                yield task, None
            return
        context = multiprocessing.get_context("fork")  # the readers need no state but the options
        workers = self.options.workers or os.cpu_count() or 2
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(self.read_options,)) as pool:
            pending: deque[tuple[Task, Future[PageRead] | None]] = deque()
            for task in tasks:
                future = None
                if isinstance(task, PageTask) and task.path is not None and task.location not in done:
                    future = pool.submit(_read_saved, task.path, task.lastmod)
                pending.append((task, future))
                while len(pending) > WINDOW:
                    yield _resolved(pending.popleft())
            while pending:
                yield _resolved(pending.popleft())

    # -- one task ---------------------------------------------------------------------------------

    def _one(self, task: Task, read: PageRead | None, done: dict[str, str]) -> Outcome:
        if isinstance(task, SourceProblem):
            return Outcome(task.location, "failed", reason=task.reason, status=task.status)
        if task.location in done:
            return Outcome(task.location, done[task.location], reason="done before the import stopped")
        if isinstance(task, FeedTask):
            if isinstance(task.item, Tombstone):
                return self._tombstone(task.location, task.item)
            return self._apply(task.location, read_item(task.item, self.read_options), None)
        if task.path is not None:
            if read is None:
                read = _read_file(task.path, task.lastmod, self.read_options)
            return self._apply(task.location, read, None)
        return self._fetch(task)

    def _fetch(self, task: PageTask) -> Outcome:
        assert task.url is not None
        entry = self.store.imported_page_fetched(task.url)
        try:
            fetched = task.fetched or self._fetcher().fetch(
                task.url, etag=entry.etag if entry else None, last_modified=entry.last_modified if entry else None
            )
        except FetchFailed as failed:
            if failed.status in (404, 410) and self.options.keep_original_urls and entry is not None:
                return self._retract(task.location, entry, GONE)
            # A page robots.txt keeps us from is left out on the site's own word: not a failure.
            kind = "skipped" if failed.reason.startswith("disallowed by robots.txt") else "failed"
            return self._mark(Outcome(task.location, kind, reason=failed.reason, status=failed.status))
        if fetched.status == 304 and entry is not None:
            self._remember(entry, fetched)
            page = self.publishing.page_url(entry.slug)
            reason = "not modified since the last import"
            return self._mark(Outcome(task.location, "unchanged", entry.slug, entry.source_url, page, reason))
        read = read_html(fetched.body, fetched.url, task.lastmod, self.read_options)
        return self._apply(task.location, read, fetched)

    def _fetcher(self) -> Fetcher:
        if self.fetcher is None:
            raise FetchFailed("", "URLs are not fetched in this import")
        return self.fetcher

    def _apply(self, location: str, read: PageRead, fetched: Fetched | None) -> Outcome:
        """Publish, update or leave alone the fact-check `read` holds."""
        if read.reading is None:
            reasons = "; ".join(dict.fromkeys(skip.reason for skip in read.skipped)) or "no fact-check on the page"
            return self._mark(Outcome(location, "skipped", reason=reasons))
        reading = read.reading
        document = dict(reading.document)
        if self.options.keep_original_urls:
            document["originalIsCanonical"] = True
        digest = _digest(document)
        warnings = [*reading.warnings, *(f"a ClaimReview was left out: {skip.reason}" for skip in read.skipped)]
        source = reading.source_url
        entry = self.store.imported_page(source)
        current = self.store.get(entry.slug) if entry is not None else None

        def outcome(kind: str, slug: str, **more: Any) -> Outcome:
            page = self.publishing.page_url(slug)
            return Outcome(location, kind, slug=slug, original_url=source, page=page, warnings=warnings, **more)

        if entry is not None and current is not None:
            if entry.digest == digest:
                if fetched is not None:
                    self._remember(entry, fetched)
                return self._mark(outcome("unchanged", current.slug))
            if current.version != entry.version:
                differences = _differences(current.document, {**document, "slug": current.slug})
                reason = "edited here since the last import; the edit is kept"
                return self._mark(outcome("conflict", current.slug, reason=reason, differences=differences))
            document["slug"], kind = current.slug, "updated"
        else:
            current, kind = None, "imported"
            document["slug"] = self._free_slug(str(document["slug"]))
        slug = str(document["slug"])
        now = self._clock()
        try:
            change = self.publishing.import_change(document, current, now, IMPORT_ACTOR)
        except ValidationError as refused:
            reason = "refused: " + "; ".join(f"{e.field}: {e.message}" for e in refused.errors)
            return self._mark(outcome("skipped", slug, reason=reason))
        except InvalidTransition as refused:
            return self._mark(outcome("skipped", slug, reason=str(refused)))
        warnings += [f"{w.field}: {w.message}" for w in self.publishing.warnings(self.publishing.load(change.document))]
        if not self.options.dry_run:
            seen = (fetched.url, fetched.etag, fetched.last_modified) if fetched is not None else (None, None, None)
            self._save(change, current, ImportedPage(source, slug, digest, 0, *seen), location, kind, now)
        return outcome(kind, slug)

    def _tombstone(self, location: str, tombstone: Tombstone) -> Outcome:
        entry = self.store.imported_page(tombstone.source_url)
        if entry is None:
            reason = "a tombstone for a fact-check no import brought in"
            return self._mark(Outcome(location, "skipped", original_url=tombstone.source_url, reason=reason))
        return self._retract(location, entry, f"withdrawn by its publisher on {tombstone.date_deleted}")

    def _retract(self, location: str, entry: ImportedPage, reason: str) -> Outcome:
        current = self.store.get(entry.slug)
        here = self.publishing.page_url(entry.slug)
        if current is None or current.status != "published":
            return self._mark(Outcome(location, "unchanged", slug=entry.slug, original_url=entry.source_url, page=here,
                                      reason="already retracted" if current is not None else None))  # fmt: skip
        now = self._clock()
        change = self.publishing.retract_change(current, reason, now, IMPORT_ACTOR)
        if not self.options.dry_run:
            self._save(change, current, entry, location, "retracted", now)
        return Outcome(location, "retracted", slug=entry.slug, original_url=entry.source_url, page=here, reason=reason)

    # -- writes -----------------------------------------------------------------------------------

    def _save(self, change: Change, current: Record | None, page: ImportedPage, location: str, kind: str,
              now: datetime) -> Record:  # fmt: skip
        run = (self._run_id, location, kind) if self._run_id is not None else None
        return self.publishing.save_import(change, current, page, run, now)

    def _mark(self, outcome: Outcome) -> Outcome:
        """Record a page done without a write, so a resumed run passes over it."""
        if self._run_id is not None:
            self.store.mark_run_page(self._run_id, outcome.source, outcome.outcome)
        return outcome

    def _remember(self, entry: ImportedPage, fetched: Fetched) -> None:
        if not self.options.dry_run and (fetched.etag, fetched.last_modified) != (entry.etag, entry.last_modified):
            if fetched.etag or fetched.last_modified:
                self.store.remember_validators(entry.source_url, fetched.etag, fetched.last_modified)

    def _free_slug(self, slug: str) -> str:
        """`slug`, or `slug-2`, `slug-3` ... when another fact-check has it (two sites' `index`)."""
        candidate, number = slug, 1
        while self.store.get(candidate) is not None:
            number += 1
            suffix = f"-{number}"
            candidate = slug[: 120 - len(suffix)].rstrip("-") + suffix
        return candidate


def _digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _differences(here: dict[str, Any], original: dict[str, Any]) -> list[dict[str, Any]]:
    """Each field the two versions disagree on: its value here (the edit) and in the original."""
    found = []
    for name in dict.fromkeys([*original, *here]):
        if name in ("status", "dateModified", "retraction", "corrections"):
            continue  # set by publishing here, not by the original
        if here.get(name) != original.get(name):
            found.append({"field": name, "here": here.get(name), "original": original.get(name)})
    return found


# -- reading saved pages, in this process or a worker ------------------------------------------

_OPTIONS: ReadOptions | None = None


def _init(options: ReadOptions) -> None:
    global _OPTIONS
    _OPTIONS = options


def _read_saved(path: Path, lastmod: str | None) -> PageRead:
    assert _OPTIONS is not None
    return _read_file(path, lastmod, _OPTIONS)


def _read_file(path: Path, lastmod: str | None, options: ReadOptions) -> PageRead:
    try:
        html = path.read_bytes()
    except OSError as error:
        return PageRead(None, [Skipped(str(path), f"cannot be read: {error.strerror or error}")])
    return read_html(html, path.resolve().as_uri(), lastmod, options)


def _resolved(pair: tuple[Task, Future[PageRead] | None]) -> tuple[Task, PageRead | None]:
    task, future = pair
    return task, future.result() if future is not None else None
