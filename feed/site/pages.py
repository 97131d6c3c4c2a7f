"""Canonical pages: the fact-check page, its JSON twin, the home page, scale colours.

Each view takes the context, the route's path parameters and its query parameters, and
returns what to answer (feed.render.rendered.Rendered): no Request, so the HTTP handlers, the
render cache and the static build all get the same bytes from it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import orjson
from markupsafe import Markup

from feed.api.openapi import openapi_document
from feed.core.problems import HTTPProblem
from feed.core.query import MAX_PAGE, language_tag, whole_number
from feed.core.representation import page_view, record_json, verdict_class
from feed.render.cache import canonical_key
from feed.render.caching import cache_control
from feed.render.context import Context
from feed.render.lookup import public_factcheck
from feed.render.rendered import FIXED, LISTING, Rendered, of_check, rendered
from feed.site.cards import card_links
from feed.site.shareimage import HEIGHT, WIDTH, ShareImageUnavailable, share_image
from feed.site.translations import language_versions
from feed.store import facet_key
from feed.store.clock import store_time
from schemas.languages import text_direction
from schemas.markdown import plain_text
from schemas.model import FactCheck
from widget.card import card_title, embed_code, iframe_code, verdict_words
from widget.i18n import Messages, choose_language, primary

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


def ui_attributes(t: Messages, page_language: str) -> Markup:
    """lang and dir for the page's own words when they are not in the page's language (a
    fact-check in a language without a catalogue has them in English)."""
    if t.language == primary(page_language):
        return Markup("")
    return Markup(f' lang="{t.language}" dir="{t.direction}"')  # noqa: S704 (a catalogue's name)


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


def check_page(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    slug = params["slug"]
    fc, record = public_factcheck(ctx, slug)
    html = check_html(ctx, fc)
    # The canonical URL is in the HTML only (<link rel="canonical">): it may be the original article,
    # which the static build's nginx, answering by URL pattern, could not name in a header.
    link = f'<{ctx.urls.check_json(slug)}>; rel="alternate"; type="application/json"'
    return rendered(html.encode(), "text/html; charset=utf-8", store_time(record.updated_at), _control(ctx),
                    {"Link": link}, of_check(slug))  # fmt: skip


def check_html(ctx: Context, fc: FactCheck) -> str:
    """The page of `fc`, stored or not: the public page, and the desk's preview of a draft."""
    slug = fc.slug
    urls = ctx.urls
    page_url = urls.check(slug)
    publisher = ctx.publishers[fc.publisher]
    versions = language_versions(ctx, fc)
    view = page_view(fc, publisher, page_url, versions.linked())
    t = Messages(choose_language(None, fc.language))  # the card's catalogues, so page and card agree
    retracted = fc.status == "retracted"
    if retracted and fc.retraction:
        notice = t.gettext("This fact-check has been retracted.")
        description = shorten(f"{notice} {plain_text(fc.retraction.reason)}", 300)
    else:
        description = shorten(plain_text(fc.summary), 300)
    links = card_links(urls, fc)
    return ctx.templates.get_template("check.html").render(
        **view | {"description": description},
        title=card_title(fc, t),
        t=t,
        ui=ui_attributes(t, fc.language),
        versions=versions,
        # Each tag, claimant and author links to their page of fact-checks (feed.site.browse).
        browse=lambda kind, name: urls.browse(kind, facet_key(name)),
        og_locale=og_locale(fc.language),
        cited=link_citations(view),
        numbered=[bool(NUMBERED.match(section.heading)) for section in fc.sections],
        # A retracted fact-check is not offered for embedding; cards already out say it was retracted.
        embed_code=None if retracted else embed_code(ctx.templates, fc, publisher, links),
        iframe_code=None if retracted else iframe_code(ctx.templates, fc, links),
        oembed_url=None if retracted else urls.check_oembed(slug),
        share_image={
            "url": urls.share_image(slug),
            "width": WIDTH,
            "height": HEIGHT,
            "alt": t.gettext(
                "%(claim)s (Verdict: %(verdict)s)",
                claim=fc.claims[0].text,
                verdict=verdict_words(fc, publisher, fc.claims[0], t)[0],
            ),
        },
    )


def check_json(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    slug = params["slug"]
    fc, record = public_factcheck(ctx, slug)
    page_url = ctx.urls.check(slug)
    versions = language_versions(ctx, fc).linked()
    body = orjson.dumps(record_json(record, fc, ctx.publishers[fc.publisher], page_url, versions))
    link = f'<{page_url}>; rel="alternate"; type="text/html"'
    return rendered(body, "application/json", store_time(record.updated_at), _control(ctx), {"Link": link},
                    of_check(slug))  # fmt: skip


def home(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    """The list of fact-checks, newest first: page 1 at /, page N at /page/N (or /?page=N).

    `?lang=es` lists only those in that language and its forms (es-MX, es-419), on every page.
    """
    if "page" in params:
        # /page/1 is / by another name: one address per page.
        page = params["page"] if 2 <= params["page"] <= MAX_PAGE else 0
        if not page:
            raise HTTPProblem(404, "Not found", "Page 1 of the fact-checks is /; later pages are /page/2 and on.")
    else:
        page = whole_number(query.get("page"), "page", 1, MAX_PAGE) or 1
    language = language_tag(query.get("lang"))
    size = ctx.settings.page_size
    total = ctx.store.count(["published"], language)
    pages = max(1, -(-total // size))
    if page > pages:
        raise HTTPProblem(404, "Not found", f"There are only {pages} page(s) of fact-checks.")
    items = []
    urls = ctx.urls
    filtered = {"lang": language} if language else {}
    api_url = urls.url("api_checks", {**filtered, **({"page": str(page)} if page > 1 else {})} or None)
    for record in ctx.store.newest(["published"], size, (page - 1) * size, language):
        fc = ctx.publishing.load(record.document)
        view = page_view(fc, ctx.publishers[fc.publisher], urls.check(fc.slug))
        words = Messages(choose_language(None, fc.language))  # an item's date, in its own language
        items.append({
            **view, "description": shorten(plain_text(fc.summary), 240), "direction": text_direction(fc.language),
            "t": words, "ui": ui_attributes(words, fc.language),
        })  # fmt: skip
    html = ctx.templates.get_template("index.html").render(
        t=Messages(choose_language(language, ctx.settings.language)),
        items=items,
        page=page,
        pages=pages,
        filter_language=language,
        canonical_url=urls.home(page, language),
        api_url=api_url,
        prev_url=urls.home(page - 1, language) if page > 1 else None,
        next_url=urls.home(page + 1, language) if page < pages else None,
    )
    newest = ctx.store.change_time(ctx.store.public_snapshot())
    link = f'<{api_url}>; rel="alternate"; type="application/json"'
    # /?page=2 and /page/2 are one page, kept once; ?lang=ES and ?lang=es too. A language none
    # is in answers an empty list, not kept: made-up tags cannot crowd the cache.
    path = ctx.urls.path("home") if page == 1 else ctx.urls.path("home_page", page=page)
    key = canonical_key(path, filtered.items())
    scope = LISTING if total or not language else None
    return rendered(html.encode(), "text/html; charset=utf-8", store_time(newest) if newest else None,
                    _control(ctx), {"Link": link}, scope, key)  # fmt: skip


def _control(ctx: Context) -> str:
    return cache_control(ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate)


def scale_css(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    """Badge colours for every configured rating scale, so pages need no inline styles."""
    rules = []
    for publisher in ctx.publishers.values():
        for index, label in enumerate(publisher.scale.labels):
            # Colours were validated as #rrggbb when the settings were loaded.
            rules.append(f".{verdict_class(publisher, index)} {{ background: {label.colour}; }}")
    return rendered(("\n".join(rules) + "\n").encode(), "text/css; charset=utf-8", None, _control(ctx),
                    scope=FIXED)  # fmt: skip


def share_image_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    """The picture link previews show (og:image): the first claim, its verdict, the publisher."""
    fc, record = public_factcheck(ctx, params["slug"])
    try:
        png = share_image(fc, ctx.publishers[fc.publisher], fc.language)
    except ShareImageUnavailable as exc:
        raise HTTPProblem(503, "Service unavailable", str(exc)) from exc
    return rendered(png, "image/png", store_time(record.updated_at), _control(ctx), scope=of_check(fc.slug))


def openapi_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    """The publishing API's OpenAPI description."""
    body = orjson.dumps(openapi_document(ctx.settings.base_url))
    return rendered(body, "application/json", None, "public, max-age=300", scope=FIXED)
