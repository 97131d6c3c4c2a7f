"""The build's manifest and change list: what an upload to an object store or CDN must send.

MANIFEST holds the sha256 of every file the build holds (the compressed copies included, the
build's own dot files left out), by path relative to the build directory: the build before, as
an uploader last saw it. A run (a full build or an update) records each file it writes or leaves
as it was, and each file it removes, in a Ledger; at the end the ledger compares them with the
manifest (a full build against all of it, so that a path it no longer holds is removed; an
update against the paths it touched), appends the differences to CHANGES_LOG, then commits the
new manifest. Comparing bytes with the manifest, not with the files on disk, gives the right
list whether a build rewrites files in place or writes a new directory beside the old one.

CHANGES_LOG has one line per path, `BATCH TIME OP PATH`: BATCH counts runs that changed
something (1, 2, ...), TIME is when the run ended (UTC, RFC 3339), OP is `A` (added), `M`
(changed) or `D` (removed), PATH is relative to the build directory. An uploader keeps the last
batch it sent and takes the lines after it. `factcard build --changes FILE` writes the same run's
lines without the first two fields. The log is written and flushed to disk before the manifest
is committed: a run killed between the two lists its changes again in the next run's batch (a
file uploaded twice), never not at all.
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

MANIFEST = ".factcard-manifest.sqlite"
CHANGES_LOG = ".factcard-changes.log"
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


class Ledger:
    """One run's files against the manifest of the build before; `finish` tells and records them."""

    def __init__(self, root: Path, whole: bool, previous: Path | None = None, log: Path | None = None):
        """`whole`: the run writes or keeps every file the build should hold (a full build), so
        a file in the manifest it did not see is removed. Otherwise only what it touched counts.

        `previous`: the directory of the build before, when this run writes a new one beside it
        (its manifest is the one compared with, and carried on). `log`: the change log, when
        not CHANGES_LOG in `root`."""
        self.root, self.whole = root, whole
        self.log = log or root / CHANGES_LOG
        root.mkdir(parents=True, exist_ok=True)
        if previous is not None and (previous / MANIFEST).exists() and not (root / MANIFEST).exists():
            with closing(sqlite3.connect(previous / MANIFEST)) as source:
                with closing(sqlite3.connect(root / MANIFEST)) as copy:
                    source.backup(copy)
        known = (root / MANIFEST).exists()
        self.db = sqlite3.connect(root / MANIFEST, isolation_level=None)
        self.db.executescript(
            # This run's rows stay in memory up to 64 MB (a build of some 100,000 files), then spill.
            "PRAGMA temp.cache_size = -65536;"
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
            "CREATE TEMP TABLE seen (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL) WITHOUT ROWID;"
            "CREATE TEMP TABLE gone (path TEXT PRIMARY KEY) WITHOUT ROWID;"
        )
        if not known:
            # No manifest: a first build, or one written before manifests. What the directory holds
            # is the build before, so a rebuild of the same site lists nothing.
            rows = ((name, digest_of_file(root / name)) for name in site_files(root))
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?)", rows)
            self.db.execute("COMMIT")
        # One transaction for the run: a statement each in a transaction of its own cost more
        # than rendering. The manifest itself is written only in `finish`.
        self.db.execute("BEGIN")

    def wrote(self, digests: dict[str, str]) -> None:
        """Files this run wrote, with the sha256 of the bytes written."""
        self.db.executemany("DELETE FROM gone WHERE path = ?", ((name,) for name in digests))
        self.db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?)", digests.items())

    def kept(self, names: Iterable[str]) -> None:
        """Files this run found holding the right bytes already: as the manifest has them, or
        (when it has not) as they are on disk."""
        for name in names:
            row = self.db.execute("SELECT sha256 FROM files WHERE path = ?", (name,)).fetchone()
            if row is None and not (self.root / name).is_file():
                continue
            digest = row[0] if row is not None else digest_of_file(self.root / name)
            self.db.execute("INSERT OR REPLACE INTO seen VALUES (?, ?)", (name, digest))

    def removed(self, names: Iterable[str]) -> None:
        for name in names:
            self.db.execute("DELETE FROM seen WHERE path = ?", (name,))
            self.db.execute("INSERT OR IGNORE INTO gone VALUES (?)", (name,))

    def finish(self, also: TextIO | None = None) -> Changes:
        """Append this run's changes to CHANGES_LOG (and `OP PATH` lines to `also`), then make
        the manifest what the build now holds."""
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
        )
        found = self.db.execute("SELECT value FROM meta WHERE key = 'batch'").fetchone()
        batch = (found[0] if found else 0) + 1
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        counts = dict.fromkeys(OPS, 0)
        with open(self.log, "a", encoding="utf-8") as log:
            for op, path in rows:
                counts[op] += 1
                log.write(f"{batch} {when} {op} {path}\n")
                if also is not None:
                    also.write(f"{op} {path}\n")
            log.flush()
            os.fsync(log.fileno())
        told = sum(counts.values())
        if self.whole:
            self.db.execute("DELETE FROM files")
            self.db.execute("INSERT INTO files SELECT path, sha256 FROM seen")
        else:
            self.db.execute("INSERT OR REPLACE INTO files SELECT path, sha256 FROM seen")
            self.db.execute("DELETE FROM files WHERE path IN (SELECT path FROM gone)")
        if told:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('batch', ?)", (batch,))
        self.db.execute("DELETE FROM seen")
        self.db.execute("DELETE FROM gone")
        self.db.execute("COMMIT")
        return Changes(batch if told else 0, counts["A"], counts["M"], counts["D"])

    def close(self) -> None:
        """Without `finish`, nothing of the run reaches the manifest (it is rolled back)."""
        self.db.close()


def manifest_of(root: Path) -> dict[str, str]:
    """The manifest in `root` as a mapping (empty when there is none): for checks and tools."""
    if not (root / MANIFEST).exists():
        return {}
    db = sqlite3.connect(f"file:{root / MANIFEST}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT path, sha256 FROM files"))
    finally:
        db.close()
