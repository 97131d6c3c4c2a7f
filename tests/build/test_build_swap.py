"""Never half a site: `factcard build DIR` switches a whole new build in at the end, a build
killed with SIGKILL at any moment leaves the previous one whole, a second build at once refuses,
and a plain build directory from an older release is taken over without a moment missing.

Real processes (`python -m feed.cli build`), a real SQLite store, real SIGKILL."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.generate import generate
from feed.build.generations import IMAGES, PAUSE_ENV, home, previous, write_lock
from feed.build.nginx import nginx_config
from feed.core.settings import Settings
from feed.site.assembly import open_site
from feed.store import open_store
from tests.conftest import DEMO

ROOT = Path(__file__).resolve().parent.parent.parent
CLI = [sys.executable, "-m", "feed.cli"]
GENERATED = 120  # with the demo, a build of about three seconds here (on one process, under
# the 200 from which a build starts workers): time to kill it part-way
WAIT = 60.0


@dataclass
class Newsroom:
    folder: Path
    env: dict[str, str]
    url: str
    count: int = GENERATED

    def change(self) -> None:
        """Publish two more fact-checks, so the next build differs from the last one."""
        self.count += 2
        generate(self.url, self.count)


def whole(directory: Path) -> dict[str, str]:
    """Every file the build directory shows (through its link), dot files too, by sha256."""
    found = {}
    for folder, _, files in os.walk(directory):
        for name in files:
            path = Path(folder) / name
            found[path.relative_to(directory).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def build(store: Newsroom, directory: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "build", str(directory)], env={**store.env, **env}, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=WAIT)
    return process.returncode, out, err


def built(store: Newsroom, directory: Path) -> None:
    code, out, err = finished(build(store, directory))
    assert code == 0, (out, err)


def paused_before_switch(store: Newsroom, directory: Path) -> subprocess.Popen[str]:
    """A build that has written its whole generation and waits at the switch."""
    process = build(store, directory, **{PAUSE_ENV: str(WAIT)})
    assert process.stderr is not None
    line = process.stderr.readline()  # blocks until the pause, or until the build fails
    assert line.strip() == "ready to switch", (line, process.poll())
    return process


def killed(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        process.communicate(timeout=WAIT)  # its pipes closed, not left to a later test's collector
        pytest.fail("the build ended before it could be killed")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=WAIT)  # reaps it and closes its pipes
    assert process.returncode == -signal.SIGKILL


def generations(directory: Path) -> set[str]:
    return {entry.name for entry in home(directory).iterdir()
            if entry.is_dir() and not entry.is_symlink() and entry.name != IMAGES}  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Newsroom:
    folder = tmp_path_factory.mktemp("swap")
    url = f"sqlite:///{folder / 'factcard.db'}"
    env = {**os.environ, "DATABASE_URL": url, "FACTCARD_BASE_URL": "https://checks.example",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    env.pop(PAUSE_ENV, None)
    subprocess.run([*CLI, "import", str(DEMO)], env=env, cwd=ROOT, check=True, capture_output=True, timeout=WAIT)
    generate(url, GENERATED)
    return Newsroom(folder, env, url)


@pytest.fixture(scope="module")
def site(store: Newsroom) -> Path:
    directory = store.folder / "site"
    built(store, directory)
    assert directory.is_symlink()
    return directory


@pytest.mark.parametrize("after", [0.2, 0.6, 1.2, 2.0])
def test_a_build_killed_part_way_leaves_the_previous_site_whole(store: Newsroom, site: Path, after: float) -> None:
    before = whole(site)
    assert len(before) > 1000 and ".factcard-build.json" in before
    store.change()
    process = build(store, site)
    time.sleep(after)
    killed(process)
    assert whole(site) == before  # every file, the same bytes, nothing of the killed build


def test_a_build_killed_just_before_its_switch_leaves_the_previous_site_whole(store: Newsroom, site: Path) -> None:
    before = whole(site)
    store.change()
    newest = f"checks/generated-check-{store.count - 1:06d}.html"
    assert newest not in before
    process = paused_before_switch(store, site)
    written = generations(site) - {os.path.basename(os.readlink(site))}
    assert any((home(site) / name / newest).exists() for name in written)  # all written, not shown
    killed(process)
    assert whole(site) == before


def test_the_next_build_cleans_up_and_switches_without_a_moment_missing(store: Newsroom, site: Path) -> None:
    store.change()
    process = build(store, site)
    time.sleep(0.8)
    killed(process)  # a half-written generation for this build to clean up
    before, shown = whole(site), os.readlink(site)
    leftovers = generations(site) - {os.path.basename(shown)}
    assert leftovers
    misses = watch_while(lambda: built(store, site), site / "index.html", site / ".factcard-build.json")
    assert misses == 0
    after = whole(site)
    assert f"checks/generated-check-{store.count - 1:06d}.html" in after
    assert after != before
    # The replaced build is kept whole as the previous one (for an upload that began before the
    # switch, or a rollback); nothing else is left.
    was = previous(site)
    assert was is not None and was.name == os.path.basename(shown)
    assert whole(was) == before
    assert generations(site) == {os.path.basename(os.readlink(site)), was.name}
    assert not list(site.parent.glob(f".{site.name}.switch-*"))


def watch_while(action: Callable[[], None], *paths: Path) -> int:
    """Run `action` while a reader opens `paths` over and over; how often one was missing."""
    misses, done = 0, threading.Event()

    def read() -> None:
        nonlocal misses
        while not done.is_set():
            for path in paths:
                try:
                    path.read_bytes()
                except FileNotFoundError:
                    misses += 1

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        action()
    finally:
        done.set()
        reader.join(WAIT)
    return misses


def test_a_second_build_refuses_while_one_runs_and_a_killed_ones_lock_is_released(store: Newsroom, site: Path) -> None:
    before = whole(site)
    store.change()
    first = paused_before_switch(store, site)
    try:
        code, out, err = finished(build(store, site))
        assert code == 75, (out, err)
        assert f"another build of {site} is running (process {first.pid}, started" in err
        assert "stopped without writing anything" in err
        assert whole(site) == before
    finally:
        killed(first)
    built(store, site)  # the kernel released the killed build's lock
    assert f"checks/generated-check-{store.count - 1:06d}.html" in whole(site)


def test_the_switch_waits_for_an_incremental_update_in_progress(store: Newsroom, site: Path) -> None:
    """A server's keeper holds the write lock while it rewrites files of the current build: the
    switch waits for it, so an update never lands half in one build and half in the next."""
    store.change()
    shown = os.readlink(site)
    with write_lock(site):  # as the keeper holds it for an update
        process = build(store, site, **{PAUSE_ENV: "0"})
        assert process.stderr is not None
        assert process.stderr.readline().strip() == "ready to switch"
        time.sleep(1.0)
        assert process.poll() is None and os.readlink(site) == shown
    code, out, err = finished(process)
    assert code == 0, (out, err)
    assert os.readlink(site) != shown


def test_a_plain_build_directory_of_an_older_release_is_taken_over(store: Newsroom, site: Path) -> None:
    plain = store.folder / "plain"
    shutil.copytree(site, plain)  # the files, as an older release wrote them in place
    assert not plain.is_symlink()
    before = whole(plain)
    store.change()
    misses = watch_while(lambda: built(store, plain), plain / "index.html", plain / "robots.txt")
    assert misses == 0  # exchanged with the link in one step (renameat2)
    assert plain.is_symlink()
    assert f"checks/generated-check-{store.count - 1:06d}.html" in whole(plain)
    was = previous(plain)
    assert was is not None and whole(was) == before  # the old files, kept as the previous build
    built(store, plain)  # and from then on it is a build like any other
    assert previous(plain) != was and not was.exists()


def test_a_link_made_by_someone_else_is_refused(store: Newsroom, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "site").symlink_to(tmp_path / "elsewhere")
    code, out, err = finished(build(store, tmp_path / "site"))
    assert code == 1, (out, err)
    assert "which factcard build did not make" in err
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_nginx_follows_the_link(tmp_path: Path) -> None:
    settings = Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'x.db'}", "base_url": "https://x.example"})
    ctx = open_site(settings, open_store(settings.database_url))
    try:
        config = nginx_config(ctx, "/srv/factcard/build", "127.0.0.1:8000")
    finally:
        ctx.store.close()
    assert "root /srv/factcard/build;" in config
    assert not re.search(r"^\s*disable_symlinks\s+(?!off)", config, re.MULTILINE)
