"""The build's manifest and change list: what an upload to an object store or CDN must send.

Both live beside the build, in its generations' folder (feed.build.generations.home), never in
a generation: a generation's files are hard links shared with the next one, and SQLite writes
its file in place, so a manifest inside would change the previous build's bytes too.

MANIFEST holds the sha256 of every file the current build holds (the compressed copies
included, the build's own dot files left out), by path relative to the build directory, and
the name of the generation it describes: the build as an uploader last saw it. A run (a full
build or an update) records each file it writes or leaves as it was, and each file it removes,
in a Ledger; at the end (under the generations' write lock, after a full build's switch) the
ledger compares them with the manifest (a full build against all of it, so that a path it no
longer holds is removed; an update against the paths it touched), appends the differences to
CHANGES_LOG, then commits the new manifest. Comparing bytes with the manifest, not with the
files on disk, gives the right list whether a run rewrites files in place or writes a new
generation beside the old one.

CHANGES_LOG has one line per path, `BATCH TIME OP PATH`: BATCH counts runs that changed
something (1, 2, ...), TIME is when the run ended (UTC, RFC 3339), OP is `A` (added), `M`
(changed) or `D` (removed), PATH is relative to the build directory. An uploader keeps the last
batch it sent and takes the lines after it. `factcard build --changes FILE` writes the same run's
lines without the first two fields. A full build killed before its switch logs nothing and
leaves the manifest as it was. The log is written (one write) and flushed to disk before the
manifest is committed: a run killed between the two, or a full build killed between its switch
and its log, has its changes listed again by the next run, in a later batch (a file uploaded
twice), never not at all.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from feed.build.generations import home

MANIFEST = "manifest.sqlite"  # in feed.build.generations.home(DIR), beside the locks
CHANGES_LOG = "changes.log"
OPS = {"A": "added", "M": "changed", "D": "removed"}


@dataclass(frozen=True)
class Changes:
    """What one run changed: its batch in CHANGES_LOG (0 when it changed nothing) and the counts."""

    batch: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0

    def __len__(self) -> int:
        return self.added + self.changed + self.removed


def digest_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def digest_of_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def site_files(root: Path) -> Iterable[str]:
    """Every file under `root` that an upload sends: copies included, no path with a dot part."""
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield relative.as_posix()


def manifest_path(directory: Path) -> Path:
    """The manifest of the build directory `directory` (a link to its current generation)."""
    return home(directory) / MANIFEST


def log_path(directory: Path) -> Path:
    return home(directory) / CHANGES_LOG


class Ledger:
    """One run's files against the manifest of the build before; `finish` tells and records them."""

    def __init__(self, root: Path, whole: bool, manifest: Path, log: Path, previous: Path | None = None):
        """`root`: the directory this run writes (a new generation, or the current one through
        DIR). `whole`: the run writes or keeps every file the build should hold (a full build),
        so a file in the manifest it did not see is removed. Otherwise only what it touched counts.

        `manifest` and `log`: the manifest of the build before, and the change log. `previous`:
        the directory of the build before; with no manifest yet (a first build, or one from
        before manifests), its files are taken as the manifest, so a rebuild of the same site
        lists nothing."""
        self.root, self.whole, self.log = root, whole, log
        root.mkdir(parents=True, exist_ok=True)
        manifest.parent.mkdir(parents=True, exist_ok=True)
        known = manifest.exists()
        # Finish runs under the write lock, so no other writer waits; the timeout covers a reader.
        self.db = sqlite3.connect(manifest, isolation_level=None, timeout=30)
        self.db.executescript(
            # This run's rows stay in memory up to 64 MB (a build of some 100,000 files), then spill.
            "PRAGMA temp.cache_size = -65536;"
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value NOT NULL);"
            "CREATE TEMP TABLE seen (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL) WITHOUT ROWID;"
            "CREATE TEMP TABLE gone (path TEXT PRIMARY KEY) WITHOUT ROWID;"
        )
        if not known and previous is not None and previous.is_dir():
            rows = ((name, digest_of_file(previous / name)) for name in site_files(previous))
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?)", rows)
            self.db.execute("COMMIT")
        # One transaction for the run: a statement each in a transaction of its own cost more
        # than rendering. Until `finish` it touches only the temporary tables, so it locks
        # nothing of the manifest: the keeper's updates go on during a long full build.
        self.db.execute("BEGIN")

    def wrote(self, digests: dict[str, str]) -> None:
        """Files this run wrote, with the sha256 of the bytes written."""
        self.db.executemany("DELETE FROM gone WHERE path = ?", ((name,) for name in digests))
        self.db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?)", digests.items())

    def kept(self, names: Iterable[str]) -> None:
        """Files this run found holding the right bytes already, as they are on disk (not as
        the manifest has them: an update killed before its finish wrote bytes it never told)."""
        for name in names:
            if (self.root / name).is_file():
                digest = digest_of_file(self.root / name)
                self.db.execute("INSERT OR REPLACE INTO seen VALUES (?, ?)", (name, digest))

    def seen_among(self, names: list[str]) -> set[str]:
        """Those of `names` this run wrote or found in place."""
        found: set[str] = set()
        for start in range(0, len(names), 500):  # under SQLite's limit on a statement's parameters
            chunk = names[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT path FROM seen WHERE path IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

    def removed(self, names: Iterable[str]) -> None:
        for name in names:
            self.db.execute("DELETE FROM seen WHERE path = ?", (name,))
            self.db.execute("INSERT OR IGNORE INTO gone VALUES (?)", (name,))

    def finish(self, generation: str | None, also: TextIO | None = None) -> Changes:
        """Append this run's changes to the log (and `OP PATH` lines to `also`), then make the
        manifest what the build now holds, as the description of `generation`. Call it with the
        generations' write lock held, after a full build's switch."""
        removed = (
            "SELECT 'D', f.path FROM files f WHERE NOT EXISTS (SELECT 1 FROM seen s WHERE s.path = f.path)"
            if self.whole
            # An update's queries look up the paths it touched: never a scan of the whole manifest.
            else "SELECT 'D', g.path FROM gone g WHERE EXISTS (SELECT 1 FROM files f WHERE f.path = g.path)"
        )
        rows = self.db.execute(
            "SELECT 'A', s.path FROM seen s WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.path = s.path) "
            "UNION ALL SELECT 'M', s.path FROM seen s JOIN files f ON f.path = s.path WHERE f.sha256 != s.sha256 "
            f"UNION ALL {removed} ORDER BY 2"
        ).fetchall()
        found = self.db.execute("SELECT value FROM meta WHERE key = 'batch'").fetchone()
        # The log's last batch too: one logged by a run killed before its commit is never reused.
        batch = max(found[0] if found else 0, last_batch(self.log)) + 1
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        counts = dict.fromkeys(OPS, 0)
        for op, _path in rows:
            counts[op] += 1
        if rows:
            with open(self.log, "ab") as log:
                # One write: a reader or a kill never finds part of a line.
                log.write("".join(f"{batch} {when} {op} {path}\n" for op, path in rows).encode())
                log.flush()
                os.fsync(log.fileno())
        if also is not None:
            also.write("".join(f"{op} {path}\n" for op, path in rows))
        if self.whole:
            self.db.execute("DELETE FROM files")
            self.db.execute("INSERT INTO files SELECT path, sha256 FROM seen")
        else:
            self.db.execute("INSERT OR REPLACE INTO files SELECT path, sha256 FROM seen")
            self.db.execute("DELETE FROM files WHERE path IN (SELECT path FROM gone)")
        if rows:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('batch', ?)", (batch,))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (generation or "",))
        self.db.execute("DELETE FROM seen")
        self.db.execute("DELETE FROM gone")
        self.db.execute("COMMIT")
        return Changes(batch if rows else 0, counts["A"], counts["M"], counts["D"])

    def close(self) -> None:
        """Without `finish`, nothing of the run reaches the manifest (it is rolled back)."""
        self.db.close()


def last_batch(log: Path) -> int:
    """The batch of the log's last line; 0 for no log."""
    try:
        with open(log, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 4096))
            tail = handle.read().splitlines()
    except FileNotFoundError:
        return 0
    return int(tail[-1].split(b" ", 1)[0]) if tail else 0


def described(manifest: Path) -> str | None:
    """The generation the manifest describes; None when there is no manifest or it says none."""
    if not manifest.exists():
        return None
    with closing(sqlite3.connect(f"file:{manifest}?mode=ro", uri=True)) as db:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        except sqlite3.OperationalError:  # made, but killed before its tables
            return None
    return str(row[0]) if row and row[0] else None


def manifest_of(directory: Path) -> dict[str, str]:
    """The manifest of the build directory `directory` as a mapping (empty when there is none)."""
    if not manifest_path(directory).exists():
        return {}
    db = sqlite3.connect(f"file:{manifest_path(directory)}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT path, sha256 FROM files"))
    finally:
        db.close()
