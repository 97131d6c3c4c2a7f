"""The validator and the OpenAPI schema agree with the one description of a document.

Independent of the demo data: documents are built from the description itself, one
object at a time, so an object the demo documents never use is checked too.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from feed.api.openapi import FACTCHECK_SCHEMA
from schemas.document import (
    BOOLEAN,
    DATE,
    ENUM,
    FACTCHECK,
    LANGUAGE,
    LIST,
    LONG_TEXT,
    OBJECT,
    PUBLISHER,
    SLUG,
    TEXT,
    URL,
    VERDICT,
    Field,
    Shape,
    walk,
)
from schemas.errors import ValidationError
from schemas.validation import parse_factcheck

OBJECTS = list(walk())
SAMPLES = {
    TEXT: "Some text",
    LONG_TEXT: "Some prose.",
    URL: "https://example.org/page",
    DATE: "2025-10-30",
    SLUG: "a-slug",
    LANGUAGE: "en",
    BOOLEAN: True,
}


def sample(each: Field, publishers: Any) -> Any:
    """A valid value for `each`: the smallest the description allows."""
    if each.kind == OBJECT:
        assert each.shape is not None
        return minimal(each.shape, publishers)
    if each.kind == LIST and each.item == SLUG:
        return ["its-translation"]  # slugs of other fact-checks: not the document's own "a-slug"
    if each.kind == LIST:
        item = minimal(each.shape, publishers) if each.shape else SAMPLES[each.item or TEXT]
        return [item] * max(each.min_items, 1)
    if each.kind == ENUM:
        return each.default or each.values[0]
    if each.kind == VERDICT:
        return next(iter(publishers.values())).scale.labels[0].label
    if each.kind == PUBLISHER:
        return next(iter(publishers))
    return SAMPLES[each.kind]


def minimal(shape: Shape, publishers: Any) -> dict[str, Any]:
    """An object of `shape` with only its required fields."""
    return {each.name: sample(each, publishers) for each in shape.fields if each.required}


def steps(path: str) -> list[tuple[str, bool]]:
    """`claims[0].claimant` as [("claims", True), ("claimant", False)]: key, and whether a list."""
    return [(part.removesuffix("[0]"), part.endswith("[0]")) for part in path.split(".") if part]


def document_with(path: str, publishers: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A minimal document that holds the object at `path`, and that object (to change in place)."""
    document = minimal(FACTCHECK, publishers)
    node, shape = document, FACTCHECK
    for key, is_list in steps(path):
        child_shape = shape[key].shape
        assert child_shape is not None
        if key not in node:
            node[key] = [minimal(child_shape, publishers)] if is_list else minimal(child_shape, publishers)
        node, shape = (node[key][0] if is_list else node[key]), child_shape
    # Published: what a draft may still lack (a verdict) is required of what readers see.
    document["status"] = "published"
    if path == "retraction":
        document["status"] = "retracted"  # the one object another field must agree with
    return document, node


def schema_at(path: str) -> dict[str, Any]:
    node = FACTCHECK_SCHEMA
    for key, is_list in steps(path):
        node = node["properties"][key]
        if is_list:
            node = node["items"]
    return node


def error_fields(document: dict[str, Any], publishers: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        parse_factcheck(document, publishers)
    return {e.field: e.message for e in raised.value.errors}


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def test_the_description_names_every_object_of_a_document() -> None:
    assert [path for path, _ in OBJECTS] == [
        "", "authors[0]", "claims[0]", "claims[0].claimant", "sections[0]", "sources[0]", "image",
        "corrections[0]", "retraction",
    ]  # fmt: skip


@pytest.mark.parametrize(("path", "shape"), OBJECTS, ids=[p or "(document)" for p, _ in OBJECTS])
def test_openapi_schema_closes_each_object_with_the_described_fields(path: str, shape: Shape) -> None:
    schema = schema_at(path)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == shape.keys
    assert set(schema.get("required", [])) == shape.required
    assert list(schema["properties"]) == [each.name for each in shape.fields]


@pytest.mark.parametrize(("path", "shape"), OBJECTS, ids=[p or "(document)" for p, _ in OBJECTS])
def test_validator_and_schema_accept_a_minimal_object_and_refuse_an_unknown_key(
    path: str, shape: Shape, publishers: Any
) -> None:
    schema = Draft202012Validator(FACTCHECK_SCHEMA)
    document, node = document_with(path, publishers)
    parse_factcheck(document, publishers)
    assert list(schema.iter_errors(document)) == []

    node["colour"] = "red"
    assert error_fields(document, publishers).get(join(path, "colour")) == "is not a known field"
    assert list(schema.iter_errors(document)) != []


@pytest.mark.parametrize(
    ("path", "name"),
    [(path, name) for path, shape in OBJECTS for name in sorted(shape.required)],
    ids=[join(path, name) for path, shape in OBJECTS for name in sorted(shape.required)],
)
def test_validator_and_schema_name_each_missing_required_field(path: str, name: str, publishers: Any) -> None:
    schema = Draft202012Validator(FACTCHECK_SCHEMA)
    document, node = document_with(path, publishers)
    del node[name]
    assert join(path, name) in error_fields(document, publishers)
    assert list(schema.iter_errors(document)) != []


def test_validator_and_schema_accept_every_described_field(publishers: Any) -> None:
    """Each object holding every one of its fields, optional ones too, passes both."""
    schema = Draft202012Validator(FACTCHECK_SCHEMA)
    for path, shape in OBJECTS:
        document, node = document_with(path, publishers)
        for each in shape.fields:
            node.setdefault(each.name, sample(each, publishers))
        if "retraction" in document:
            document["status"] = "retracted"
        parse_factcheck(copy.deepcopy(document), publishers)
        assert list(schema.iter_errors(document)) == [], path
