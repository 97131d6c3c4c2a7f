"""What an imported fact-check carries beyond a written one: people's pages, photos and roles,
the review's description, the original article, and the verdict in its first publisher's words."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from schemas.claimreview import build_claimreviews
from schemas.errors import ValidationError
from schemas.model import to_document
from schemas.rules import check_publishable
from schemas.validation import parse_factcheck
from tests.conftest import demo_documents

PAGE = "http://testserver/checks/imported"
ORIGINAL = "https://news.example/2021/05/the-moon-is-cheese/"


def imported(verdict: str = "False", label: str | None = "Really false") -> dict[str, Any]:
    document = copy.deepcopy(next(d for d in demo_documents() if len(d["claims"]) == 1))
    claim = document["claims"][0]
    claim["verdict"] = verdict
    if label is not None:
        claim["verdictLabel"] = label
    claim["claimant"] = {
        "name": "A. Senator", "type": "Person", "jobTitle": "Senator", "url": "https://senate.example/a",
        "image": "https://senate.example/a.jpg", "sameAs": ["https://www.wikidata.org/wiki/Q2"],
    }  # fmt: skip
    document["authors"] = [
        {"name": "A. Writer", "url": "https://news.example/staff/a", "image": "https://news.example/a.jpg",
         "jobTitle": "Senior fact-checker", "sameAs": ["https://social.example/@aw"]},
    ]  # fmt: skip
    document["description"] = "The senator said the moon is cheese. It is rock."
    document["originalUrl"] = ORIGINAL
    document["publisher"] = "demo"
    return document


def test_imported_fields_round_trip_and_reach_the_claimreview(publishers: Any) -> None:
    document = imported()
    fc = parse_factcheck(document, publishers, incoming=True)
    assert to_document(fc) == document
    (review,) = build_claimreviews(fc, publishers["demo"], PAGE)
    assert review["description"] == document["description"]
    assert review["sameAs"] == ORIGINAL
    assert review["creator"] == [
        {"@type": "Person", "name": "A. Writer", "url": "https://news.example/staff/a",
         "sameAs": ["https://social.example/@aw"], "image": "https://news.example/a.jpg",
         "jobTitle": "Senior fact-checker"},
    ]  # fmt: skip
    author = review["itemReviewed"]["author"]
    assert author["url"] == "https://senate.example/a" and author["image"] == "https://senate.example/a.jpg"
    # The label as first published is what the rating says; the scale places it (False, value 1).
    assert review["reviewRating"]["alternateName"] == "Really false"
    assert review["reviewRating"]["ratingValue"] == 1
    assert check_publishable([review], "http://testserver/") == []


def test_a_label_off_the_scale_is_kept_as_its_own_verdict(publishers: Any) -> None:
    fc = parse_factcheck(imported(verdict="Pants on fire", label="Pants on fire"), publishers)
    assert fc.claims[0].verdict == "Pants on fire"
    (review,) = build_claimreviews(fc, publishers["demo"], PAGE)
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Pants on fire"} | (
        {"ratingExplanation": review["reviewRating"]["ratingExplanation"]}
        if "ratingExplanation" in review["reviewRating"]
        else {}
    )


def test_a_verdict_off_the_scale_without_its_label_is_still_refused(publishers: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_factcheck(imported(verdict="Pants on fire", label="Something else"), publishers)
    assert [e.field for e in caught.value.errors] == ["claims[0].verdict"]


def test_the_new_urls_are_held_to_the_url_rules(publishers: Any) -> None:
    document = imported()
    document["originalUrl"] = "javascript:alert(1)"
    document["authors"][0]["image"] = "ftp://news.example/a.jpg"
    document["claims"][0]["claimant"]["url"] = "not a url"
    with pytest.raises(ValidationError) as caught:
        parse_factcheck(document, publishers, incoming=True)
    assert {e.field for e in caught.value.errors} == {
        "originalUrl", "authors[0].image", "claims[0].claimant.url",
    }  # fmt: skip
