"""Keeps a configured build directory up to date, on every server, from the store's change log.

The render cache notices changes (its look every CHECK_INTERVAL, and at once after a write in
the process that made it) and wakes the keeper, which also looks every POLL_SECONDS. It asks
the store which fact-checks changed since the snapshot the build holds and rewrites what they
touched (feed.build.static.Build.update) on a thread of its own, in the current generation
(feed.build.generations), file by file. Servers sharing the directory take turns through the
write lock beside it, which a full build also takes for its switch: an update never straddles
two generations. Whoever comes second finds the build already current. A build directory that
was never fully built gets a full build first, as does one whose manifest does not describe its
current generation (built before there were manifests, or by a build killed after its switch
and before its manifest): the full build lists exactly what differs from the manifest.

Every run appends what it added, changed and removed to the build's change log and keeps its
manifest current (feed.build.manifest, both beside the generations), so an uploader can send
only those files. A full build tells them after its switch, under the same write lock.

An update writes first what readers of the change look at first: each changed fact-check's page
and card, then the home page and the feeds' first pages; then the rest of what Build.update
rewrites (the other cards, the browse pages, every later home page, the sitemaps, the DataFeed),
whose time grows with the store (a publish moves every home page down by one). A change made
while that rest is written (through this process at once, elsewhere within LOOK_SECONDS) gets
its first files between two of the rest's; the next update, which starts from the snapshot
this one recorded, writes all it touched. Each file is told to the ledger once a run, as
Build.update tells it, so the change list and the manifest name what the directory holds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from feed.build import generations
from feed.build.generations import BuildRunning, build_lock, write_lock
from feed.build.images import ImageStore
from feed.build.manifest import Ledger, described, log_path, manifest_path
from feed.build.static import Build, Report
from feed.core.urls import fill
from feed.render.context import Context
from feed.site.datafile import BUILT, built_snapshot, mark_built
from feed.store import StoreUnavailable

RETRY_SECONDS = 5.0  # after a failed update (the database away), try again this much later
# Besides being woken, look this often: a server that nobody reads from (so whose render cache
# never looks) still brings the build up to changes made through other servers or the CLI.
POLL_SECONDS = 2.0
# During an update, look this often for changes made elsewhere, to write their first files at once.
LOOK_SECONDS = 0.25

log = logging.getLogger("factcard.build")


def full_build(ctx: Context, root: Path, changes_to: TextIO | None = None, workers: int = 1) -> Report:
    """Write the whole build into a new generation, on `workers` processes (feed.build.workers),
    and switch `root` to it (see feed.build.generations); files whose bytes did not change are
    left as they were.

    BuildRunning when another full build of `root` is under way, ForeignLink when `root` is a
    link factcard did not make; either way nothing is written. What it added, changed and
    removed goes to the change log, and as `OP PATH` lines to `changes_to`."""
    generations.current(root)  # refuses a foreign link before anything is made
    with build_lock(root):
        generations.remove_leftovers(root)  # what a killed build left
        generation = generations.new_generation(root)
        latest = ctx.store.snapshot()  # before rendering: what changes meanwhile, the next update takes
        was = generations.current(root) or (root if root.is_dir() else None)
        # Compared with the manifest of the build before, which stays beside the generations.
        ledger = Ledger(generation, True, manifest_path(root), log_path(root), previous=was)
        try:
            build = Build(ctx, generation, ledger, ImageStore.beside(root), unseen=True)
            report = build.full(workers)
            mark_built(generation, latest)
            generations.pause_before_switch()
            with write_lock(root):
                generations.switch(root, generation)
                # After the switch: the log never lists a build that was not switched in.
                report.changes = ledger.finish(generation.name, changes_to)
        finally:
            ledger.close()
        generations.remove_leftovers(root)  # the generation before the previous one
        return report


def catch_up(ctx: Context, root: Path, arrived: threading.Event | None = None) -> Report | None:
    """Bring the build in `root` up to the store's newest change; None when it was current, or
    when a full build is under way (it will be, once that build switches).

    `arrived`, set when a change is made meanwhile, has the update write that change's first
    files between two of its own (see the module's docstring)."""
    # No build, a plain directory from before generations, or a manifest of another generation
    # (a build killed after its switch: an update would not list that build's changes).
    name = _current_name(root)
    if built_snapshot(root) is None or name is None or described(manifest_path(root)) != name:
        try:
            return full_build(ctx, root)
        except BuildRunning:
            return None
    with write_lock(root):
        built, latest = built_snapshot(root), ctx.store.snapshot()
        if built is None or built == latest:
            return None
        ledger = Ledger(root, False, manifest_path(root), log_path(root))
        try:
            news = _News(ctx, latest, arrived) if arrived is not None else None
            report = _Update(ctx, root, ledger, news).update(ctx.store.changed_slugs(built, latest))
            report.changes = ledger.finish(name)
        finally:
            ledger.close()
        # The change log's position, drafts included, so the next update starts where this one
        # ended (and writes all that a change made meanwhile touched, not only its first files).
        mark_built(root, latest)
        return report


class _News:
    """The fact-checks changed since `seen`: looked up once `arrived` says this process made a
    change, and at most every LOOK_SECONDS otherwise (a change made through another worker,
    server or the CLI, whose keeper waits for the write lock this update holds)."""

    def __init__(self, ctx: Context, seen: int, arrived: threading.Event):
        self.ctx, self.seen, self.arrived = ctx, seen, arrived
        self.looked = time.monotonic()

    def __call__(self) -> set[str]:
        if not self.arrived.is_set() and time.monotonic() - self.looked < LOOK_SECONDS:
            return set()
        self.arrived.clear()
        self.looked = time.monotonic()
        latest = self.ctx.store.snapshot()  # one indexed query
        if latest == self.seen:
            return set()
        slugs, self.seen = self.ctx.store.changed_slugs(self.seen, latest), latest
        return slugs


class _Update(Build):
    """Build.update, with what readers of a change look at first written first, each file
    rendered once a run, and the first files of changes made meanwhile written between two files."""

    def __init__(self, ctx: Context, root: Path, ledger: Ledger, news: Callable[[], set[str]] | None):
        super().__init__(ctx, root, ledger, ImageStore.beside(root))
        self.news = news
        self.done: set[str] = set()  # URL paths written (or found current) in this run

    def first_paths(self, slugs: Iterable[str]) -> list[str]:
        """Each public fact-check's page and card, then the home page and the feeds' first pages."""
        paths = []
        for slug in sorted(slugs):
            own = self.check_paths(slug)  # none once it is not public: Build.update removes its files
            paths += [path for path in (fill("check", slug=slug), fill("card", slug=slug)) if path in own]
        return [*paths, fill("json_feed"), fill("home"), fill("atom_feed")]

    def update(self, slugs: Iterable[str]) -> Report:
        slugs = sorted(set(slugs))
        first = Report()
        self.write(self.first_paths(slugs), first)
        report = super().update(slugs)
        report.written[:0] = first.written
        report.unchanged += first.unchanged
        return report

    def write(self, paths: Iterable[str], report: Report, best: bool = False) -> None:
        for path in paths:
            if path in self.done:
                continue  # written earlier in this run, after every change this run covers
            self.done.add(path)
            super().write([path], report, best)
            changed = self.news() if self.news is not None else set()
            if changed:
                # Rendered again even if written before: they now show a later change.
                first = self.first_paths(changed)
                self.done.update(first)
                super().write(first, report)


def _current_name(root: Path) -> str | None:
    found = generations.current(root)
    return found.name if found else None


class BuildKeeper:
    def __init__(self, ctx: Context, root: Path):
        self.ctx, self.root = ctx, root
        self._wake = threading.Event()
        self._arrived = threading.Event()  # a change during an update: its first files at once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="build-keeper", daemon=True)

    def start(self) -> None:
        self._wake.set()  # catch up with what changed while no server ran
        self._thread.start()

    def changed(self, slugs: set[str]) -> None:
        self._arrived.set()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
            self._arrived.clear()  # what arrived so far, this catch_up covers whole
            if self._stop.is_set():
                return
            try:
                catch_up(self.ctx, self.root, self._arrived)
            except StoreUnavailable:
                self._stop.wait(RETRY_SECONDS)
                self._wake.set()
            except Exception:  # keep serving; the next change tries again
                log.exception("updating the build in %s failed", self.root)


__all__ = ["BUILT", "BuildKeeper", "catch_up", "full_build"]
