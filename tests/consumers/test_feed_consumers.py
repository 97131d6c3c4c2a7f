"""What independent consumers of the feeds conclude about a fact-check's dates and its
retraction: the DataFeed an aggregator ingests, the JSON twin, and a feed reader that does not
read RFC 6721 tombstones."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path
from typing import Any

import feedparser
import feedparser_rs
import pytest
from reader import make_reader
from starlette.testclient import TestClient

from feed.store.clock import utc_now
from tests.conftest import LiveServer, demo_documents, live_app
from tests.consumers.test_consumers import fetch

TOMBSTONES = "{http://purl.org/atompub/tombstones/1.0}"

RETRACTED = next(d for d in demo_documents() if d["status"] == "retracted")
# A fact-check from 2019, loaded into the store today (an import of an archive).
ARCHIVED = {
    "slug": "archive-2019-bridge",
    "status": "published",
    "headline": "Did the old bridge close in 2019?",
    "language": "en",
    "summary": "It did not.",
    "datePublished": "2019-03-04T10:00:00Z",
    "dateModified": "2019-05-06T11:30:00Z",
    "claims": [{"text": "The old bridge closed in 2019.", "verdict": "False"}],
}


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents([*demo_documents(), ARCHIVED], utc_now())


def datafeed_elements(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get("/claimreview.json")
    assert response.status_code == 200
    return {element["url"]: element for element in json.loads(response.content)["dataFeedElement"]}


def test_datafeed_item_modified_when_its_content_changed_not_when_it_was_stored(client: TestClient, demo: None) -> None:
    element = datafeed_elements(client)["http://testserver/checks/archive-2019-bridge"]
    assert element["dateCreated"] == "2019-03-04T10:00:00Z"
    assert element["dateModified"] == "2019-05-06T11:30:00Z"  # not the day of the import
    assert element["item"][0]["dateModified"] == "2019-05-06T11:30:00Z"


def test_datafeed_tombstone_modified_when_deleted(client: TestClient, demo: None) -> None:
    tombstone = datafeed_elements(client)[f"http://testserver/checks/{RETRACTED['slug']}"]
    assert tombstone["item"] == []
    assert tombstone["dateDeleted"] == RETRACTED["retraction"]["date"]
    assert tombstone["dateModified"] == tombstone["dateDeleted"]


def test_datafeed_retraction_made_today_is_dated_today(client: TestClient, auth: dict[str, str], demo: None) -> None:
    before = datafeed_elements(client)["http://testserver/checks/archive-2019-bridge"]
    response = client.post("/api/checks/archive-2019-bridge/retract", json={"reason": "Wrong bridge."}, headers=auth)
    assert response.status_code == 200, response.text
    after = datafeed_elements(client)["http://testserver/checks/archive-2019-bridge"]
    assert after["dateDeleted"] == after["dateModified"] > before["dateModified"]
    assert after["dateDeleted"].startswith(utc_now().strftime("%Y-%m-%d"))


def test_json_twin_of_a_retracted_check_lists_no_current_verdict(client: TestClient, demo: None) -> None:
    twin = client.get(f"/checks/{RETRACTED['slug']}.json").json()
    assert twin["status"] == "retracted"
    assert twin["verdicts"] == []  # the page withdraws it; so does its twin
    assert twin["claimReview"] == []
    assert twin["retraction"] == {
        "notice": "This fact-check has been retracted.",
        "reason": RETRACTED["retraction"]["reason"],
        "date": RETRACTED["retraction"]["date"],
    }


def test_json_twin_of_a_retraction_speaks_the_fact_checks_language(
    client: TestClient, auth: dict[str, str], demo: None
) -> None:
    slug = "agua-caliente-con-limon-cancer"
    published = client.get(f"/checks/{slug}.json").json()
    assert published["verdicts"] and "retraction" not in published
    client.post(f"/api/checks/{slug}/retract", json={"reason": "Fuente equivocada."}, headers=auth)
    twin = client.get(f"/checks/{slug}.json").json()
    assert twin["verdicts"] == []
    assert twin["retraction"]["notice"] == "Esta verificación ha sido retirada."
    assert twin["retraction"]["reason"] == "Fuente equivocada."


def reader_entries(feed_reader: Any) -> dict[str, Any]:
    feed_reader.update_feeds(scheduled=False)  # as when its next scheduled poll comes
    return {entry.link: entry for entry in feed_reader.get_entries()}


def test_a_feed_reader_that_ignores_tombstones_sees_the_retraction(tmp_path: Path) -> None:
    """`reader` keeps entries it has seen and does not read RFC 6721: the retraction must come as
    an entry of its own (the same id), or it shows the withdrawn verdict forever."""
    application, port = live_app(tmp_path, demo_documents())
    slug = "lightning-never-strikes-twice"
    with LiveServer(application, port) as live, closing(make_reader(str(tmp_path / "reader.sqlite"))) as feed_reader:
        feed_reader.add_feed(f"{live.url}/feed.atom")
        entry = reader_entries(feed_reader)[f"{live.url}/checks/{slug}"]
        headline = entry.title
        assert not headline.startswith("Retracted")
        application.state.context.publishing.retract(slug, "The strike counts were wrong.", None, utc_now())
        entry = reader_entries(feed_reader)[f"{live.url}/checks/{slug}"]
        assert entry.title == f"Retracted: {headline}"
        shown = " ".join(content.value for content in entry.content) + (entry.summary or "")
        assert "This fact-check has been retracted." in shown and "The strike counts were wrong." in shown
        assert "Verdict" not in shown


def test_atom_retraction_is_an_entry_beside_its_tombstone(client: TestClient, demo: None) -> None:
    body = client.get("/feed.atom").content
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = next(e for e in parsed.entries if e.link.endswith(RETRACTED["slug"]))
    assert entry.title == f"Retracted: {RETRACTED['headline']}"
    assert entry.updated == RETRACTED["retraction"]["date"]
    assert not [tag for tag in entry.get("tags", []) if tag.get("scheme", "").endswith("/verdicts")]
    tombstone = ET.fromstring(body).find(f"{TOMBSTONES}deleted-entry")
    assert tombstone is not None
    assert (tombstone.get("ref"), tombstone.get("when")) == (entry.id, entry.updated)


def test_feed_readers_link_a_kept_original_to_the_article_under_the_same_id(tmp_path: Path) -> None:
    """feedparser (Atom), feedparser-rs (JSON Feed) and `reader` see the original article as the
    entry's link, under the id the entry had before the article was canonical."""
    from feed.site.syndication import item_id
    from tests.site.test_canonical_elsewhere import ORIGINALS, kept_live_app

    application, port = kept_live_app(tmp_path)
    with LiveServer(application, port) as live, closing(make_reader(str(tmp_path / "reader.sqlite"))) as feed_reader:
        atom = feedparser.parse(fetch(f"{live.url}/feed.atom"))
        assert not atom.bozo, atom.get("bozo_exception")
        links = {entry.id: entry.link for entry in atom.entries}
        items = {item.id: item.link for item in feedparser_rs.parse(fetch(f"{live.url}/feed.json")).entries}
        feed_reader.add_feed(f"{live.url}/feed.atom")
        seen = reader_entries(feed_reader)
        for slug, original in ORIGINALS.items():
            assert links[item_id(slug)] == items[item_id(slug)] == original
            assert seen[original].id == item_id(slug)
        assert links[item_id("lightning-never-strikes-twice")] == f"{live.url}/checks/lightning-never-strikes-twice"
