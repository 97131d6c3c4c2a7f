"""The quirks of live ClaimReview markup, each made plain by feed.importer.clean."""

from __future__ import annotations

import pytest

from feed.importer import clean

BASE = "https://checks.example/2024/05/the-moon/"


def test_a_name_or_claim_given_as_a_list_is_its_first_text() -> None:
    assert clean.text(["", "The moon is cheese"]) == "The moon is cheese"
    assert clean.text([{"@type": "Person", "name": ["Jo Bloggs"]}]) == "Jo Bloggs"
    assert clean.texts([{"name": "Ana"}, "Ben", ""]) == ["Ana", "Ben"]


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("It&#039;s a &quot;cure&quot;", 'It\'s a "cure"'),
        ("Salt &amp;amp; pepper", "Salt & pepper"),  # encoded twice
        ("A claim\r\n  on two lines\r", "A claim on two lines"),
        ("<p>Vaccines <em>cause</em> it</p>", "Vaccines cause it"),
    ],
)
def test_text_has_entities_decoded_and_whitespace_made_single(raw: str, plain: str) -> None:
    assert clean.text(raw) == plain


def test_a_verdict_is_kept_as_published_but_for_its_trailing_whitespace() -> None:
    assert clean.label("False\r") == "False"
    sentence = "This claim is false because the video was recorded in 2019 in another country."
    assert clean.label(sentence) == sentence
    assert clean.label("") is None


@pytest.mark.parametrize(
    ("published", "words"),
    [("really_false", "really false"), ("não_é_bem_assim", "não é bem assim"), ("mostly-true", "mostly true"),
     ("False", "False"), ("Half true", "Half true")],
)  # fmt: skip
def test_a_verdict_written_as_a_slug_reads_as_words(published: str, words: str) -> None:
    assert clean.label_words(published) == words


def test_ratings_as_strings_empty_or_minus_one() -> None:
    assert clean.rating({"ratingValue": "1", "bestRating": "5", "worstRating": "1"}) == clean.Rating(1, 5, 1)
    assert clean.rating({"ratingValue": "", "bestRating": "5", "worstRating": "1"}) is None
    assert clean.rating({"ratingValue": "-1", "bestRating": "-1", "worstRating": "-1"}) is None
    assert clean.rating({"ratingValue": "2,5", "bestRating": 5, "worstRating": 0}) == clean.Rating(2.5, 5, 0)
    assert clean.rating({"ratingValue": 9, "bestRating": 5, "worstRating": 1}) is None  # outside its scale
    assert clean.rating({"alternateName": "False"}) is None
    assert clean.Rating(1, 5, 1).fraction == 0 and clean.Rating(4, 7, 1).fraction == 0.5


def test_a_type_in_lower_case_is_that_type() -> None:
    assert clean.is_type({"@type": "creativeWork"}, "CreativeWork")
    assert clean.is_type({"@type": ["Thing", "claim"]}, "Claim")
    assert clean.is_type({"@type": "http://schema.org/Claim"}, "Claim")
    assert not clean.is_type({"@type": "Review"}, "ClaimReview")


def test_relative_and_scheme_less_urls_resolve_against_the_base() -> None:
    assert clean.url("/2024/05/x/", BASE) == "https://checks.example/2024/05/x/"
    assert clean.url("//checks.example/y/", "http://checks.example/") == "http://checks.example/y/"
    assert (
        clean.url({"@type": "CreativeWork", "url": "https://social.example/p/1"}, BASE) == "https://social.example/p/1"
    )
    assert clean.url("javascript:alert(1)", BASE) is None
    assert clean.url("_:b0", BASE) is None


@pytest.mark.parametrize(
    ("raw", "day"),
    [("2024-03-05", "2024-03-05"), ("2024-03-05T10:00:00+00:00", "2024-03-05T10:00:00+00:00"),
     ("2024-03-05T10:00:00Z", "2024-03-05T10:00:00+00:00"), ("2024-03-05 10:00:00", "2024-03-05"),
     ("2024-03-05T10:00:00", "2024-03-05"), ("March 5, 2024", None), ("2024-02-30", None), ("", None)],
)  # fmt: skip
def test_dates_come_out_as_the_model_takes_them(raw: str, day: str | None) -> None:
    assert clean.day(raw) == day
