"""The words readers see, in their language: gettext catalogues and Babel's CLDR data.

One catalogue per language serves the pages, the card, the feeds' generated text, the
error pages and the share image, so a page and its card never disagree. The catalogues are
widget/locale/<language>/LC_MESSAGES/factcard.po (what translators edit) compiled to .mo
(what is read here); widget/locale/factcard.pot lists every message, extracted from the code
and templates with `pybabel extract` (docs/developers/languages.md). English is the source:
a message a catalogue lacks is shown in English, message by message.

Messages are English text with named placeholders, `%(name)s`; Python marks one with
`t.gettext("...")` or, where it is only named and translated later, with `N_("...")`;
templates call `_("...")` and `ngettext(...)`, which take the catalogue from the `t` the
template was given (render.py).
"""

from __future__ import annotations

import datetime
import functools
import gettext
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal

from schemas.languages import text_direction

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "factcard"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


# The names of verdict categories, for a verdict whose scale has no word in the reader's language.
CATEGORY_NAMES = {
    "true": N_("True"), "mostly-true": N_("Mostly true"), "mixed": N_("Mixed"), "misleading": N_("Misleading"),
    "mostly-false": N_("Mostly false"), "false": N_("False"), "unproven": N_("Unproven"), "other": N_("Rated"),
}  # fmt: skip


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages with a catalogue (English, the source, always), sorted."""
    shipped = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(shipped | {SOURCE_LANGUAGE}))


@functools.cache
def language_name(tag: str) -> str:
    """A language's name in its own script and words (CLDR): "Español", "العربية"; the tag when unknown."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name()
    except (UnknownLocaleError, ValueError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


def primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def choose_language(requested: str | None, fact_check_language: str) -> str:
    """The catalogue to speak: the one asked for if we have it, else the fact-check's, else English."""
    known = languages()
    for candidate in (requested, fact_check_language):
        if candidate and primary(candidate) in known:
            return primary(candidate)
    return SOURCE_LANGUAGE


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()  # the messages are the English text
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as file:
        return gettext.GNUTranslations(file)


@functools.cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)


class Messages:
    """The catalogue of one language, with its dates and numbers (CLDR, through Babel)."""

    def __init__(self, language: str):
        self.language = language
        self.locale = _locale(language)
        self._catalogue = _translations(language)

    @property
    def direction(self) -> str:
        return text_direction(self.language)

    def translate(self, message: str) -> str:
        """The message in this language (or in English), placeholders unfilled."""
        return self._catalogue.gettext(message)

    def translate_plural(self, singular: str, plural: str, count: int) -> str:
        """The form for `count` under the language's plural rule, placeholders unfilled."""
        return self._catalogue.ngettext(singular, plural, count)

    def gettext(self, message: str, **values: object) -> str:
        text = self.translate(message)
        return text % values if values else text

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The form for `count`, filled in; `%(num)s` is `count` in the language's digits."""
        return self.translate_plural(singular, plural, count) % ({"num": self.number(count)} | values)

    def around(self, message: str, field: str) -> tuple[str, str]:
        """The translated message's text before and after `%(field)s`, for a template that wraps the
        value itself (in <bdi>, so that a name in another script cannot reorder the words around it)."""
        before, _, after = self.translate(message).partition(f"%({field})s")
        return before, after

    def category(self, category: str) -> str:
        return self.gettext(CATEGORY_NAMES.get(category, CATEGORY_NAMES["other"]))

    def date(self, value: str | None) -> str:
        """A document date (or date-time) in words, the language's long form ('October 30, 2025');
        a month ('October 2022') or a year as a source may be dated."""
        if value and len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
            try:
                return format_skeleton("yMMMM", datetime.date(int(value[:4]), int(value[5:]), 1), locale=self.locale)
            except ValueError:
                return value
        if value and len(value) == 4 and value.isdigit():
            return value
        if not value or len(value) < 10:
            return ""
        try:
            day = datetime.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            return value[:10]
        return format_date(day, format="long", locale=self.locale)

    def join(self, items: list[str]) -> str:
        """Items as a list in words, by CLDR's pattern: 'A, B, and C', 'A, B y C', 'A وB وC'."""
        return format_list(items, locale=self.locale) if items else ""

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)
