"""`originalIsCanonical`: the newsroom keeps its CMS, and the original article stays the canonical
page of an imported fact-check. The field itself: read, written back, refused without the
original article it points at."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from feed.api.openapi import FACTCHECK_SCHEMA
from feed.core.settings import Settings
from feed.site.config import DEFAULT_CONFIG, load_publishers
from schemas.claimreview import build_claimreviews
from schemas.errors import ValidationError
from schemas.model import load_factcheck, to_document
from schemas.publisher import Publisher
from schemas.rules import check_publishable
from schemas.validation import parse_factcheck
from tests.conftest import demo_documents

ORIGINAL = "https://news.example/2021/05/the-moon-is-cheese/"
PAGE = "http://testserver/checks/imported"
# A newsroom that keeps its CMS: its site is where its articles are, and so its reviews' urls.
NEWSROOM = '\n[publishers.newsroom]\nname = "The Newsroom"\nscale = "default"\nurl = "https://news.example/"\n'


def kept(*, claims: int = 1) -> dict[str, Any]:
    """A demo fact-check with `claims` claims, imported from ORIGINAL, which stays canonical."""
    document = copy.deepcopy(next(d for d in demo_documents() if len(d["claims"]) >= claims))
    document["claims"] = document["claims"][:claims]
    return document | {"originalUrl": ORIGINAL, "originalIsCanonical": True, "publisher": "demo"}


def newsroom_publishers(tmp_path: Path) -> dict[str, Publisher]:
    """The demo publisher and "newsroom", whose site is the CMS the original articles stay on."""
    config = tmp_path / "factcard.toml"
    config.write_text(DEFAULT_CONFIG.read_text() + NEWSROOM)
    return load_publishers(Settings.load({}, {"config_file": str(config), "base_url": "http://testserver"}))


def refused(document: dict[str, Any], publishers: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        parse_factcheck(document, publishers, incoming=True)
    return {e.field: e.message for e in caught.value.errors}


def test_the_field_round_trips_and_false_is_left_out(publishers: Any) -> None:
    document = kept()
    fc = parse_factcheck(document, publishers, incoming=True)
    assert fc.original_is_canonical is True
    assert to_document(fc) == document
    assert load_factcheck(to_document(fc)) == fc
    # false is the default: said or not, the document stored is the same, without the key.
    plain = {**document, "originalIsCanonical": False}
    written = to_document(parse_factcheck(plain, publishers, incoming=True))
    assert "originalIsCanonical" not in written and written["originalUrl"] == ORIGINAL
    assert parse_factcheck(demo_documents()[0], publishers).original_is_canonical is False


def test_without_the_original_article_it_is_refused_by_name(publishers: Any) -> None:
    document = kept()
    del document["originalUrl"]
    errors = refused(document, publishers)
    assert list(errors) == ["originalIsCanonical"]
    assert "originalUrl" in errors["originalIsCanonical"]
    # A draft too: it is law, not advice for publication.
    assert list(refused({**document, "status": "draft"}, publishers)) == ["originalIsCanonical"]


def test_a_bad_original_address_is_named_once_where_it_is(publishers: Any) -> None:
    errors = refused({**kept(), "originalUrl": "javascript:alert(1)"}, publishers)
    assert list(errors) == ["originalUrl"]


@pytest.mark.parametrize("value", ["true", 1, "yes", [True]])
def test_only_true_or_false_is_taken(value: Any, publishers: Any) -> None:
    assert refused({**kept(), "originalIsCanonical": value}, publishers) == {
        "originalIsCanonical": "must be true or false"
    }


def test_the_openapi_schema_describes_it_as_a_boolean_false_by_default() -> None:
    schema = FACTCHECK_SCHEMA["properties"]["originalIsCanonical"]
    assert schema["type"] == "boolean" and schema["default"] is False
    assert "originalUrl" in schema["description"]


# -- the ClaimReview -------------------------------------------------------------------------


def reviews(document: dict[str, Any], publishers: Any) -> list[dict[str, Any]]:
    fc = parse_factcheck(document, publishers)
    return build_claimreviews(fc, publishers[fc.publisher], PAGE)


def test_the_review_url_is_the_original_article_and_same_as_goes(tmp_path: Path) -> None:
    publishers = newsroom_publishers(tmp_path)
    (review,) = reviews({**kept(), "publisher": "newsroom"}, publishers)
    assert review["url"] == ORIGINAL
    assert review["mainEntityOfPage"] == {"@type": "WebPage", "@id": ORIGINAL}
    # sameAs would name the review's own url: left out.
    assert "sameAs" not in review
    # On the newsroom's own host, as the publishing rules ask.
    assert check_publishable([review], publishers["newsroom"].url) == []


def test_every_claim_of_several_is_reviewed_at_the_original_article(publishers: Any) -> None:
    several = reviews(kept(claims=3), publishers)
    assert len(several) == 3
    assert [review["url"] for review in several] == [ORIGINAL] * 3
    assert all("sameAs" not in review and "mainEntityOfPage" not in review for review in several)


def test_when_not_canonical_our_page_stays_the_url_and_the_original_is_same_as(publishers: Any) -> None:
    document = {**kept(claims=3), "originalIsCanonical": False}
    several = reviews(document, publishers)
    assert [review["url"] for review in several] == [f"{PAGE}#claim-{n}" for n in (1, 2, 3)]
    assert [review["sameAs"] for review in several] == [ORIGINAL] * 3
    (single,) = reviews({**kept(), "originalIsCanonical": False}, publishers)
    assert single["url"] == PAGE and single["sameAs"] == ORIGINAL
    assert single["mainEntityOfPage"] == {"@type": "WebPage", "@id": PAGE}


def test_an_original_article_off_the_publishers_site_cannot_be_the_review_url(publishers: Any) -> None:
    """The demo publisher's site is this service: a review url on news.example breaks the rule
    that publishing holds a review to (the publisher's own host)."""
    (review,) = reviews(kept(), publishers)
    assert [e.field for e in check_publishable([review], publishers["demo"].url)] == ["claimReview[0].url"]
