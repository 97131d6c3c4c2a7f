"""The browse pages in the static build: every tag's, claimant's and author's pages and feeds are
files holding the dynamic server's bytes, and an incremental build rewrites, adds and removes
them as fact-checks gain and lose tags, claimants and authors, agreeing with a full build."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.build.keeper import catch_up, full_build
from feed.build.static import file_for
from feed.core.settings import Settings
from feed.render.context import Context
from feed.site.assembly import open_site
from feed.store import open_store
from feed.store.clock import utc_now
from tests.build.test_build import tree
from tests.conftest import demo_documents

ORIGIN = "https://checks.example"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings.load({}, {"database_url": database_url, "base_url": ORIGIN, "page_size": 2})


@pytest.fixture
def site(settings: Settings) -> Iterator[Context]:
    ctx = open_site(settings, open_store(settings.database_url))
    yield ctx
    ctx.store.close()


def check(slug: str, tags: list[str], claimant: str = "Jo Bloggs", date: str = "2025-01-01") -> dict[str, Any]:
    return {
        "slug": slug, "status": "published", "headline": f"Is {slug} right?", "language": "en",
        "summary": "It is not.", "datePublished": date, "tags": tags, "authors": [{"name": "Ana Lima"}],
        "claims": [{"text": f"Claim {slug}", "verdict": "False", "claimant": {"name": claimant}}],
    }  # fmt: skip


def browse_files(files: dict[str, bytes]) -> list[str]:
    return sorted(name for name in files if name.startswith(("tags/", "claimants/", "authors/"))
                  and not name.endswith((".gz", ".br")))  # fmt: skip


def test_the_build_holds_every_browse_page_and_feed_as_the_server_answers_them(
    site: Context, settings: Settings, tmp_path: Path
) -> None:
    site.publishing.import_documents(demo_documents(), utc_now())
    full_build(site, tmp_path / "out")
    files = tree(tmp_path / "out")
    for must in ("tags/health.html", "tags/health/feed.json", "tags/health/feed.atom",
                 "claimants/wellness-influencer-post.html", "claimants/wellness-influencer-post/feed.json",
                 "claimants/wellness-influencer-post/feed.atom", "authors/demo-desk-health-team.html",
                 "authors/demo-desk-health-team/feed.json", "authors/demo-desk-health-team/feed.atom",
                 "tags/myh.html", "claimants/ahmed-salem.html", "tags/local.html", "browse-sitemap.xml"):  # fmt: skip
        assert must in files, must
    names = browse_files(files)
    store = site.store
    facets = sum(len(store.facets(kind)) for kind in ("tag", "claimant", "author"))
    assert len(names) == 3 * facets  # a page and two feeds each: no demo facet has more than 2 fact-checks
    # The very bytes the dynamic server answers for each URL.
    with TestClient(create_app(settings)) as server:
        for name in [*names, "browse-sitemap.xml"]:
            path = "/" + name.removesuffix(".html")
            assert file_for(path) == name
            response = server.get(path)
            assert response.status_code == 200, path
            assert response.content == files[name], path


def test_incremental_builds_follow_tags_claimants_and_authors(site: Context, tmp_path: Path) -> None:
    publishing, now = site.publishing, utc_now()
    publishing.import_documents(demo_documents(), now)
    kept = tmp_path / "kept"
    full_build(site, kept)

    def step(minutes: int) -> dict[str, bytes]:
        assert catch_up(site, kept) is not None
        fresh = tmp_path / f"fresh-{minutes}"
        full_build(site, fresh)
        incremental, full = tree(kept), tree(fresh)
        assert sorted(incremental) == sorted(full)
        assert [name for name in full if incremental[name] != full[name]] == []
        return incremental

    # Three fact-checks with a new tag: two pages of it (two a page), and its feeds.
    for n in range(1, 4):
        publishing.create(check(f"c{n}", ["Floods"], date=f"2025-01-0{n}"), now + timedelta(minutes=n))
    files = step(3)
    assert {"tags/floods.html", "tags/floods/page/2.html", "tags/floods/feed.json", "tags/floods/feed.atom",
            "claimants/jo-bloggs.html", "authors/ana-lima.html"} <= set(files)  # fmt: skip
    assert b"/checks/c1" in files["tags/floods/page/2.html"] and b"/checks/c3" in files["tags/floods.html"]
    # One loses the tag: one page left, and the second page's file goes.
    record = site.store.get("c3")
    assert record is not None
    publishing.update("c3", check("c3", ["Drought"], date="2025-01-03"), record.version, now + timedelta(minutes=4))
    files = step(4)
    assert "tags/floods/page/2.html" not in files and "tags/drought.html" in files
    assert b"/checks/c3" not in files["tags/floods.html"] and b"/checks/c3" in files["tags/drought.html"]
    # A new claimant for all of them: the old one's page and feeds go.
    for n in range(1, 4):
        record = site.store.get(f"c{n}")
        assert record is not None
        tags = ["Drought"] if n == 3 else ["Floods"]
        publishing.update(f"c{n}", check(f"c{n}", tags, "A. Nother", f"2025-01-0{n}"), record.version,
                          now + timedelta(minutes=5 + n))  # fmt: skip
    files = step(8)
    assert not [name for name in files if name.startswith("claimants/jo-bloggs")]
    assert "claimants/a-nother.html" in files and b"/claimants/a-nother" in files["browse-sitemap.xml"]
    assert b"/claimants/jo-bloggs" not in files["browse-sitemap.xml"]
    # Retracted: still listed, as retracted, and no longer in its claimant's record.
    publishing.retract("c1", "Wrong gauge.", None, now + timedelta(minutes=9))
    files = step(9)
    assert b"This fact-check has been retracted." in files["tags/floods.html"]
