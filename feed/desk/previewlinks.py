"""Preview links: a draft shown, as readers will see it, to someone outside the desk.

A writer makes a link on the desk; whoever has it sees the fact-check's current text at
/preview/{secret} until the link expires (at most MAX_DAYS) or the desk ends the links of that
fact-check. The answer is never cached, never indexed, and sends no Referer onward, so the
secret does not leak to the sites the page links to.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from feed.core.problems import HTTPProblem
from feed.render.context import context_of
from feed.site.pages import check_html
from feed.store import Store
from feed.store.clock import stamp, store_time, utc_now

MAX_DAYS = 30
NOT_FOUND = HTTPProblem(404, "Not found", "This preview link does not exist, has expired or was ended.")


def link_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_link(store: Store, slug: str, days: int, made_by: str, now: datetime) -> str:
    """A new link's secret (shown once; the store keeps its hash)."""
    secret = secrets.token_urlsafe(32)
    days = min(max(days, 1), MAX_DAYS)
    store.add_preview_link(link_id(secret), slug, stamp(now), stamp(now + timedelta(days=days)), made_by)
    return secret


def _page(request: Request) -> str:
    ctx = context_of(request)
    secret = request.path_params["secret"]
    if not 20 <= len(secret) <= 100:
        raise NOT_FOUND
    link = ctx.store.find_preview_link(link_id(secret))
    if link is None or link.ended_at is not None or store_time(link.expires_at) <= utc_now():
        raise NOT_FOUND
    record = ctx.store.get(link.slug)
    if record is None:
        raise NOT_FOUND
    fc = ctx.publishing.load(record.document)
    return check_html(ctx, fc if fc.status != "draft" else replace(fc, status="published"))


async def shared_preview(request: Request) -> Response:
    html = await run_in_threadpool(_page, request)
    return HTMLResponse(html, headers={
        "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer",
    })  # fmt: skip
