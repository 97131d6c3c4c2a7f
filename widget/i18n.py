"""Message catalogues for the card: one JSON file per language in widget/messages/.

The card speaks the fact-check's own language unless the embed asks for another with
`data-lang`; unknown languages fall back to the fact-check's language, then English.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import orjson

MESSAGES = Path(__file__).with_name("messages")


@functools.cache
def catalogues() -> dict[str, dict[str, Any]]:
    return {path.stem: orjson.loads(path.read_bytes()) for path in sorted(MESSAGES.glob("*.json"))}


def primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def choose_language(requested: str | None, fact_check_language: str) -> str:
    known = catalogues()
    for candidate in (requested, fact_check_language):
        if candidate and primary(candidate) in known:
            return primary(candidate)
    return "en"


class Messages:
    def __init__(self, language: str):
        self.language = language
        self.catalogue = catalogues()[language]

    def __call__(self, key: str, **values: str) -> str:
        text: str = self.catalogue[key]
        return text.format(**values) if values else text

    def around(self, key: str, field: str) -> tuple[str, str]:
        """The message's text before and after `{field}`, for a template that wraps the value
        itself (in <bdi>, so that a name in another script cannot reorder the words around it)."""
        before, _, after = self.catalogue[key].partition("{" + field + "}")
        return before, after

    def category(self, category: str) -> str:
        names: dict[str, str] = self.catalogue["categories"]
        return names.get(category, names["other"])

    def date(self, value: str | None) -> str:
        """A document date (or date-time) in words, e.g. 'October 30, 2025'."""
        if not value or len(value) < 10:
            return ""
        year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
        return self("date_format", day=str(day), month=self.catalogue["months"][month - 1], year=str(year))
