"""The keeper's update order: a change's page, card and the feeds' first pages come first, and a
change made during an update gets those at once; the change list and the manifest still name
exactly what the directory holds, and the build ends as a full build would write it."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from feed.build import keeper, static
from feed.build.keeper import catch_up, full_build
from feed.build.manifest import manifest_of, site_files
from feed.render.context import Context
from feed.site.datafile import built_snapshot
from feed.store.clock import utc_now
from tests.build.test_build import check, site  # noqa: F401 (site: a fixture)
from tests.conftest import demo_documents


def hashes(root: Path) -> dict[str, str]:
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in site_files(root)}


def test_an_update_writes_the_changes_page_card_and_first_feed_pages_first(
    site: Context,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    site.publishing.import_documents(demo_documents(), utc_now())
    full_build(site, tmp_path / "out")
    site.publishing.create(check("new-claim"), utc_now() + timedelta(minutes=1))
    report = catch_up(site, tmp_path / "out")
    assert report is not None
    assert report.written[:5] == ["/checks/new-claim", "/embed/new-claim", "/feed.json", "/", "/feed.atom"]
    assert len(report.written) == len(set(report.written))  # each file once a run
    assert "/page/2" in report.written and "/claimreview.json" in report.written  # the rest follows


@pytest.mark.parametrize("through", ["this process", "elsewhere"])
def test_a_change_during_an_update_gets_its_first_files_before_the_update_ends(
    site: Context,  # noqa: F811 (the fixture)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    through: str,
) -> None:
    """Made through this process, the keeper is told (`arrived`); made elsewhere, it finds the
    change by looking (every LOOK_SECONDS; at once here)."""
    if through == "elsewhere":
        monkeypatch.setattr(keeper, "LOOK_SECONDS", 0.0)
    publishing, now = site.publishing, utc_now()
    publishing.import_documents(demo_documents(), now)
    out = tmp_path / "out"
    full_build(site, out)
    publishing.create(check("first-claim"), now + timedelta(minutes=1))
    arrived = threading.Event()
    written: list[str] = []
    real_write_file = static.write_file

    def write_file(root: Path, relative: str, body: bytes, *how: bool) -> dict[str, str]:
        written.append(relative)
        if relative == "page/2.html":  # the update's rest: a second change is made meanwhile
            publishing.create(check("second-claim"), now + timedelta(minutes=2))
            if through == "this process":
                arrived.set()
        return real_write_file(root, relative, body, *how)

    monkeypatch.setattr(static, "write_file", write_file)
    report = catch_up(site, out, arrived)
    monkeypatch.setattr(static, "write_file", real_write_file)
    assert report is not None
    # Written right after the file during which it was made, long before the update's end.
    at = written.index("page/2.html")
    assert written[at + 1 : at + 6] == [
        "checks/second-claim.html", "embed/second-claim.html", "feed.json", "index.html", "feed.atom",
    ]  # fmt: skip
    assert b"second-claim" in (out / "feed.json").read_bytes()
    assert not (out / "checks/second-claim.json").exists()  # the next update's
    assert manifest_of(out) == hashes(out)  # the change list named what it wrote
    assert built_snapshot(out) is not None and built_snapshot(out) < site.store.snapshot()

    following = catch_up(site, out)
    assert following is not None and "/checks/second-claim.json" in following.written
    assert manifest_of(out) == hashes(out)
    fresh = tmp_path / "fresh"
    full_build(site, fresh)
    assert hashes(out) == hashes(fresh)
