"""A DataFeed file and Fact Check Tools answers read as the fact-checks they list, tombstones too."""

from __future__ import annotations

import json
from typing import Any

from feed.importer.feeds import datafeed_pages, factchecktools_pages, is_datafeed, is_factchecktools
from feed.importer.mapping import Article, read_factcheck
from feed.importer.markup import Page
from feed.importer.records import Tombstone
from schemas.validation import parse_factcheck
from tests.importer.test_markup import EXPECTED, ORIGIN, SITE


def loaded(name: str) -> Any:
    return json.loads((SITE / name).read_text(encoding="utf-8").replace("http://SITE", ORIGIN))


def wanted(section: str) -> list[dict[str, Any]]:
    return [json.loads(json.dumps(entry).replace("http://SITE", ORIGIN)) for entry in EXPECTED[section]]


def check(page: Page, entry: dict[str, Any], publishers: Any) -> None:
    reading, skipped = read_factcheck(page, Article(), publishers["demo"], default_language="en")
    assert reading is not None and skipped == []
    document = reading.document
    assert [claim["text"] for claim in document["claims"]] == [claim["claimReviewed"] for claim in entry["claims"]]
    assert [claim.get("verdictLabel") for claim in document["claims"]] == [c["verdict_label"] for c in entry["claims"]]
    assert document["datePublished"][:10] == entry["date"] and document["language"] == entry["language"]
    assert reading.source_url == entry["source_url"]
    parse_factcheck(document, publishers, incoming=True)


def test_a_datafeed_gives_every_fact_check_and_its_tombstones(publishers: Any) -> None:
    data = loaded("datafeed.json")
    assert is_datafeed(data) and not is_factchecktools(data)
    read = list(datafeed_pages(data, ORIGIN))
    entries = wanted("datafeed")
    assert len(read) == len(entries)
    for item, entry in zip(read, entries, strict=True):
        if entry["date_deleted"]:
            assert isinstance(item, Tombstone) and item.source_url == entry["url"]
            assert item.date_deleted[:10] == entry["date_deleted"]
        else:
            assert isinstance(item, Page)
            check(item, entry, publishers)


def test_fact_check_tools_answers_give_every_claim_review(publishers: Any) -> None:
    pages = []
    for name in ("factchecktools-page1.json", "factchecktools-page2.json"):
        data = loaded(name)
        assert is_factchecktools(data) and not is_datafeed(data)
        pages.extend(factchecktools_pages(data, ORIGIN))
    entries = wanted("factchecktools")
    assert len(pages) == len(entries)
    for page, entry in zip(pages, entries, strict=True):
        check(page, entry, publishers)
