"""Slugs proposed from headlines, in any script.

A slug is the end of a fact-check's web address (/checks/{slug}): lowercase ASCII letters,
digits and single hyphens (`schemas.document.SLUG_PATTERN`), so it reads the same in every
browser, feed reader and log. A headline in another script is transliterated with anyascii
("هل يسبب اللقاح العقم" -> "hl-ysbb-llqh-l-qm", "क्या टीका" -> "kya-tika"); one with nothing
to transliterate (only emoji or punctuation) gets a slug from the date, "fact-check-2025-10-30".
A proposal is only that: the writer may change it until the fact-check is first saved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

from anyascii import anyascii

MAX_PROPOSED = 80  # a slug may be 120 characters; a proposed one stays shorter, cut between words
MAX_TRIES = 1000  # "-2" to "-999" after a slug that is taken
_JUNK = re.compile(r"[^a-z0-9]+")


def slug_of(headline: str) -> str:
    """The slug `headline` proposes, or "" when it has no letters or digits in any script."""
    words = []
    for char in unicodedata.normalize("NFC", headline):
        category = unicodedata.category(char)
        if category == "So":
            words.append(" ")  # emoji and pictographs: anyascii spells them ":smile:", not a word
        elif char.isascii():
            words.append(char)
        elif unicodedata.name(char, "").startswith("CJK"):
            words.append(f" {anyascii(char)} ")  # one ideograph, one syllable: "yi-miao", not "yimiao"
        else:
            words.append(anyascii(char))
    slug = _JUNK.sub("-", "".join(words).lower()).strip("-")
    if len(slug) > MAX_PROPOSED:
        cut = slug[: MAX_PROPOSED + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:MAX_PROPOSED]
    return slug


def dated_slug(today: date) -> str:
    """The slug of a headline with nothing to transliterate: the day it was written."""
    return f"fact-check-{today.isoformat()}"


def free_slug(slug: str, taken: Callable[[str], bool]) -> str:
    """`slug`, or `slug-2`, `slug-3`... the first that `taken` says is free (`slug` if none is)."""
    if not taken(slug):
        return slug
    for number in range(2, MAX_TRIES):
        candidate = f"{slug}-{number}"
        if not taken(candidate):
            return candidate
    return slug  # saving it names the conflict


def propose_slug(headline: str, today: date, taken: Callable[[str], bool]) -> str:
    """A free slug for a new fact-check called `headline`, written on `today`."""
    return free_slug(slug_of(headline) or dated_slug(today), taken)
