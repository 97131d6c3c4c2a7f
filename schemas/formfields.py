"""A fact-check document as the fields of an HTML form, and back.

The desk's editor is a plain form that works without JavaScript, so a document travels as
flat name/value pairs. The names follow the document's own paths with dots:
`headline`, `claims.0.text`, `claims.0.claimant.name`, `sources.2.url`. Both directions
are driven by the one description of a document (schemas/document.py), so every field the
model has is in the form, and a field added there appears here without more code.

Lists of objects (claims, sources, sections...) are numbered rows; a row left wholly blank
is dropped, so a form can offer an empty row to fill. Lists of plain values are one
textarea: one value per line, except Markdown paragraphs, which are separated by a blank
line (a paragraph may wrap). A yes-or-no field is a checkbox: checked, it sends `true`;
unchecked, nothing, which is false. A validation error's path (`claims[0].claimant.name`,
`sections[1].paragraphs[2]`) names the form field that holds it (`field_of_error`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from schemas.document import BOOLEAN, FACTCHECK, LIST, LONG_TEXT, OBJECT, Field, Shape

CHECKED = "true"  # what a checked checkbox sends

MAX_ROWS = 200  # as many as a document may hold; a form naming row 10**9 is ignored, not allocated


def to_form(document: Mapping[str, Any], shape: Shape = FACTCHECK, prefix: str = "") -> dict[str, str]:
    """The form fields that show `document`: name -> text."""
    fields: dict[str, str] = {}
    for each in shape.fields:
        name = prefix + each.name
        value = document.get(each.name)
        if value is None:
            continue
        if each.kind == OBJECT and each.shape is not None and isinstance(value, Mapping):
            fields.update(to_form(value, each.shape, name + "."))
        elif each.kind == LIST and each.shape is not None and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    fields.update(to_form(item, each.shape, f"{name}.{index}."))
        elif each.kind == LIST and isinstance(value, list):
            fields[name] = _separator(each).join(str(item) for item in value)
        elif each.kind == BOOLEAN:
            if value is True:
                fields[name] = CHECKED
        else:
            fields[name] = str(value)
    return fields


def from_form(fields: Mapping[str, str], shape: Shape = FACTCHECK, prefix: str = "") -> dict[str, Any]:
    """The document the form's fields hold. Blank fields are left out (the validator then names
    what is required); nothing is validated here."""
    document: dict[str, Any] = {}
    for each in shape.fields:
        name = prefix + each.name
        if each.kind == OBJECT and each.shape is not None:
            nested = from_form(fields, each.shape, name + ".")
            if nested:
                document[each.name] = nested
        elif each.kind == LIST and each.shape is not None:
            rows = [from_form(fields, each.shape, f"{name}.{index}.") for index in row_numbers(fields, name)]
            rows = [row for row in rows if row]
            if rows:
                document[each.name] = rows
        elif each.kind == LIST:
            items = _split(fields.get(name, ""), each)
            if items:
                document[each.name] = items
        elif each.kind == BOOLEAN:
            # Checked or not; a value other than a checkbox's is left to the validator to name.
            text = fields.get(name, "").strip()
            if text:
                document[each.name] = True if text == CHECKED else text
        else:
            text = fields.get(name, "").strip()
            if text:
                document[each.name] = text
    return document


def row_numbers(fields: Mapping[str, str], name: str) -> list[int]:
    """The row numbers the form has for list `name` (`claims` -> [0, 1, 3]), in order."""
    start = name + "."
    numbers = set()
    for key in fields:
        if key.startswith(start):
            head = key[len(start) :].split(".", 1)[0]
            if head.isdigit() and len(head) <= 3 and int(head) < MAX_ROWS:
                numbers.add(int(head))
    return sorted(numbers)


def field_of_error(path: str) -> str:
    """The form field a validation error's path points at: `claims[0].claimant.name` ->
    `claims.0.claimant.name`; an item of a plain list points at the list's textarea."""
    name = re.sub(r"\[(\d+)\]", r".\1", path)
    parts = name.split(".")
    # A plain list is one field: drop a trailing item number (`tags.2` -> `tags`).
    if len(parts) > 1 and parts[-1].isdigit() and not _is_object_list(parts[:-1]):
        parts = parts[:-1]
    return ".".join(parts)


def renumbered(fields: Mapping[str, str], name: str, order: list[int]) -> dict[str, str]:
    """`fields` with the rows of list `name` (`claims`, `claims.0.appearances`...) put in
    `order` (old row numbers, new order; rows left out are removed) and numbered from 0."""
    start = name + "."
    kept = {key: value for key, value in fields.items() if not key.startswith(start)}
    for new, old in enumerate(order):
        old_prefix = f"{start}{old}."
        for key, value in fields.items():
            if key.startswith(old_prefix):
                kept[f"{start}{new}." + key[len(old_prefix) :]] = value
    return kept


def form_names(shape: Shape = FACTCHECK, prefix: str = "") -> Iterator[tuple[str, Field]]:
    """Every field of the form, rows numbered `{n}`: ("claims.{n}.claimant.name", Field)."""
    for each in shape.fields:
        name = prefix + each.name
        if each.kind == OBJECT and each.shape is not None:
            yield from form_names(each.shape, name + ".")
        elif each.kind == LIST and each.shape is not None:
            yield from form_names(each.shape, name + ".{n}.")
        else:
            yield name, each


def _separator(each: Field) -> str:
    return "\n\n" if each.item == LONG_TEXT else "\n"


def _split(text: str, each: Field) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces = re.split(r"\n\s*\n", text) if each.item == LONG_TEXT else text.split("\n")
    return [piece.strip() for piece in pieces if piece.strip()]


def _is_object_list(parts: list[str]) -> bool:
    """Whether `parts` (`claims`, `claims.0.appearances`) names a list of objects."""
    shape: Shape | None = FACTCHECK
    each: Field | None = None
    for part in parts:
        if part.isdigit():
            continue
        if shape is None:
            return False
        try:
            each = shape[part]
        except KeyError:
            return False
        shape = each.shape
    return each is not None and each.kind == LIST and each.shape is not None
