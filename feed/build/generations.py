"""A build directory that always holds one whole build: generations behind a symlink.

`DIR` is a symbolic link to a generation, `.DIR.builds/ID/` beside it (the name of DIR with a
dot before it and `.builds` after it; the link is relative, so the pair can be moved together).
A full build writes a new generation, seeded with hard links to the current one's files so that
files whose bytes do not change are neither rewritten nor recompressed (every write replaces a
file by rename, which breaks the link and leaves the current generation untouched), then
switches: a new symlink made aside and renamed onto DIR, one atomic step. A web server resolves
DIR per request, so it answers from the old build until the switch and from the new one after;
an upload that follows the link sees one build whole.

`.DIR.builds/` also holds:
- `previous`, a link to the generation the last switch replaced: kept until the next switch, so
  an upload or a request that resolved DIR just before the switch still finds its files, and an
  operator can roll back (`ln -sfn .DIR.builds/ID DIR.new && mv -T DIR.new DIR`);
- `build.lock`: held by a full build from start to end. A second full build refuses at once
  (BuildRunning) rather than waiting: it would only redo the same work from the same store, and
  a deploy job blocked behind another is worse than one that says why it stopped. A killed
  build's lock is released by the kernel with its process;
- `share-images/`: the share images drawn by earlier builds, by what they show (feed.build.images);
- `write.lock`: held by the keeper for each incremental update of the current generation and
  by a full build for its switch only, so an update never straddles two generations while the
  site stays current during a long full build (the new generation records the snapshot it was
  rendered from, and the keeper's next look brings it up from there).

Whatever else a killed build left (a half-written generation, a half-removed old one, a link
made aside) is removed when the next full build starts, under its lock. A DIR that is a plain
directory, from a release before generations, is turned into a link by the first switch (see
`switch`), and its files become the previous generation.

Test hook: with FACTCARD_BUILD_PAUSE_BEFORE_SWITCH=SECONDS in the environment a full build
prints `ready to switch` on standard error and sleeps that long just before its switch, so a test
can kill it at that very point.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUILD_LOCK = "build.lock"
WRITE_LOCK = "write.lock"
PREVIOUS = "previous"
IMAGES = "share-images"  # the share images drawn before (feed.build.images): not a generation
PAUSE_ENV = "FACTCARD_BUILD_PAUSE_BEFORE_SWITCH"
MODE = 0o755  # a web server's user must be able to walk every generation


class BuildRunning(Exception):
    """Another full build of the same directory holds its lock."""


class ForeignLink(Exception):
    """DIR is a symbolic link that factcard did not make."""


def home(directory: Path) -> Path:
    """The folder beside `directory` that holds its generations and locks."""
    directory = Path(os.path.abspath(directory))
    return directory.parent / f".{directory.name}.builds"


def _ensure_home(directory: Path) -> Path:
    folder = home(directory)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def current(directory: Path) -> Path | None:
    """The generation `directory` links to; None when it is missing or a plain directory.

    A link elsewhere is refused (ForeignLink): replacing it would move the site away from
    wherever its owner put it."""
    if not os.path.islink(directory):
        return None
    target = os.readlink(directory)
    folder = home(directory)
    if os.path.isabs(target) or Path(target).parent.as_posix() != folder.name:
        raise ForeignLink(
            f"{directory} is a symbolic link to {target}, which factcard build did not make "
            f"(its builds are links into {folder}); build into the link's target instead, or remove the link"
        )
    return folder / Path(target).name


def previous(directory: Path) -> Path | None:
    link = home(directory) / PREVIOUS
    return link.parent / os.readlink(link) if os.path.islink(link) else None


@contextmanager
def build_lock(directory: Path) -> Iterator[None]:
    """Held for a whole full build; BuildRunning at once if another build holds it."""
    path = _ensure_home(directory) / BUILD_LOCK
    with open(path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise BuildRunning(
                f"another build of {directory} is running ({holder}); this one stopped without "
                f"writing anything: run it again when that one has ended (its lock is {path})"
            ) from None
        lock.truncate(0)
        lock.write(f"process {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
        lock.flush()
        yield


@contextmanager
def write_lock(directory: Path) -> Iterator[None]:
    """Held while the current generation is updated or replaced; waits for its turn."""
    with open(_ensure_home(directory) / WRITE_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def remove_leftovers(directory: Path) -> list[Path]:
    """Remove every generation but the current and the previous one, and links a killed switch
    left aside. Call with the build lock held: nothing else makes or needs them then."""
    folder = home(directory)
    keep = {current(directory), previous(directory)}
    removed = []
    for link in directory.parent.glob(f".{directory.name}.switch-*"):
        link.unlink(missing_ok=True)
        removed.append(link)
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        if entry.is_symlink() or not entry.is_dir() or entry in keep or entry.name == IMAGES:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def new_generation(directory: Path) -> Path:
    """A fresh generation beside `directory`, holding hard links to the current build's files."""
    folder = _ensure_home(directory)
    os.chmod(folder, MODE)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    generation = folder / f"{stamp}-{os.getpid()}"
    suffix = 0
    while generation.exists():  # two builds within a second (one after the other)
        suffix += 1
        generation = folder / f"{stamp}-{os.getpid()}-{suffix}"
    generation.mkdir()
    os.chmod(generation, MODE)
    if os.path.isdir(directory):
        _link_tree(Path(os.path.realpath(directory)), generation)
    return generation


def _link_tree(source: Path, target: Path) -> None:
    for folder, subfolders, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        for name in subfolders:
            made = target / relative / name
            made.mkdir(exist_ok=True)
            os.chmod(made, MODE)
        for name in files:
            if name.startswith(".tmp-"):  # a write cut short: nothing of the build
                continue
            try:
                os.link(Path(folder) / name, target / relative / name, follow_symlinks=False)
            except FileNotFoundError:  # replaced or removed meanwhile by an update: the build writes it
                continue
            except OSError:  # no hard links on this file system: a copy serves the same end
                shutil.copy2(Path(folder) / name, target / relative / name, follow_symlinks=False)


def pause_before_switch() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        print("ready to switch", file=sys.stderr, flush=True)
        time.sleep(float(seconds))


def switch(directory: Path, generation: Path) -> None:
    """Make `directory` show `generation`, in one atomic step, and record what it showed before
    as the previous generation.

    The previous link is set first: a build killed between the two steps leaves the old
    generation current and previous both, and its own generation is a leftover. A plain
    directory (an older release's build) is exchanged with the new link by renameat2's
    RENAME_EXCHANGE where the kernel and file system have it, atomic like a link's rename;
    elsewhere it is moved aside and the link renamed in, and for the microseconds between the two
    renames the directory is missing (nginx passes such requests on to factcard, which answers
    them). Its files then stay as the previous generation."""
    folder = home(directory)
    was = current(directory)
    if was is not None:
        _set_link(folder / PREVIOUS, was.name)
    aside = directory.parent / f".{directory.name}.switch-{os.getpid()}"
    aside.unlink(missing_ok=True)
    os.symlink(f"{folder.name}/{generation.name}", aside)
    if was is not None or not os.path.isdir(directory):
        os.replace(aside, directory)
        return
    legacy = folder / f"{generation.name}-before"
    if _exchange(aside, directory):
        os.rename(aside, legacy)  # `aside` is the old directory now
    else:
        os.rename(directory, legacy)
        os.replace(aside, directory)
    _set_link(folder / PREVIOUS, legacy.name)


def _set_link(link: Path, target: str) -> None:
    aside = link.with_name(f".{link.name}.{os.getpid()}")
    aside.unlink(missing_ok=True)
    os.symlink(target, aside)
    os.replace(aside, link)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two names atomically (Linux renameat2 RENAME_EXCHANGE); False where it cannot."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return bool(function(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0)
