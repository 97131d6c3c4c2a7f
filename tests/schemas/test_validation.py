from __future__ import annotations

import copy
from typing import Any

import pytest

from schemas.errors import ValidationError
from schemas.model import to_document
from schemas.rules import publication_problems
from schemas.validation import parse_factcheck
from tests.conftest import canonical_verdicts, demo_documents


def minimal() -> dict[str, Any]:
    return {
        "slug": "a-claim",
        "headline": "Is the claim right?",
        "language": "en",
        "summary": "It is not [1].",
        "claims": [{"text": "The claim", "verdict": "False"}],
        "sources": [{"title": "A source", "url": "https://example.org/source"}],
    }


def errors_of(document: Any, publishers: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        parse_factcheck(document, publishers)
    return {e.field: e.message for e in caught.value.errors}


def test_minimal_document_is_valid_and_defaults_to_first_publisher_and_draft(publishers: Any) -> None:
    fc = parse_factcheck(minimal(), publishers)
    assert fc.publisher == "demo"
    assert fc.status == "draft"
    assert fc.claims[0].verdict == "False"


def test_every_problem_is_named_at_once(publishers: Any) -> None:
    document = minimal()
    document.update(slug="Bad Slug", language="english!", headline="")
    document["claims"] = [{"text": "", "verdict": "Pants on fire"}]
    document["authors"] = [{"url": "ftp://example.org"}]
    document["colour"] = "red"
    errors = errors_of(document, publishers)
    assert set(errors) == {
        "slug", "language", "headline", "claims[0].text", "claims[0].verdict",
        "authors[0].name", "authors[0].url", "colour",
    }  # fmt: skip
    assert "not on the 'default' scale" in errors["claims[0].verdict"]
    assert errors["colour"] == "is not a known field"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "JaVaScRiPt:alert(1)",
        "//no-scheme",
        "https://",
    ],
)
def test_only_http_and_https_urls_are_accepted_anywhere(publishers: Any, url: str) -> None:
    document = minimal()
    document["sources"][0]["url"] = url
    document["claims"][0]["appearances"] = [url]
    document["claims"][0]["claimant"] = {"name": "Someone", "sameAs": [url]}
    document["image"] = {"url": url}
    errors = errors_of(document, publishers)
    for field in ("sources[0].url", "claims[0].appearances[0]", "claims[0].claimant.sameAs[0]", "image.url"):
        assert field in errors, field


def test_citation_markers_must_resolve_to_a_numbered_source(publishers: Any) -> None:
    document = minimal() | {"status": "published"}
    document["sections"] = [{"heading": "One", "paragraphs": ["See [1] and [2]."]}]
    errors = errors_of(document, publishers)
    assert errors == {"sections[0].paragraphs[0]": "cites [2] but there are 1 sources"}


def test_a_draft_is_spared_what_only_publication_needs_and_is_told_of_it(publishers: Any) -> None:
    document = minimal()
    document["sections"] = [{"heading": "One", "paragraphs": ["See [1] and [2]."]}]
    document["claims"] = [{"text": "The claim"}]  # no verdict chosen yet
    fc = parse_factcheck(document, publishers)  # a draft: saved
    assert fc.claims[0].verdict == "" and "verdict" not in to_document(fc)["claims"][0]
    assert {e.field: e.message for e in publication_problems(document, publishers)} == {
        "sections[0].paragraphs[0]": "cites [2] but there are 1 sources",
        "claims[0].verdict": "is required",
    }
    assert "claims[0].verdict" in errors_of(document | {"status": "published"}, publishers)
    assert "sources[0].url" in errors_of(document | {"sources": [{"title": "x", "url": "javascript:x"}]}, publishers)


def test_a_source_may_be_dated_by_its_year_or_month(publishers: Any) -> None:
    for when in ("2022", "2022-10", "2022-10-30", "2022-10-30T10:00:00Z"):
        document = minimal()
        document["sources"][0]["date"] = when
        assert parse_factcheck(document, publishers).sources[0].date == when
    for when in ("2022-13", "22", "October 2022", "2022-10-32"):
        document = minimal()
        document["sources"][0]["date"] = when
        assert "sources[0].date" in errors_of(document, publishers), when
    assert "claims[0].date" in errors_of(minimal() | {"claims": [{"text": "x", "verdict": "False", "date": "2022"}]},
                                         publishers)  # fmt: skip


def test_retraction_needs_a_reason_and_only_retracted_checks_have_one(publishers: Any) -> None:
    document = minimal() | {"status": "retracted"}
    assert "retraction" in errors_of(document, publishers)
    document = minimal() | {"retraction": {"reason": "wrong"}}
    assert errors_of(document, publishers) == {"retraction": "only a retracted fact-check has a retraction"}


def test_dates_must_be_dates_or_rfc3339(publishers: Any) -> None:
    document = minimal() | {"datePublished": "30/10/2025", "dateModified": "2025-02-30"}
    errors = errors_of(document, publishers)
    assert set(errors) == {"datePublished", "dateModified"}
    ok = minimal() | {"datePublished": "2025-10-30T09:00:00+02:00", "dateModified": "2025-10-31"}
    assert parse_factcheck(ok, publishers).date_published == "2025-10-30T09:00:00+02:00"


def test_verdict_matches_scale_ignoring_case_and_is_stored_as_the_scale_spells_it(publishers: Any) -> None:
    document = minimal()
    document["claims"][0]["verdict"] = "mostly FALSE"
    assert parse_factcheck(document, publishers).claims[0].verdict == "Mostly false"


def test_verdict_in_any_language_of_the_scale_is_stored_as_the_label(publishers: Any) -> None:
    for language, written in (("es", "Falso"), ("fr", "FAUX"), ("ar", " زائف "), ("en", "falsch"), ("es", "False")):
        document = minimal() | {"language": language}
        document["claims"][0]["verdict"] = written
        fc = parse_factcheck(document, publishers)
        assert fc.claims[0].verdict == "False", written
        assert to_document(fc)["claims"][0]["verdict"] == "False", written
    document = minimal() | {"language": "es"}
    document["claims"][0]["verdict"] = "Falsísimo"
    assert "not on the 'default' scale" in errors_of(document, publishers)["claims[0].verdict"]


def test_non_object_document_is_a_clear_error(publishers: Any) -> None:
    assert errors_of(["not", "an", "object"], publishers) == {"(document)": "must be an object"}


def test_document_form_round_trips(publishers: Any) -> None:
    for document in demo_documents():
        fc = parse_factcheck(copy.deepcopy(document), publishers)
        assert parse_factcheck(to_document(fc), publishers) == fc
        assert to_document(fc) == {"publisher": "demo", **canonical_verdicts(document, publishers)}
