"""Reading typed fields out of an untrusted document, recording every problem instead of raising.

`schemas.validation` walks a document with it; which keys an object allows and how long a value
may be come from the document's description (`schemas.document`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.dates import is_date_or_datetime, is_year_or_month
from schemas.document import Field, Shape
from schemas.errors import FieldError
from schemas.text import character_problem
from schemas.urls import incoming_url, link_problem


class Reader:
    """Reads typed fields out of nested dicts, recording problems instead of raising.

    Which keys an object allows, which it requires and how long a value may be come from
    the document's description (`schemas.document`); what is wrong with a value is said here.
    """

    def __init__(self, incoming: bool) -> None:
        self.errors: list[FieldError] = []
        self.incoming = incoming
        self.final = True  # held to what publication needs (not a draft)

    def characters(self, value: str, where: str) -> bool:
        """False (and the problem recorded) when new text holds a character it may not."""
        problem = character_problem(value) if self.incoming else None
        if problem:
            self.fail(where, problem)
        return problem is None

    def url_problem(self, value: object) -> tuple[object, str | None]:
        """`value` as kept (an IRI arriving becomes its URI) and why it is not an http(s) URL valid
        by RFC 3986, or None; one stored before RFC 3986 was checked is read as it is."""
        return incoming_url(value) if self.incoming else (value, link_problem(value))

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def obj(self, value: Any, path: str, shape: Shape) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(path or "(document)", "must be an object")
            return None
        for key in sorted(set(value) - shape.keys):
            self.fail(join_path(path, key), "is not a known field")
        return value

    def text(self, data: Mapping[str, Any], field: Field, path: str) -> str | None:
        value = data.get(field.name)
        where = join_path(path, field.name)
        limit = field.max_length
        assert limit is not None, field.name
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required:
                self.fail(where, "is required")
            return None
        if not isinstance(value, str):
            self.fail(where, "must be a string")
            return None
        if len(value) > limit:
            self.fail(where, f"must be at most {limit} characters (has {len(value)})")
        self.characters(value, where)
        return value

    def url(self, data: Mapping[str, Any], field: Field, path: str) -> str | None:
        key = field.name
        value = data.get(key)
        if value is None:
            if field.required:
                self.fail(join_path(path, key), "is required")
            return None
        value, problem = self.url_problem(value)
        if problem:
            self.fail(join_path(path, key), problem)
            return None
        if not self.characters(str(value), join_path(path, key)):
            return None
        return str(value)

    def boolean(self, data: Mapping[str, Any], field: Field, path: str) -> bool:
        """true or false; absent (or null) is false."""
        value = data.get(field.name)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(join_path(path, field.name), "must be true or false")
            return False
        return value

    def moment(self, data: Mapping[str, Any], field: Field, path: str, *, partial: bool = False) -> str | None:
        """A date or date-time; with `partial` also a year or a month (`2022`, `2022-10`), as
        schema.org's Date allows and a source is often dated."""
        value = self.text(data, field, path)
        if value is not None and partial and is_year_or_month(value):
            return value
        if value is not None and not is_date_or_datetime(value):
            message = "must be a date (2025-10-30) or an RFC 3339 date-time with offset"
            if partial:
                message = "must be a year (2022), a month (2022-10), a date (2022-10-30) or an RFC 3339 date-time"
            self.fail(join_path(path, field.name), message)
            return None
        return value

    def items(self, data: Mapping[str, Any], field: Field, path: str) -> list[Any]:
        value = data.get(field.name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(join_path(path, field.name), "must be a list")
            return []
        if field.max_items is not None and len(value) > field.max_items:
            self.fail(join_path(path, field.name), f"must have at most {field.max_items} items")
            return []
        return value

    def strings(self, data: Mapping[str, Any], field: Field, path: str) -> tuple[str, ...]:
        out = []
        limit = field.max_length
        assert limit is not None, field.name
        for index, item in enumerate(self.items(data, field, path)):
            where = f"{join_path(path, field.name)}[{index}]"
            if not isinstance(item, str) or not item.strip():
                self.fail(where, "must be a non-empty string")
            elif len(item) > limit:
                self.fail(where, f"must be at most {limit} characters")
            elif self.characters(item, where):
                out.append(item)
        return tuple(out)

    def urls(self, data: Mapping[str, Any], field: Field, path: str) -> tuple[str, ...]:
        out = []
        for index, item in enumerate(self.items(data, field, path)):
            where = f"{join_path(path, field.name)}[{index}]"
            kept, problem = self.url_problem(item)
            if problem:
                self.fail(where, problem)
            elif self.characters(str(kept), where):
                out.append(str(kept))
        return tuple(out)


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
