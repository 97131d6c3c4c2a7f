"""A newsroom that keeps its CMS: fact-checks whose original article stays the canonical page
(`originalIsCanonical`). Feeds, the DataFeed and the card link to the article; our page stays,
as the card's fallback, and names the article canonical; feed ids do not move."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from typing import Any

import feedparser
import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.site.config import DEFAULT_CONFIG
from feed.site.syndication import item_id
from feed.store.clock import utc_now
from tests.conftest import demo_documents, free_port
from tests.site.test_feeds import SITEMAP
from tests.site.test_pages import outline

# The newsroom's site is its CMS: the original articles, and so its reviews' urls, are there.
NEWSROOM = '[publishers.newsroom]\nname = "The Newsroom"\nscale = "default"\nurl = "https://news.example/"\n'
KEPT_CONFIG = DEFAULT_CONFIG.read_text() + "\n" + NEWSROOM
ONE = "kept-lightning"  # one claim
SEVERAL = "kept-health-myths"  # three claims
ORIGINALS = {ONE: "https://news.example/2024/05/lightning/", SEVERAL: "https://news.example/2024/06/health-myths/"}


def kept_documents() -> list[dict[str, Any]]:
    """Two demo fact-checks as a newsroom keeping its CMS imports them: on its own site, canonical there."""
    by_slug = {d["slug"]: d for d in demo_documents()}
    documents = []
    for slug, demo_slug in ((ONE, "lightning-never-strikes-twice"), (SEVERAL, "three-everyday-health-myths")):
        document = copy.deepcopy(by_slug[demo_slug])
        document |= {"slug": slug, "publisher": "newsroom", "originalUrl": ORIGINALS[slug], "originalIsCanonical": True}
        documents.append(document)
    return documents


def kept_config(folder: Path) -> str:
    path = folder / "factcard.toml"
    path.write_text(KEPT_CONFIG)
    return str(path)


def kept_live_app(folder: Path) -> tuple[Any, int]:
    """An app at a live server's origin (see tests.conftest.live_app) holding the demo's
    fact-checks and the two kept ones."""
    port = free_port()
    origin, database = f"http://127.0.0.1:{port}", f"sqlite:///{folder / 'live.db'}"
    settings = Settings.load({}, {"database_url": database, "base_url": origin, "config_file": kept_config(folder)})
    application = create_app(settings)
    application.state.context.publishing.import_documents([*demo_documents(), *kept_documents()], utc_now())
    return application, port


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The app of these tests: the demo publisher, and the newsroom that keeps its CMS."""
    return Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'app.db'}", "base_url": "http://testserver",
                              "config_file": kept_config(tmp_path)})  # fmt: skip


@pytest.fixture
def kept(publishing: Any) -> None:
    publishing.import_documents([*demo_documents(), *kept_documents()], utc_now())


def page(slug: str) -> str:
    return f"http://testserver/checks/{slug}"


def no_longer_canonical(client: TestClient, publishing: Any, slug: str) -> None:
    """Turn the flag off, as an editor would: the original article is then only `sameAs`, and our
    page the review url, so the publisher is one whose site is this service (the demo's)."""
    record = publishing.store.get(slug)
    document = {key: value for key, value in record.document.items() if key != "originalIsCanonical"}
    document["publisher"] = "demo"
    publishing.update(slug, document, record.version, utc_now())
    client.app.state.response_cache.clear()  # type: ignore[attr-defined]


# -- feeds -----------------------------------------------------------------------------------


def json_items(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get("/feed.json")
    assert response.status_code == 200
    return {item["id"]: item for item in response.json()["items"]}


def test_the_json_feed_item_links_to_the_original_and_keeps_its_id(
    client: TestClient, publishing: Any, kept: None
) -> None:
    items = json_items(client)
    for slug, original in ORIGINALS.items():
        item = items[item_id(slug)]
        assert item["url"] == original
        assert f'href="{original}"' in item["content_html"]  # "Read the full fact-check"
        assert page(slug) not in item["content_html"]
        assert {review["url"] for review in item["_claimreview"]["claimReview"]} == {original}
    # A fact-check canonical here is as it was.
    assert items[item_id("immigration-child-trafficking")]["url"] == page("immigration-child-trafficking")

    no_longer_canonical(client, publishing, ONE)
    again = json_items(client)
    assert again[item_id(ONE)]["url"] == page(ONE)  # only the link moved: the id is the one aggregators saw
    assert set(again) == set(items)


def test_the_atom_entry_links_to_the_original_and_keeps_its_id(client: TestClient, publishing: Any, kept: None) -> None:
    def entries() -> dict[str, Any]:
        parsed = feedparser.parse(client.get("/feed.atom").content)
        assert not parsed.bozo, parsed.bozo_exception
        return {entry.id: entry for entry in parsed.entries}

    found = entries()
    for slug, original in ORIGINALS.items():
        entry = found[item_id(slug)]
        assert [link.href for link in entry.links if link.type == "text/html"] == [original]
        assert entry.link == original
    no_longer_canonical(client, publishing, SEVERAL)
    assert entries()[item_id(SEVERAL)].link == page(SEVERAL)


def test_each_claims_datafeed_item_is_at_the_original(client: TestClient, publishing: Any, kept: None) -> None:
    elements = client.get("/claimreview.json").json()["dataFeedElement"]
    of_several = [e for e in elements if e["item"] and e["item"][0]["author"]["name"] == "The Newsroom"
                  and e["item"][0]["claimReviewed"] in CLAIMS_OF_SEVERAL]  # fmt: skip
    assert len(of_several) == 3
    assert [e["url"] for e in of_several] == [ORIGINALS[SEVERAL]] * 3
    assert all(e["item"][0]["url"] == ORIGINALS[SEVERAL] and "sameAs" not in e["item"][0] for e in of_several)
    # The demo's own copy of it is reviewed on its page here, claim by claim.
    ours = [e["url"] for e in elements if e["url"].startswith(page("three-everyday-health-myths"))]
    assert ours == [f"{page('three-everyday-health-myths')}#claim-{n}" for n in (1, 2, 3)]

    # A retraction's tombstones name what they remove: the original article's reviews.
    record = publishing.store.get(ONE)
    publishing.retract(ONE, "Withdrawn.", record.version, utc_now())
    tombstones = [e for e in client.get("/claimreview.json").json()["dataFeedElement"] if "dateDeleted" in e]
    assert ORIGINALS[ONE] in [e["url"] for e in tombstones]


CLAIMS_OF_SEVERAL = {claim["text"] for claim in kept_documents()[1]["claims"]}


# -- our page --------------------------------------------------------------------------------


def test_our_page_stays_and_names_the_original_canonical(client: TestClient, kept: None) -> None:
    for slug, original in ORIGINALS.items():
        response = client.get(f"/checks/{slug}")
        assert response.status_code == 200
        html = outline(response.text)
        links = {(link["rel"], link.get("type")): link["href"] for link in html.find("link")}
        assert links[("canonical", None)] == original
        assert links[("alternate", "application/json")] == page(slug) + ".json"  # its twin is still ours
        metas = {m.get("property") or m.get("name"): m["content"] for m in html.find("meta") if m.get("content")}
        assert metas["og:url"] == original
        # The Link header names the twin only: the canonical URL is the HTML's to say.
        assert "canonical" not in response.headers["link"]
        assert f'"url":"{original}"' in response.text  # its JSON-LD
    ours = outline(client.get("/checks/immigration-child-trafficking").text).find("link")
    assert {link["rel"]: link["href"] for link in ours}["canonical"] == page("immigration-child-trafficking")


# -- the card and oEmbed ---------------------------------------------------------------------


def read_more(html: str) -> list[str]:
    """Every link's target in a card or its embed code."""
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)"', html)]


def test_the_card_reads_more_at_the_original(client: TestClient, kept: None) -> None:
    for slug, original in ORIGINALS.items():
        card = client.get(f"/embed/{slug}")
        assert card.status_code == 200
        assert read_more(card.text) == [original]
    # Each claim's card of several: the one article.
    assert read_more(client.get(f"/embed/{SEVERAL}/2/dark").text) == [ORIGINALS[SEVERAL]]
    assert read_more(client.get("/embed/immigration-child-trafficking").text) == [page("immigration-child-trafficking")]


def test_the_embed_code_and_oembed_link_to_the_original_and_name_our_card(client: TestClient, kept: None) -> None:
    for slug, original in ORIGINALS.items():
        answers = [client.get(f"/oembed/{slug}.json").json(), client.get("/oembed", params={"url": page(slug)}).json()]
        for answer in answers:
            html = answer["html"]
            assert read_more(html) == [original]
            assert f'cite="{original}"' in html
            # widget.js finds the card by our page's address: that stays.
            assert f'data-factcard="{page(slug)}"' in html
    second = client.get("/oembed", params={"url": page(SEVERAL) + "#claim-2"}).json()["html"]
    assert read_more(second) == [ORIGINALS[SEVERAL]] and 'data-claim="2"' in second
    # The page's own copy box offers the same embed code.
    assert f'cite="{ORIGINALS[ONE]}"' in unescape(client.get(f"/checks/{ONE}").text)


# -- the sitemap -----------------------------------------------------------------------------


def sitemap_locs(client: TestClient, url: str = "/sitemap.xml") -> list[str]:
    root = ET.fromstring(client.get(url).content)
    if root.tag == f"{SITEMAP}sitemapindex":
        return [loc for part in root.findall(f"{SITEMAP}sitemap") for loc in sitemap_locs(client, part.findtext(
            f"{SITEMAP}loc", ""))]  # fmt: skip
    return [u.findtext(f"{SITEMAP}loc", "") for u in root.findall(f"{SITEMAP}url")]


def test_the_sitemap_lists_canonical_pages_only(
    client: TestClient, publishing: Any, kept: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feed.site import feeds

    expected = ["http://testserver/", *sorted(page(d["slug"]) for d in demo_documents())]
    locs = sitemap_locs(client)
    assert locs == expected
    assert not set(ORIGINALS) & {loc.rsplit("/", 1)[-1] for loc in locs}
    # Numbered sitemaps count only what they list: 8 pages, 2 a file, 4 files.
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 2)
    client.app.state.response_cache.clear()  # type: ignore[attr-defined]
    assert sorted(sitemap_locs(client)) == sorted(expected)
    assert client.get("/sitemap-4.xml").status_code == 200 and client.get("/sitemap-5.xml").status_code == 404
    # Canonical here again: listed again.
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 50_000)
    no_longer_canonical(client, publishing, ONE)
    assert page(ONE) in sitemap_locs(client) and page(SEVERAL) not in sitemap_locs(client)
