from __future__ import annotations

import copy
from typing import Any

from schemas.claimreview import build_claimreviews
from schemas.rules import check_publishable, check_rules
from schemas.validation import parse_factcheck
from schemas.vocabulary import check_vocabulary
from tests.conftest import demo_documents

PAGE = "http://testserver/checks/three-everyday-health-myths"


def reviews_for(slug: str, publishers: Any) -> list[dict[str, Any]]:
    document = next(d for d in demo_documents() if d["slug"] == slug)
    fc = parse_factcheck(document, publishers)
    return build_claimreviews(fc, publishers["demo"], f"http://testserver/checks/{slug}")


def test_one_claimreview_per_claim_with_anchors(publishers: Any) -> None:
    reviews = reviews_for("three-everyday-health-myths", publishers)
    assert [r["url"] for r in reviews] == [f"{PAGE}#claim-1", f"{PAGE}#claim-2", f"{PAGE}#claim-3"]
    first = reviews[0]
    assert first["@type"] == "ClaimReview"
    assert first["claimReviewed"] == "Everyone needs to drink eight glasses of water a day"
    assert first["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Misleading",
        "ratingValue": 3,
        "bestRating": 6,
        "worstRating": 1,
        "ratingExplanation": "Fluid needs vary with body size, activity and climate, "
        "and food and other drinks count too.",
    }
    assert first["author"]["@type"] == "Organization" and first["author"]["logo"]["@type"] == "ImageObject"
    assert first["inLanguage"] == "en"
    assert first["itemReviewed"]["appearance"] == [
        {"@type": "CreativeWork", "url": "https://social.example.com/posts/8-glasses"}
    ]
    assert first["itemReviewed"]["firstAppearance"]["url"] == "https://social.example.com/posts/8-glasses"


def test_single_claim_uses_the_page_url(publishers: Any) -> None:
    (review,) = reviews_for("lightning-never-strikes-twice", publishers)
    assert review["url"] == "http://testserver/checks/lightning-never-strikes-twice"


def test_unrated_verdict_has_no_numbers(publishers: Any) -> None:
    document = copy.deepcopy(demo_documents()[0])
    document["claims"][0]["verdict"] = "Unproven"
    fc = parse_factcheck(document, publishers)
    rating = build_claimreviews(fc, publishers["demo"], PAGE)[0]["reviewRating"]
    assert "ratingValue" not in rating and rating["alternateName"] == "Unproven"


def test_demo_claimreviews_pass_both_checks(publishers: Any) -> None:
    for document in demo_documents():
        fc = parse_factcheck(document, publishers)
        reviews = build_claimreviews(fc, publishers["demo"], f"http://testserver/checks/{fc.slug}")
        assert check_publishable(reviews, "http://testserver/") == [], fc.slug


def test_vocabulary_check_finds_unknown_and_misapplied_properties() -> None:
    review = {
        "@type": "ClaimReview",
        "claimReviewed": "x",
        "rating": 3,
        "author": {"@type": "Rating", "ratingValue": 1},
        "itemReviewed": {"@type": "Claim", "jobTitle": "Senator"},
        "reviewRating": {"@type": "NotAType"},
    }
    fields = {e.field: e.message for e in check_vocabulary(review)}
    assert fields == {
        "$.rating": "'rating' is not a schema.org property",
        "$.author": "'author' expects Organization, Person, not Rating",
        "$.itemReviewed.jobTitle": "'jobTitle' does not apply to Claim",
        "$.reviewRating.@type": "'NotAType' is not a schema.org type",
    }


def test_rules_catch_verdict_in_claim_foreign_host_and_rating_out_of_range(publishers: Any) -> None:
    review = reviews_for("lightning-never-strikes-twice", publishers)[0]
    review["claimReviewed"] = "False: lightning never strikes twice"
    review["reviewRating"]["ratingValue"] = 9
    review["url"] = "https://elsewhere.example/checks/x"
    del review["datePublished"]
    fields = {e.field for e in check_rules(review, "http://testserver/")}
    assert fields == {"$.claimReviewed", "$.reviewRating.ratingValue", "$.url", "$.datePublished"}


def test_rules_accept_a_claim_that_merely_contains_a_verdict_word(publishers: Any) -> None:
    review = reviews_for("lightning-never-strikes-twice", publishers)[0]
    review["claimReviewed"] = "The test gives false positives in one case of ten"
    assert check_rules(review, "http://testserver/") == []
