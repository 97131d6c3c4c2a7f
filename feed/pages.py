"""Canonical pages: the fact-check page, its JSON twin, the home page, scale colours."""

from __future__ import annotations

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
from widget.card import embed_code, iframe_code


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
    base = ctx.settings.base_url
    html = ctx.templates.get_template("check.html").render(
        **view,
        embed_code=embed_code(ctx.templates, fc, publisher, page_url, base),
        iframe_code=iframe_code(ctx.templates, fc, base),
        oembed_url=f"{base}/oembed?{urlencode({'url': page_url, 'format': 'json'})}",
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
        items.append({**view, "description": plain_text(fc.summary)[:240], "direction": text_direction(fc.language)})
    base = ctx.settings.base_url
    html = ctx.templates.get_template("index.html").render(
        items=items,
        page=page,
        pages=pages,
        prev_url=(f"{base}/?page={page - 1}" if page > 2 else f"{base}/") if page > 1 else None,
        next_url=f"{base}/?page={page + 1}" if page < pages else None,
    )
    api = f"{base}/api/checks" + (f"?page={page}" if page > 1 else "")
    newest = ctx.store.change_time(ctx.store.snapshot())
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
