"""Every fact-check page of the fixture site mapped to a document as the original published it:
the same claims, verdict words, date, language and writer or newsroom, and faults skipped with
their reasons."""

from __future__ import annotations

from typing import Any

import pytest

from feed.importer.article import read_article
from feed.importer.mapping import read_factcheck
from feed.importer.markup import read_page
from schemas.validation import parse_factcheck
from tests.importer.test_markup import EXPECTED, PAGES, served, url_of

DEFAULTS = {publisher["name"]: publisher["default_language"] for publisher in EXPECTED["publishers"]}
FACT_CHECKS = [page for page in PAGES if page["skip"] is None]
FAULTS = [page for page in PAGES if page["skip"] not in (None, "disallowed by robots.txt")]


def mapped(page: dict[str, Any], publishers: Any) -> tuple[Any, Any]:
    html = served(page["path"])
    lastmod = str(page["lastmod"]) if page.get("lastmod") else None
    return read_factcheck(
        read_page(html, url_of(page)), read_article(html, url_of(page)), publishers["demo"],
        default_language=DEFAULTS[page["publisher"]], lastmod=lastmod,
    )  # fmt: skip


@pytest.mark.parametrize("page", FACT_CHECKS, ids=[page["path"] for page in FACT_CHECKS])
def test_a_page_becomes_the_fact_check_it_published(page: dict[str, Any], publishers: Any) -> None:
    reading, _ = mapped(page, publishers)
    assert reading is not None
    document = reading.document
    claims = document["claims"]
    assert [claim["text"] for claim in claims] == [claim["claimReviewed"] for claim in page["claims"]]
    assert [claim.get("verdictLabel") for claim in claims] == [claim["verdict_label"] for claim in page["claims"]]
    assert document["language"] == page["language"]
    assert document["datePublished"][:10] == page["date"]
    names = {author["name"] for author in document.get("authors", [])} | {page["publisher"]}
    assert page["author_or_creator"] in names
    parse_factcheck(document, publishers, incoming=True)  # the model takes it as it is


@pytest.mark.parametrize("page", FAULTS, ids=[page["path"] for page in FAULTS])
def test_a_fault_is_skipped_with_its_reason(page: dict[str, Any], publishers: Any) -> None:
    reading, skipped = mapped(page, publishers)
    assert page["skip"] in [item.reason for item in skipped]
    if not page["claims"]:
        assert reading is None


def test_the_report_says_which_rule_gave_the_language(publishers: Any) -> None:
    rules = {"inLanguage": "the review's inLanguage", "html-lang": "the page's <html lang>",
             "publisher-default": "the publisher's default language"}  # fmt: skip
    for page in FACT_CHECKS:
        reading, _ = mapped(page, publishers)
        assert f"language {page['language']} from {rules[page['language_rule']]}" in reading.warnings
