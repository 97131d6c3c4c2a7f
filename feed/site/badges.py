"""Verdict badges: a small SVG per label of each configured rating scale, at a fixed URL.

ClaimReview's `reviewRating.image` points here, so search results and fact-check tools
can show a verdict the way its publisher's pages do: white text on the scale's colour.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from feed.core.problems import HTTPProblem
from feed.core.urls import Urls
from feed.render.context import Context
from feed.render.rendered import FIXED, Rendered, rendered
from schemas.publisher import Publisher
from schemas.ratings import RatingLabel

# The URL is fixed but its bytes follow the settings file, so not `immutable`: fresh for a
# day, then revalidated against its strong ETag.
CONTROL = "public, max-age=86400, stale-while-revalidate=604800"
HEIGHT = 32
FONT_SIZE = 16
PADDING = 14


def badge_names(publisher: Publisher) -> list[str]:
    """The `index` part of each badge's path: `N` for label N of the scale, `N-TAG` for its
    words in language TAG (one per translation the settings give)."""
    names = []
    for index, label in enumerate(publisher.scale.labels):
        names += [str(index), *(f"{index}-{tag}" for tag, _ in label.translations)]
    return names


def with_badges(publisher: Publisher, urls: Urls) -> Publisher:
    """`publisher`, naming the badge this service serves for each label of its scale."""
    labels = publisher.scale.labels
    images = tuple(urls.url("badge", publisher=publisher.id, index=index) for index in range(len(labels)))
    translated = tuple(
        tuple((tag, urls.url("badge", publisher=publisher.id, index=f"{index}-{tag}")) for tag, _ in label.translations)
        for index, label in enumerate(labels)
    )
    return replace(publisher, verdict_images=images, translated_verdict_images=translated)


def text_width(text: str) -> int:
    """An estimate of `text`'s width in bold sans-serif at FONT_SIZE.

    The SVG fits the glyphs to exactly this width (textLength), so the estimate only has to
    be close for the badge to look right in whatever font the viewer has.
    """
    return max(1, round(sum(_em_width(ch) for ch in text) * FONT_SIZE))


def _em_width(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "iljI.,:;'!|":
        return 0.3
    if ch in "ftr ":
        return 0.42
    if ch in "mwMW":
        return 0.92
    return 0.7 if ch.isupper() else 0.6


def badge_view(label: RatingLabel, words: str | None = None) -> dict[str, Any]:
    """The badge of `label`, saying `words` (its words in some language) or the label itself."""
    words = words or label.label
    width = text_width(words)
    return {
        "label": words,
        "colour": label.colour,
        "width": width + 2 * PADDING,
        "height": HEIGHT,
        "text_width": width,
        "font_size": FONT_SIZE,
        "x": PADDING + width // 2,
        "baseline": HEIGHT // 2 + round(FONT_SIZE * 0.35),  # centres a cap-height line
    }


def verdict_badge(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    publisher = ctx.publishers.get(params["publisher"])
    raw, dash, tag = params["index"].partition("-")
    # One URL per badge: no leading zeros, no index past the scale, a language only as the
    # settings spell one of the label's translations.
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 and str(int(raw)) == raw else None
    if publisher is None or number is None or number >= len(publisher.scale.labels):
        raise HTTPProblem(404, "Not found", "No verdict badge has that publisher and number.")
    label = publisher.scale.labels[number]
    words = dict(label.translations).get(tag) if dash else None
    if dash and words is None:
        raise HTTPProblem(404, "Not found", "That verdict has no words in that language.")
    svg = ctx.templates.get_template("verdict.svg").render(**badge_view(label, words))
    return rendered(svg.encode(), "image/svg+xml", None, CONTROL, scope=FIXED)
