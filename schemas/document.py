"""The shape of a fact-check document: every object, its fields, their kinds and limits.

This is the one description of what a document may hold. The validator
(`schemas.validation`) takes from it which keys each object allows and requires, and the
limits it holds values to; `json_schema` turns it into the JSON Schema that /openapi.json
serves. The checks no schema can say (a verdict on the publisher's scale, citations that
point at a source, a retraction only when retracted) stay hand-written in the validator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from schemas.model import CLAIMANT_TYPES, STATUSES
from schemas.urls import MAX_URL_LENGTH

# Kinds of value. Each names what a value is, not only its JSON type.
TEXT = "text"  # a line or a few of plain text
LONG_TEXT = "long text"  # Markdown prose that may cite sources as [n]
URL = "url"  # an absolute http or https URL
DATE = "date"  # a date or an RFC 3339 date-time with offset
ENUM = "enum"  # one of `values`
SLUG = "slug"  # lowercase letters, digits and single hyphens
LANGUAGE = "language tag"  # BCP 47
PUBLISHER = "publisher id"  # the id of a configured publisher
VERDICT = "verdict"  # a label of the publisher's rating scale
LIST = "list"  # a list of `item` (a kind) or of `shape` objects
OBJECT = "object"  # a `shape` object
BOOLEAN = "boolean"  # true or false; absent means false

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# BCP 47 language tag: language, optional script, region and variants.
LANGUAGE_TAG = re.compile(
    r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)
MAX_SHORT_TEXT = 500
MAX_LONG_TEXT = 20_000
MAX_ITEMS = 200
MAX_TRANSLATIONS = 50
MAX_DATE = 40
MAX_DESCRIPTION = 2000
DATE_NOTE = "A date (2025-10-30) or an RFC 3339 date-time with offset"


@dataclass(frozen=True)
class Field:
    """One key of an object: its JSON name, kind of value, whether required, and limits."""

    name: str
    kind: str
    description: str  # one line, served in /openapi.json
    required: bool = False
    max_length: int | None = None  # characters of the value, or of each item of a list
    max_items: int | None = None  # lists
    min_items: int = 0  # lists
    values: tuple[str, ...] = ()  # enums
    default: str | None = None  # enums: what an absent value means
    item: str | None = None  # lists of values: the kind of each
    shape: Shape | None = None  # objects, and lists of objects


@dataclass(frozen=True)
class Shape:
    """One kind of object in a document; it allows exactly its fields' keys."""

    name: str
    description: str
    fields: tuple[Field, ...]
    keys: frozenset[str] = field(init=False)
    required: frozenset[str] = field(init=False)
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Computed once: the validator reads them for every object of every document it checks.
        object.__setattr__(self, "keys", frozenset(f.name for f in self.fields))
        object.__setattr__(self, "required", frozenset(f.name for f in self.fields if f.required))
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    def __getitem__(self, name: str) -> Field:
        """The field called `name`; KeyError when the object has none."""
        return self._by_name[name]


def _text(name: str, description: str, *, required: bool = False, limit: int = MAX_SHORT_TEXT) -> Field:
    return Field(name, TEXT, description, required, max_length=limit)


def _long_text(name: str, description: str, *, required: bool = False) -> Field:
    return Field(name, LONG_TEXT, description, required, max_length=MAX_LONG_TEXT)


def _url(name: str, description: str, *, required: bool = False) -> Field:
    return Field(name, URL, description, required, max_length=MAX_URL_LENGTH)


def _date(name: str, description: str, *, required: bool = False) -> Field:
    return Field(name, DATE, description, required, max_length=MAX_DATE)


def _list(name: str, description: str, of: str | Shape, *, required: bool = False) -> Field:
    """A list of `of` (a kind or a shape); a required list must hold at least one item."""
    if isinstance(of, Shape):
        return Field(name, LIST, description, required, max_items=MAX_ITEMS, min_items=int(required), shape=of)
    limit = {TEXT: MAX_SHORT_TEXT, LONG_TEXT: MAX_LONG_TEXT, URL: MAX_URL_LENGTH}.get(of)
    return Field(name, LIST, description, required, limit, MAX_ITEMS, int(required), item=of)


def _object(name: str, description: str, shape: Shape) -> Field:
    return Field(name, OBJECT, description, shape=shape)


def _boolean(name: str, description: str) -> Field:
    return Field(name, BOOLEAN, description)


AUTHOR = Shape("Author", "A person who wrote the fact-check", (
    _text("name", "The author's name", required=True),
    _url("url", "The author's page on the publisher's site"),
    _list("sameAs", "Profiles elsewhere", URL),
    _url("image", "A photo of the author"),
    _text("jobTitle", "The author's role, e.g. Senior fact-checker"),
))  # fmt: skip

CLAIMANT = Shape("Claimant", "Who made the claim", (
    _text("name", "The person's or organization's name", required=True),
    Field("type", ENUM, "A Person or an Organization", values=CLAIMANT_TYPES, default=CLAIMANT_TYPES[0]),
    _text("jobTitle", "A person's role when making the claim"),
    _list("sameAs", "Profiles elsewhere", URL),
    _url("url", "The claimant's own page"),
    _url("image", "A photo or logo of the claimant"),
))  # fmt: skip

CLAIM = Shape("Claim", "One claim and its verdict", (
    _text("text", "The claim as made", required=True),
    _object("claimant", "Who made the claim", CLAIMANT),
    _date("date", "When the claim was made"),
    _list("appearances", "Where the claim appeared", URL),
    _url("firstAppearance", "Where the claim first appeared"),
    Field("verdict", VERDICT, "A label of the publisher's rating scale", required=True, max_length=100),
    _text("explanation", "Why the verdict; Markdown", limit=1000),
    _text("verdictLabel", "The verdict in the words it was first published in (an imported fact-check), "
          "published as the rating's alternateName; the verdict may then be this label, off the scale", limit=500),
))  # fmt: skip

SECTION = Shape("Section", "A headed part of the article", (
    _text("heading", "The section's heading", required=True),
    _list("paragraphs", "Markdown with [n] citation markers", LONG_TEXT, required=True),
))  # fmt: skip

SOURCE = Shape("Source", "A source the fact-check cites", (
    _text("title", "The source's title", required=True),
    _url("url", "Where the source is", required=True),
    _text("publisher", "Who published the source"),
    _date("date", "When the source was published"),
))  # fmt: skip

IMAGE = Shape("Image", "An image that illustrates the fact-check", (
    _url("url", "The image file", required=True),
    _text("alt", "Text that describes the image"),
))  # fmt: skip

CORRECTION = Shape("Correction", "A correction made after publication", (
    _date("date", "When the correction was made", required=True),
    _long_text("note", "What was corrected", required=True),
))  # fmt: skip

RETRACTION = Shape("Retraction", "Why the fact-check was withdrawn", (
    _long_text("reason", "Why the fact-check was retracted; shown to readers", required=True),
    _date("date", "When it was retracted"),
))  # fmt: skip

FACTCHECK = Shape("FactCheck", "A fact-check: one article reviewing one or more claims", (
    Field("slug", SLUG, "The fact-check's address under /checks/", required=True, max_length=120),
    Field("status", ENUM, "Where the fact-check is in its life", values=STATUSES, default=STATUSES[0]),
    _text("headline", "The article's headline", required=True, limit=300),
    Field("language", LANGUAGE, "BCP 47 language tag, e.g. en or pt-BR", required=True, max_length=35),
    Field("publisher", PUBLISHER, "A configured publisher id; the first by default"),
    _list("authors", "Who wrote the fact-check", AUTHOR),
    _date("datePublished", "When first published"),
    _date("dateModified", "When last changed"),
    _long_text("summary", "Executive summary; Markdown with [n] citation markers", required=True),
    _list("claims", "The claims reviewed, at least one", CLAIM, required=True),
    _list("sections", "The article body", SECTION),
    _long_text("bottomLine", "The conclusion; Markdown with [n] citation markers"),
    _list("sources", "Numbered from 1 in this order; cited as [n]", SOURCE),
    _list("relatedQuestions", "Questions readers also ask", TEXT),
    _list("tags", "Topics, for finding related fact-checks", TEXT),
    _object("image", "An image that illustrates the fact-check", IMAGE),
    _list("corrections", "Corrections made after publication, oldest first", CORRECTION),
    _object("retraction", "Only on a retracted fact-check", RETRACTION),
    Field("translations", LIST, "Slugs of the fact-checks that translate this one into other languages",
          max_length=120, max_items=MAX_TRANSLATIONS, item=SLUG),
    _text("description", "The review's short description, as the ClaimReview gives it", limit=MAX_DESCRIPTION),
    _url("originalUrl", "Where the fact-check was first published (an imported one), named in sameAs"),
    _boolean("originalIsCanonical", "The original article stays the canonical page (it needs originalUrl): "
             "the ClaimReview, the feeds and the card link to it, and this service's page names it canonical"),
))  # fmt: skip


def walk(shape: Shape = FACTCHECK, path: str = "") -> Iterator[tuple[str, Shape]]:
    """Every object in a document as (path, shape), with `[0]` standing for any list item."""
    yield path, shape
    for each in shape.fields:
        if each.shape is not None:
            where = f"{path}.{each.name}" if path else each.name
            yield from walk(each.shape, f"{where}[0]" if each.kind == LIST else where)


# -- the JSON Schema --------------------------------------------------------------------------


def json_schema(shape: Shape = FACTCHECK) -> dict[str, Any]:
    """The JSON Schema (2020-12, as OpenAPI 3.1 uses) of a `shape` object: closed, like the validator."""
    schema: dict[str, Any] = {"type": "object", "description": shape.description, "additionalProperties": False}
    required = [each.name for each in shape.fields if each.required]
    if required:
        schema["required"] = required
    schema["properties"] = {each.name: _field_schema(each) for each in shape.fields}
    return schema


def _field_schema(each: Field) -> dict[str, Any]:
    if each.kind == LIST:
        items = json_schema(each.shape) if each.shape is not None else _value_schema(each.item or TEXT, each, True)
        schema: dict[str, Any] = {"type": "array", "items": items}
        if each.min_items:
            schema["minItems"] = each.min_items
        if each.max_items is not None:
            schema["maxItems"] = each.max_items
    elif each.kind == OBJECT:
        assert each.shape is not None
        schema = json_schema(each.shape)
    else:
        schema = _value_schema(each.kind, each, each.required)
    note = DATE_NOTE if each.kind == DATE else None
    schema["description"] = f"{each.description}. {note}" if note else each.description
    return schema


def _value_schema(kind: str, each: Field, nonempty: bool) -> dict[str, Any]:
    """The schema of one value of `kind`; `nonempty` when blank text is refused (required, or a list item)."""
    if kind == ENUM:
        schema: dict[str, Any] = {"enum": list(each.values)}
        if each.default is not None:
            schema["default"] = each.default
        return schema
    if kind == BOOLEAN:
        return {"type": "boolean", "default": False}
    schema = {"type": "string"}
    if kind == URL:
        schema |= {"format": "uri", "pattern": "^https?://"}
    elif kind == SLUG:
        schema["pattern"] = SLUG_PATTERN.pattern
    elif kind == LANGUAGE:
        schema["pattern"] = LANGUAGE_TAG.pattern
    elif nonempty and kind in (TEXT, LONG_TEXT, VERDICT):
        schema["minLength"] = 1
    if each.max_length is not None:
        schema["maxLength"] = each.max_length
    return schema
