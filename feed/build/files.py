"""How the build writes a file: its bytes and its compressed copies, never half of any.

Into the current generation (the keeper's updates, which readers see at once) each file is
written aside and renamed into place. Into a new generation nobody reads until its switch
(feed.build.generations) a file is written where it goes, after unlinking the hard link to the
previous generation's file it may be: the rename costs more than rendering a card, and a build
killed part-way leaves a generation the next build removes.

Compression levels, measured on this project's pages (docs/operators/performance.md): gzip 9
costs what 6 does at these sizes (0.1 to 0.8 ms a file) for the same bytes. Brotli 5 is within
a tenth of 11's size at a twentieth of its time, so a build of a hundred thousand fact-checks
(and each publish) uses 5, as the dynamic server does; the fixed files (the widget, static
files, problem pages), which change only with a release, get 11.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import brotli

from feed.build.manifest import digest_of

COPIES = (".gz", ".br")
PRECOMPRESSED = (".png", ".ico", ".webp", ".woff2")  # compressed formats: no copies, they would not shrink
BROTLI = 5
BROTLI_BEST = 11


def copies_of(relative: str) -> list[str]:
    """The file `relative` and the compressed copies the build holds beside it."""
    return [relative] if relative.endswith(PRECOMPRESSED) else [relative, *(relative + s for s in COPIES)]


def compressed(body: bytes, suffix: str, best: bool = False) -> bytes:
    if suffix == ".gz":
        # mtime=0: the same bytes give the same file, build after build.
        return gzip.compress(body, compresslevel=9, mtime=0)
    result: bytes = brotli.compress(body, quality=BROTLI_BEST if best else BROTLI)
    return result


def write_atomically(target: Path, body: bytes) -> None:
    """`target` holds `body` whole or keeps what it held: never half of either."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, aside = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.chmod(aside, 0o644)
        os.replace(aside, target)
    except BaseException:
        Path(aside).unlink(missing_ok=True)
        raise


def write_unseen(target: Path, body: bytes) -> None:
    """Write `body` to `target` in a generation no reader sees yet, leaving the file it may
    share with the previous generation (a hard link) as it was."""
    try:
        target.unlink()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "wb") as out:
        out.write(body)


def write_file(root: Path, relative: str, body: bytes, unseen: bool = False, best: bool = False) -> dict[str, str]:
    """Write `body` and its compressed copies unless the file holds it already; `unseen`: into
    a generation not switched in yet; `best`: the best compression, for a file that rarely changes.

    Returns the sha256 of each file written, by relative path: empty when nothing was."""
    target = root / relative
    try:
        if target.read_bytes() == body:
            return {}
    except OSError:
        pass
    write = write_unseen if unseen else write_atomically
    digests = {}
    # The copies first: a server choosing a copy by the plain file's presence finds them ready.
    for suffix in () if target.suffix in PRECOMPRESSED else COPIES:
        copy = compressed(body, suffix, best)
        write(target.with_name(target.name + suffix), copy)
        digests[relative + suffix] = digest_of(copy)
    write(target, body)
    return {relative: digest_of(body), **digests}


def remove_file(root: Path, relative: str) -> list[str]:
    """Remove the file and its copies; the relative paths of those that were there."""
    gone = []
    for name in (relative, *(relative + suffix for suffix in COPIES)):
        path = root / name
        if path.exists():
            path.unlink(missing_ok=True)
            gone.append(name)
    return gone
