"""`factcard build DIR` and `factcard nginx-config`: the static build, and a server to serve it.

A build that would publish nothing is refused unless asked for (--allow-empty): a deploy script
run in the wrong folder would otherwise upload an empty site over the real one. A build is
written beside DIR and switched in whole (feed.build.generations); one started while another
build of the same DIR runs stops at once with exit status 75 (EX_TEMPFAIL: try again later).

`--changes FILE` writes what the build added, changed and removed against the build DIR held
before, one `OP PATH` line each (feed.build.manifest), for an upload that sends only those.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from feed.cli.settings import settings_from, shown
from feed.core.settings import BY_NAME
from feed.store import NoStore, open_store

BUILD_RUNNING = 75  # EX_TEMPFAIL from sysexits.h: another build holds the lock; try again later
# From this many fact-checks, starting worker processes (about a second) pays for itself.
PARALLEL_FROM = 200


def add_parsers(commands: Any, parent: argparse.ArgumentParser) -> None:
    build = commands.add_parser(
        "build", parents=[parent],
        help="write the site to DIR for a web server or CDN",
        description="Write every public page, card, feed and file to DIR for a web server or CDN to serve.",
    )  # fmt: skip
    build.add_argument(
        "dir", metavar="DIR",
        help="the build directory: a link to the newest whole build, switched at the end (made if missing)",
    )  # fmt: skip
    build.add_argument(
        "--allow-empty", action="store_true",
        help="write the site even when nothing is published (default: refuse, writing nothing)",
    )  # fmt: skip
    build.add_argument(
        "--workers", type=int, metavar="N",
        help=f"processes that render and compress (default: one per core from {PARALLEL_FROM} public "
        "fact-checks, one below)",
    )  # fmt: skip
    build.add_argument(
        "--changes", metavar="FILE",
        help="write the paths added, changed and removed (against what DIR held before) to FILE, "
        "one 'A PATH', 'M PATH' or 'D PATH' line each, PATH relative to DIR; '-' for standard output",
    )  # fmt: skip

    nginx = commands.add_parser(
        "nginx-config", parents=[parent],
        help="print an nginx configuration that serves a build",
        description="Print an nginx server configuration that serves a build and passes the rest to "
        "factcard.",
    )  # fmt: skip
    nginx.add_argument("--root", required=True, metavar="DIR", help="the build directory nginx serves")
    nginx.add_argument("--upstream", default="127.0.0.1:8000", help="host:port of `factcard serve`")
    nginx.add_argument("--listen", default="80", help="nginx's listen address (default 80)")


def cmd_build(args: argparse.Namespace) -> int:
    from feed.build.generations import BuildRunning, ForeignLink
    from feed.build.keeper import full_build
    from feed.site.assembly import open_site

    started = time.monotonic()
    if args.changes not in (None, "-") and Path(args.changes).resolve().is_relative_to(Path(args.dir).resolve()):
        # The next build would take it for a file of the site's and remove it.
        print(f"error: --changes {args.changes} is inside the build directory {args.dir}; "
              "write the change list elsewhere", file=sys.stderr)  # fmt: skip
        return 2
    settings = settings_from(args)
    # A missing store file is refused (NoStore), unless an empty site is asked for: no file is made.
    url, name = settings.database_url, store_name(settings.database_url)
    if args.allow_empty:
        store, name = _store_or_memory(url, name)
    else:
        store = open_store(url, create=False)
    try:
        published = store.public_count()
        if not published and not args.allow_empty:
            print(
                f"error: nothing is published in the store {name}, so the build "
                f"would be an empty site; nothing written to {args.dir} (--allow-empty writes it anyway)",
                file=sys.stderr,
            )
            return 1
        if args.workers is not None and args.workers < 1:
            print(f"error: --workers {args.workers}: give at least 1", file=sys.stderr)
            return 2
        # Workers open the store themselves: an in-memory store (--allow-empty, no file) is the parent's alone.
        default = (os.cpu_count() or 1) if published >= PARALLEL_FROM else 1
        workers = (args.workers or default) if name == store_name(url) else 1
        with _changes_file(args.changes) as changes_to:
            report = full_build(open_site(settings, store), Path(args.dir), changes_to, workers)
    except BuildRunning as running:
        print(f"error: {running}", file=sys.stderr)
        return BUILD_RUNNING
    except ForeignLink as foreign:
        print(f"error: {foreign}", file=sys.stderr)
        return 1
    finally:
        store.close()
    changes = report.changes
    print(
        f"built {args.dir} from {name} ({published} public fact-check(s)): "
        f"{report.written_count} file(s) written, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed, in {time.monotonic() - started:.1f}s; "
        f"{changes.added} path(s) added, {changes.changed} changed, {changes.removed} removed",
        # The change list owns standard output when it is written there.
        file=sys.stderr if args.changes == "-" else sys.stdout,
    )
    return 0


@contextlib.contextmanager
def _changes_file(name: str | None) -> Iterator[TextIO | None]:
    """Where the change list goes: nowhere, standard output, or FILE (written aside, then renamed,
    so a reader never takes half a list for the whole)."""
    if name is None:
        yield None
        return
    if name == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(name)
    aside = target.with_name(f".{target.name}.part")
    try:
        with open(aside, "w", encoding="utf-8") as out:
            yield out
        aside.replace(target)
    finally:
        aside.unlink(missing_ok=True)


def _store_or_memory(database_url: str, name: str) -> tuple[Any, str]:
    """The store, or with no store file an empty one in memory (so none is made on disk)."""
    try:
        return open_store(database_url, create=False), name
    except NoStore:
        return open_store("sqlite:///:memory:"), f"no store ({name} does not exist)"


def store_name(database_url: str) -> str:
    """The store as a person can find it: a SQLite file by its full path, a database by URL
    without its password."""
    if database_url.startswith("sqlite:///"):
        return str(Path(database_url.removeprefix("sqlite:///")).resolve())
    return shown(BY_NAME["database_url"], database_url)


def cmd_nginx_config(args: argparse.Namespace) -> int:
    from feed.build.nginx import nginx_config
    from feed.site.assembly import open_site

    settings = settings_from(args)
    # The configuration reads no fact-check: an in-memory store spares opening the real one.
    site = open_site(settings, open_store("sqlite:///:memory:"))
    sys.stdout.write(nginx_config(site, args.root, args.upstream, args.listen))
    return 0
