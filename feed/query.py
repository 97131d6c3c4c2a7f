"""Query-string parameters shared by pages and the API."""

from __future__ import annotations

from starlette.requests import Request

from feed.problems import HTTPProblem

MAX_PAGE = 1_000_000


def page_number(request: Request) -> int:
    """`?page=N`, 1 by default; a clear 400 for anything but a whole number in range."""
    raw = request.query_params.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise HTTPProblem(400, "Bad page", f"page must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)
