"""What real ClaimReview markup says, made plain: the values behind the quirks of live pages.

Pages give a name as a list, text with HTML entities left in (`It&#039;s`), a trailing `\\r`,
ratings as strings, empty strings or `-1` for "no rating", verdicts as slugs (`really_false`),
types in lower case (`creativeWork`), and URLs relative or without a scheme. Each function takes
one such value and returns what it means, or None when it means nothing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

# Entities are sometimes encoded twice (`&amp;#039;`): decode until nothing changes, a few times.
_ENTITY_ROUNDS = 3
_TAG = re.compile(r"<[^<>]{1,200}>")
_SLUG_WORDS = re.compile(r"^[\w]+(?:[_-][\w]+)+$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def listed(value: Any) -> list[Any]:
    """A markup value that may be one thing or a list of them, as a list (None: empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text(value: Any) -> str | None:
    """A text value: the first non-empty of a list, a node's `name`, entities decoded, markup
    tags dropped, whitespace (a trailing `\\r` too) made single spaces."""
    if isinstance(value, list):
        for item in value:
            found = text(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text(value.get("name") or value.get("@value"))
    if value is None or isinstance(value, bool):
        return None
    words = str(value)
    for _ in range(_ENTITY_ROUNDS):
        decoded = html.unescape(words)
        if decoded == words:
            break
        words = decoded
    words = _TAG.sub(" ", words) if "<" in words else words
    return " ".join(words.split()) or None


def texts(value: Any) -> list[str]:
    """Every text of a value given as one or a list (several authors, several names)."""
    items = value if isinstance(value, list) else [value]
    return [found for found in (text(item) for item in items) if found]


def label(value: Any) -> str | None:
    """A verdict as published: kept exactly, but for surrounding whitespace (a trailing `\\r`)."""
    words = text(value) if not isinstance(value, str) else html.unescape(value).strip()
    return words or None


def label_words(published: str) -> str:
    """A verdict written as a slug (`really_false`, `não_é_bem_assim`, `mostly-true`) as words,
    to be matched against a scale's labels; any other label as it is."""
    if _SLUG_WORDS.match(published) and " " not in published:
        return re.sub(r"[_-]+", " ", published)
    return published


def number(value: Any) -> float | None:
    """A rating number: `5`, `"5"`, `"3,5"`; None for `""`, words, or nothing."""
    if isinstance(value, list):
        return number(value[0]) if value else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    raw = str(value).strip().replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        return None


@dataclass(frozen=True)
class Rating:
    """A review's numbers, when they mean something: `value` between `worst` and `best`."""

    value: float
    best: float
    worst: float

    @property
    def fraction(self) -> float:
        """Where the value lies from worst (0) to best (1)."""
        return (self.value - self.worst) / (self.best - self.worst)


def rating(node: Any) -> Rating | None:
    """A Rating node's numbers; None when any is missing, they are all -1 (a convention for "no
    number"), the scale is empty, or the value lies outside it."""
    if not isinstance(node, dict):
        return None
    value, best, worst = (
        number(node.get("ratingValue")),
        number(node.get("bestRating")),
        number(node.get("worstRating")),
    )
    if value is None:
        return None
    best = 5.0 if best is None else best  # schema.org's defaults
    worst = 1.0 if worst is None else worst
    if value == best == worst == -1 or best == worst:
        return None
    if not min(best, worst) <= value <= max(best, worst):
        return None
    return Rating(value, best, worst)


def is_type(node: Any, name: str) -> bool:
    """True when a node is of type `name`, however the page cased it (`creativeWork`, `claim`)."""
    if not isinstance(node, dict):
        return False
    kinds = node.get("@type")
    wanted = name.casefold()
    return any(
        str(kind).rsplit("/", 1)[-1].casefold() == wanted for kind in (kinds if isinstance(kinds, list) else [kinds])
    )


def url(value: Any, base: str) -> str | None:
    """An http(s) URL, a relative (`/2024/05/x/`) or scheme-less (`//site/x`) one resolved against
    `base` (the page's canonical link, else the URL fetched); None for anything else."""
    if isinstance(value, list):
        return next((found for found in (url(item, base) for item in value) if found), None)
    if isinstance(value, dict):
        return url(value.get("url") or value.get("@id"), base)
    if not isinstance(value, str) or not value.strip() or value.strip().startswith("_:"):
        return None
    resolved = urljoin(base, html.unescape(value.strip()))
    parts = urlsplit(resolved)
    return resolved if parts.scheme in ("http", "https") and parts.netloc else None


def day(value: Any) -> str | None:
    """A date as the model takes it: an RFC 3339 date-time with offset kept, else its day
    (`2024-03-05`); None when it is no date."""
    raw = text(value)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        found = _DATE.match(raw)
        if not found:
            return None
        try:
            return date(int(found[1]), int(found[2]), int(found[3])).isoformat()
        except ValueError:
            return None
    if moment.tzinfo is not None and ("T" in raw or " " in raw):
        return moment.isoformat()
    return moment.date().isoformat()
