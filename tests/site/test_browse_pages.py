"""Browse pages: a tag's, claimant's and author's public fact-checks, newest first, with their
feeds (read by feedparser and feedparser-rs, the Atom one checked against RFC 4287), the
claimant's record as a chart with a text alternative, 404s for keys no public fact-check has,
links from every fact-check page, the browse sitemap, and the render cache kept current."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from typing import Any

import feedparser
import feedparser_rs
import orjson
import pytest
from starlette.testclient import TestClient

from feed.store import facet_key
from feed.store.clock import utc_now
from tests.conftest import demo_documents
from tests.consumers.test_feed_conformance import TOMBSTONE, valid_atom
from tests.site.test_feeds import SITEMAP, set_setting
from widget.i18n import Messages

ORIGIN = "http://testserver"
HEALTH = next(d for d in demo_documents() if d["slug"] == "three-everyday-health-myths")
RETRACTED = next(d for d in demo_documents() if d["status"] == "retracted")


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


def tagged(slug: str, date: str, tags: list[str], claimant: str = "Someone", verdict: str = "False") -> dict[str, Any]:
    return {
        "slug": slug, "status": "published", "headline": f"Is {slug} right?", "language": "en",
        "summary": "It is not.", "datePublished": date, "tags": tags, "authors": [{"name": "Ana Lima"}],
        "claims": [{"text": f"Claim {slug}", "verdict": verdict, "claimant": {"name": claimant}}],
    }  # fmt: skip


class Page(HTMLParser):
    """What a test asks of a browse page: its list items, links, chart and table."""

    def __init__(self, html: str):
        super().__init__()
        self.items: list[dict[str, Any]] = []
        self.links: list[tuple[str, dict[str, str | None]]] = []
        self.bars: list[str] = []
        self.counts: list[str] = []
        self.rows: list[list[str]] = []
        self.title = ""
        self.svg: dict[str, str | None] = {}
        self._in: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "li" and "fc-list__item" in classes:
            self.items.append({"retracted": "fc-list__item--retracted" in classes, "links": [], "verdicts": [],
                               "notice": "", "times": [], "lang": found.get("lang")})  # fmt: skip
        if tag == "a" and self.items and "li" not in self._closed_items():
            self.items[-1]["links"].append(found.get("href"))
        if tag in ("a", "link"):
            self.links.append((tag, found))
        if tag == "span" and "fc-verdict" in classes and self.items:
            self.items[-1]["verdicts"].append(found.get("data-category"))
        if tag == "time" and self.items:
            self.items[-1]["times"].append(found.get("datetime"))
        if tag == "rect":
            self.bars.append(found.get("data-category") or "")
        if tag == "svg":
            self.svg = found
        if tag == "tr":
            self.rows.append([])
        self._in.append(tag + ("." + ".".join(classes) if classes else ""))

    def handle_endtag(self, tag: str) -> None:
        while self._in and not self._in.pop().startswith(tag):
            pass

    def handle_data(self, data: str) -> None:
        here = self._in[-1] if self._in else ""
        if here.startswith("text.fc-chart__count"):
            self.counts.append(data)
        elif here == "title" and any(t.startswith("svg") for t in self._in):
            self.title += data
        elif here in ("th", "td") and self.rows:
            self.rows[-1].append(data)
        elif here.startswith("p.fc-list__notice") and self.items:
            self.items[-1]["notice"] += data

    def _closed_items(self) -> list[str]:
        return [] if any(t.startswith("li.fc-list__item") for t in self._in) else ["li"]


def test_a_tag_page_lists_its_fact_checks_newest_first(client: TestClient, publishing: Any) -> None:
    now = utc_now()
    publishing.import_documents([
        tagged("older", "2025-01-05", ["Santé Publique"]), tagged("newest", "2025-03-01", ["santé publique"]),
        tagged("middle", "2025-02-10", ["Santé Publique", "other"], verdict="True"),
        tagged("untagged", "2025-04-01", ["other"]),
    ], now)  # fmt: skip
    response = client.get("/tags/sante-publique")
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    page = Page(response.text)
    assert [item["links"][0] for item in page.items] == [f"{ORIGIN}/checks/{s}" for s in ("newest", "middle", "older")]
    assert [item["verdicts"] for item in page.items] == [["false"], ["true"], ["false"]]
    assert [item["times"][0][:10] for item in page.items] == ["2025-03-01", "2025-02-10", "2025-01-05"]
    assert "Claim middle" in response.text and "untagged" not in response.text
    # The name as most recently written, in the page's (the site's) language.
    assert "<h1>Fact-checks tagged <bdi>santé publique</bdi></h1>" in response.text
    assert '<html lang="en" dir="ltr">' in response.text
    assert facet_key("Santé Publique") == "sante-publique"


def test_author_and_claimant_pages_list_theirs_only(client: TestClient, publishing: Any) -> None:
    publishing.import_documents([tagged("a", "2025-01-01", ["x"], claimant="Jo Bloggs"),
                                 tagged("b", "2025-01-02", ["x"], claimant="Someone Else")], utc_now())  # fmt: skip
    authors = Page(client.get("/authors/ana-lima").text)
    assert [item["links"][0] for item in authors.items] == [f"{ORIGIN}/checks/b", f"{ORIGIN}/checks/a"]
    claimant = client.get("/claimants/jo-bloggs")
    assert [item["links"][0] for item in Page(claimant.text).items] == [f"{ORIGIN}/checks/a"]
    assert "<h1>Claims by <bdi>Jo Bloggs</bdi></h1>" in claimant.text


def test_a_claimant_page_lists_only_their_claims_of_a_fact_check(client: TestClient, publishing: Any) -> None:
    document = tagged("two-voices", "2025-01-01", ["x"], claimant="Jo Bloggs")
    document["claims"].append({"text": "Another's claim", "verdict": "True", "claimant": {"name": "Someone Else"}})
    publishing.import_documents([document], utc_now())
    html = client.get("/claimants/jo-bloggs").text
    assert "Claim two-voices" in html and "Another&#39;s claim" not in html
    assert "Another&#39;s claim" in client.get("/claimants/someone-else").text


@pytest.mark.parametrize("kind", ["tags", "claimants", "authors"])
def test_a_key_no_public_fact_check_has_is_a_404(client: TestClient, publishing: Any, kind: str) -> None:
    draft = tagged("draft", "2025-01-01", ["secret"], claimant="Secret", verdict="False") | {"status": "draft"}
    draft["authors"] = [{"name": "Secret"}]
    publishing.import_documents([draft], utc_now())
    for path in (f"/{kind}/secret", f"/{kind}/no-such-name", f"/{kind}/secret/feed.atom"):
        assert client.get(path).status_code == 404, path
    problem = client.get(f"/{kind}/secret/feed.json")
    assert problem.status_code == 404 and problem.headers["content-type"] == "application/problem+json"
    assert "secret" in problem.json()["detail"]


def test_pages_are_addressed_by_path_and_past_the_last_is_a_404(client: TestClient, app: Any, publishing: Any) -> None:
    set_setting(app, page_size=2)
    publishing.import_documents([tagged(f"c{n}", f"2025-01-0{n}", ["paged"]) for n in range(1, 6)], utc_now())
    first, second, third = (client.get(p) for p in ("/tags/paged", "/tags/paged/page/2", "/tags/paged/page/3"))
    assert [len(Page(r.text).items) for r in (first, second, third)] == [2, 2, 1]
    assert f'<link rel="next" href="{ORIGIN}/tags/paged/page/2">' in first.text
    assert f'<link rel="prev" href="{ORIGIN}/tags/paged">' in second.text
    assert f'<link rel="next" href="{ORIGIN}/tags/paged/page/3">' in second.text
    assert Page(third.text).items[0]["links"][0] == f"{ORIGIN}/checks/c1"  # the oldest last
    assert client.get("/tags/paged/page/4").status_code == 404
    assert client.get("/tags/paged/page/1").status_code == 404  # page 1 is /tags/paged
    refused = client.get("/tags/paged?page=2")
    assert refused.status_code == 400 and "page" in refused.text


def test_a_retracted_fact_check_is_listed_as_retracted_without_its_verdict(client: TestClient, demo: None) -> None:
    for path in ("/tags/local", "/claimants/local-community-page", "/authors/demo-desk-local-team"):
        page = Page(client.get(path).text)
        (item,) = page.items
        assert item["retracted"] and item["verdicts"] == [], path
        assert item["notice"] == "This fact-check has been retracted.", path
        assert item["links"][0] == f"{ORIGIN}/checks/{RETRACTED['slug']}"
    # A claimant whose only fact-check was retracted has no record to chart.
    assert Page(client.get("/claimants/local-community-page").text).bars == []


def expected_record(client: TestClient, documents: list[dict[str, Any]], claimant: str) -> Counter[str]:
    scale = next(iter(client.app.state.context.publishers.values())).scale  # type: ignore[attr-defined]
    return Counter(
        scale.find(claim["verdict"]).category
        for document in documents if document["status"] == "published"
        for claim in document["claims"] if claim.get("claimant", {}).get("name") == claimant
    )  # fmt: skip


def test_the_claimants_chart_gives_their_verdicts_with_a_text_alternative(client: TestClient, publishing: Any) -> None:
    documents = [tagged("one", "2025-01-01", ["x"], claimant="Jo Bloggs", verdict="False"),
                 tagged("two", "2025-01-02", ["x"], claimant="Jo Bloggs", verdict="False"),
                 tagged("three", "2025-01-03", ["x"], claimant="Jo Bloggs", verdict="True"),
                 HEALTH | {"claims": [c | {"claimant": {"name": "Jo Bloggs"}} for c in HEALTH["claims"]]}]  # fmt: skip
    publishing.import_documents(documents, utc_now())
    expected = expected_record(client, documents, "Jo Bloggs")
    assert sum(expected.values()) == 6 and len(expected) >= 3
    page = Page(client.get("/claimants/jo-bloggs").text)
    drawn = dict(zip(page.bars, (int(n) for n in page.counts), strict=True))
    assert drawn == dict(expected)
    table = {row[0]: int(row[1]) for row in page.rows[1:]}  # the header row first
    t = Messages("en")
    assert table == {t.category(category): count for category, count in expected.items()}
    # The chart is an image with a name: its numbers in words, the same as the table's.
    assert page.svg["role"] == "img" and page.svg["aria-labelledby"] == "record-chart-title"
    assert page.svg["viewbox"] is not None and page.svg["width"] == "100%"
    assert page.title.startswith("6 published claims: ")
    for category, count in expected.items():
        assert f"{t.category(category)}: {count}" in page.title
    # A retraction takes its claims off the record (the page still lists it, as retracted).
    publishing.retract("one", "Wrong minutes.", None, utc_now())
    page = Page(client.get("/claimants/jo-bloggs").text)
    assert dict(zip(page.bars, (int(n) for n in page.counts), strict=True)) == dict(expected - Counter({"false": 1}))
    assert [item["retracted"] for item in page.items if item["links"][0].endswith("/checks/one")] == [True]


def test_the_record_speaks_the_sites_language_and_direction(client: TestClient, app: Any, demo: None) -> None:
    set_setting(app, language="ar")
    html = client.get("/claimants/wellness-influencer-post").text
    t = Messages("ar")
    assert '<html lang="ar" dir="rtl">' in html
    page = Page(html)
    assert {row[0] for row in page.rows[1:]} == {t.category("misleading"), t.category("false")}
    assert t.category("false") != "False" and 'text-anchor="end"' in html  # bars grow from the right
    assert t.gettext("Their published claims by verdict") in html
    # The items keep their own language: an English fact-check listed on an Arabic page.
    assert Page(html).items[0]["lang"] == "en"


def test_the_page_names_its_feeds_and_the_feeds_list_its_fact_checks(client: TestClient, demo: None) -> None:
    response = client.get("/tags/health")
    link = f'<{ORIGIN}/tags/health/feed.json>; rel="alternate"; type="application/feed+json"'
    assert response.headers["link"] == link
    links = Page(response.text).links
    alternates = {(a["type"], a["href"]) for tag, a in links if tag == "link" and a["rel"] == "alternate"}
    assert ("application/feed+json", f"{ORIGIN}/tags/health/feed.json") in alternates
    assert ("application/atom+xml", f"{ORIGIN}/tags/health/feed.atom") in alternates

    json_response = client.get("/tags/health/feed.json")
    assert json_response.headers["content-type"] == "application/feed+json"
    assert json_response.headers["link"] == f'<{ORIGIN}/tags/health/feed.json>; rel="self"'
    parsed = feedparser_rs.parse(json_response.content)
    assert parsed.version == "json11" and not parsed.bozo
    assert [entry.link for entry in parsed.entries] == [f"{ORIGIN}/checks/{HEALTH['slug']}"]
    feed = json_response.json()
    assert feed["home_page_url"] == f"{ORIGIN}/tags/health" and feed["feed_url"] == f"{ORIGIN}/tags/health/feed.json"
    # The same item as the whole site's feed gives: one builder for both.
    site_items = {item["id"]: item for item in client.get("/feed.json").json()["items"]}
    assert feed["items"] == [site_items[feed["items"][0]["id"]]]

    atom = client.get("/tags/health/feed.atom")
    assert atom.headers["content-type"] == "application/atom+xml"
    valid_atom(atom.content)
    read = feedparser.parse(atom.content)
    assert not read.bozo and read.feed.title.startswith("Fact-checks tagged health")
    assert [entry.link for entry in read.entries] == [f"{ORIGIN}/checks/{HEALTH['slug']}"]
    assert {link.rel: link.href for link in read.feed.links}["self"] == f"{ORIGIN}/tags/health/feed.atom"


def test_a_retracted_fact_check_is_a_tombstone_in_the_feeds(client: TestClient, demo: None) -> None:
    (item,) = client.get("/tags/local/feed.json").json()["items"]
    assert item["_claimreview"]["status"] == "retracted" and "verdicts" not in item["_claimreview"]
    atom = client.get("/claimants/local-community-page/feed.atom").content
    root = valid_atom(atom)
    assert len(root.findall(TOMBSTONE)) == 1


def test_every_fact_check_page_links_its_tags_claimants_and_authors(client: TestClient, demo: None) -> None:
    for document in demo_documents():
        html = client.get(f"/checks/{document['slug']}").text
        hrefs = {a["href"] for tag, a in Page(html).links if tag == "a"}
        wanted = {f"{ORIGIN}/tags/{facet_key(tag)}" for tag in document["tags"]}
        wanted |= {f"{ORIGIN}/authors/{facet_key(a['name'])}" for a in document["authors"]}
        wanted |= {f"{ORIGIN}/claimants/{facet_key(c['claimant']['name'])}" for c in document["claims"]}
        assert wanted <= hrefs, (document["slug"], wanted - hrefs)
        for href in wanted:
            assert client.get(href.removeprefix(ORIGIN)).status_code == 200, href
    assert 'rel="tag"' in client.get(f"/checks/{HEALTH['slug']}").text


def test_the_browse_sitemap_lists_every_browse_page(client: TestClient, demo: None) -> None:
    assert f"Sitemap: {ORIGIN}/browse-sitemap.xml" in client.get("/robots.txt").text
    root = ET.fromstring(client.get("/browse-sitemap.xml").content)
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    store = client.app.state.context.store  # type: ignore[attr-defined]
    wanted = [f"{ORIGIN}/{kind}s/{key}" for kind in ("tag", "claimant", "author") for key, _, _ in store.facets(kind)]
    assert locs == wanted and len(wanted) > 20
    assert f"{ORIGIN}/tags/health" in locs and f"{ORIGIN}/claimants/ahmed-salem" in locs
    # The numbered sitemaps of fact-checks are as they were: no browse page among them.
    assert "/tags/" not in client.get("/sitemap.xml").text


def test_a_write_re_renders_the_pages_of_its_facets_at_once(client: TestClient, app: Any, auth: dict[str, str]) -> None:
    created = client.post("/api/checks", json=tagged("fresh", "2025-05-01", ["Breaking"]), headers=auth)
    assert created.status_code == 201, created.text
    cache = app.state.response_cache
    # Rendered on write, before any reader asked.
    for path in ("/tags/breaking", "/claimants/someone", "/authors/ana-lima"):
        entry = cache.get(path)
        assert entry is not None and b"/checks/fresh" in entry.rep.body, path
    assert b"fresh" in client.get("/tags/breaking/feed.json").content
    # A change drops what it touched: the tag taken off, its page is gone; the new one is there.
    changed = tagged("fresh", "2025-05-01", ["Later"])
    updated = client.put("/api/checks/fresh", json=changed, headers=auth | {"If-Match": created.headers["etag"]})
    assert updated.status_code == 200, updated.text
    assert client.get("/tags/breaking").status_code == 404
    assert client.get("/tags/breaking/feed.json").status_code == 404
    assert b"/checks/fresh" in client.get("/tags/later").content


def test_views_answer_the_same_bytes_as_the_renderer(client: TestClient, app: Any, demo: None) -> None:
    renderer = app.state.renderer
    for path in ("/tags/myh", "/claimants/ahmed-salem/feed.json", "/authors/fryq-lthqq-fy-demo-desk/feed.atom"):
        assert client.get(path).content == renderer.render(path).body, path
    feed = orjson.loads(client.get("/tags/myh/feed.json").content)
    assert feed["items"][0]["language"] == "ar"
    assert re.search(r'<li class="fc-list__item" lang="ar" dir="rtl">', client.get("/tags/myh").text)
