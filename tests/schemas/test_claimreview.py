from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from feed.core.settings import Settings
from feed.site.config import load_publishers
from schemas.claimreview import build_claimreviews
from schemas.errors import ValidationError
from schemas.model import to_document
from schemas.publisher import parse_publishers
from schemas.rules import check_advice, check_publishable, check_rules
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
        "image": "http://testserver/verdicts/demo/3.svg",
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


def test_rules_refuse_a_foreign_host_a_rating_out_of_range_and_a_missing_date(publishers: Any) -> None:
    review = reviews_for("lightning-never-strikes-twice", publishers)[0]
    review["claimReviewed"] = "False: lightning never strikes twice"  # advice, not law: no refusal
    review["reviewRating"]["ratingValue"] = 9
    review["url"] = "https://elsewhere.example/checks/x"
    del review["datePublished"]
    fields = {e.field for e in check_rules(review, "http://testserver/")}
    assert fields == {"$.reviewRating.ratingValue", "$.url", "$.datePublished"}


def test_a_long_claim_and_a_claim_that_gives_its_verdict_are_advice(publishers: Any) -> None:
    review = reviews_for("lightning-never-strikes-twice", publishers)[0]
    review["claimReviewed"] = "False: " + "lightning never strikes the same place twice, " * 4
    scale = publishers["demo"].scale
    assert check_rules(review, "http://testserver/") == []
    warnings = check_advice(review, scale=scale)
    assert [(w.field, w.message.split(":")[0]) for w in warnings] == [
        ("$.claimReviewed", "should be short"),
        ("$.claimReviewed", "should state the claim, not the verdict 'False'"),
    ]
    assert f"has {len(review['claimReviewed'])}" in warnings[0].message
    review["claimReviewed"] = "Lightning never strikes the same place twice"
    assert check_advice(review, scale=scale) == []


def test_rules_accept_a_claim_that_merely_contains_a_verdict_word(publishers: Any) -> None:
    review = reviews_for("lightning-never-strikes-twice", publishers)[0]
    review["claimReviewed"] = "The test gives false positives in one case of ten"
    assert check_advice(review) == []


def test_a_spanish_fact_check_rates_in_spanish(publishers: Any) -> None:
    (review,) = reviews_for("agua-caliente-con-limon-cancer", publishers)
    assert review["inLanguage"] == "es"
    assert review["reviewRating"]["alternateName"] == "Falso"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["reviewRating"]["image"] == "http://testserver/verdicts/demo/5-es.svg"  # a badge in the same words
    french = next(d for d in demo_documents() if d["slug"] == "agua-caliente-con-limon-cancer") | {"language": "fr-CA"}
    fc = parse_factcheck(french, publishers)
    (review,) = build_claimreviews(fc, publishers["demo"], "http://testserver/checks/x")
    assert review["reviewRating"]["alternateName"] == "Faux"
    assert review["reviewRating"]["image"] == "http://testserver/verdicts/demo/5-fr.svg"
    assert check_publishable([review], "http://testserver/") == []


def test_rules_catch_the_verdict_in_the_claim_in_any_language_of_the_scale(publishers: Any) -> None:
    (review,) = reviews_for("agua-caliente-con-limon-cancer", publishers)
    scale = publishers["demo"].scale
    for claim in ("Falso: el limón cura el cáncer", "El limón cura el cáncer (FALSE)", "El limón cura — Faux"):
        review["claimReviewed"] = claim
        errors = check_advice(review, scale=scale)
        assert [e.field for e in errors] == ["$.claimReviewed"], claim
    assert errors[0].message == "should state the claim, not the verdict 'Faux'"
    review["claimReviewed"] = "El limón cura el cáncer (Verdadero)"  # another label's words are not this verdict
    assert check_advice(review, scale=scale) == []


SAME_AS_CONFIG = """
[publishers.desk]
name = "Desk"
url = "https://desk.example/"
scale = "default"
sameAs = ["https://social.example/@desk", "https://www.wikidata.org/wiki/Q1"]

[scales.default]
best = 2
worst = 1
labels = [
  { label = "True", value = 2, colour = "#1a7f37", category = "true" },
  { label = "False", value = 1, colour = "#8c1c13", category = "false" },
]
"""


def with_people(document: dict[str, Any]) -> dict[str, Any]:
    """A demo document whose author and claimant name their profiles elsewhere."""
    document = copy.deepcopy(document)
    document["authors"] = [
        {"name": "A. Writer", "url": "https://desk.example/staff/a-writer", "sameAs": ["https://social.example/@aw"]},
        {"name": "B. Editor"},
    ]
    document["claims"][0]["claimant"] = {
        "name": "A. Senator", "type": "Person", "jobTitle": "Senator", "sameAs": ["https://www.wikidata.org/wiki/Q2"],
    }  # fmt: skip
    return document


def test_the_newsroom_is_one_identified_node_as_author_and_publisher(publishers: Any) -> None:
    nodes = [
        node
        for document in demo_documents()
        for review in build_claimreviews(parse_factcheck(document, publishers), publishers["demo"], PAGE)
        for node in (review["author"], review["publisher"])
    ]
    assert len(nodes) > 2
    assert all(node == nodes[0] for node in nodes)
    assert nodes[0]["@id"] == "http://testserver/#organization"
    assert nodes[0]["@type"] == "Organization" and nodes[0]["url"] == "http://testserver/"


def test_a_single_claim_review_is_the_main_entity_of_its_page(publishers: Any) -> None:
    (single,) = reviews_for("lightning-never-strikes-twice", publishers)
    page = "http://testserver/checks/lightning-never-strikes-twice"
    assert single["mainEntityOfPage"] == {"@type": "WebPage", "@id": page}
    assert all("mainEntityOfPage" not in r for r in reviews_for("three-everyday-health-myths", publishers))


def test_the_rating_image_is_the_badge_of_the_verdict_on_its_scale(publishers: Any) -> None:
    reviews = reviews_for("three-everyday-health-myths", publishers)
    labels = publishers["demo"].scale.label_names()
    for review in reviews:
        index = labels.index(review["reviewRating"]["alternateName"])
        assert review["reviewRating"]["image"] == f"http://testserver/verdicts/demo/{index}.svg"


def test_same_as_on_newsroom_authors_and_claimant_round_trips(tmp_path: Path) -> None:
    config = tmp_path / "factcard.toml"
    config.write_text(SAME_AS_CONFIG)
    settings = Settings.load({}, {"config_file": str(config), "base_url": "https://checks.desk.example"})
    desk = load_publishers(settings)
    document = {**with_people(demo_documents()[2]), "publisher": "desk"}
    fc = parse_factcheck(document, desk)
    assert to_document(fc) == document
    (review,) = build_claimreviews(fc, desk["desk"], "https://desk.example/checks/x")
    assert review["author"]["sameAs"] == ["https://social.example/@desk", "https://www.wikidata.org/wiki/Q1"]
    assert review["author"]["@id"] == "https://desk.example/#organization"
    assert review["creator"] == [
        {"@type": "Person", "name": "A. Writer", "url": "https://desk.example/staff/a-writer",
         "sameAs": ["https://social.example/@aw"]},
        {"@type": "Person", "name": "B. Editor"},
    ]  # fmt: skip
    assert review["itemReviewed"]["author"]["sameAs"] == ["https://www.wikidata.org/wiki/Q2"]
    assert review["reviewRating"]["image"] == "https://checks.desk.example/verdicts/desk/1.svg"
    assert check_publishable([review], "https://desk.example/") == []


def test_same_as_must_be_a_list_of_web_urls(publishers: Any) -> None:
    document = with_people(demo_documents()[2])
    document["authors"][0]["sameAs"] = ["javascript:alert(1)"]
    with pytest.raises(ValidationError) as caught:
        parse_factcheck(document, publishers)
    assert [e.field for e in caught.value.errors] == ["authors[0].sameAs[0]"]
    scale = {"best": 1, "worst": 0, "labels": [{"label": "T", "value": 1, "colour": "#1a7f37", "category": "true"}]}
    for same_as, field in (("https://x.example", "publishers.p.sameAs"), (["ftp://x"], "publishers.p.sameAs[0]")):
        with pytest.raises(ValidationError) as caught:
            parse_publishers({"publishers": {"p": {"name": "P", "url": "https://p.example/", "sameAs": same_as}},
                              "scales": {"default": scale}})  # fmt: skip
        assert [e.field for e in caught.value.errors] == [field]


def test_appearances_are_creative_works_with_their_own_url(publishers: Any) -> None:
    document = copy.deepcopy(demo_documents()[2])
    document["claims"][0]["appearances"] = ["https://video.example/v/1", "https://social.example/p/2"]
    fc = parse_factcheck(document, publishers)
    (review,) = build_claimreviews(fc, publishers["demo"], PAGE)
    item = review["itemReviewed"]
    assert item["appearance"] == [
        {"@type": "CreativeWork", "url": "https://video.example/v/1"},
        {"@type": "CreativeWork", "url": "https://social.example/p/2"},
    ]
    assert item["firstAppearance"] == {"@type": "CreativeWork", "url": "https://video.example/v/1"}
    assert check_vocabulary(review) == []
