"""The card: what an embedded fact-check shows, the embed code that asks for it, and oEmbed.

The full card has a fixed height (the claim is clamped to three lines, the claimant and
the explanation to one), so the height in the embed code is exact. The card also fits any
shorter frame down to MIN_HEIGHT by dropping its least important lines, which lets widget.js
keep a card that is already on screen at the height the host page gave its blockquote: the
host layout never moves.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from feed.representation import text_direction
from schemas.markdown import plain_text
from schemas.model import Claim, FactCheck
from schemas.publisher import Publisher
from widget.i18n import Messages, choose_language

CARD_HEIGHT = 232  # px; the full card is this tall whatever its width or text
MIN_HEIGHT = 86  # px; the most compact card: claim on one line, verdict, link
CARD_WIDTH = 550  # px; the widest a card is laid out, like other social embeds
MIN_WIDTH = 260
THEMES = ("light", "dark", "auto")
ICONS = {"true": "✓", "mostly-true": "✓", "mixed": "◐", "misleading": "!", "mostly-false": "✗", "false": "✗"}


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@dataclass(frozen=True)
class CardRequest:
    theme: str = "light"
    lang: str | None = None
    claim: int = 1


def _claim(fc: FactCheck, number: int) -> Claim:
    return fc.claims[min(max(number, 1), len(fc.claims)) - 1]


def verdict_words(fc: FactCheck, publisher: Publisher, claim: Claim, messages: Messages) -> tuple[str, str, str]:
    """(words, category, colour) of a verdict in the card's language.

    The publisher's own label when the card speaks the fact-check's language; otherwise the
    label of its normalised category from the catalogue, so a card never mixes languages.
    """
    label = publisher.scale.find(claim.verdict)
    category = label.category if label else "other"
    colour = label.colour if label else "#4a5568"
    same_language = messages.language == fc.language.split("-")[0].lower()
    return (claim.verdict if same_language else messages.category(category)), category, colour


def card_page(
    templates: Environment, fc: FactCheck, publisher: Publisher, page_url: str, base_url: str, request: CardRequest
) -> tuple[str, str]:
    """The card's HTML and its Content-Security-Policy (hashes of its one style and one script)."""
    language = choose_language(request.lang, fc.language)
    t = Messages(language)
    claim = _claim(fc, request.claim)
    words, category, colour = verdict_words(fc, publisher, claim, t)
    css = templates.get_template("card.css").render(height=CARD_HEIGHT, min_height=MIN_HEIGHT, colour=colour)
    js = templates.get_template("card.js").render()
    # The logo only when we serve it: the card makes no third-party requests.
    logo = publisher.logo if publisher.logo and publisher.logo.startswith(base_url + "/") else None
    html = templates.get_template("card.html").render(
        lang=language, dir=text_direction(language), theme=request.theme, fc_lang=fc.language,
        title=t("frame_title", claim=claim.text), css=Markup(css), js=Markup(js),  # noqa: S704 (our own files)
        retracted=fc.status == "retracted", logo=logo, publisher=publisher.name, t=t,
        claim=claim.text, claimant=claim.claimant.name if claim.claimant else None,
        icon=ICONS.get(category, "?"), verdict=words,
        explanation=plain_text(claim.explanation) if claim.explanation else "",
        date=t("checked_on", date=t.date(fc.date_published)) if fc.date_published else "", page_url=page_url,
    )  # fmt: skip
    policy = (
        f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors *"
    )
    return html, policy


def embed_code(
    templates: Environment, fc: FactCheck, publisher: Publisher, page_url: str, base_url: str,
    width: int = CARD_WIDTH,
) -> str:  # fmt: skip
    """The blockquote + script snippet publishers paste; readable as-is with JavaScript off."""
    t = Messages(choose_language(None, fc.language))
    claim = _claim(fc, 1)
    words, _, _ = verdict_words(fc, publisher, claim, t)
    return templates.get_template("embed_code.html").render(
        page_url=page_url, height=CARD_HEIGHT, width=width, theme="light", lang=None,
        title=t("frame_title", claim=claim.text),
        fc_lang=fc.language, t=t, claim=claim.text, verdict=words, retracted=fc.status == "retracted",
        claimant=claim.claimant.name if claim.claimant else None,
        explanation=plain_text(claim.explanation) if claim.explanation else None,
        publisher=publisher.name, date=t.date(fc.date_published), date_iso=fc.date_published or "",
        base_url=base_url,
    ).strip()  # fmt: skip


def iframe_code(templates: Environment, fc: FactCheck, base_url: str, width: int = CARD_WIDTH) -> str:
    """The iframe-only snippet, for hosts that allow no third-party script."""
    t = Messages(choose_language(None, fc.language))
    return templates.get_template("embed_iframe.html").render(
        base_url=base_url, slug=fc.slug, title=t("frame_title", claim=_claim(fc, 1).text),
        width=width, height=CARD_HEIGHT,
    ).strip()  # fmt: skip


def oembed(
    templates: Environment, fc: FactCheck, publisher: Publisher, page_url: str, base_url: str,
    provider_name: str, maxwidth: int | None,
) -> dict[str, Any]:  # fmt: skip
    width = min(CARD_WIDTH, maxwidth) if maxwidth else CARD_WIDTH
    return {
        "version": "1.0",
        "type": "rich",
        "title": fc.headline,
        "author_name": publisher.name,
        "author_url": publisher.url,
        "provider_name": provider_name,
        "provider_url": base_url + "/",
        "cache_age": 3600,
        "width": width,
        "height": CARD_HEIGHT,
        "html": embed_code(templates, fc, publisher, page_url, base_url, width),
    }
