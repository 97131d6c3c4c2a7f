"""Feeds read by independent consumers: feedparser (Atom), feedparser-rs (JSON Feed), and
the DataFeed walked the way aggregators walk it."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
import feedparser_rs
import httpx
import pytest
from starlette.testclient import TestClient

from feed.store.clock import utc_now
from tests.conftest import demo_documents

PUBLISHED = [d for d in demo_documents() if d["status"] == "published"]
RETRACTED = [d for d in demo_documents() if d["status"] == "retracted"]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


def set_setting(app: Any, **values: Any) -> None:
    ctx = app.state.context
    app.state.context = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, **values))
    app.state.response_cache.clear()  # pages rendered with the old settings


def new_check(slug: str, verdict: str = "False") -> dict[str, Any]:
    return {
        "slug": slug,
        "status": "published",
        "headline": f"Is {slug} right?",
        "language": "en",
        "summary": "It is not.",
        "claims": [{"text": f"Claim {slug}", "verdict": verdict}],
    }


def walk(client: httpx.Client, url: str, after_first_page: Any = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Follow next_url to the end; returns all items and the last page."""
    items: list[dict[str, Any]] = []
    while True:
        if items and after_first_page is not None:
            after_first_page()
            after_first_page = None
        response = client.get(url)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if "next_url" not in page:
            return items, page
        url = page["next_url"]


# -- JSON Feed ---------------------------------------------------------------


def test_json_feed_is_read_by_a_feedparser_compatible_consumer(client: TestClient, demo: None) -> None:
    response = client.get("/feed.json")
    assert response.headers["content-type"] == "application/feed+json"
    parsed = feedparser_rs.parse(response.content)
    assert parsed.version == "json11" and not parsed.bozo
    by_link = {entry.link: entry for entry in parsed.entries}
    for document in PUBLISHED:
        entry = by_link[f"http://testserver/checks/{document['slug']}"]
        assert entry.title == document["headline"]
        assert entry.id.startswith("urn:uuid:")


def test_json_feed_items_carry_claimreview_and_verdicts(client: TestClient, demo: None) -> None:
    feed = client.get("/feed.json").json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    items = {item["url"].rsplit("/", 1)[1]: item for item in feed["items"]}
    assert set(items) == {d["slug"] for d in demo_documents()}  # published + the tombstone
    health = items["three-everyday-health-myths"]
    assert health["language"] == "en" and health["tags"] == ["health", "myths"]
    assert health["authors"] == [{"name": "Demo Desk health team"}]
    assert "<strong>Verdict:</strong> Misleading" in health["content_html"]
    extension = health["_claimreview"]
    assert [v["category"] for v in extension["verdicts"]] == ["misleading", "false", "false"]
    assert [r["@type"] for r in extension["claimReview"]] == ["ClaimReview"] * 3
    tombstone = items["council-ban-street-musicians"]
    assert tombstone["title"].startswith("Retracted: ")
    assert tombstone["_claimreview"]["deleted"] is True and tombstone["_claimreview"]["status"] == "retracted"
    assert "content_html" not in tombstone and "claimReview" not in tombstone["_claimreview"]


def test_feed_items_give_the_verdict_in_the_fact_checks_language(client: TestClient, demo: None) -> None:
    feed = client.get("/feed.json").json()
    spanish = next(item for item in feed["items"] if item["url"].endswith("/agua-caliente-con-limon-cancer"))
    html = spanish["content_html"]
    assert "<strong>Veredicto:</strong> Falso</p>" in html and "<strong>Afirmación:</strong>" in html
    assert "Leer la verificación completa" in html and "Verdict" not in html and "Read the full" not in html
    assert [(v["verdict"], v["category"]) for v in spanish["_claimreview"]["verdicts"]] == [("Falso", "false")]
    atom = feedparser.parse(client.get("/feed.atom").content)
    entry = next(e for e in atom.entries if e.link.endswith("/agua-caliente-con-limon-cancer"))
    assert "Veredicto:</strong> Falso" in entry.content[0].value
    assert [(t.term, t.label) for t in entry.tags if t.term == "false"] == [("false", "Falso")]


def test_json_feed_is_ordered_by_most_recent_change(client: TestClient, auth: dict[str, str], demo: None) -> None:
    etag = client.get("/api/checks/lightning-never-strikes-twice").headers["etag"]
    document = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")
    edited = client.put("/api/checks/lightning-never-strikes-twice", json=document | {"headline": "Edited"},
                        headers=auth | {"If-Match": etag})  # fmt: skip
    assert edited.status_code == 200
    first = client.get("/feed.json").json()["items"][0]
    assert first["title"] == "Edited"
    changed = [item["_claimreview"]["changed"] for item in client.get("/feed.json").json()["items"]]
    assert changed == sorted(changed, reverse=True)


def test_ids_are_stable_across_edits_and_retraction(client: TestClient, auth: dict[str, str], demo: None) -> None:
    def id_of(slug: str) -> str:
        items = client.get("/feed.json").json()["items"]
        return next(i["id"] for i in items if i["url"].endswith(f"/{slug}"))

    before = id_of("lightning-never-strikes-twice")
    client.post("/api/checks/lightning-never-strikes-twice/retract", json={"reason": "test"}, headers=auth)
    assert id_of("lightning-never-strikes-twice") == before


def test_paging_walk_returns_each_item_once(client: TestClient, app: Any, demo: None) -> None:
    set_setting(app, feed_page_size=2)
    items, _ = walk(client, "/feed.json")
    slugs = [item["url"].rsplit("/", 1)[1] for item in items]
    assert sorted(slugs) == sorted(d["slug"] for d in demo_documents())
    assert len(slugs) == len(set(slugs))


def test_walk_during_concurrent_publishing_sees_each_item_exactly_once(
    client: TestClient, app: Any, publishing: Any
) -> None:
    publishing.import_documents([new_check(f"seed-{n}") for n in range(30)], utc_now())
    set_setting(app, feed_page_size=3)
    stop, published = threading.Event(), []

    def keep_publishing() -> None:
        n = 0
        while not stop.is_set() and n < 200:
            publishing.create(new_check(f"live-{n}"), utc_now())
            # Edit an old one too: it must not jump out of the walk nor repeat in it.
            current = publishing.store.get(f"seed-{n % 30}")
            publishing.update(current.slug, current.document | {"headline": f"edit {n}"}, current.version, utc_now())
            published.append(f"live-{n}")
            n += 1

    def let_writer_in() -> None:
        # Changes land mid-walk: after the first page pinned the snapshot, before the rest.
        writer.start()
        deadline = time.monotonic() + 30
        while len(published) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)

    writer = threading.Thread(target=keep_publishing)
    try:
        items, last_page = walk(client, "/feed.json", after_first_page=let_writer_in)
    finally:
        stop.set()
        writer.join()
    walked = [item["url"].rsplit("/", 1)[1] for item in items]
    assert len(walked) == len(set(walked)), "an item came twice"
    assert {f"seed-{n}" for n in range(30)} <= set(walked), "an item present at the start was missed"
    assert published, "the writer published nothing during the walk"
    # Whatever the walk did not include is exactly what the follow-up poll brings.
    polled, _ = walk(client, last_page["_claimreview"]["since_url"].removeprefix("http://testserver"))
    polled_slugs = [item["url"].rsplit("/", 1)[1] for item in polled]
    assert len(polled_slugs) == len(set(polled_slugs))
    assert set(published) <= set(walked) | set(polled_slugs)


def test_since_returns_only_later_changes_retractions_included(
    client: TestClient, auth: dict[str, str], demo: None
) -> None:
    since_url = client.get("/feed.json").json()["_claimreview"]["since_url"]
    assert client.get(since_url).json()["items"] == []
    client.post("/api/checks", json=new_check("fresh"), headers=auth)
    client.post("/api/checks/three-everyday-health-myths/retract", json={"reason": "Wrong study."}, headers=auth)
    client.post("/api/checks", json=new_check("a-draft") | {"status": "draft"}, headers=auth)
    items = client.get(since_url).json()["items"]
    assert [i["url"].rsplit("/", 1)[1] for i in items] == ["three-everyday-health-myths", "fresh"]
    assert items[0]["_claimreview"] == {
        "about": "http://testserver/feeds/claimreview-extension", "status": "retracted", "deleted": True,
        "retracted": items[0]["date_modified"], "reason": "Wrong study.",
        "changed": items[0]["_claimreview"]["changed"],
    }  # fmt: skip
    assert client.get("/feed.json?since=2999-01-01T00:00:00Z").json()["items"] == []


@pytest.mark.parametrize("query", ["since=yesterday", "since=2025-13-01T00:00:00Z", "cursor=abc", "cursor=9.1.0"])
def test_bad_since_or_cursor_is_a_clear_400(client: TestClient, query: str) -> None:
    response = client.get(f"/feed.json?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


# -- Atom ----------------------------------------------------------------------


def test_atom_feed_is_read_by_feedparser(client: TestClient, demo: None) -> None:
    response = client.get("/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
    # A retraction is an entry too ("Retracted: ..."), for readers that ignore tombstones.
    everything = PUBLISHED + RETRACTED
    assert sorted(e.link for e in parsed.entries) == sorted(f"http://testserver/checks/{d['slug']}" for d in everything)
    health = next(e for e in parsed.entries if e.link.endswith("three-everyday-health-myths"))
    assert health.title == "Three everyday health claims, checked"
    assert "Verdict:</strong> Misleading" in health.content[0].value
    assert {t.term for t in health.tags} >= {"health", "misleading", "false"}
    root = ET.fromstring(response.content)
    tombstones = root.findall("{http://purl.org/atompub/tombstones/1.0}deleted-entry")
    assert len(tombstones) == len(RETRACTED)


def test_atom_pages_with_rfc5005_links(client: TestClient, app: Any, demo: None) -> None:
    set_setting(app, feed_page_size=2)
    url, seen = "/feed.atom", []
    for _ in range(10):
        parsed = feedparser.parse(client.get(url).content)
        seen.extend(e.id for e in parsed.entries)
        links = {link.rel: link.href for link in parsed.feed.links}
        assert links["first"] == "http://testserver/feed.atom"
        if "next" not in links:
            break
        url = links["next"].removeprefix("http://testserver")
    assert len(seen) == len(set(seen)) == len(PUBLISHED) + len(RETRACTED)


# -- ClaimReview DataFeed ------------------------------------------------------


def test_datafeed_walked_as_aggregators_do_yields_every_claim(client: TestClient, demo: None) -> None:
    response = client.get("/claimreview.json")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0  # a file, written once per change
    feed = json.loads(response.content)
    assert feed["@type"] == "DataFeed"
    # Data Commons reads item[0] of each element, so every claim needs an element of its own.
    claims = [
        (element["url"], element["item"][0]["claimReviewed"])
        for element in feed["dataFeedElement"]
        if "dateDeleted" not in element and element["item"][0]["@type"] == "ClaimReview"
    ]
    expected = [
        (f"http://testserver/checks/{d['slug']}" + (f"#claim-{n + 1}" if len(d["claims"]) > 1 else ""), c["text"])
        for d in PUBLISHED
        for n, c in enumerate(d["claims"])
    ]
    assert sorted(claims) == sorted(expected)
    for element in feed["dataFeedElement"]:
        assert element["@type"] == "DataFeedItem" and element["dateCreated"] and element["dateModified"]
    deleted = [e for e in feed["dataFeedElement"] if "dateDeleted" in e]
    assert [e["url"].rsplit("/", 1)[1] for e in deleted] == [d["slug"] for d in RETRACTED]
    assert deleted[0]["item"] == []


def test_datafeed_streams_in_batches(publishing: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    publishing.import_documents([new_check(f"bulk-{n}") for n in range(25)], utc_now())
    calls: list[int] = []
    original = publishing.store.feed_entries

    def counting(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        calls.append(len(result))
        return result

    monkeypatch.setattr(publishing.store, "feed_entries", counting)
    from feed.site import datafile

    monkeypatch.setattr(datafile, "DATAFEED_BATCH", 10)
    feed = client.get("/claimreview.json").json()
    assert len(feed["dataFeedElement"]) == 25
    assert calls == [10, 10, 5]  # written to its file a batch at a time: never more than one in memory


# -- sitemaps and discovery ----------------------------------------------------


def test_sitemap_lists_public_pages_with_lastmod(client: TestClient, demo: None) -> None:
    root = ET.fromstring(client.get("/sitemap.xml").content)
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    for document in demo_documents():
        assert urls[f"http://testserver/checks/{document['slug']}"]
    assert "http://testserver/" in urls
    robots = client.get("/robots.txt").text
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_sitemap_lastmod_follows_edits(client: TestClient, auth: dict[str, str], demo: None) -> None:
    def lastmod() -> str:
        root = ET.fromstring(client.get("/sitemap.xml").content)
        return next(u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")
                    if u.findtext(f"{SITEMAP}loc", "").endswith("/lightning-never-strikes-twice"))  # fmt: skip

    before = lastmod()
    client.post("/api/checks/lightning-never-strikes-twice/retract", json={"reason": "x"}, headers=auth)
    assert lastmod() > before


def test_sitemap_index_past_the_limit(client: TestClient, demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from feed.site import feeds

    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 2)
    root = ET.fromstring(client.get("/sitemap.xml").content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    parts = [s.findtext(f"{SITEMAP}loc") for s in root.findall(f"{SITEMAP}sitemap")]
    assert parts == [f"http://testserver/sitemap-{n}.xml" for n in (1, 2, 3, 4)]
    locs = []
    for part in parts:
        part_root = ET.fromstring(client.get(part).content)
        locs.extend(u.findtext(f"{SITEMAP}loc") for u in part_root.findall(f"{SITEMAP}url"))
    assert len([loc for loc in locs if "/checks/" in loc]) == len(demo_documents())
    assert client.get("/sitemap-5.xml").status_code == 404


def test_every_html_page_advertises_the_feeds(client: TestClient, demo: None) -> None:
    for url in ("/", "/checks/lightning-never-strikes-twice", "/checks/no-such-check"):
        html = client.get(url).text
        assert 'type="application/feed+json" href="http://testserver/feed.json"' in html, url
        assert 'type="application/atom+xml" href="http://testserver/feed.atom"' in html, url


def test_websub_links_and_indexnow_key_file_when_configured(tmp_path: Any) -> None:
    from feed.app import create_app
    from feed.core.settings import Settings

    settings = Settings.load({}, {
        "database_url": f"sqlite:///{tmp_path / 'p.db'}", "base_url": "http://testserver",
        "websub_hub": "https://hub.example/", "indexnow_key": "abcdef123456",
    })  # fmt: skip
    with TestClient(create_app(settings)) as client:
        for url in ("/feed.json", "/feed.atom", "/claimreview.json"):
            link = client.get(url).headers["link"]
            assert '<https://hub.example/>; rel="hub"' in link and 'rel="self"' in link
        assert client.get("/feed.json").json()["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
        assert client.get("/abcdef123456.txt").text == "abcdef123456"
