"""Which fact-checks translate which: a fact-check names its translations (document field
`translations`), and this table keeps those links so the other direction is one query too.

A translation's page links to the fact-check it translates and to that one's other
translations (hreflang, "also in"), so a change to one member of a group changes the pages of
the whole group: `with_translations` widens a set of changed slugs to their groups, before
and after the change (a link just removed still changes the page it was removed from).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from feed.store.sql import Cursor, SQLBase


def named_translations(document: Mapping[str, Any]) -> list[str]:
    named = document.get("translations")
    return [slug for slug in named if isinstance(slug, str)] if isinstance(named, list) else []


def _chunks(items: list[str], size: int = 400) -> Iterator[list[str]]:
    """Lists short enough for one statement's parameters on any SQLite."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class TranslationLinks(SQLBase):
    def _link_translations(self, cur: Cursor, slug: str, document: Mapping[str, Any]) -> None:
        """Make the links of `slug` those its document names (inside the write's transaction)."""
        cur.execute("DELETE FROM translation_links WHERE slug = ?", (slug,))
        for translation in named_translations(document):
            cur.execute("INSERT INTO translation_links (slug, translation) VALUES (?, ?)", (slug, translation))

    def translation_group(self, slug: str) -> list[str]:
        """The other members of `slug`'s group, whatever their status: the fact-checks it names,
        the ones naming it, and the others those name. Sorted; `slug` itself left out."""
        return sorted(self._groups([slug]) - {slug})

    def _groups(self, slugs: Iterable[str]) -> set[str]:
        wanted = set(slugs)
        return wanted | {slug for pair in self.translation_pairs(wanted) for slug in pair}

    def translation_pairs(self, slugs: Iterable[str]) -> set[tuple[str, str]]:
        """Every (original, translation) link of the groups `slugs` belong to."""
        originals: set[str] = set()
        for chunk in _chunks(sorted(set(slugs))):
            marks = ", ".join("?" for _ in chunk)
            # The originals: the slugs themselves and whatever names them; then all they name.
            rows = self._query(f"SELECT slug FROM translation_links WHERE translation IN ({marks})", chunk)
            originals.update(chunk, (str(row[0]) for row in rows))
        pairs: set[tuple[str, str]] = set()
        for chunk in _chunks(sorted(originals)):
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(f"SELECT slug, translation FROM translation_links WHERE slug IN ({marks})", chunk)
            pairs.update((str(row[0]), str(row[1])) for row in rows)
        return pairs

    def published_languages(self, slugs: Iterable[str]) -> dict[str, str]:
        """The language of each of `slugs` that is published."""
        found: dict[str, str] = {}
        for chunk in _chunks(sorted(set(slugs))):
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(
                f"SELECT slug, document FROM factchecks WHERE status = 'published' AND slug IN ({marks})", chunk
            )
            found.update((str(row[0]), str(orjson.loads(row[1])["language"])) for row in rows)
        return found

    def with_translations(self, written: set[str], after: int, upto: int) -> set[str]:
        """`written` (slugs changed between two snapshots) and every member of their groups,
        as the links are now and as the documents named them just before and during the change."""
        if not written:
            return written
        before: set[str] = set()
        marks = ", ".join("?" for _ in written)
        rows = self._query(
            "SELECT r.document FROM revisions r WHERE r.id <= ? AND r.slug IN (" + marks + ") AND ("
            "r.id > ? OR r.id = (SELECT MAX(p.id) FROM revisions p WHERE p.slug = r.slug AND p.id <= ?))",
            (upto, *sorted(written), after, after),
        )
        for (document,) in rows:
            before.update(named_translations(orjson.loads(document)))
        return self._groups(written | before)
