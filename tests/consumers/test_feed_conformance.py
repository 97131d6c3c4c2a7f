"""Feeds against their specs and their readers: every Atom page validated with the RFC 4287
RELAX NG grammar, tombstones that leave feed readers' view of the feed alone, one DataFeedItem
per ClaimReview, corrections in every feed, and the feed-level metadata readers show."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import feedparser
import feedparser_rs
import pytest
from lxml import etree
from starlette.testclient import TestClient

from feed.store.clock import utc_now
from tests.conftest import demo_documents
from tests.site.test_feeds import new_check, set_setting

ATOM = "{http://www.w3.org/2005/Atom}"
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"
FC = "{https://factcard.invalid/ns/1.0}"
SINCE_REL = "https://factcard.invalid/rel/since"
GRAMMAR = etree.RelaxNG(etree.parse(str(Path(__file__).resolve().parent.parent / "specs" / "atom-rfc4287.rng")))
XSD_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
LIGHTNING = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


def valid_atom(body: bytes) -> Any:
    """The parsed feed, after checking it against RFC 4287 Appendix B."""
    root = etree.fromstring(body)
    if not GRAMMAR.validate(root):
        pytest.fail(f"not valid RFC 4287: {GRAMMAR.error_log}")
    return root


def atom_pages(client: TestClient, url: str = "/feed.atom") -> list[bytes]:
    pages = []
    while True:
        pages.append(client.get(url).content)
        links = {link.rel: link.href for link in feedparser.parse(pages[-1]).feed.links}
        if "next" not in links:
            return pages
        url = links["next"].removeprefix("http://testserver")


# -- Atom: validity and tombstones ---------------------------------------------


def test_atom_first_page_with_a_tombstone_is_valid_rfc4287(
    client: TestClient, auth: dict[str, str], demo: None
) -> None:
    # Retracting the oldest check makes its tombstone the newest change: first on the first page.
    client.post("/api/checks/immigration-child-trafficking/retract", json={"reason": "Re-reporting."}, headers=auth)
    root = valid_atom(client.get("/feed.atom").content)
    assert len(root.findall(TOMBSTONE)) == 2
    assert len(root.findall(f"{ATOM}entry")) == 8  # eight demo checks; the two retracted as "Retracted: ..." too


def test_every_later_atom_page_is_valid_rfc4287(client: TestClient, app: Any, publishing: Any) -> None:
    # Loaded in this order, the walk (newest first, two a page) puts the tombstone after an
    # entry on the second page: [05, 03], [02, 04 retracted], [01].
    by_slug = {d["slug"]: d for d in demo_documents()}
    order = ["immigration-child-trafficking", "council-ban-street-musicians", "three-everyday-health-myths",
             "lightning-never-strikes-twice", "agua-caliente-con-limon-cancer"]  # fmt: skip
    publishing.import_documents([by_slug[slug] for slug in order], utc_now())
    set_setting(app, feed_page_size=2, websub_hub="https://hub.example/")
    pages = atom_pages(client)
    assert len(pages) == 3
    roots = [valid_atom(page) for page in pages]
    assert [len(root.findall(TOMBSTONE)) for root in roots] == [0, 1, 0]
    assert [len(root.findall(f"{ATOM}entry")) for root in roots] == [2, 2, 1]  # the retraction an entry too
    since = [r.find(f"{ATOM}link[@rel='{SINCE_REL}']") for r in roots]
    assert all(link is not None for link in since)


def test_atom_dates_are_date_times_even_when_the_document_gives_dates(client: TestClient, publishing: Any) -> None:
    dated = new_check("dated") | {"datePublished": "2025-08-02", "dateModified": "2025-08-03"}
    withdrawn = new_check("withdrawn") | {
        "status": "retracted", "datePublished": "2025-07-01", "retraction": {"reason": "Wrong.", "date": "2025-07-02"},
    }  # fmt: skip
    publishing.import_documents([dated, withdrawn], utc_now())
    root = valid_atom(client.get("/feed.atom").content)
    entries = {e.find(f"{ATOM}link").get("href").rsplit("/", 1)[1]: e for e in root.findall(f"{ATOM}entry")}
    assert entries["dated"].findtext(f"{ATOM}published") == "2025-08-02T00:00:00Z"
    assert entries["dated"].findtext(f"{ATOM}updated") == "2025-08-03T00:00:00Z"
    assert XSD_DATE_TIME.match(root.find(TOMBSTONE).get("when"))
    assert entries["withdrawn"].findtext(f"{ATOM}updated") == root.find(TOMBSTONE).get("when")
    items = {i["url"].rsplit("/", 1)[1]: i for i in client.get("/feed.json").json()["items"]}
    assert items["dated"]["date_published"] == "2025-08-02T00:00:00Z"  # JSON Feed wants RFC 3339 too
    assert items["withdrawn"]["_claimreview"]["retracted"] == "2025-07-02T00:00:00Z"


def test_atom_tombstone_leaves_the_feed_link_alone(client: TestClient, auth: dict[str, str], demo: None) -> None:
    client.post("/api/checks/immigration-child-trafficking/retract", json={"reason": "Re-reporting."}, headers=auth)
    parsed = feedparser.parse(client.get("/feed.atom").content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.link == "http://testserver/"
    feed_hrefs = {link.href for link in parsed.feed.links}
    assert not any("/checks/" in href for href in feed_hrefs), feed_hrefs
    entries = {e.link: e for e in parsed.entries}
    assert entries["http://testserver/checks/immigration-child-trafficking"].title.startswith("Retracted: ")


# -- ClaimReview DataFeed --------------------------------------------------------


def test_datafeed_has_one_item_per_claimreview(client: TestClient, demo: None) -> None:
    elements = client.get("/claimreview.json").json()["dataFeedElement"]
    page = "http://testserver/checks/three-everyday-health-myths"
    health = [e for e in elements if e["url"].startswith(page)]
    assert [e["url"] for e in health] == [f"{page}#claim-{n}" for n in (1, 2, 3)]
    for element in elements:
        if "dateDeleted" not in element:
            assert len(element["item"]) == 1 and element["item"][0]["url"] == element["url"]
    assert [e["item"][0]["claimReviewed"] for e in health] == [
        c["text"] for c in next(d for d in demo_documents() if d["slug"] == "three-everyday-health-myths")["claims"]
    ]


def test_datafeed_tombstones_one_per_claim_dated_from_first_publication(
    client: TestClient, auth: dict[str, str], demo: None
) -> None:
    client.post("/api/checks/three-everyday-health-myths/retract", json={"reason": "Wrong study."}, headers=auth)
    elements = client.get("/claimreview.json").json()["dataFeedElement"]
    page = "http://testserver/checks/three-everyday-health-myths"
    health = [e for e in elements if e["url"].startswith(page)]
    assert [e["url"] for e in health] == [f"{page}#claim-{n}" for n in (1, 2, 3)]
    assert all(e["item"] == [] and e["dateDeleted"] and e["dateCreated"] == "2025-09-12T14:30:00Z" for e in health)
    # The demo's own retraction: first published 2025-07-10, retracted 2025-07-12, loaded today.
    street = next(e for e in elements if e["url"].endswith("/council-ban-street-musicians"))
    assert street["dateCreated"] == "2025-07-10T16:00:00Z"
    assert street["dateDeleted"] == "2025-07-12T09:30:00Z"
    assert street["dateCreated"] <= street["dateDeleted"]


# -- corrections -----------------------------------------------------------------


def corrections_of(document: dict[str, Any]) -> list[dict[str, str]]:
    return [{"date": c["date"], "note": c["note"]} for c in document.get("corrections", [])]


def test_json_feed_items_carry_the_corrections_log(client: TestClient, demo: None) -> None:
    items = {i["url"].rsplit("/", 1)[1]: i for i in client.get("/feed.json").json()["items"]}
    lightning = items["lightning-never-strikes-twice"]
    assert lightning["_claimreview"]["corrections"] == corrections_of(LIGHTNING) != []
    assert "Correction (August 4, 2025):" in lightning["content_html"]
    assert items["three-everyday-health-myths"]["_claimreview"]["corrections"] == []


def test_atom_entries_carry_the_corrections_log(client: TestClient, demo: None) -> None:
    body = client.get("/feed.atom").content
    root = valid_atom(body)
    entry = next(e for e in root.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == LIGHTNING["headline"])
    logged = [{"date": c.get("date"), "note": c.text} for c in entry.findall(f"{FC}correction")]
    assert logged == corrections_of(LIGHTNING)
    others = [e for e in root.findall(f"{ATOM}entry") if e is not entry]
    assert others and not any(e.findall(f"{FC}correction") for e in others)
    # feedparser readers see it too: dated in the entry, and in the content they show.
    parsed = feedparser.parse(body)
    lightning = next(e for e in parsed.entries if e.link.endswith("/lightning-never-strikes-twice"))
    assert lightning.fc_correction["date"] == "2025-08-04"
    assert "Correction (August 4, 2025):" in lightning.content[0].value


def test_json_twin_carries_the_corrections_log(client: TestClient, demo: None) -> None:
    twin = client.get("/checks/lightning-never-strikes-twice.json").json()
    assert twin["corrections"] == corrections_of(LIGHTNING) != []
    assert client.get("/checks/three-everyday-health-myths.json").json()["corrections"] == []


def test_hostile_correction_note_keeps_the_atom_feed_valid(client: TestClient, publishing: Any) -> None:
    note = "</fc:correction><entry>&amp; \"quoted\" 'single' ]]> <!--"
    publishing.import_documents([new_check("hostile") | {"corrections": [{"date": "2025-01-01", "note": note}]}],
                                utc_now())  # fmt: skip
    root = valid_atom(client.get("/feed.atom").content)
    assert [c.text for c in root.iter(f"{FC}correction")] == [note]
    assert len(root.findall(f"{ATOM}entry")) == 1


# -- feed-level metadata ----------------------------------------------------------


def test_json_feed_offers_favicon_and_icon(client: TestClient, demo: None) -> None:
    response = client.get("/feed.json")
    feed = response.json()
    assert feed["favicon"] == "http://testserver/favicon.ico"
    assert feed["icon"] == "http://testserver/static/logo.svg"
    parsed = feedparser_rs.parse(response.content)
    assert not parsed.bozo
    # feedparser-rs files the favicon as `logo`; either way a reader gets both images.
    assert {parsed.feed.icon, parsed.feed.logo} == {feed["icon"], feed["favicon"]}


def test_atom_feed_text_is_english_and_entries_keep_their_language(client: TestClient, demo: None) -> None:
    body = client.get("/feed.atom").content
    parsed = feedparser.parse(body)
    assert parsed.feed.language == "en"
    assert parsed.feed.title_detail.language == "en"
    spanish = next(e for e in parsed.entries if e.link.endswith("/agua-caliente-con-limon-cancer"))
    assert spanish.title_detail.language == "es"
    root = valid_atom(body)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_atom_links_its_since_url(client: TestClient, auth: dict[str, str], demo: None) -> None:
    parsed = feedparser.parse(client.get("/feed.atom").content)
    since = {link.rel: link for link in parsed.feed.links}[SINCE_REL]
    assert since.type == "application/atom+xml"
    assert since.href.startswith("http://testserver/feed.atom?since=")
    assert feedparser.parse(client.get(since.href).content).entries == []
    client.post("/api/checks", json=new_check("fresh"), headers=auth)
    later = client.get(since.href)
    valid_atom(later.content)
    assert [e.link for e in feedparser.parse(later.content).entries] == ["http://testserver/checks/fresh"]
