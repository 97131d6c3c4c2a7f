"""Finding what a public URL names: a published or retracted fact-check, never a draft."""

from __future__ import annotations

from feed.core.problems import HTTPProblem
from feed.render.context import Context
from feed.store import PUBLIC_STATUSES, Record
from schemas.model import FactCheck


def public_factcheck(ctx: Context, slug: str) -> tuple[FactCheck, Record]:
    """A published or retracted fact-check, or a 404 (drafts are not public)."""
    record = ctx.store.get(slug)
    if record is None or record.status not in PUBLIC_STATUSES:
        raise HTTPProblem(404, "Not found", f"No published fact-check is called {slug!r}.")
    return ctx.publishing.load(record.document), record
