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

from feed.caching import cache_control, cached_response, representation
from feed.clock import store_time
from feed.context import Context, context_of
from feed.pages import public_factcheck
from feed.problems import HTTPProblem
from feed.rendercache import FIXED
from feed.responses import JSONResponse
from feed.store import Record
from schemas.model import FactCheck
from schemas.publisher import Publisher
from widget.card import THEMES, CardRequest, card_page, oembed
from widget.size import MIN_HEIGHT, MIN_WIDTH

WIDGET_JS = Path(__file__).with_name("static") / "widget.js"
ONE_YEAR = 31_536_000
CLAIM_FRAGMENT = re.compile(r"claim-([1-9][0-9]{0,3})")  # the page's anchor of one claim


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
    claim = query.get("claim", "1")
    card_request = CardRequest(
        theme=theme if theme in THEMES else "light",
        lang=query.get("lang") or None,
        claim=int(claim) if claim.isascii() and claim.isdigit() and len(claim) < 4 else 1,
    )
    base = ctx.settings.base_url
    html, policy = card_page(ctx.templates, fc, publisher, ctx.publishing.page_url(fc.slug), base, card_request)
    rep = representation(html.encode(), "text/html; charset=utf-8", store_time(record.updated_at))
    control = cache_control(ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate)
    headers = {"Content-Security-Policy": policy, "Referrer-Policy": "strict-origin-when-cross-origin"}
    return cached_response(request, rep, control, headers, ("check", fc.slug))


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
    body = oembed(ctx.templates, fc, publisher, ctx.publishing.page_url(slug), base,
                  next(iter(ctx.publishers.values())).name, maxwidth, maxheight, claim)  # fmt: skip
    rep = representation(orjson.dumps(body), "application/json", store_time(record.updated_at))
    return cached_response(request, rep, "public, max-age=3600", cache_scope=("check", slug))


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
        Route("/widget.js", widget_js),
        Route("/widget.json", widget_manifest),
        Route("/widget/{digest}.js", widget_pinned),
        Route("/embed/{slug}", embed_card),
        Route("/oembed", oembed_route),
    ]
