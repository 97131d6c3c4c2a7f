"""Reading a page's structured data: every ClaimReview on the fixture site's pages is found,
whatever syntax and shape its CMS wrote it in, with references resolved and the page's own facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from feed.importer.markup import read_page, types

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview-site"
EXPECTED = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))
ORIGIN = "http://127.0.0.1:8765"


def served(path: str) -> str:
    """The page as the test site serves it: the placeholder origin replaced by the server's."""
    return (
        (SITE / path).read_text(encoding="utf-8").replace("http://SITE", ORIGIN).replace("//SITE", "//127.0.0.1:8765")
    )


def url_of(page: dict[str, Any]) -> str:
    return str(page["url"]).replace("http://SITE", ORIGIN)


PAGES = [page for page in EXPECTED["pages"]]


@pytest.mark.parametrize("page", PAGES, ids=[page["path"] for page in PAGES])
def test_every_claimreview_on_the_page_is_found(page: dict[str, Any]) -> None:
    read = read_page(served(page["path"]), url_of(page))
    reviews = read.of_type("ClaimReview")
    if page["skip"] == "no ClaimReview on the page":
        assert reviews == []
        return
    assert read.problems == []
    wanted = len(page["claims"]) or 1  # a page skipped for a fault still carries its ClaimReview
    assert len(reviews) >= wanted, [r.get("claimReviewed") for r in reviews]
    for review in reviews:
        assert "@id" not in review or len(review) > 1  # references replaced by the node they name


def test_a_claimreview_inside_a_yoast_graph_has_its_references_resolved() -> None:
    page = next(p for p in PAGES if 1 in p["quirks"] and not p["skip"])
    (review, *_) = read_page(served(page["path"]), url_of(page)).of_type("ClaimReview")
    author = review["author"]
    author = author[0] if isinstance(author, list) else author
    assert isinstance(author, dict) and author.get("name"), author  # the Organization, not {"@id": ...}


@pytest.mark.parametrize("syntax", ["microdata", "rdfa"])
def test_microdata_and_rdfa_come_out_as_schema_org_names(syntax: str) -> None:
    text_of = {"microdata": "itemscope", "rdfa": 'typeof="ClaimReview"'}
    page = next(p for p in PAGES if 5 in p["quirks"] and text_of[syntax] in served(p["path"]))
    reviews = read_page(served(page["path"]), url_of(page)).of_type("ClaimReview")
    assert reviews and all(types(review) == ["ClaimReview"] for review in reviews)
    assert any("claimReviewed" in review and "reviewRating" in review for review in reviews)


def test_the_canonical_link_and_html_lang_are_read() -> None:
    page = next(p for p in PAGES if p["language_rule"] == "html-lang")
    read = read_page(served(page["path"]), url_of(page) + "?utm_source=feed")
    assert read.html_lang is not None and read.html_lang.casefold() == page["language"].casefold()
    if read.canonical is not None:
        assert "utm_source" not in read.canonical and read.base == read.canonical


def test_a_page_without_a_canonical_link_resolves_against_the_url_fetched() -> None:
    read = read_page("<html><head><title>x</title></head><body></body></html>", f"{ORIGIN}/a/b/")
    assert read.canonical is None and read.base == f"{ORIGIN}/a/b/" and read.title == "x"


def test_broken_json_ld_is_a_problem_named_not_a_crash() -> None:
    html = '<html><head><script type="application/ld+json">{"@type": "ClaimReview", </script></head></html>'
    read = read_page(html, f"{ORIGIN}/x/")
    assert read.of_type("ClaimReview") == []
    assert any(problem.startswith("json-ld markup could not be read") for problem in read.problems)
