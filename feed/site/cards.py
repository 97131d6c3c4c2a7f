"""The card's views: /widget.js (and its pinned copy), the card, and oEmbed.

Views take the context, path parameters and query parameters and return a Rendered (see
feed.site.pages). A card has a path form (/embed/{slug}/{claim}/{theme}[/{lang}]) that embed code
hands out and a static build can hold, and the query form of older embeds; each spelling of
one card is rendered once and kept under its canonical path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson

from feed.core.problems import HTTPProblem
from feed.core.query import whole_number
from feed.core.urls import Urls, js_template
from feed.render.cache import canonical_key
from feed.render.caching import cache_control
from feed.render.context import Context
from feed.render.lookup import public_factcheck
from feed.render.rendered import FIXED, Rendered, of_check, rendered
from feed.site.translations import Versions, language_versions
from feed.store.clock import store_time
from schemas.model import FactCheck
from widget import card as cards
from widget.card import THEMES, CardLinks, CardRequest, OtherLanguage, claim_number, natural_height
from widget.i18n import Messages, choose_language
from widget.script import WidgetScript, widget_script
from widget.size import CARD_WIDTH, MIN_HEIGHT, MIN_WIDTH

ONE_YEAR = 31_536_000
CLAIM_FRAGMENT = re.compile(r"claim-([1-9][0-9]{0,3})")  # the page's anchor of one claim
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}")  # BCP 47 in outline
# The routes widget.js builds card addresses from.
SCRIPT_PATHS = ("check", "card", "card_variant", "card_in_language")
OEMBED_CACHE_AGE = 3600
EVERGREEN = "public, max-age=300, stale-while-revalidate=86400"  # widget.js: new versions within minutes


@functools.cache
def served_script() -> WidgetScript:
    return widget_script({name: js_template(name) for name in SCRIPT_PATHS})


def card_links(urls: Urls, fc: FactCheck, versions: Versions | None = None) -> CardLinks:
    others = tuple(OtherLanguage(v.language, v.name, v.url) for v in versions.others) if versions else ()
    return CardLinks(urls.base, urls.check(fc.slug), urls.card(fc.slug), urls.url("widget_js"), others)


def _script(control: str) -> Rendered:
    return rendered(served_script().body, "text/javascript; charset=utf-8", None, control, scope=FIXED)


def widget_js(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    return _script(EVERGREEN)


def widget_pinned(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    if params["digest"] != served_script().digest:
        raise HTTPProblem(404, "Not found", "No widget version with that digest; see /widget.json.")
    return _script(f"public, max-age={ONE_YEAR}, immutable")


def widget_manifest(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    script = served_script()
    body = {
        "src": ctx.urls.url("widget_pinned", digest=script.digest),
        "integrity": script.integrity,
        "latest": ctx.urls.url("widget_js"),
    }
    return rendered(orjson.dumps(body), "application/json", None, "public, max-age=300", scope=FIXED)


def card_path(urls: Urls, slug: str, claim: int = 1, theme: str = "light", lang: str | None = None) -> str:
    """The card's canonical path: the shortest path form that names what differs from the defaults."""
    return urlsplit(urls.card(slug, claim, theme, lang)).path


def embed_card(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    """The card at /embed/{slug}, its path forms, and its query form (?theme=&lang=&claim=)."""
    fc, record = public_factcheck(ctx, params["slug"])
    theme = params.get("theme", query.get("theme", "light"))
    if theme not in THEMES:
        raise HTTPProblem(400, "Bad theme", f"theme must be one of {', '.join(THEMES)}.")
    lang = params.get("lang", query.get("lang"))
    if lang is not None and not LANGUAGE_TAG.fullmatch(lang):
        raise HTTPProblem(400, "Bad lang", "lang must be a language tag such as en, es or pt-BR.")
    if "claim" in params:
        wanted = params["claim"]
        if not 1 <= wanted <= 999:
            raise HTTPProblem(400, "Bad claim", "claim must be a whole number from 1 to 999.")
    else:
        wanted = whole_number(query.get("claim"), "claim", 1, 999) or 1
    # Claims past the last show the last: an embed outlives an edit that drops a claim.
    language = choose_language(lang, fc.language)
    # No theme: card.js reads it from the address, so every theme of a card is the same bytes.
    request = CardRequest(lang=language, claim=claim_number(fc, wanted))
    # Spellings of one card (any theme, lang=pt-BR or pt, an unknown language, claim 9 of 3)
    # share the key of its canonical path, the light one's: rendered once, kept once.
    own = language == choose_language(None, fc.language)
    shown_lang = None if own else language
    key = card_path(ctx.urls, fc.slug, request.claim, "light", shown_lang)
    # The path of the theme asked for, and the query form of older embeds (?theme=dark), are kept too.
    query_form = canonical_key(ctx.urls.path("card", slug=fc.slug), [
        *([("theme", theme)] if theme != "light" else []),
        *([("lang", language)] if not own else []),
        *([("claim", str(request.claim))] if request.claim != 1 else []),
    ])  # fmt: skip
    themed = card_path(ctx.urls, fc.slug, request.claim, theme, shown_lang)
    also = tuple(dict.fromkeys(spelling for spelling in (themed, query_form) if spelling != key))
    kept = ctx.recall(key)
    if kept is not None:
        return Rendered(kept, of_check(fc.slug), key, also)
    links = card_links(ctx.urls, fc, language_versions(ctx, fc))
    html, policy = cards.card_page(ctx.templates, fc, ctx.publishers[fc.publisher], links, request)
    control = cache_control(ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate)
    headers = {"Content-Security-Policy": policy, "Referrer-Policy": "strict-origin-when-cross-origin"}
    return rendered(html.encode(), "text/html; charset=utf-8", store_time(record.updated_at), control, headers,
                    of_check(fc.slug), key, also)  # fmt: skip


def check_oembed(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    """The oEmbed answer for a fact-check's page at a fixed URL, which its discovery link names:
    the same bytes as /oembed?url=<the page>&format=json. Consumers add the spec's parameters
    to the URL discovery gave them (WordPress adds `url` and `dnt` as well), so it takes them."""
    slug, claim = params["slug"], 1
    maxwidth, maxheight = _asked(query)
    if "url" in query:  # the page again, perhaps with #claim-N; another page is a mistake
        named, claim = _page_of(ctx, query["url"])
        if named != slug:
            raise HTTPProblem(400, "Bad url", f"url names {named!r}, but this is the oEmbed answer of {slug!r}.")
    return _oembed(ctx, slug, ctx.urls.check(slug), claim, maxwidth, maxheight)


def oembed_route(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    maxwidth, maxheight = _asked(query)
    url = query.get("url")
    if not url:
        raise HTTPProblem(400, "Bad url", "url is required: the address of a fact-check page.")
    slug, claim = _page_of(ctx, url)
    return _oembed(ctx, slug, ctx.urls.check(slug), claim, maxwidth, maxheight)


def _page_of(ctx: Context, url: str) -> tuple[str, int]:
    """The published fact-check a page address names, and the claim its #claim-N names (or 1)."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise HTTPProblem(400, "Bad url", f"url is not a valid URL: {exc}.") from exc
    pattern = urlsplit(ctx.urls.check(""))  # the address of every page, up to its slug
    prefix = pattern.path
    slug = parts.path.removeprefix(prefix).strip("/")
    if (
        (parts.scheme, parts.netloc) != (pattern.scheme, pattern.netloc)
        or not parts.path.startswith(prefix)
        or not slug
    ):
        raise HTTPProblem(404, "Not found", f"{url!r} is not a fact-check page of {ctx.urls.base}.")
    fc, _ = public_factcheck(ctx, slug)
    return slug, _claim_number(parts.fragment, url, len(fc.claims))


def _asked(query: Mapping[str, str]) -> tuple[int | None, int | None]:
    """The oEmbed spec's `format` (json only: anything else is 501, as the spec says) and the
    size limits; no card fits under MIN_WIDTH or MIN_HEIGHT, which the spec answers with 404."""
    if query.get("format", "json") != "json":
        raise HTTPProblem(501, "Not implemented", "Only format=json is provided.")
    maxwidth, maxheight = _dimension(query.get("maxwidth"), "maxwidth"), _dimension(query.get("maxheight"), "maxheight")
    if maxwidth is not None and maxwidth < MIN_WIDTH:
        raise HTTPProblem(404, "Not found", f"No card fits in maxwidth={maxwidth}: it needs {MIN_WIDTH}px.")
    if maxheight is not None and maxheight < MIN_HEIGHT:
        raise HTTPProblem(404, "Not found", f"No card fits in maxheight={maxheight}: it needs {MIN_HEIGHT}px.")
    return maxwidth, maxheight


def _oembed(
    ctx: Context, slug: str, page_url: str, claim: int, maxwidth: int | None, maxheight: int | None
) -> Rendered:
    fc, record = public_factcheck(ctx, slug)
    # The canonical URL names only what changes the answer: the page and its claim, a width
    # under the card's and a height under its natural one. Other spellings share its key.
    width = min(CARD_WIDTH, maxwidth or CARD_WIDTH)
    natural = natural_height(fc, claim, Messages(choose_language(None, fc.language)), width)
    query_form = canonical_key(ctx.urls.path("oembed"), [
        ("url", page_url + (f"#claim-{claim}" if claim > 1 else "")),
        *([("maxwidth", str(width))] if width < CARD_WIDTH else []),
        *([("maxheight", str(maxheight))] if maxheight is not None and maxheight < natural else []),
    ])  # fmt: skip
    key, also = query_form, tuple[str, ...]()
    if claim == 1 and width == CARD_WIDTH and (maxheight is None or maxheight >= natural):
        # The page's own answer, at the fixed URL its discovery link names.
        key, also = ctx.urls.path("check_oembed", slug=slug), (query_form,)
    kept = ctx.recall(key)
    if kept is not None:
        return Rendered(kept, of_check(slug), key, also)
    provider = next(iter(ctx.publishers.values())).name
    body = cards.oembed(ctx.templates, fc, ctx.publishers[fc.publisher], card_links(ctx.urls, fc), provider,
                        maxwidth, maxheight, claim)  # fmt: skip
    return rendered(orjson.dumps(body), "application/json", store_time(record.updated_at),
                    f"public, max-age={OEMBED_CACHE_AGE}", scope=of_check(slug), key=key, also=also)  # fmt: skip


def _claim_number(fragment: str, url: str, claims: int) -> int:
    """The claim a page address names with #claim-N (1 when it names none)."""
    match = CLAIM_FRAGMENT.fullmatch(fragment)
    if not match:
        return 1
    if int(match[1]) > claims:
        raise HTTPProblem(404, "Not found", f"{url!r} names claim {match[1]}; the fact-check has {claims}.")
    return int(match[1])


def _dimension(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 100_000:
        raise HTTPProblem(400, f"Bad {name}", f"{name} must be a positive whole number of pixels.")
    return int(raw)
