"""A full build on every core: worker processes render and write, the parent reads and tells.

Rendering and compressing are CPU-bound Python, which threads cannot run at once, so a full
build of a large archive runs them in processes. They are spawned, not forked: each opens its
own store connection and context (feed.site.assembly.open_site), and no connection, lock or
thread of the parent's is ever copied into a child.

The parent reads the store (the slugs of the public fact-checks, a thousand at a time) and hands
out tasks: a batch of paths (the fixed files, listings and browse pages) or a batch of slugs,
whose paths a worker asks its own store for. A worker renders and writes each file into the
new generation and sends back the digests of the files it wrote or found in place; the parent
tells its ledger (feed.build.manifest), which only it holds. At most IN_FLIGHT tasks a worker
are handed out at once, so the parent's memory stays bounded whatever the archive's size.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, Protocol

from feed.build.images import ImageStore
from feed.core.settings import Settings
from feed.render.context import Context


class Build(Protocol):
    """What this module uses of feed.build.static.Build (which imports this module)."""

    ctx: Context
    root: Path
    images: ImageStore | None
    unseen: bool

    def check_paths(self, slug: str) -> list[str]: ...
    def write_one(self, path: str, best: bool = False) -> tuple[bool, dict[str, str]]: ...
    def tell(self, path: str, written: bool, digests: dict[str, str], report: Any) -> None: ...


PATHS_A_TASK = 40
SLUGS_A_TASK = 10
IN_FLIGHT = 4  # tasks handed to each worker at once: enough that none waits for the parent

Task = tuple[str, list[str], bool]  # ("paths" or "slugs", the items, best compression)
Done = list[tuple[str, bool, dict[str, str]]]  # per path: written, the digests of its files

_build: Build | None = None  # the worker's own


def _start(kind: Any, settings: Settings, root: Path, images: ImageStore | None, unseen: bool) -> None:
    """A worker's own Build of the parent's kind (passed, not imported: feed.build.static imports this module)."""
    global _build
    from feed.site.assembly import open_site

    _build = kind(open_site(settings), root, None, images, unseen)


def _run(task: Task) -> Done:
    build = _build
    assert build is not None, "a worker's task before its start"
    kind, items, best = task
    paths = items if kind == "paths" else [path for slug in items for path in build.check_paths(slug)]
    return [(path, *build.write_one(path, best)) for path in paths]


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def tasks(fixed: list[str], listed: list[str], slugs: Iterable[str]) -> Iterator[Task]:
    for batch in _batches(fixed, PATHS_A_TASK):
        yield "paths", batch, True  # they change only with a release: the best compression
    for batch in _batches(listed, PATHS_A_TASK):
        yield "paths", batch, False
    for batch in _batches(slugs, SLUGS_A_TASK):
        yield "slugs", batch, False


def write_in_processes(
    build: Build, fixed: list[str], listed: list[str], slugs: Iterable[str], workers: int, report: Any
) -> None:
    """Write every path and every fact-check of `slugs` on `workers` processes into `build`'s
    directory, telling `build` (its ledger and `report`) of each file in the parent."""
    context = multiprocessing.get_context("spawn")
    setup = (type(build), build.ctx.settings, build.root, build.images, build.unseen)
    with context.Pool(workers, _start, setup) as pool:
        pending: deque[AsyncResult[Done]] = deque()

        def collect(oldest: AsyncResult[Done]) -> None:
            for path, written, digests in oldest.get():  # a worker's exception is raised here
                build.tell(path, written, digests, report)

        for task in tasks(fixed, listed, slugs):
            pending.append(pool.apply_async(_run, (task,)))
            while len(pending) >= workers * IN_FLIGHT:
                collect(pending.popleft())
        while pending:
            collect(pending.popleft())
