"""The slug the desk proposes for a new fact-check, from its headline in any script.

One proposal, made here in Python for every path: the save of a form whose slug was left
empty, a pasted article, and desk.js, which asks `/desk/slug.json?headline=...` as the headline is
typed so the writer sees (and may change) the address before the first save fixes it. Asking
the server rather than transliterating in the browser keeps one transliteration (anyascii's
tables, far beyond what a page script could carry) and lets the proposal skip a slug that is
taken.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from feed.core.problems import HTTPProblem
from feed.core.responses import JSONResponse
from feed.desk.auth import require_role
from feed.render.context import Context, context_of
from feed.store.clock import utc_now
from schemas.document import FACTCHECK
from schemas.errors import FieldError
from schemas.slugs import free_slug, propose_slug

MAX_HEADLINE = FACTCHECK["headline"].max_length or 300


def proposed(ctx: Context, headline: str) -> str:
    """A free slug for a new fact-check called `headline` ("" without a headline)."""
    if not headline.strip():
        return ""
    return propose_slug(headline, utc_now().date(), lambda slug: ctx.store.get(slug) is not None)


def freed(ctx: Context, slug: str) -> str:
    """`slug`, or the first of `slug-2`, `slug-3`... no fact-check has yet."""
    return free_slug(slug, lambda taken: ctx.store.get(taken) is not None)


async def slug_for_headline(request: Request) -> Response:
    """`{"slug": ...}` for `?headline=`; a 400 naming the headline when it is too long to be one."""
    await run_in_threadpool(require_role, request, "writer")
    headline = request.query_params.get("headline", "")
    if len(headline) > MAX_HEADLINE:
        raise HTTPProblem(
            400, "Bad headline", f"A headline holds at most {MAX_HEADLINE} characters.",
            [FieldError("headline", f"is longer than {MAX_HEADLINE} characters")],
        )  # fmt: skip
    slug = await run_in_threadpool(proposed, context_of(request), headline)
    return JSONResponse({"slug": slug}, headers={"Cache-Control": "no-store"})
