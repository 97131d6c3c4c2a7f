"""The card: what an embedded fact-check shows, the embed code that asks for it, and oEmbed.

A card is as tall as what it shows (widget/size.py estimates it; card.js measures it), and
fits any shorter frame down to MIN_HEIGHT by dropping its least important lines. So widget.js
can keep a frame at the height the host page already gave its blockquote whenever changing it
would move something the reader sees.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from schemas.claimreview import review_url
from schemas.languages import text_direction
from schemas.markdown import plain_text
from schemas.model import Claim, FactCheck
from schemas.publisher import Publisher
from widget.i18n import Messages, choose_language
from widget.size import CARD_HEIGHT, CARD_WIDTH, card_height, claim_lines, footer_rows

THEMES = ("light", "dark", "auto")
MAX_OTHER_LANGUAGES = 3
ICONS = {"true": "✓", "mostly-true": "✓", "mixed": "◐", "misleading": "!", "mostly-false": "✗", "false": "✗"}


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@dataclass(frozen=True)
class OtherLanguage:
    """A translation of the fact-check, which the card offers as "also in"."""

    language: str  # BCP 47
    name: str  # the language's name in itself
    url: str  # its page


@dataclass(frozen=True)
class CardLinks:
    """The service's addresses a card and its embed code name (the service builds them)."""

    origin: str  # the service's origin, without a trailing slash
    page_url: str  # the fact-check's page here, which embed code names (the card's fallback)
    card_url: str  # its card with the defaults, the iframe's src
    widget_js: str  # the loader that turns the embed code into the card
    other_languages: tuple[OtherLanguage, ...] = ()  # its published translations


@dataclass(frozen=True)
class CardRequest:
    # None: the card's address names it (card.js reads it), so one card answers every theme;
    # a theme is written into the card only where its address cannot say (the desk's preview).
    theme: str | None = None
    lang: str | None = None
    claim: int = 1


def claim_number(fc: FactCheck, number: int) -> int:
    """A claim number made valid for `fc`: out-of-range numbers become the nearest claim."""
    return min(max(number, 1), len(fc.claims))


def verdict_words(fc: FactCheck, publisher: Publisher, claim: Claim, messages: Messages) -> tuple[str, str, str]:
    """(words, category, colour) of a verdict in the card's language.

    The publisher's label in the card's language when its scale has words for it (the
    fact-check's own tag first, so a regional translation wins), and the label itself when
    the card speaks the fact-check's language; otherwise the name of its normalised category
    from the catalogue, so a card never mixes languages.
    """
    label = publisher.scale.find(claim.verdict)
    category = label.category if label else "other"
    colour = label.colour if label else "#4a5568"
    same_language = messages.language == fc.language.split("-")[0].lower()
    words = label.translation(fc.language if same_language else messages.language) if label else None
    if words is None:
        words = claim.verdict if same_language else messages.category(category)
    return words, category, colour


def card_title(fc: FactCheck, messages: Messages) -> str:
    """The fact-check's title for its page's title tags and for oEmbed: a retraction says so."""
    if fc.status == "retracted":
        return messages.gettext("Retracted: %(headline)s", headline=fc.headline)
    return fc.headline


def _shown(fc: FactCheck, publisher: Publisher, page_url: str, number: int, t: Messages) -> dict[str, Any]:
    """What the card and its no-script fallback both show for claim `number`."""
    claim = fc.claims[number - 1]
    words, category, colour = verdict_words(fc, publisher, claim, t)
    return {
        "t": t, "fc_lang": fc.language, "publisher": publisher.name, "retracted": fc.status == "retracted",
        "title": t.gettext("Fact check: %(claim)s", claim=claim.text), "claim": claim.text,
        "claimant": claim.claimant.name if claim.claimant else None, "verdict": words, "category": category,
        "colour": colour, "explanation": plain_text(claim.explanation) if claim.explanation else "",
        # What "Read the full fact-check" opens: the claim's review, on the original article when
        # that stays the canonical page.
        "link": review_url(page_url, fc, number - 1),
    }  # fmt: skip


def natural_height(fc: FactCheck, number: int, t: Messages, width: int) -> int:
    """The estimated height of the card for claim `number` laid out `width` px wide."""
    claim = fc.claims[number - 1]
    lines = claim_lines(t.gettext("Claim:") + " ", claim.text, width)
    note = bool(claim.explanation) or fc.status == "retracted"
    footer = footer_rows(_checked_on(fc, t), t.gettext("Read the full fact-check"), width)
    return card_height(lines, claim.claimant is not None, note, footer)


def _checked_on(fc: FactCheck, t: Messages) -> str:
    return t.gettext("Checked on %(date)s", date=t.date(fc.date_published)) if fc.date_published else ""


def card_page(
    templates: Environment, fc: FactCheck, publisher: Publisher, links: CardLinks, request: CardRequest
) -> tuple[str, str]:
    """The card's HTML and its Content-Security-Policy (hashes of its one style and one script)."""
    language = choose_language(request.lang, fc.language)
    t = Messages(language)
    shown = _shown(fc, publisher, links.page_url, claim_number(fc, request.claim), t)
    css, js, policy = card_assets(templates)
    # The logo only when we serve it: the card makes no third-party requests.
    logo = publisher.logo if publisher.logo and publisher.logo.startswith(links.origin + "/") else None
    html = templates.get_template("card.html").render(
        **shown, lang=language, dir=text_direction(language), theme=request.theme,
        css=Markup(css), js=Markup(js),  # noqa: S704 (our own files)
        logo=logo, icon=ICONS.get(shown["category"], "?"),
        # A few, in the header row: the card keeps its height whatever it offers.
        others=[(other, text_direction(other.language)) for other in links.other_languages[:MAX_OTHER_LANGUAGES]],
        date=_checked_on(fc, t),
    )  # fmt: skip
    return html, policy


@functools.lru_cache(maxsize=8)  # one environment a process, but tests make many
def card_assets(templates: Environment) -> tuple[str, str, str]:
    """The card's one stylesheet, its one script, and the Content-Security-Policy that allows
    exactly those two: the same for every card (deploy/nginx.conf sends it for the static build)."""
    css = templates.get_template("card.css").render()
    js = templates.get_template("card.js").render()
    policy = (
        f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors *"
    )
    return css, js, policy


def embed_code(
    templates: Environment, fc: FactCheck, publisher: Publisher, links: CardLinks,
    width: int = CARD_WIDTH, claim: int = 1, height: int | None = None,
) -> str:  # fmt: skip
    """The blockquote + script snippet publishers paste; readable as-is with JavaScript off.

    Its data-height is `height`, or else the card's estimated height at `width`.
    """
    t = Messages(choose_language(None, fc.language))
    number = claim_number(fc, claim)
    return templates.get_template("embed_code.html").render(
        **_shown(fc, publisher, links.page_url, number, t), page_url=links.page_url, number=number,
        height=height or natural_height(fc, number, t, width), width=width, theme="light", lang=None,
        date=t.date(fc.date_published), date_iso=fc.date_published or "", widget_js=links.widget_js,
    ).strip()  # fmt: skip


def iframe_code(templates: Environment, fc: FactCheck, links: CardLinks, width: int = CARD_WIDTH) -> str:
    """The iframe-only snippet, for hosts that allow no third-party script."""
    t = Messages(choose_language(None, fc.language))
    return templates.get_template("embed_iframe.html").render(
        card_url=links.card_url, title=t.gettext("Fact check: %(claim)s", claim=fc.claims[0].text),
        width=width, height=natural_height(fc, 1, t, width),
    ).strip()  # fmt: skip


def oembed(
    templates: Environment, fc: FactCheck, publisher: Publisher, links: CardLinks,
    provider_name: str, maxwidth: int | None, maxheight: int | None = None, claim: int = 1,
) -> dict[str, Any]:  # fmt: skip
    """The oEmbed response for claim `claim`.

    A maxheight under the card's height gets a card that tall (the card fits itself to it);
    the caller has turned away sizes under MIN_WIDTH and MIN_HEIGHT.
    """
    width = min(CARD_WIDTH, maxwidth) if maxwidth else CARD_WIDTH
    t = Messages(choose_language(None, fc.language))
    number = claim_number(fc, claim)
    height = min(natural_height(fc, number, t, width), maxheight or CARD_HEIGHT)
    return {
        "version": "1.0",
        "type": "rich",
        "title": card_title(fc, t),
        "author_name": publisher.name,
        "author_url": publisher.url,
        "provider_name": provider_name,
        "provider_url": links.origin + "/",
        "cache_age": 3600,
        "width": width,
        "height": height,
        "html": embed_code(templates, fc, publisher, links, width, number, height),
    }
