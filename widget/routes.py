"""The card's routes: /widget.js (and its pinned, versioned copy), /embed/{slug}, /oembed."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from feed.caching import cache_control, cached_response, entry_response, representation
from feed.clock import store_time
from feed.context import Context, context_of
from feed.pages import public_factcheck
from feed.problems import HTTPProblem
from feed.query import takes, whole_number
from feed.rendercache import FIXED, canonical_key, recall
from feed.responses import JSONResponse
from feed.store import Record
from schemas.model import FactCheck
from schemas.publisher import Publisher
from widget.card import THEMES, CardRequest, card_page, claim_number, natural_height, oembed
from widget.i18n import Messages, choose_language
from widget.size import CARD_WIDTH, MIN_HEIGHT, MIN_WIDTH

WIDGET_JS = Path(__file__).with_name("static") / "widget.js"
ONE_YEAR = 31_536_000
CLAIM_FRAGMENT = re.compile(r"claim-([1-9][0-9]{0,3})")  # the page's anchor of one claim
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}")  # BCP 47 in outline


@dataclass(frozen=True)
class WidgetScript:
    body: bytes
    digest: str  # names the immutable copy
    integrity: str  # Subresource Integrity value for hosts that pin it

    @property
    def path(self) -> str:
        return f"/widget/{self.digest}.js"


@functools.cache
def widget_script() -> WidgetScript:
    body = WIDGET_JS.read_bytes()
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    return WidgetScript(body, hashlib.sha256(body).hexdigest()[:16], integrity)


def _script_response(request: Request, control: str) -> Response:
    script = widget_script()
    rep = representation(script.body, "text/javascript; charset=utf-8", None)
    return cached_response(request, rep, control, cache_scope=FIXED)


def widget_js(request: Request) -> Response:
    # Short-lived: the evergreen URL picks up new versions within minutes.
    return _script_response(request, "public, max-age=300, stale-while-revalidate=86400")


def widget_pinned(request: Request) -> Response:
    if request.path_params["digest"] != widget_script().digest:
        raise HTTPProblem(404, "Not found", "No widget version with that digest; see /widget.json.")
    return _script_response(request, f"public, max-age={ONE_YEAR}, immutable")


def widget_manifest(request: Request) -> Response:
    script, base = widget_script(), context_of(request).settings.base_url
    return JSONResponse(
        {"src": base + script.path, "integrity": script.integrity, "latest": f"{base}/widget.js"},
        headers={"Cache-Control": "public, max-age=300"},
    )


def _public(request: Request, slug: str) -> tuple[Context, Record, FactCheck, Publisher]:
    ctx = context_of(request)
    fc, record = public_factcheck(ctx, slug)
    return ctx, record, fc, ctx.publishers[fc.publisher]


def embed_card(request: Request) -> Response:
    ctx, record, fc, publisher = _public(request, request.path_params["slug"])
    query = request.query_params
    theme = query.get("theme", "light")
    if theme not in THEMES:
        raise HTTPProblem(400, "Bad theme", f"theme must be one of {', '.join(THEMES)}.")
    lang = query.get("lang")
    if lang is not None and not LANGUAGE_TAG.fullmatch(lang):
        raise HTTPProblem(400, "Bad lang", "lang must be a language tag such as en, es or pt-BR.")
    # Claims past the last show the last: an embed outlives an edit that drops a claim.
    language = choose_language(lang, fc.language)
    card_request = CardRequest(
        theme=theme,
        lang=language,
        claim=claim_number(fc, whole_number(query.get("claim"), "claim", 1, 999) or 1),
    )
    # Spellings of one card (lang=pt-BR or pt, an unknown language, claim=9 of 3) share the key
    # of its canonical URL: rendered once, kept once.
    key = canonical_key(request.scope["path"], [
        *([("theme", theme)] if theme != "light" else []),
        *([("lang", language)] if language != choose_language(None, fc.language) else []),
        *([("claim", str(card_request.claim))] if card_request.claim != 1 else []),
    ])  # fmt: skip
    kept = recall(request, key)
    if kept is not None:
        return entry_response(request, kept)
    base = ctx.settings.base_url
    html, policy = card_page(ctx.templates, fc, publisher, ctx.publishing.page_url(fc.slug), base, card_request)
    rep = representation(html.encode(), "text/html; charset=utf-8", store_time(record.updated_at))
    control = cache_control(ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate)
    headers = {"Content-Security-Policy": policy, "Referrer-Policy": "strict-origin-when-cross-origin"}
    return cached_response(request, rep, control, headers, ("check", fc.slug), key)


def oembed_route(request: Request) -> Response:
    ctx = context_of(request)
    query = request.query_params
    if query.get("format", "json") != "json":
        raise HTTPProblem(501, "Not implemented", "Only format=json is provided.")
    url = query.get("url")
    if not url:
        raise HTTPProblem(400, "Bad url", "url is required: the address of a fact-check page.")
    maxwidth, maxheight = _dimension(query.get("maxwidth"), "maxwidth"), _dimension(query.get("maxheight"), "maxheight")
    base = ctx.settings.base_url
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise HTTPProblem(400, "Bad url", f"url is not a valid URL: {exc}.") from exc
    prefix = urlsplit(base + "/checks/")
    slug = parts.path.removeprefix(prefix.path).strip("/")
    if (
        (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc)
        or not parts.path.startswith(prefix.path)
        or not slug
    ):
        raise HTTPProblem(404, "Not found", f"{url!r} is not a fact-check page of {base}.")
    _, record, fc, publisher = _public(request, slug)
    claim = _claim_number(parts.fragment, url, len(fc.claims))
    if maxwidth is not None and maxwidth < MIN_WIDTH:
        raise HTTPProblem(404, "Not found", f"No card fits in maxwidth={maxwidth}: it needs {MIN_WIDTH}px.")
    if maxheight is not None and maxheight < MIN_HEIGHT:
        raise HTTPProblem(404, "Not found", f"No card fits in maxheight={maxheight}: it needs {MIN_HEIGHT}px.")
    page_url = ctx.publishing.page_url(slug)
    # The canonical URL names only what changes the answer: the page and its claim, a width
    # under the card's and a height under its natural one. Other spellings share its key.
    width = min(CARD_WIDTH, maxwidth or CARD_WIDTH)
    natural = natural_height(fc, claim, Messages(choose_language(None, fc.language)), width)
    key = canonical_key(request.scope["path"], [
        ("url", page_url + (f"#claim-{claim}" if claim > 1 else "")),
        *([("maxwidth", str(width))] if width < CARD_WIDTH else []),
        *([("maxheight", str(maxheight))] if maxheight is not None and maxheight < natural else []),
    ])  # fmt: skip
    kept = recall(request, key)
    if kept is not None:
        return entry_response(request, kept)
    body = oembed(ctx.templates, fc, publisher, page_url, base,
                  next(iter(ctx.publishers.values())).name, maxwidth, maxheight, claim)  # fmt: skip
    rep = representation(orjson.dumps(body), "application/json", store_time(record.updated_at))
    return cached_response(request, rep, "public, max-age=3600", cache_scope=("check", slug), key=key)


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


def widget_routes() -> list[BaseRoute]:
    return [
        Route("/widget.js", takes()(widget_js)),
        Route("/widget.json", takes()(widget_manifest)),
        Route("/widget/{digest}.js", takes()(widget_pinned)),
        Route("/embed/{slug}", takes("theme", "lang", "claim")(embed_card)),
        Route("/oembed", takes("url", "format", "maxwidth", "maxheight")(oembed_route)),
    ]
