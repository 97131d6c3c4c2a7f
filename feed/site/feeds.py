"""Feed and crawler routes: /feed.json, /feed.atom, /claimreview.json, sitemaps, robots.txt.

Walks are pinned to a snapshot and paged by keyset cursor (see feed.store.changes);
`?since=` keeps only what changed after an instant, tombstones for retractions included;
`?lang=es` keeps only fact-checks in that language and its forms (es-MX, es-419), and every
link onward (next, since, self) keeps it.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from feed.core.problems import HTTPProblem
from feed.core.query import language_tag
from feed.core.urls import api_root
from feed.render.caching import cache_control, etag_for, is_not_modified, negotiate_encoding
from feed.render.context import Context, context_of
from feed.render.rendered import FIXED, LISTING, Rendered, rendered
from feed.site.datafile import current_datafeed, files_dir, fresh_datafeed
from feed.site.jsonfeed import json_feed, json_feed_item
from feed.site.syndication import EntryView, entry_view
from feed.site.translations import autonym, sitemap_alternates
from feed.store.clock import rfc3339_stamp, store_time
from schemas.text import xml_safe
from widget.i18n import Messages, choose_language

_datafeed_writer = asyncio.Lock()  # this process's one writer of the DataFeed file
SITEMAP_LIMIT = 50_000  # URLs per sitemap file, the protocol's maximum
# Our Atom extensions: the corrections log in entries, and a link relation for the since URL
# (RFC 4287 takes a full IRI as rel). Names, never fetched.
ATOM_NAMESPACE = "https://factcard.invalid/ns/1.0"
SINCE_REL = "https://factcard.invalid/rel/since"
_CURSOR = re.compile(r"^(\d{1,18})\.(\d{1,18})\.(\d{1,18})$")
_SINCE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


class FeedPage:
    """One page of a feed walk: its entries and the links onward."""

    def __init__(self, ctx: Context, query: Mapping[str, str], route: str):
        self.ctx, self.route = ctx, route
        store, limit = ctx.store, ctx.settings.feed_page_size
        self.language = language = language_tag(query.get("lang"))
        self.canonical_language = language is None or query.get("lang") == language
        since = query.get("since")
        self.cursor = cursor = query.get("cursor")
        self.pinned = cursor is not None
        self.current = store.public_snapshot()
        if cursor is not None:
            self.snapshot, before, self.since_seq = _parse_cursor(cursor, self.current)
        else:
            self.snapshot, before, self.since_seq = self.current, None, 0
            if since is not None:
                first = store.first_change_after(_parse_since(since))
                self.since_seq = first if first is not None else self.snapshot + 1
        self.since = since
        entries = store.feed_entries(self.snapshot, limit + 1, before, self.since_seq, language)
        self.has_more = len(entries) > limit
        self.views = [entry_view(e, ctx.publishers, ctx.publishing) for e in entries[:limit]]
        newest = store.change_time(self.snapshot) if self.snapshot else None
        self.last_modified = store_time(newest) if newest else datetime(2000, 1, 1, tzinfo=UTC)
        self.newest_change = rfc3339_stamp(newest) if newest else None

    @property
    def cache_scope(self) -> tuple[str, str] | None:
        """How long to keep this page, or None: kept only at URLs this feed hands out.

        A page reached by cursor is pinned to its snapshot, so its bytes never change; of those
        only the current walk's are kept, and `since` only as the since_url advertises it.
        Other valid values are answered but not kept, so they cannot crowd the cache. So is a
        language spelled other than in lower case, or one no public fact-check is in.
        """
        if self.language is not None and not (
            self.canonical_language and (self.views or self.ctx.store.public_count(self.language))
        ):
            return None
        if self.pinned:
            current = self.since is None and self.since_seq == 0 and self.snapshot == self.current
            return FIXED if current else None
        return LISTING if self.since in (None, self.newest_change) else None

    def url(self, **params: Any) -> str:
        """This feed's URL with `params`, in this page's language if it has one."""
        query = {"lang": self.language, **params}
        return self.ctx.urls.url(self.route, {k: v for k, v in query.items() if v is not None})

    @property
    def next_url(self) -> str | None:
        if not self.has_more:
            return None
        cursor = f"{self.snapshot}.{self.views[-1].entry.seq}.{self.since_seq}"
        return self.url(since=self.since, cursor=cursor)

    @property
    def since_url(self) -> str | None:
        return self.url(since=self.newest_change) if self.newest_change else None


def _parse_cursor(raw: str, current_snapshot: int) -> tuple[int, int, int]:
    """(snapshot, before, since_seq) of a cursor; each part no later than the snapshot allows."""
    match = _CURSOR.match(raw)
    if match is None or int(match[1]) > current_snapshot or max(int(match[2]), int(match[3])) > int(match[1]) + 1:
        raise HTTPProblem(400, "Bad cursor", "cursor must be a value taken from a next_url of this feed.")
    return int(match[1]), int(match[2]), int(match[3])


def _parse_since(raw: str) -> str:
    """An RFC 3339 instant as a store timestamp."""
    if not _SINCE.match(raw):
        raise HTTPProblem(400, "Bad since", "since must be an RFC 3339 date-time, e.g. 2025-10-30T09:00:00Z.")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise HTTPProblem(400, "Bad since", f"since is not a usable date-time: {exc}.") from exc
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _feed_headers(self_url: str, hub: str | None) -> dict[str, str]:
    links = [f'<{self_url}>; rel="self"']
    if hub:
        links.append(f'<{hub}>; rel="hub"')
    return {"Link": ", ".join(links)}


def _hub(ctx: Context, page: FeedPage) -> str | None:
    """The WebSub hub for this feed: the hub is told of changes to the whole feeds only, so a
    feed in one language names none (a subscription to it would never hear of a change)."""
    return (ctx.settings.websub_hub or None) if page.language is None else None


def _control(ctx: Context) -> str:
    return cache_control(ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate)


def _words(ctx: Context, language: str | None) -> Messages:
    """The catalogue of a feed's own words: its language's when filtered to one, else the site's."""
    return Messages(choose_language(language, ctx.settings.language))


def _title(ctx: Context, language: str | None) -> str:
    title = _words(ctx, language).gettext("%(site)s: fact-checks", site=next(iter(ctx.publishers.values())).name)
    return f"{title} ({autonym(language)})" if language else title


def json_feed_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    page = FeedPage(ctx, query, "json_feed")
    feed_url, hub = page.url(), _hub(ctx, page)
    about = ctx.urls.url("feed_extension")
    feed = json_feed(
        title=_title(ctx, page.language),
        home_page_url=ctx.urls.home(lang=page.language),
        feed_url=feed_url,
        icon=ctx.urls.static("logo.svg"),
        favicon=ctx.urls.url("favicon"),
        items=[json_feed_item(view, ctx.templates, about) for view in page.views],
        next_url=page.next_url,
        since_url=page.since_url,
        hub=hub,
        about=about,
        language=page.language,
        description=_words(ctx, page.language).gettext(
            "Fact-checks with their verdicts and ClaimReview markup, most recently changed first."
        ),
    )
    return rendered(orjson.dumps(feed), "application/feed+json", page.last_modified, _control(ctx),
                    _feed_headers(feed_url, hub), page.cache_scope)  # fmt: skip


def atom_feed_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    page = FeedPage(ctx, query, "atom_feed")
    feed_url, hub = page.url(), _hub(ctx, page)
    body = atom_document(
        ctx,
        page.views,
        t=_words(ctx, page.language),
        feed_id=feed_url,  # a feed in one language is a feed of its own
        title=_title(ctx, page.language),
        updated=page.newest_change,
        self_url=page.url(since=page.since, cursor=page.cursor),
        home_url=ctx.urls.home(lang=page.language),
        next_url=page.next_url,
        since_url=page.since_url,
        hub=hub,
    )
    return rendered(body, "application/atom+xml", page.last_modified, _control(ctx), _feed_headers(feed_url, hub),
                    page.cache_scope)  # fmt: skip


def atom_document(
    ctx: Context,
    views: list[EntryView],
    *,
    t: Messages,
    feed_id: str,
    title: str,
    updated: str | None,
    self_url: str,
    home_url: str,
    next_url: str | None = None,
    since_url: str | None = None,
    hub: str | None = None,
    subtitle: str | None = None,
) -> bytes:
    """An Atom feed of `views` (the whole feed's, or a browse page's); its first page is `feed_id`."""
    item_template = ctx.templates.get_template("feed_item.html")
    body = ctx.templates.get_template("feed.atom").render(
        t=t,
        feed_id=feed_id,
        title=title,
        subtitle=subtitle,
        updated=updated or "2000-01-01T00:00:00Z",
        self_url=self_url,
        first_url=feed_id,
        home_url=home_url,
        next_url=next_url,
        since_url=since_url,
        since_rel=SINCE_REL,
        ns=ATOM_NAMESPACE,
        hub=hub,
        # A retraction's entry shows its notice, not the verdicts.
        views=[(view, "" if view.retracted else item_template.render(view=view, t=view.messages)) for view in views],
    )
    # Documents stored before control characters were refused may still hold some: one would
    # make the whole feed unreadable.
    return xml_safe(body).encode()


async def datafeed_route(request: Request) -> Response:
    """The DataFeed, sent as a file (see feed.site.datafile): brought up to date first if it is behind."""
    ctx = context_of(request)
    root = files_dir(ctx.settings)
    found = await run_in_threadpool(fresh_datafeed, ctx, root)
    if found is None:
        # Behind the store: one request of this process writes it (on one thread); the others
        # wait here, on the event loop, not each on a thread of their own.
        async with _datafeed_writer:
            found = await run_in_threadpool(current_datafeed, ctx, root)
    coding = negotiate_encoding(request.headers.get("accept-encoding", ""))
    headers = {
        **_feed_headers(ctx.urls.url("datafeed"), ctx.settings.websub_hub or None),
        "ETag": etag_for(found.tag, coding),
        "Cache-Control": _control(ctx),
        "Vary": "Accept-Encoding",
        "Last-Modified": format_datetime(found.last_modified.astimezone(UTC), usegmt=True),
    }
    if is_not_modified(request.headers.get("if-none-match"), request.headers.get("if-modified-since"), found.tag,
                       found.last_modified):  # fmt: skip
        return Response(status_code=304, headers=headers)
    if coding != "identity":
        headers["Content-Encoding"] = coding
    path = found.path if coding == "identity" else found.copy(coding)
    # No stat-based validators of its own: the DataFeed's ETag names its content.
    return FileResponse(path, media_type="application/ld+json", headers=headers, stat_result=os.stat(path))


def sitemap_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    total = ctx.store.sitemap_count()
    templates = ctx.templates
    if total + 1 <= SITEMAP_LIMIT:
        entries = ctx.store.sitemap_entries(SITEMAP_LIMIT, 0)
        body = templates.get_template("sitemap.xml").render(urls=_urls(ctx, entries, with_home=True))
        last = max((updated for _, updated in entries), default=None)
    else:
        sitemaps, last = [], None
        for number in range(1, sitemap_files(total) + 1):
            entries = ctx.store.sitemap_entries(SITEMAP_LIMIT, (number - 1) * SITEMAP_LIMIT)
            newest = max(updated for _, updated in entries)
            last = max(last or newest, newest)
            sitemaps.append({"loc": ctx.urls.url("sitemap_part", number=number), "lastmod": rfc3339_stamp(newest)})
        body = templates.get_template("sitemap_index.xml").render(sitemaps=sitemaps)
    return rendered(xml_safe(body).encode(), "application/xml", store_time(last) if last else None, _control(ctx),
                    scope=LISTING)  # fmt: skip


def sitemap_files(total: int) -> int:
    """How many numbered sitemaps `total` fact-checks take (0: the one sitemap.xml holds all); `total`
    counts those the sitemaps list (`Store.sitemap_count`)."""
    return 0 if total + 1 <= SITEMAP_LIMIT else -(-total // SITEMAP_LIMIT)


def sitemap_part_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    number = params["number"]
    if not 1 <= number <= sitemap_files(ctx.store.sitemap_count()):
        raise HTTPProblem(404, "Not found", "No such sitemap; start at /sitemap.xml.")
    entries = ctx.store.sitemap_entries(SITEMAP_LIMIT, (number - 1) * SITEMAP_LIMIT)
    body = ctx.templates.get_template("sitemap.xml").render(urls=_urls(ctx, entries, with_home=number == 1))
    last = max(updated for _, updated in entries)
    return rendered(xml_safe(body).encode(), "application/xml", store_time(last), _control(ctx), scope=LISTING)


def _urls(ctx: Context, entries: list[tuple[str, str]], *, with_home: bool) -> list[dict[str, Any]]:
    """The sitemap's entries; a fact-check with translations lists them all as alternates."""
    urls: list[dict[str, Any]] = [{"loc": ctx.urls.home(), "lastmod": None, "alternates": []}] if with_home else []
    alternates = sitemap_alternates(ctx, [slug for slug, _ in entries])
    urls.extend(
        {"loc": ctx.urls.check(slug), "lastmod": rfc3339_stamp(updated), "alternates": alternates.get(slug, [])}
        for slug, updated in entries
    )
    return urls


def robots_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    # A search answers any query: crawlers would find no end of pages, all of them in the sitemaps already.
    search = ctx.urls.path("search")  # /search.json too: Disallow is a prefix
    sitemaps = "".join(f"Sitemap: {ctx.urls.url(name)}\n" for name in ("sitemap", "sitemap_browse"))
    body = f"User-agent: *\nAllow: /\nDisallow: {api_root()}\nDisallow: {search}\n\n{sitemaps}"
    return rendered(body.encode(), "text/plain", None, _control(ctx), scope=FIXED)


def indexnow_key_route(request: Request) -> Response:
    key = context_of(request).settings.indexnow_key
    return Response(key, media_type="text/plain")
