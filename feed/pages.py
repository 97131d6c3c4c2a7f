"""Canonical pages: the fact-check page, its JSON twin, the home page, scale colours."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from feed.caching import cache_control, cached_response, representation
from feed.clock import store_time
from feed.context import Context, context_of
from feed.problems import HTTPProblem
from feed.query import page_number
from feed.rendercache import FIXED, LISTING
from feed.representation import page_view, record_json, text_direction, verdict_class
from feed.store import PUBLIC_STATUSES, Record
from schemas.markdown import plain_text
from schemas.model import FactCheck
from widget.card import card_title, embed_code, iframe_code
from widget.i18n import Messages, choose_language

# Open Graph wants language_TERRITORY. A bare language gets the territory most of its readers
# are in, as Facebook's locale list has it (so Arabic is ar_AR); others fall back to ll_LL.
TERRITORIES = {
    "af": "ZA", "am": "ET", "ar": "AR", "bg": "BG", "bn": "IN", "ca": "ES", "cs": "CZ", "da": "DK", "de": "DE",
    "el": "GR", "en": "US", "es": "ES", "et": "EE", "fa": "IR", "fi": "FI", "fil": "PH", "fr": "FR", "he": "IL",
    "hi": "IN", "hr": "HR", "hu": "HU", "id": "ID", "it": "IT", "ja": "JP", "ka": "GE", "ko": "KR", "ms": "MY",
    "nb": "NO", "ne": "NP", "nl": "NL", "pl": "PL", "pt": "BR", "ro": "RO", "ru": "RU", "sk": "SK", "sr": "RS",
    "sv": "SE", "sw": "KE", "ta": "IN", "th": "TH", "tl": "PH", "tr": "TR", "uk": "UA", "ur": "PK", "vi": "VN",
    "zh": "CN", "zh-hant": "TW",
}  # fmt: skip
# A heading its author already numbered: "1. Foo", "2) Bar", "3 - Baz" (not "3.5 million").
NUMBERED = re.compile(r"\d{1,3}\s*[.):\-\u2013\u2014](?:\s|$)")


def og_locale(language: str) -> str:
    """The Open Graph locale of a BCP 47 tag: its own region when it names one."""
    subtags = language.split("-")
    lang = subtags[0].lower()
    region = next((tag.upper() for tag in subtags[1:] if len(tag) == 2 and tag.isalpha()), None)
    usual = TERRITORIES.get("-".join(subtags[:2]).lower()) or TERRITORIES.get(lang) or lang.upper()
    return f"{lang}_{region or usual}"


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut between words and ending in "…" when cut."""
    if len(text) <= limit:
        return text
    head = text[:limit]  # the character after the kept ones shows whether a word ends there
    space = head.rfind(" ")
    # Text without spaces (or one very long word) is cut where it must be.
    kept = head[:space] if space > limit // 2 else head[: limit - 1]
    return kept.rstrip(" ,.;:-\u2013\u2014") + "…"


def link_citations(view: dict[str, Any]) -> dict[int, str]:
    """Give each citation marker an id, in reading order: cite-3, then cite-3-2 for its second.

    Returns the id of each source's first citation, where its back link goes.
    """
    first: dict[int, str] = {}
    seen: Counter[int] = Counter()

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node["t"] == "cite":
                seen[node["n"]] += 1
                node["id"] = f"cite-{node['n']}" + (f"-{seen[node['n']]}" if seen[node["n"]] > 1 else "")
                first.setdefault(node["n"], node["id"])
            elif "c" in node:
                walk(node["c"])

    # The order check.html shows them in.
    for claim in view["claims"]:
        walk(claim["explanation"] or [])
    walk(view["summary"])
    for section in view["sections"]:
        for paragraph in section["paragraphs"]:
            walk(paragraph)
    walk(view["bottom_line"] or [])
    return first


def public_factcheck(ctx: Context, slug: str) -> tuple[FactCheck, Record]:
    """A published or retracted fact-check, or a 404 (drafts are not public)."""
    record = ctx.store.get(slug)
    if record is None or record.status not in PUBLIC_STATUSES:
        raise HTTPProblem(404, "Not found", f"No published fact-check is called {slug!r}.")
    return ctx.publishing.parse(record.document), record


def check_page(request: Request) -> Response:
    ctx = context_of(request)
    slug = request.path_params["slug"]
    fc, record = public_factcheck(ctx, slug)
    page_url = ctx.publishing.page_url(slug)
    publisher = ctx.publishers[fc.publisher]
    view = page_view(fc, publisher, page_url)
    t = Messages(choose_language(None, fc.language))  # the card's catalogues, so page and card agree
    base = ctx.settings.base_url
    retracted = fc.status == "retracted"
    if retracted and fc.retraction:
        description = shorten(f"{t('retracted_notice')} {plain_text(fc.retraction.reason)}", 300)
    else:
        description = shorten(plain_text(fc.summary), 300)
    html = ctx.templates.get_template("check.html").render(
        **view | {"description": description},
        title=card_title(fc, t),
        t=t,
        og_locale=og_locale(fc.language),
        cited=link_citations(view),
        numbered=[bool(NUMBERED.match(section.heading)) for section in fc.sections],
        # A retracted fact-check is not offered for embedding; cards already out say it was retracted.
        embed_code=None if retracted else embed_code(ctx.templates, fc, publisher, page_url, base),
        iframe_code=None if retracted else iframe_code(ctx.templates, fc, base),
        oembed_url=None if retracted else f"{base}/oembed?{urlencode({'url': page_url, 'format': 'json'})}",
    )
    links = f'<{page_url}.json>; rel="alternate"; type="application/json", <{page_url}>; rel="canonical"'
    rep = representation(html.encode(), "text/html; charset=utf-8", store_time(record.updated_at))
    return cached_response(request, rep, _control(ctx), {"Link": links}, ("check", slug))


def check_json(request: Request) -> Response:
    ctx = context_of(request)
    slug = request.path_params["slug"]
    fc, record = public_factcheck(ctx, slug)
    page_url = ctx.publishing.page_url(slug)
    body = orjson.dumps(record_json(record, fc, ctx.publishers[fc.publisher], page_url))
    rep = representation(body, "application/json", store_time(record.updated_at))
    link = f'<{page_url}>; rel="alternate"; type="text/html"'
    return cached_response(request, rep, _control(ctx), {"Link": link}, ("check", slug))


def home(request: Request) -> Response:
    ctx = context_of(request)
    page = page_number(request)
    size = ctx.settings.page_size
    total = ctx.store.count(["published"])
    pages = max(1, -(-total // size))
    if page > pages:
        raise HTTPProblem(404, "Not found", f"There are only {pages} page(s) of fact-checks.")
    items = []
    for record in ctx.store.newest(["published"], size, (page - 1) * size):
        fc = ctx.publishing.parse(record.document)
        view = page_view(fc, ctx.publishers[fc.publisher], ctx.publishing.page_url(fc.slug))
        items.append({
            **view, "description": shorten(plain_text(fc.summary), 240), "direction": text_direction(fc.language),
            "t": Messages(choose_language(None, fc.language)),
        })  # fmt: skip
    base = ctx.settings.base_url
    html = ctx.templates.get_template("index.html").render(
        items=items,
        page=page,
        pages=pages,
        prev_url=(f"{base}/?page={page - 1}" if page > 2 else f"{base}/") if page > 1 else None,
        next_url=f"{base}/?page={page + 1}" if page < pages else None,
    )
    api = f"{base}/api/checks" + (f"?page={page}" if page > 1 else "")
    newest = ctx.store.change_time(ctx.store.public_snapshot())
    rep = representation(html.encode(), "text/html; charset=utf-8", store_time(newest) if newest else None)
    link = f'<{api}>; rel="alternate"; type="application/json"'
    return cached_response(request, rep, _control(ctx), {"Link": link}, LISTING)


def _control(ctx: Context) -> str:
    return cache_control(ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate)


def scale_css(request: Request) -> Response:
    """Badge colours for every configured rating scale, so pages need no inline styles."""
    ctx = context_of(request)
    rules = []
    for publisher in ctx.publishers.values():
        for index, label in enumerate(publisher.scale.labels):
            # Colours were validated as #rrggbb when the settings were loaded.
            rules.append(f".{verdict_class(publisher, index)} {{ background: {label.colour}; }}")
    rep = representation(("\n".join(rules) + "\n").encode(), "text/css; charset=utf-8", None)
    return cached_response(request, rep, _control(ctx), cache_scope=FIXED)
