"""A document as form fields and back (schemas/formfields.py): every field of the model, rows
added, removed and reordered, errors pointed at their fields."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.document import FACTCHECK, LIST, Shape
from schemas.errors import ValidationError
from schemas.formfields import field_of_error, form_names, from_form, renumbered, row_numbers, to_form
from schemas.validation import parse_factcheck
from tests.conftest import demo_documents


def every_key(shape: Shape = FACTCHECK) -> set[str]:
    keys = set()
    for each in shape.fields:
        keys.add(each.name)
        if each.shape is not None:
            keys |= every_key(each.shape)
    return keys


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value)) if value else set()
    return set()


def test_every_demo_document_survives_the_form() -> None:
    documents = demo_documents()
    for document in documents:
        assert from_form(to_form(document)) == document, document["slug"]
    # Between them the demo documents use nearly every key the model has: the form is tested on them.
    unused = every_key() - set().union(*(keys_of(d) for d in documents))
    assert unused <= {"publisher", "dateModified", "image", "url", "alt", "firstAppearance", "jobTitle", "sameAs",
                      "retraction", "reason", "date", "relatedQuestions", "status",
                      # what an imported fact-check carries (test_an_imported_document_survives_the_form)
                      "description", "originalUrl", "verdictLabel", "originalIsCanonical"}, unused  # fmt: skip


def test_an_imported_document_survives_the_form() -> None:
    document = demo_documents()[0]
    claim = {**document["claims"][0], "verdict": "Really false", "verdictLabel": "Really false"}
    claim["claimant"] = {"name": "A. Senator", "type": "Person", "url": "https://senate.example/a",
                         "image": "https://senate.example/a.jpg", "jobTitle": "Senator"}  # fmt: skip
    imported = {
        **document,
        "claims": [claim],
        "authors": [{"name": "A. Writer", "image": "https://news.example/a.jpg", "jobTitle": "Reporter"}],
        "description": "What the review said of itself.",
        "originalUrl": "https://news.example/2021/05/really-false/",
    }
    assert from_form(to_form(imported)) == imported
    kept = {**imported, "originalIsCanonical": True}  # the newsroom keeps its CMS
    assert to_form(kept)["originalIsCanonical"] == "true"
    assert from_form(to_form(kept)) == kept


def test_a_checkbox_is_true_when_checked_and_absent_when_not() -> None:
    """A checked box sends `true`; an unchecked one sends nothing at all, which is false (left out)."""
    document = demo_documents()[0]
    fields = to_form(document)
    assert "originalIsCanonical" not in fields
    assert "originalIsCanonical" not in from_form(fields)
    assert from_form({**fields, "originalIsCanonical": "true"})["originalIsCanonical"] is True
    # Anything else is kept as sent, for the validator to refuse by name.
    assert from_form({**fields, "originalIsCanonical": "yes"})["originalIsCanonical"] == "yes"


def test_every_field_of_the_model_has_a_form_field() -> None:
    names = dict(form_names())
    assert "claims.{n}.claimant.jobTitle" in names and "sources.{n}.url" in names and "image.alt" in names
    assert "sections.{n}.paragraphs" in names and "translations" in names and "retraction.reason" in names
    assert "authors.{n}.image" in names and "claims.{n}.claimant.url" in names and "claims.{n}.verdictLabel" in names
    assert set(names) == set(leaf_paths())


def leaf_paths(shape: Shape = FACTCHECK, prefix: str = "") -> list[str]:
    """Every field that holds a value (not an object or a list of objects), rows numbered `{n}`."""
    found = []
    for each in shape.fields:
        if each.shape is None:
            found.append(prefix + each.name)
        else:
            found += leaf_paths(each.shape, prefix + each.name + (".{n}." if each.kind == LIST else "."))
    return found


def test_blank_rows_are_dropped_and_text_is_split_as_written() -> None:
    fields = {
        "headline": "  A headline ", "claims.0.text": "It is so", "claims.0.verdict": "False",
        "claims.1.text": "", "claims.1.claimant.name": "  ",  # the empty row the form offers
        "sections.0.heading": "One", "sections.0.paragraphs": "First [1].\r\n\r\nSecond,\r\nwrapped.\n\n\n",
        "tags": "health\n\n  myths \n", "claims.0.appearances": "https://a.example/1\r\nhttps://a.example/2",
    }  # fmt: skip
    document = from_form(fields)
    assert document == {
        "headline": "A headline",
        "claims": [{"text": "It is so", "appearances": ["https://a.example/1", "https://a.example/2"],
                    "verdict": "False"}],
        "sections": [{"heading": "One", "paragraphs": ["First [1].", "Second,\nwrapped."]}],
        "tags": ["health", "myths"],
    }  # fmt: skip


def test_errors_point_at_their_fields() -> None:
    assert field_of_error("claims[0].claimant.name") == "claims.0.claimant.name"
    assert field_of_error("sections[1].paragraphs[2]") == "sections.1.paragraphs"
    assert field_of_error("claims[0].appearances[1]") == "claims.0.appearances"
    assert field_of_error("tags[3]") == "tags"
    assert field_of_error("sources[2]") == "sources.2"
    assert field_of_error("headline") == "headline"


def test_validation_errors_of_a_form_name_fields_the_form_has(publishers: Any) -> None:
    fields = to_form(demo_documents()[1]) | {"claims.1.verdict": "Nonsense", "sources.0.url": "javascript:x"}
    with pytest.raises(ValidationError) as caught:
        parse_factcheck(from_form(fields), publishers)
    named = {field_of_error(e.field) for e in caught.value.errors}
    assert named == {"claims.1.verdict", "sources.0.url"}
    assert named <= set(fields)


def test_rows_are_reordered_and_removed() -> None:
    fields = to_form(demo_documents()[1])  # three claims
    texts = [claim["text"] for claim in from_form(fields)["claims"]]
    moved = renumbered(fields, "claims", [2, 0, 1])
    assert [claim["text"] for claim in from_form(moved)["claims"]] == [texts[2], texts[0], texts[1]]
    removed = renumbered(fields, "claims", [0, 2])
    assert [claim["text"] for claim in from_form(removed)["claims"]] == [texts[0], texts[2]]
    assert row_numbers(removed, "claims") == [0, 1]


def test_absurd_row_numbers_are_ignored() -> None:
    fields = {"claims.0.text": "a", "claims.99999999999999999999999.text": "b", "claims.250.text": "c"}
    assert row_numbers(fields, "claims") == [0]
    assert from_form(fields) == {"claims": [{"text": "a"}]}
