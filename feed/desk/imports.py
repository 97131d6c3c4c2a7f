"""Imports started from the desk: each runs in a thread of its own, and the page that started it
watches its progress (pages done of all, per second, what went wrong so far, the counts at the
end). The fetcher never reaches private, loopback or link-local addresses from here: the desk
must not become a proxy into the newsroom's network, whatever the person at it asks.

The jobs live in the process that runs them (one per server process), as the desk's sign-in
throttle does; a job's fact-checks are in the store as each is written, whatever becomes of it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from feed.core.publishing import Publishing
from feed.importer.fetching import Fetcher, FetchPolicy
from feed.importer.report import OUTCOMES, TOLD, Outcome, Report

if TYPE_CHECKING:  # the readers (extruct, trafilatura) load with the first import, not with the server
    from feed.importer.run import ImportOptions

MAX_SOURCES = 20  # URLs one form may name: a sitemap index names the rest
LINES = 200  # the newest lines a job keeps for its page


@dataclass
class ImportJob:
    id: str
    sources: list[str]
    started_by: str
    started_at: float = field(default_factory=time.monotonic)
    total: int | None = None  # known once the sources are listed
    done: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    lines: list[str] = field(default_factory=list)  # what was retracted, skipped, in conflict, failed
    finished: bool = False
    error: str | None = None  # the run stopped: why

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started_at
        return self.done / elapsed if elapsed > 0 else 0.0


class _Counter:
    """Counts the pages a run lists and finishes, for the job's page (a Progress's shape)."""

    def __init__(self, job: ImportJob, total: int):
        job.total = total
        self.job = job

    def step(self) -> None:
        self.job.done += 1

    def close(self) -> None:
        pass


@dataclass
class ImportJobs:
    user_agent: str
    # How a job gets its fetcher (tests give one whose network is a stub); never private addresses.
    make_fetcher: Callable[[FetchPolicy], Fetcher] = Fetcher
    delay: float = 1.0  # seconds between two requests to one host, as the command's default
    jobs: dict[str, ImportJob] = field(default_factory=dict)

    def start(
        self, publishing: Publishing, sources: list[str], options: ImportOptions, who: str, site_language: str
    ) -> ImportJob:
        job = ImportJob(secrets.token_urlsafe(12), sources, who)
        self.jobs[job.id] = job
        args = (job, publishing, options, site_language)
        thread = threading.Thread(target=self._run, args=args, daemon=True, name="desk-import")
        thread.start()
        return job

    def _run(self, job: ImportJob, publishing: Publishing, options: ImportOptions, site_language: str) -> None:
        policy = FetchPolicy(user_agent=self.user_agent, delay=self.delay, allow_private_addresses=False)

        def told(outcome: Outcome) -> None:
            job.counts[outcome.outcome] += 1
            if outcome.outcome in TOLD:
                job.lines = [*job.lines, outcome.line()][-LINES:]

        from feed.importer.run import ImportRun

        try:
            with self.make_fetcher(policy) as fetcher:
                run = ImportRun(publishing, options, fetcher=fetcher, site_language=site_language,
                                progress=lambda total: _Counter(job, total))  # fmt: skip
                report: Report = run.run(job.sources, on_outcome=told)
            job.counts = report.counts()
        except Exception as error:  # the store went away, say: the page says so, the server goes on
            job.error = f"{type(error).__name__}: {error}"
        finally:
            job.finished = True
