"""The DataFeed (/claimreview.json) as a file: written when the public fact-checks change,
served at file speed with precompressed copies, by the dynamic server as by any static one.

At 100,000 fact-checks the DataFeed is over 200 MB; rendering it per download cost a worker
most of a minute of CPU. It is now written once per change of the public snapshot (with its
.gz and .br copies) into the build directory, or into a private one when none is configured,
and every download is a file sent by the server. Processes sharing the directory take turns
through a lock, so one writes while the others wait for its file.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import brotli
import orjson

from feed.core.settings import Settings
from feed.core.urls import fill
from feed.render.context import Context
from feed.site.datafeed import DATAFEED_BATCH, datafeed_chunks
from feed.site.syndication import entry_view
from feed.store.clock import rfc3339_stamp, store_time

FILE = fill("datafeed").lstrip("/")
META = f".{FILE}.meta"  # the tag, date and snapshot of the file beside it
LOCK = ".datafeed.lock"
BUILT = ".factcard-build.json"  # the public snapshot a build directory was last brought up to
# Part of the DataFeed's ETag: bump it when a change to this code changes the feed's bytes.
RENDERER_VERSION = "3"


@dataclass(frozen=True)
class DataFeedFile:
    path: Path
    tag: str  # strong validator of the identity bytes; the copies add -gzip / -br
    last_modified: datetime
    snapshot: int

    def copy(self, coding: str) -> Path:
        return self.path.with_name(self.path.name + {"gzip": ".gz", "br": ".br"}[coding])


def files_dir(settings: Settings) -> Path:
    """Where the DataFeed file lives: the build directory, else one private to this store and origin."""
    if settings.build_dir:
        return Path(settings.build_dir)
    name = hashlib.sha256(f"{settings.database_url}|{settings.base_url}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"factcard-{os.getuid()}" / name


def _state(ctx: Context) -> tuple[int, str, datetime, str | None]:
    """(snapshot, tag, last modified, newest change) of the DataFeed the store holds now: one query.

    The body is a function of the snapshot, the configuration and this code, so its tag is
    known before a row is read.
    """
    store = ctx.store
    snapshot = store.public_snapshot()
    newest = store.change_time(snapshot) if snapshot else None
    last_modified = store_time(newest) if newest else datetime(2000, 1, 1, tzinfo=UTC)
    state = f"{snapshot}|{ctx.settings.base_url}|{ctx.publishers!r}|{RENDERER_VERSION}"
    return snapshot, hashlib.sha256(state.encode()).hexdigest()[:32], last_modified, newest


def _chunks(ctx: Context, snapshot: int, newest: str | None) -> Iterator[bytes]:
    header: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{next(iter(ctx.publishers.values())).name}: fact-checks",
        "url": ctx.urls.url("datafeed"),
        "dateModified": rfc3339_stamp(newest) if newest else None,
    }
    views = (entry_view(entry, ctx.publishers, ctx.publishing) for entry in
             ctx.store.iter_feed_entries(snapshot, DATAFEED_BATCH))  # fmt: skip
    return datafeed_chunks(header, views)


def _read_meta(root: Path) -> DataFeedFile | None:
    try:
        meta = orjson.loads((root / META).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    found = DataFeedFile(root / FILE, meta["tag"], datetime.fromisoformat(meta["lastModified"]), meta["snapshot"])
    files = (found.path, found.copy("gzip"), found.copy("br"))
    return found if all(path.exists() for path in files) else None


def write_datafeed(ctx: Context, root: Path) -> bool:
    """Bring the DataFeed file in `root` up to date with the store; True if it was rewritten."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer; the others wait, then find it written
        snapshot, tag, last_modified, newest = _state(ctx)
        current = _read_meta(root)
        if current is not None and current.tag == tag:
            return False
        _write(ctx, root, snapshot, newest)
        meta = {"tag": tag, "lastModified": last_modified.isoformat(), "snapshot": snapshot}
        _replace(root / META, orjson.dumps(meta))
        return True


def fresh_datafeed(ctx: Context, root: Path) -> DataFeedFile | None:
    """The DataFeed file if it holds the store's current snapshot, else None: one query."""
    _, tag, _, _ = _state(ctx)
    found = _read_meta(root)
    return found if found is not None and found.tag == tag else None


def current_datafeed(ctx: Context, root: Path) -> DataFeedFile:
    """The DataFeed file of the store's current snapshot, written first if it is behind."""
    _, tag, _, _ = _state(ctx)
    found = _read_meta(root)
    if found is None or found.tag != tag:
        write_datafeed(ctx, root)
        found = _read_meta(root)
    assert found is not None
    return found


def _write(ctx: Context, root: Path, snapshot: int, newest: str | None) -> None:
    """The file and its copies, each written aside and renamed into place: a reader never sees
    half of one. The copies are compressed as the body is produced, in one pass."""
    target = root / FILE
    asides = {suffix: tempfile.mkstemp(dir=root, prefix=".tmp-", suffix=suffix) for suffix in ("", ".gz", ".br")}
    try:
        with (
            os.fdopen(asides[""][0], "wb") as plain,
            os.fdopen(asides[".gz"][0], "wb") as raw_gz,
            gzip.GzipFile(filename="", fileobj=raw_gz, mode="wb", compresslevel=6, mtime=0) as gz,
            os.fdopen(asides[".br"][0], "wb") as br,
        ):
            compressor = brotli.Compressor(quality=5)
            for chunk in _chunks(ctx, snapshot, newest):
                plain.write(chunk)
                gz.write(chunk)
                br.write(compressor.process(chunk))
            br.write(compressor.finish())
        for suffix, (_, aside) in asides.items():
            os.chmod(aside, 0o644)
            os.replace(aside, target.with_name(target.name + suffix))
    except BaseException:
        for _, aside in asides.values():
            Path(aside).unlink(missing_ok=True)
        raise


def _replace(target: Path, body: bytes) -> None:
    handle, aside = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(body)
    os.replace(aside, target)


def mark_built(root: Path, snapshot: int) -> None:
    """Record that the build in `root` holds the public snapshot `snapshot`."""
    _replace(root / BUILT, orjson.dumps({"snapshot": snapshot}))


def built_snapshot(root: Path) -> int | None:
    try:
        return int(orjson.loads((root / BUILT).read_bytes())["snapshot"])
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
