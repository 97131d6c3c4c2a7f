"""A fact-check's other language versions, as its page, card, JSON-LD and sitemap show them.

A fact-check names its translations (document field `translations`); the store keeps the
links both ways (feed.store.translations). The group of a fact-check is the one that names
translations (the original) and every one it names; only published members are shown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from feed.render.context import Context
from schemas.claimreview import LanguageVersions, Work
from schemas.languages import text_direction
from schemas.model import FactCheck


@dataclass(frozen=True)
class Version:
    """One published language version of a fact-check."""

    slug: str
    language: str  # its BCP 47 tag
    url: str  # its page
    original: bool  # it is the one that names the others

    @property
    def name(self) -> str:
        """The language's name in itself ("Español", "العربية"), as a link to it reads."""
        return autonym(self.language)

    @property
    def direction(self) -> str:
        return text_direction(self.language)


@dataclass(frozen=True)
class Versions:
    """Every published version of a fact-check (itself included), by language tag."""

    current: str  # the slug of the fact-check these are of
    all: tuple[Version, ...]

    @property
    def others(self) -> tuple[Version, ...]:
        return tuple(version for version in self.all if version.slug != self.current)

    @property
    def default(self) -> Version | None:
        """The version for readers of any other language (hreflang x-default): the original."""
        return next((version for version in self.all if version.original), None)

    def linked(self) -> LanguageVersions | None:
        """The JSON-LD links: the original it translates, or the translations it has."""
        if not self.others:
            return None
        original = self.default
        if original is not None and original.slug != self.current:
            return LanguageVersions(original=Work(original.url, original.language))
        return LanguageVersions(translations=tuple(Work(v.url, v.language) for v in self.others if not v.original))


def sitemap_alternates(ctx: Context, slugs: list[str]) -> dict[str, list[tuple[str, str]]]:
    """For each of `slugs` with published translations: (hreflang, URL) of every published
    version of its group, itself included, and x-default for the original."""
    pairs = ctx.store.translation_pairs(slugs)
    if not pairs:
        return {}
    languages = ctx.store.published_languages({slug for pair in pairs for slug in pair})
    groups: dict[str, set[str]] = {}
    for original, translation in pairs:
        groups.setdefault(original, {original}).add(translation)
    alternates: dict[str, list[tuple[str, str]]] = {}
    for original, members in groups.items():
        shown = sorted((languages[slug], slug) for slug in members if slug in languages)
        if len(shown) < 2:
            continue
        links = [(language, ctx.urls.check(slug)) for language, slug in shown]
        if original in languages:
            links.append(("x-default", ctx.urls.check(original)))
        for _, slug in shown:
            alternates[slug] = links
    return alternates


@functools.cache
def autonym(tag: str) -> str:
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name() or tag
    except (UnknownLocaleError, ValueError):
        return tag
    return name[:1].upper() + name[1:]


def language_versions(ctx: Context, fc: FactCheck) -> Versions:
    """The published versions of `fc`'s translation group (only itself when it has none)."""
    own = Version(fc.slug, fc.language, ctx.urls.check(fc.slug), bool(fc.translations))
    members = ctx.store.translation_group(fc.slug)
    if not members:
        return Versions(fc.slug, (own,))
    found = [own]
    for slug in members:
        record = ctx.store.get(slug)
        if record is None or record.status != "published":
            continue
        other = ctx.publishing.load(record.document)
        found.append(Version(slug, other.language, ctx.urls.check(slug), bool(other.translations)))
    # One page per language in hreflang: the original's first, then by slug.
    by_language: dict[str, Version] = {}
    for version in sorted(found, key=lambda v: (not v.original, v.slug)):
        by_language.setdefault(version.language.lower(), version)
    by_language[own.language.lower()] = own  # on its own page, a fact-check stands for its language
    return Versions(fc.slug, tuple(sorted(by_language.values(), key=lambda v: v.language.lower())))
