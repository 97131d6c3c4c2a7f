"""The publishing API: JSON over HTTP. Reads are public, writes need a bearer token.

Writes are optimistic: each response carries an ETag naming the version, and
PUT must send it back in If-Match; a stale one gets 412, so two editors
never silently overwrite each other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from feed.core.problems import HTTPProblem, invalid
from feed.core.publishing import OutOfScope
from feed.core.query import language_tag, page_number
from feed.core.representation import record_json
from feed.core.responses import JSONResponse
from feed.core.tokens import TokenHolder, verify_token
from feed.ops.ratelimit import limits_of
from feed.render.cache import pages_of, prerender
from feed.render.context import Context, context_of
from feed.store import PUBLIC_STATUSES, NotFound, Record
from feed.store.clock import utc_now
from schemas.errors import FieldError

_T = TypeVar("_T")

ALL_STATUSES = ("draft", "published", "retracted")
_ETAG = re.compile(r'^\s*(?:W/)?"(?P<slug>[a-z0-9-]+)\.v(?P<version>\d{1,9})"\s*$')
# RFC 9110 8.8.3: an entity-tag is an optionally weak quoted string of etagc. If-Match holds a
# list of them, where empty elements are allowed (5.6.1) but at least one tag is needed.
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
_ENTITY_TAGS = re.compile(rf"^[ \t]*(?:,[ \t]*)*{_ENTITY_TAG}(?:[ \t]*,(?:[ \t]*{_ENTITY_TAG})?)*[ \t]*$")


# -- request helpers ---------------------------------------------------------


async def read_json(request: Request, limit: int) -> Any:
    """The request body as JSON: 415 if not UTF-8 JSON, 413 past `limit` bytes, 400 if malformed.

    Duplicate keys are refused: parsers disagree on which one wins, so a body that one reader
    (a proxy, a validator) sees one way must not be stored another way.
    """
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPProblem(415, "Unsupported media type", "Send the body as application/json.")
    charset = _charset(parameters)
    if charset is not None and charset != "utf-8":
        raise HTTPProblem(
            415, "Unsupported media type",
            f"charset={charset} is not supported: send the body as UTF-8 (charset=utf-8, or no charset).",
        )  # fmt: skip
    declared = request.headers.get("content-length")
    too_large = HTTPProblem(413, "Body too large", f"The body must be at most {limit} bytes.")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise too_large
    except ClientDisconnect as exc:
        # What the server reports when the body breaks off or its chunked framing is malformed.
        raise HTTPProblem(400, "Unreadable body", "The request body could not be read to its end.") from exc
    try:
        value = orjson.loads(body)  # the strict parser decides what is JSON (and valid UTF-8)
        # A second pass only to find repeated keys; numbers are skipped, not converted.
        json.loads(body.decode(), object_pairs_hook=_unique_keys, parse_int=_skip, parse_float=_skip)
        return value
    except json.JSONDecodeError as exc:  # orjson's error is a subclass
        raise HTTPProblem(400, "Malformed JSON", f"The body is not valid JSON: {exc}.") from exc
    except RecursionError as exc:
        raise HTTPProblem(400, "Malformed JSON", "The body is nested too deeply.") from exc


class _DuplicateKey(HTTPProblem):
    def __init__(self, key: str):
        super().__init__(
            400, "Duplicate key", f"The key {key!r} appears twice in one JSON object; send it once.",
            [FieldError(key, "appears more than once in one object")],
        )  # fmt: skip


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _skip(text: str) -> int:
    return 0


def _charset(parameters: str) -> str | None:
    """The charset parameter of a Content-Type's parameters, lowercased; None when absent."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def bearer(request: Request, ctx: Context) -> TokenHolder | None:
    """The holder of the request's bearer token; None when it is missing, unknown, expired or revoked."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    limits = limits_of(request)
    limits.before_auth(request.scope)  # 429 for an address that has guessed too often
    # Read from the store on every request: a revocation must hold at once on every server.
    holder = verify_token(ctx.store, token.strip(), utc_now())
    if holder is None:
        limits.auth_failed(request.scope)
    return holder


async def require_token(request: Request, ctx: Context) -> TokenHolder:
    holder = await run_in_threadpool(bearer, request, ctx)
    if holder is None:
        raise HTTPProblem(
            401,
            "Unauthorized",
            "Writes need 'Authorization: Bearer <token>' with a token that is neither expired nor revoked; "
            "make one with `factcard token create NAME`.",
            headers={"WWW-Authenticate": 'Bearer realm="factcard"'},
        )
    if request.method not in ("GET", "HEAD"):
        limits_of(request).before_write(request.scope, holder.key_id)
    return holder


async def write_as(holder: TokenHolder, write: Callable[..., _T], *args: Any) -> _T:
    """Run a publishing write for `holder`: its actor is recorded, its publisher scope enforced."""
    try:
        return await run_in_threadpool(write, *args, actor=holder.actor, scope=holder.publisher)
    except OutOfScope as exc:
        raise HTTPProblem(
            403,
            "Forbidden",
            f"This token may write only for publisher {exc.allowed!r}; "
            f"this fact-check is published by {exc.publisher!r}.",
        ) from exc


async def if_match_version(request: Request, ctx: Context, slug: str, *, required: bool) -> int | None:
    """The version If-Match names; None when it names none (absent, or `*` on a publish or retract)."""
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise HTTPProblem(
                428, "Precondition required",
                "Send If-Match with the ETag you last read, so a newer edit is never overwritten.",
            )  # fmt: skip
        return None
    if header.strip() == "*":
        # RFC 9110 13.1.1: `*` matches any current version. A write that must name one
        # (PUT) takes the current one; an unknown slug is a 404 as without the header.
        if not required:
            return None
        record = await run_in_threadpool(ctx.store.get, slug)
        if record is None:
            raise NotFound(slug)
        return record.version
    if not _ENTITY_TAGS.match(header):
        # Empty, or not quoted: a broken header, not a version that someone else replaced.
        raise HTTPProblem(
            400, "Malformed If-Match",
            f"If-Match {header!r} is not an ETag: send the ETag you last read, quotes included, or *.",
        )  # fmt: skip
    match = _ETAG.match(header)
    if match is None or match["slug"] != slug:
        raise HTTPProblem(412, "Precondition failed", f"If-Match {header!r} is not an ETag of {slug!r}.")
    return int(match["version"])


def _record_response(ctx: Context, record: Record, status: int = 200, *, written: bool = False) -> Response:
    fc = ctx.publishing.load(record.document)
    page_url = ctx.publishing.page_url(record.slug)
    body = record_json(record, fc, ctx.publishers[fc.publisher], page_url)
    if written:
        # The ClaimReview advice (a long claim, one that gives its verdict) is told to the writer,
        # never refused; a reader fetching the fact-check is not told.
        body["warnings"] = [{"field": w.field, "message": w.message} for w in ctx.publishing.warnings(fc)]
    headers = {"ETag": record.etag, "Location": ctx.urls.url("api_check", slug=record.slug)}
    return JSONResponse(body, status_code=status, headers=headers)


def _written(request: Request, ctx: Context, record: Record, status: int = 200) -> Response:
    """The response to a write; once it is sent, the changed pages are rendered (render on write)."""
    response = _record_response(ctx, record, status, written=True)
    if record.status != "draft":
        renderer, cache = request.app.state.renderer, request.app.state.response_cache
        paths = pages_of(record.slug, ctx.store.facets_of_check(record.slug))
        response.background = BackgroundTask(prerender, renderer.render, cache, paths)
    return response


# -- handlers ----------------------------------------------------------------


async def create_check(request: Request) -> Response:
    ctx = context_of(request)
    holder = await require_token(request, ctx)
    document = await read_json(request, ctx.settings.max_body_bytes)
    record = await write_as(holder, ctx.publishing.create, document, utc_now())
    return _written(request, ctx, record, 201)


async def update_check(request: Request) -> Response:
    ctx = context_of(request)
    holder = await require_token(request, ctx)
    slug = request.path_params["slug"]
    expected = await if_match_version(request, ctx, slug, required=True)
    document = await read_json(request, ctx.settings.max_body_bytes)
    assert expected is not None
    record = await write_as(holder, ctx.publishing.update, slug, document, expected, utc_now())
    return _written(request, ctx, record)


async def publish_check(request: Request) -> Response:
    ctx = context_of(request)
    holder = await require_token(request, ctx)
    slug = request.path_params["slug"]
    expected = await if_match_version(request, ctx, slug, required=False)
    record = await write_as(holder, ctx.publishing.publish, slug, expected, utc_now())
    return _written(request, ctx, record)


async def retract_check(request: Request) -> Response:
    ctx = context_of(request)
    holder = await require_token(request, ctx)
    slug = request.path_params["slug"]
    expected = await if_match_version(request, ctx, slug, required=False)
    body = await read_json(request, ctx.settings.max_body_bytes)
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str):
        raise invalid([FieldError("reason", "is required: say why the fact-check is retracted")])
    record = await write_as(holder, ctx.publishing.retract, slug, reason, expected, utc_now())
    return _written(request, ctx, record)


async def get_check(request: Request) -> Response:
    ctx = context_of(request)
    slug = request.path_params["slug"]
    record = await run_in_threadpool(ctx.store.get, slug)
    if record is not None and record.status not in PUBLIC_STATUSES:
        # Drafts are visible to token holders only.
        if await run_in_threadpool(bearer, request, ctx) is None:
            record = None
    if record is None:
        raise HTTPProblem(404, "Not found", f"No fact-check is called {slug!r}.")
    if request.headers.get("if-none-match") == record.etag:
        return Response(status_code=304, headers={"ETag": record.etag})
    return _record_response(ctx, record)


async def list_checks(request: Request) -> Response:
    ctx = context_of(request)
    authorised = await run_in_threadpool(bearer, request, ctx) is not None
    allowed = ALL_STATUSES if authorised else PUBLIC_STATUSES
    wanted = request.query_params.get("status")
    if wanted is not None and wanted not in allowed:
        raise HTTPProblem(
            400, "Bad status", f"status must be one of {', '.join(allowed)}"
            + ("" if authorised else " (drafts need a token)"),
        )  # fmt: skip
    statuses = (wanted,) if wanted else allowed
    page, size = page_number(request), ctx.settings.page_size
    language = language_tag(request.query_params.get("lang"))

    def load() -> tuple[int, list[Record]]:
        return ctx.store.count(statuses, language), ctx.store.newest(statuses, size, (page - 1) * size, language)

    total, records = await run_in_threadpool(load)
    base = ctx.urls.url("api_checks")
    query = "".join(f"{name}={value}&" for name, value in (("status", wanted), ("lang", language)) if value)
    items = []
    for record in records:
        fc = ctx.publishing.load(record.document)
        items.append(record_json(record, fc, ctx.publishers[fc.publisher], ctx.publishing.page_url(record.slug)))
    return JSONResponse(
        {
            "items": items,
            "page": page,
            "total": total,
            "next": f"{base}?{query}page={page + 1}" if page * size < total else None,
        }
    )


async def list_revisions(request: Request) -> Response:
    ctx = context_of(request)
    await require_token(request, ctx)
    slug = request.path_params["slug"]
    revisions = await run_in_threadpool(ctx.store.revisions, slug)
    if not revisions:
        raise HTTPProblem(404, "Not found", f"No fact-check is called {slug!r}.")
    return JSONResponse(
        {
            "slug": slug,
            "revisions": [
                {
                    "version": r.version,
                    "status": r.status,
                    "recordedAt": r.recorded_at,
                    # The token that wrote it; null for writes outside the API (import, demo).
                    "actor": {"keyId": r.actor.key_id, "name": r.actor.name} if r.actor else None,
                    "document": r.document,
                }
                for r in revisions
            ],
        }
    )
