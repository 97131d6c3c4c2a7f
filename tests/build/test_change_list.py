"""The build's change list: `factcard build DIR --changes FILE` and the log every run appends to
name exactly the files whose bytes an upload must send or delete, checked against the hashes of
the two builds' files, and the manifest always describes what the directory holds."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from feed.build.keeper import catch_up, full_build
from feed.build.manifest import Ledger, log_path, manifest_of, manifest_path, site_files
from feed.build.static import Build
from feed.core.settings import Settings
from feed.render.context import Context
from feed.site.assembly import open_site
from feed.store import open_store
from feed.store.clock import utc_now
from tests.conftest import demo_documents

ROOT = Path(__file__).resolve().parent.parent.parent
COUNT = 2000  # the archive: one edit among 2,000 fact-checks
TAGS = ["vaccines", "elections", "climate", "economy", "energy"]
LIMIT = 900  # seconds a build of COUNT may take before the test gives up


def hashes(root: Path) -> dict[str, str]:
    """sha256 of every file an upload sends, read from disk: the independent side of each check."""
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in site_files(root)}


def expected(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """`OP PATH` lines for what differs between two builds' files."""
    return (
        {f"A {name}" for name in after.keys() - before.keys()}
        | {f"D {name}" for name in before.keys() - after.keys()}
        | {f"M {name}" for name in after.keys() & before.keys() if after[name] != before[name]}
    )


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def logged(root: Path) -> dict[int, list[str]]:
    """The change log by batch, each line without its batch and time."""
    batches: dict[int, list[str]] = {}
    for line in lines_of(log_path(root)):
        batch, when, op, path = line.split(" ", 3)
        datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ")  # a time, as the format says
        batches.setdefault(int(batch), []).append(f"{op} {path}")
    return batches


def generated(n: int) -> dict[str, Any]:
    """A small valid fact-check, one claim (the fewest files a fact-check can have)."""
    published = datetime(2021, 1, 1, tzinfo=UTC) + timedelta(hours=n)
    return {
        "slug": f"archive-check-{n:05d}", "status": "published", "language": "en",
        "headline": f"Fact check {n}: what the figures say", "summary": "The figures say otherwise.",
        "datePublished": published.strftime("%Y-%m-%dT%H:%M:%SZ"), "tags": [TAGS[n % len(TAGS)]],
        "claims": [{"text": f"Claim number {n}", "verdict": "False", "claimant": {"name": f"Speaker {n % 40}"}}],
    }  # fmt: skip


def build(directory: Path, database_url: str, changes: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "feed.cli", "build", str(directory), "--database-url", database_url,
               "--changes", changes]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=LIMIT, check=False)
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result


def site_of(database_url: str, **settings: Any) -> Context:
    return open_site(Settings.load({}, {"database_url": database_url, **settings}), open_store(database_url))


def test_one_edit_among_2000_lists_the_files_whose_bytes_changed_and_nothing_else(tmp_path: Path) -> None:
    url, out = f"sqlite:///{tmp_path / 'archive.db'}", tmp_path / "site"
    ctx = site_of(url)
    try:
        ctx.publishing.import_documents([generated(n) for n in range(COUNT)], utc_now())
    finally:
        ctx.store.close()
    started = time.monotonic()
    build(out, url, str(tmp_path / "first.txt"))
    first_seconds = time.monotonic() - started
    before = hashes(out)
    # A first build into an empty directory adds every file, copies included, and nothing else.
    assert sorted(lines_of(tmp_path / "first.txt")) == sorted(f"A {name}" for name in before)
    assert manifest_of(out) == before

    # One edit: the newest fact-check, so it is on the home page and the feeds' first pages.
    edited = f"archive-check-{COUNT - 1:05d}"
    ctx = site_of(url)
    try:
        record = ctx.store.get(edited)
        assert record is not None
        # The headline is on the page and in the feeds, the claim's wording on the cards too.
        claims = [{**record.document["claims"][0], "text": "Claim number 1999, as it was worded"}]
        document = {**record.document, "headline": "Fact check: what the figures really say", "claims": claims}
        ctx.publishing.update(edited, document, record.version, utc_now())
    finally:
        ctx.store.close()
    started = time.monotonic()
    second = build(out, url, str(tmp_path / "second.txt"))
    second_seconds = time.monotonic() - started
    after = hashes(out)
    listed = lines_of(tmp_path / "second.txt")

    # Exactly the files whose bytes differ between the two builds, each once, sorted by path.
    assert set(listed) == expected(before, after)
    assert len(listed) == len(set(listed)) and listed == sorted(listed, key=lambda line: line[2:])
    for name in (f"checks/{edited}.html", f"checks/{edited}.json", f"embed/{edited}.html", "feed.json",
                 "feed.atom", "claimreview.json", "index.html"):  # fmt: skip
        for copy in (name, f"{name}.gz", f"{name}.br"):
            assert f"M {copy}" in listed, copy
    # Its one claim's card is one file, whatever theme or language an embed asks for.
    assert [line for line in listed if line[2:].startswith(f"embed/{edited}")] == [
        f"M embed/{edited}.html{copy}" for copy in ("", ".br", ".gz")
    ]
    assert any(line.startswith("M sitemap") for line in listed)  # its entry's lastmod
    # No other fact-check's page, and a small part of the site: an upload of a few files.
    others = [line for line in listed if line.startswith("M checks/") and edited not in line]
    assert others == [], others[:5]
    assert 0 < len(listed) < len(after) / 20, len(listed)
    # The same lines went to the log, as the second batch; the manifest is the directory.
    assert logged(out) == {1: lines_of(tmp_path / "first.txt"), 2: listed}
    assert manifest_of(out) == after
    counts = [sum(line.startswith(op) for line in listed) for op in "AMD"]
    assert "{} path(s) added, {} changed, {} removed".format(*counts) in second.stdout
    print(f"\n{COUNT} fact-checks, {len(after)} files: first build {first_seconds:.0f}s, "
          f"rebuild after one edit {second_seconds:.0f}s, {len(listed)} paths listed")  # fmt: skip


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Context]:
    """The demo fact-checks, two a page: a retraction shrinks the home pages by a file."""
    ctx = site_of(f"sqlite:///{tmp_path / 'small.db'}", base_url="https://checks.example", page_size=2)
    ctx.publishing.import_documents(demo_documents(), utc_now())
    yield ctx
    ctx.store.close()


def test_every_update_appends_its_changes_and_removals_to_the_log(small: Context, tmp_path: Path) -> None:
    out = tmp_path / "kept"
    full_build(small, out)
    published = [d["slug"] for d in demo_documents() if d["status"] == "published"]
    pages = sorted((name for name in site_files(out) if name.startswith("page/") and name.endswith(".html")),
                   key=lambda name: int(name.removeprefix("page/").removesuffix(".html")))  # fmt: skip
    now = utc_now() + timedelta(minutes=1)
    for batch, slug in enumerate(published[:2], start=2):
        before = hashes(out)
        report = catch_up(small, out)  # nothing changed yet in the first round
        if batch == 2:
            assert report is None
        small.publishing.retract(slug, "The sources did not hold up.", None, now + timedelta(minutes=batch))
        report = catch_up(small, out)
        assert report is not None
        after = hashes(out)
        lines = logged(out)[batch]
        assert set(lines) == expected(before, after), slug
        assert report.changes.batch == batch and len(report.changes) == len(lines)
        assert f"M checks/{slug}.html.br" in lines  # its page now carries the notice
        assert manifest_of(out) == after
    # Two fewer on the home pages, two a page: the last home page went, with its copies.
    last = pages[-1]
    assert not (out / last).exists()
    assert {f"D {last}", f"D {last}.gz", f"D {last}.br"} <= set(logged(out)[3]) | set(logged(out)[2])
    # A run that changes no file leaves no batch.
    small.publishing.create({**demo_documents()[0], "slug": "a-draft", "status": "draft"}, now + timedelta(hours=1))
    report = catch_up(small, out)
    assert report is not None and report.changes.batch == 0 and len(report.changes) == 0
    assert max(logged(out)) == 3


def test_a_build_from_before_manifests_lists_only_what_differs(small: Context, tmp_path: Path) -> None:
    out = tmp_path / "old"
    full_build(small, out)
    manifest_path(out).unlink()
    log_path(out).unlink()
    record = small.store.get(demo_documents()[0]["slug"])
    assert record is not None
    small.publishing.update(record.slug, {**record.document, "summary": "Changed."}, record.version,
                            utc_now() + timedelta(minutes=1))  # fmt: skip
    before = hashes(out)
    report = catch_up(small, out)  # no manifest: a full build, compared with the files there
    assert report is not None
    assert set(logged(out)[1]) == expected(before, hashes(out))
    assert any(line.startswith(f"M checks/{record.slug}.") for line in logged(out)[1])
    assert manifest_of(out) == hashes(out)


def test_the_change_list_on_standard_output_and_refused_inside_the_build(small: Context, tmp_path: Path) -> None:
    url, out = f"sqlite:///{tmp_path / 'small.db'}", tmp_path / "out"
    first = build(out, url, "-")
    assert sorted(first.stdout.splitlines()) == sorted(f"A {name}" for name in hashes(out))
    assert "path(s) added" in first.stderr  # the summary leaves standard output to the list
    again = build(out, url, "-")
    assert again.stdout == "" and "0 path(s) added, 0 changed, 0 removed" in again.stderr
    command = [sys.executable, "-m", "feed.cli", "build", str(out), "--database-url", url,
               "--changes", str(out / "changes.txt")]  # fmt: skip
    inside = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert inside.returncode == 2 and "inside the build directory" in inside.stderr
    assert not (out / "changes.txt").exists()


def test_a_build_written_beside_the_old_one_is_compared_with_the_old_manifest(small: Context, tmp_path: Path) -> None:
    old, new = tmp_path / "generation-1", tmp_path / "generation-2"
    full_build(small, old)
    record = small.store.get(demo_documents()[0]["slug"])
    assert record is not None
    small.publishing.update(record.slug, {**record.document, "summary": "Changed."}, record.version,
                            utc_now() + timedelta(minutes=1))  # fmt: skip
    copy = tmp_path / "manifest.sqlite"  # the old build's manifest, carried on for the new one
    shutil.copy(manifest_path(old), copy)
    ledger = Ledger(new, True, copy, tmp_path / "changes.log", previous=old)
    try:
        report = Build(small, new, ledger).full()  # every file written anew: none was there
        changes = ledger.finish("generation-2")
    finally:
        ledger.close()
    assert len(report.written) > 100
    lines = [line.split(" ", 2)[2] for line in lines_of(tmp_path / "changes.log")]
    assert set(lines) == expected(hashes(old), hashes(new)) and 0 < changes.changed < 100
    with sqlite3.connect(copy) as db:
        assert dict(db.execute("SELECT path, sha256 FROM files")) == hashes(new)
    assert manifest_of(old) == hashes(old)


def test_a_build_killed_before_its_switch_changes_neither_manifest_nor_log(tmp_path: Path) -> None:
    url, out = f"sqlite:///{tmp_path / 'killed.db'}", tmp_path / "out"
    ctx = site_of(url, base_url="https://checks.example")
    ctx.publishing.import_documents(demo_documents(), utc_now())
    build(out, url, str(tmp_path / "first.txt"))
    manifest, log = manifest_path(out).read_bytes(), log_path(out).read_bytes()
    record = ctx.store.get(demo_documents()[0]["slug"])
    assert record is not None
    ctx.publishing.update(record.slug, {**record.document, "summary": "Changed."}, record.version,
                          utc_now() + timedelta(minutes=1))  # fmt: skip
    before = hashes(out)
    command = [sys.executable, "-m", "feed.cli", "build", str(out), "--database-url", url]
    env = {**os.environ, "FACTCARD_BUILD_PAUSE_BEFORE_SWITCH": "60"}
    killed = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        assert killed.stderr is not None
        deadline = time.monotonic() + LIMIT
        while "ready to switch" not in killed.stderr.readline():
            assert time.monotonic() < deadline and killed.poll() is None, "the build never reached its switch"
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        if killed.stderr is not None:
            killed.stderr.close()
    assert manifest_path(out).read_bytes() == manifest and log_path(out).read_bytes() == log
    assert hashes(out) == before and manifest_of(out) == before
    # The next build lists the edit: the killed one's batch was never logged, so nothing is missed.
    build(out, url, str(tmp_path / "second.txt"))
    assert set(lines_of(tmp_path / "second.txt")) == expected(before, hashes(out))
    assert any(line.startswith(f"M checks/{record.slug}.") for line in lines_of(tmp_path / "second.txt"))
    assert max(logged(out)) == 2 and manifest_of(out) == hashes(out)
    ctx.store.close()
