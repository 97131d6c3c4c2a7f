"""The static build: `factcard build`, and the incremental path that keeps it current."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import brotli
import pytest

from feed.build.images import ImageStore
from feed.build.keeper import catch_up, full_build
from feed.build.manifest import manifest_of
from feed.build.static import file_for
from feed.core.settings import Settings
from feed.render.context import Context
from feed.site.assembly import open_site
from feed.site.renderer import Renderer
from feed.store import open_store
from feed.store.clock import utc_now
from tests.conftest import demo_documents


@pytest.fixture
def site(database_url: str) -> Iterator[Context]:
    settings = Settings.load({}, {"database_url": database_url, "base_url": "https://checks.example", "page_size": 2})
    ctx = open_site(settings, open_store(database_url))
    yield ctx
    ctx.store.close()


def tree(root: Path) -> dict[str, bytes]:
    """Every file a web server would serve from `root` (the build's own dot files left out)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    }


def check(slug: str, verdict: str = "False", status: str = "published", headline: str = "") -> dict[str, Any]:
    return {
        "slug": slug, "status": status, "headline": headline or f"Is {slug} right?", "language": "en",
        "summary": "It is not.", "claims": [{"text": f"Claim {slug}", "verdict": verdict}],
    }  # fmt: skip


def test_file_names_follow_urls() -> None:
    assert file_for("/") == "index.html"
    assert file_for("/checks/x") == "checks/x.html"
    assert file_for("/checks/x.json") == "checks/x.json"
    assert file_for("/embed/x/2/dark/es") == "embed/x/2/dark/es.html"
    assert file_for("/page/3") == "page/3.html"


def test_every_file_holds_the_renderers_bytes_with_copies(site: Context, tmp_path: Path) -> None:
    site.publishing.import_documents(demo_documents(), utc_now())
    report = full_build(site, tmp_path / "out")
    files = tree(tmp_path / "out")
    renderer = Renderer(site)
    checked = 0
    for path in report.written:
        if path == "/claimreview.json":
            continue  # a file of its own making (feed.site.datafile); compared over HTTP elsewhere
        body = files[file_for(path)]
        assert body == renderer.render(path).body, path
        if path.endswith((".png", ".ico")):
            assert file_for(path) + ".gz" not in files, path  # compressed already
            continue
        assert gzip.decompress(files[file_for(path) + ".gz"]) == body, path
        assert brotli.decompress(files[file_for(path) + ".br"]) == body, path
        checked += 1
    assert checked > 150
    names = set(files)
    for must in ("index.html", "feed.json", "feed.atom", "claimreview.json", "sitemap.xml", "robots.txt",
                 "widget.js", "widget.json", "checks/lightning-never-strikes-twice.html",
                 "checks/lightning-never-strikes-twice.json", "oembed/lightning-never-strikes-twice.json",
                 "embed/lightning-never-strikes-twice.html", "embed/three-everyday-health-myths/3/light.html",
                 "page/2.html", "favicon.ico"):  # fmt: skip
        assert must in names, must
    assert not any(name.startswith("api/") for name in names)
    # Drafts are not public: nothing of them is built.
    site.publishing.create(check("a-draft", status="draft"), utc_now())
    assert catch_up(site, tmp_path / "out") is not None
    assert not any("a-draft" in name for name in tree(tmp_path / "out"))


def test_incremental_and_full_builds_agree_after_a_newsrooms_day(site: Context, tmp_path: Path) -> None:
    publishing, now = site.publishing, utc_now()
    publishing.import_documents(demo_documents(), now)
    kept = tmp_path / "kept"
    full_build(site, kept)
    steps = 0

    def step() -> set[str]:
        nonlocal steps
        steps += 1
        report = catch_up(site, kept)
        assert report is not None
        return set(report.written)

    # A new fact-check: its own files, the listings and the DataFeed; no other fact-check's page.
    publishing.create(check("new-claim"), now + timedelta(minutes=1))
    written = step()
    assert "/checks/new-claim" in written and "/embed/new-claim" in written
    assert "/claimreview.json" in written and "/feed.json" in written
    assert not any(path.startswith("/checks/lightning") for path in written)
    # A draft saved: no public file changes.
    publishing.create(check("work-in-progress", status="draft"), now + timedelta(minutes=2))
    assert step() == set()
    # An edit of a published fact-check.
    record = site.store.get("new-claim")
    assert record is not None
    publishing.update("new-claim", check("new-claim", headline="Is it, really?"), record.version,
                      now + timedelta(minutes=3))  # fmt: skip
    written = step()
    assert "/checks/new-claim" in written and "/checks/new-claim.json" in written
    # An edit that drops a claim: the cards of the claim it no longer has go.
    record = site.store.get("three-everyday-health-myths")
    assert record is not None
    fewer = {**record.document, "claims": record.document["claims"][:2]}
    publishing.update("three-everyday-health-myths", fewer, record.version, now + timedelta(minutes=3, seconds=30))
    step()
    assert (kept / "embed/three-everyday-health-myths/2/light.html").exists()
    assert not (kept / "embed/three-everyday-health-myths/3/light.html").exists()
    assert not (kept / "embed/three-everyday-health-myths/3/light.html.br").exists()
    # A translation, then its original naming it: both pages (their hreflang), the sitemap.
    spanish = check("new-claim-es", headline="¿Es así?") | {"language": "es"}
    publishing.create(spanish, now + timedelta(minutes=3, seconds=40))
    step()
    record = site.store.get("new-claim")
    assert record is not None
    linked = {**record.document, "translations": ["new-claim-es"]}
    publishing.update("new-claim", linked, record.version, now + timedelta(minutes=3, seconds=50))
    written = step()
    assert {"/checks/new-claim", "/checks/new-claim-es", "/embed/new-claim-es", "/sitemap.xml"} <= written
    assert 'hreflang="en"' in (kept / "checks/new-claim-es.html").read_text()
    # Publishing the draft, then more fact-checks: the home pages grow.
    publishing.publish("work-in-progress", None, now + timedelta(minutes=4))
    step()
    for n in range(3):
        publishing.create(check(f"more-{n}", verdict="True"), now + timedelta(minutes=5 + n))
        step()
    assert (kept / "page/7.html").exists()  # 13 published, two a page
    # Retractions: the pages stay (with their notice), the home pages shrink again.
    for number, slug in enumerate(("more-0", "more-1", "new-claim", "lightning-never-strikes-twice")):
        publishing.retract(slug, "The sources did not hold up.", None, now + timedelta(minutes=10 + number))
        step()
    assert not (kept / "page/6.html").exists() and (kept / "page/5.html").exists()  # 9 published
    assert "Retracted" in (kept / "checks/more-0.html").read_text()
    assert steps == 14

    fresh = tmp_path / "fresh"
    full_build(site, fresh)
    incremental, full = tree(kept), tree(fresh)
    assert sorted(incremental) == sorted(full)
    assert [name for name in full if incremental[name] != full[name]] == []


def test_a_server_with_a_build_directory_keeps_it_current(tmp_path: Path) -> None:
    import time

    from starlette.testclient import TestClient

    from feed.app import create_app
    from feed.core.tokens import create_token

    build = tmp_path / "build"
    settings = Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'app.db'}", "base_url": "http://testserver",
                                  "build_dir": str(build)})  # fmt: skip
    app = create_app(settings)
    token = create_token(app.state.context.store, "newsroom", utc_now())

    def built(name: str) -> bytes | None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (build / name).exists():
                return (build / name).read_bytes()
            time.sleep(0.1)
        return None

    with TestClient(app) as client:
        assert built("index.html") is not None  # an empty directory gets a full build at start
        created = client.post("/api/checks", json=check("fresh-claim"), headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201
        page = built("checks/fresh-claim.html")
        assert page is not None and page == client.get("/checks/fresh-claim").content
        # The DataFeed the server sends is the build's file.
        assert client.get("/claimreview.json").content == (build / "claimreview.json").read_bytes()


def test_pages_whose_original_stays_canonical_are_built_but_not_in_the_sitemaps(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feed.site import feeds
    from tests.site.test_canonical_elsewhere import ONE, ORIGINALS, SEVERAL, kept_config, kept_documents

    settings = Settings.load({}, {"database_url": database_url, "base_url": "https://checks.example", "page_size": 2,
                                  "config_file": kept_config(tmp_path)})  # fmt: skip
    site = open_site(settings, open_store(database_url))
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 2)  # numbered sitemaps: their count is the server's too
    try:
        now = utc_now()
        site.publishing.import_documents([*demo_documents(), *kept_documents()], now)
        kept = tmp_path / "kept"
        report = full_build(site, kept)
        files, renderer = tree(kept), Renderer(site)
        for path in report.written:
            if path != "/claimreview.json":
                assert files[file_for(path)] == renderer.render(path).body, path
        # The fallback pages, their cards and oEmbed answers are there; the sitemaps do not list them.
        for slug, original in ORIGINALS.items():
            assert f'<link rel="canonical" href="{original}">' in files[f"checks/{slug}.html"].decode()
            assert f"embed/{slug}.html" in files and f"oembed/{slug}.json" in files
        sitemaps = b"".join(body for name, body in files.items() if name.startswith("sitemap"))
        assert b"/checks/lightning-never-strikes-twice<" in sitemaps
        assert ONE.encode() not in sitemaps and SEVERAL.encode() not in sitemaps
        # The 8 demo pages, two a file: 4 sitemaps, as the server's index names them (not 5, for 10).
        assert sorted(name for name in files if name.startswith("sitemap-") and name.endswith(".xml")) == [
            f"sitemap-{n}.xml" for n in (1, 2, 3, 4)
        ]
        assert files["sitemap.xml"] == renderer.render("/sitemap.xml").body
        # One becomes canonical here (an edit, with a publisher whose site is this service): the
        # incremental build agrees with a full one, its page in a sitemap now.
        record = site.store.get(ONE)
        assert record is not None
        here = {k: v for k, v in record.document.items() if k != "originalIsCanonical"} | {"publisher": "demo"}
        site.publishing.update(ONE, here, record.version, now + timedelta(minutes=1))
        assert catch_up(site, kept) is not None
        fresh = tmp_path / "fresh"
        full_build(site, fresh)
        incremental, full = tree(kept), tree(fresh)
        assert sorted(incremental) == sorted(full)
        assert [name for name in full if incremental[name] != full[name]] == []
        assert "sitemap-5.xml" in full
        assert any(ONE.encode() in body for name, body in full.items() if name.startswith("sitemap-"))
    finally:
        site.store.close()


def test_a_build_on_worker_processes_writes_the_same_site(site: Context, tmp_path: Path) -> None:
    """Rendering and compression on two processes (feed.build.workers), each with its own store
    connection: the same files with the same bytes as one process writes, the same manifest."""
    site.publishing.import_documents(demo_documents(), utc_now())
    one = full_build(site, tmp_path / "one", workers=1)
    two = full_build(site, tmp_path / "two", workers=2)
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert sorted(two.written) == sorted(one.written) and two.written_count == one.written_count > 100
    assert manifest_of(tmp_path / "two") == manifest_of(tmp_path / "one")
    # Again on two processes: nothing to write, every share image from the image store.
    again = full_build(site, tmp_path / "two", workers=2)
    assert again.written_count == 0 and again.unchanged == one.written_count


def test_share_images_are_drawn_once_per_picture(
    site: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.publishing.import_documents(demo_documents(), utc_now())
    full_build(site, tmp_path / "out")
    store = ImageStore.beside(tmp_path / "out")
    pictures = sorted(store.folder.glob("*/*.png"))
    assert len(pictures) == site.store.public_count()
    assert {p.read_bytes() for p in pictures} == {p.read_bytes() for p in (tmp_path / "out/checks").glob("*.png")}

    def never(*args: Any) -> bytes:
        raise AssertionError("drawn again")

    # A rebuild, and an edit that leaves the picture as it was, draw nothing.
    monkeypatch.setattr("feed.site.pages.share_image", never)
    full_build(site, tmp_path / "out")
    record = site.store.get("lightning-never-strikes-twice")
    assert record is not None
    site.publishing.update(record.slug, {**record.document, "headline": "A new headline"}, record.version, utc_now())
    assert catch_up(site, tmp_path / "out") is not None
    monkeypatch.undo()
    # A retraction changes the picture; the next full build keeps only the pictures it used.
    record = site.store.get("lightning-never-strikes-twice")
    assert record is not None
    site.publishing.retract(record.slug, "The figures were wrong.", record.version, utc_now())
    assert catch_up(site, tmp_path / "out") is not None
    assert len(list(store.folder.glob("*/*.png"))) == len(pictures) + 1
    full_build(site, tmp_path / "out")
    assert len(list(store.folder.glob("*/*.png"))) == len(pictures)
