"""`originalIsCanonical`: the newsroom keeps its CMS, and the original article stays the canonical
page of an imported fact-check. The field itself: read, written back, refused without the
original article it points at."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from feed.api.openapi import FACTCHECK_SCHEMA
from schemas.errors import ValidationError
from schemas.model import load_factcheck, to_document
from schemas.validation import parse_factcheck
from tests.conftest import demo_documents

ORIGINAL = "https://news.example/2021/05/the-moon-is-cheese/"


def kept(*, claims: int = 1) -> dict[str, Any]:
    """A demo fact-check with `claims` claims, imported from ORIGINAL, which stays canonical."""
    document = copy.deepcopy(next(d for d in demo_documents() if len(d["claims"]) >= claims))
    document["claims"] = document["claims"][:claims]
    return document | {"originalUrl": ORIGINAL, "originalIsCanonical": True, "publisher": "demo"}


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
