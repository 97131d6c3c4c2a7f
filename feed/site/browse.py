"""Browse pages: the public fact-checks of one tag, claimant or author, newest first.

`/tags/{key}`, `/claimants/{key}` and `/authors/{key}` (key: feed.store.searchentry.facet_key of
the name), later pages at `.../page/N`, each with a JSON Feed and an Atom feed of its newest
fact-checks, made by the same item builders as the whole site's feeds (feed.site.feeds). A
claimant's page also shows their record: their published claims by verdict category, as a chart
and as a table. A retracted fact-check is listed as retracted: its notice, never its old verdict.

The page's own words are in the site's language; names are shown as written, each item in its
own language. A key that no public fact-check carries is a 404.

Every representation here is kept in the LISTING scope, dropped on any public change: a page
changes whenever a fact-check that carries (or carried) its tag, claimant or author does, and
the index that says which those are is written in the same transaction as the change. The
static build writes them all and, after a change, rewrites those of every facet that any
revision of a changed fact-check had (feed.build.static).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from feed.core.problems import HTTPProblem
from feed.core.query import MAX_PAGE
from feed.core.representation import verdict_view
from feed.core.urls import BROWSE_KINDS, fill
from feed.render.caching import cache_control
from feed.render.context import Context
from feed.render.rendered import LISTING, Rendered, rendered
from feed.site.feeds import SITEMAP_LIMIT, atom_document
from feed.site.jsonfeed import json_feed, json_feed_item
from feed.site.pages import ui_attributes
from feed.site.syndication import EntryView, entry_view
from feed.store import FeedEntry, SearchHit, SearchQuery, facet_key
from feed.store.clock import rfc3339_stamp, store_time
from schemas.languages import text_direction
from schemas.text import xml_safe
from widget.i18n import CATEGORY_NAMES, N_, Messages, choose_language

View = Callable[[Context, Mapping[str, Any], Mapping[str, str]], Rendered]

# The heading of each kind's page (and its feeds' title); the name is shown as written.
HEADINGS = {
    "tag": N_("Fact-checks tagged %(name)s"),
    "claimant": N_("Claims by %(name)s"),
    "author": N_("Fact-checks by %(name)s"),
}
FEED_DESCRIPTION = N_("Fact-checks with their verdicts and ClaimReview markup, newest first.")
EVERY = 1_000_000_000  # no limit: the build and the sitemap ask for every tag, claimant and author


def site_words(ctx: Context) -> Messages:
    """The catalogue of a browse page's own words: the site's language, as the home page's."""
    return Messages(choose_language(None, ctx.settings.language))


def found_facet(ctx: Context, kind: str, key: str) -> tuple[str, dict[str, int], int]:
    """(name as written, published claims by category, public fact-checks), or the reader's 404."""
    found = ctx.store.facet(kind, key)
    if found is None:
        raise HTTPProblem(404, "Not found", f"No public fact-check has the {kind} {key!r}.")
    return found


def page_count(ctx: Context, count: int) -> int:
    return max(1, -(-count // ctx.settings.page_size))


def newest(ctx: Context, kind: str, key: str, limit: int, offset: int = 0) -> tuple[list[SearchHit], bool]:
    """One page of the facet's public fact-checks, newest first (a search with no words)."""
    results = ctx.store.search(SearchQuery(**{kind: key}, limit=limit, offset=offset))  # type: ignore[arg-type]
    return results.hits, results.more


def _control(ctx: Context) -> str:
    return cache_control(ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate)


def _last_modified(ctx: Context) -> Any:
    # The newest public change anywhere: later than any change that could have touched this page
    # (one that took a fact-check off it too), so a conditional request is never wrongly a 304.
    latest = ctx.store.change_time(ctx.store.public_snapshot())
    return store_time(latest) if latest else None


# -- a claimant's record --------------------------------------------------------------
#
# Their published claims by verdict category, as data for the template to draw as inline SVG
# (browse.html): every bar's box and every label's anchor, in viewBox units; no script and no
# markup made here. The SVG scales to its column (a viewBox and width 100%), so it never scrolls
# sideways; on a right-to-left page the bars grow from the right. The page gives the same numbers
# as a table too, the chart's text alternative beside its <title>.

CHART_WIDTH = 400  # viewBox units; the SVG is drawn at the width of its column
ROW = 34  # the height of one bar's row
BAR = 22  # the height of a bar
LABELS = 150  # the width kept for the category names
NUMBER = 40  # room after the longest bar for its count
ORDER = tuple(CATEGORY_NAMES)  # true to false, then unproven and other: the scales' order


@dataclass(frozen=True)
class Bar:
    category: str
    name: str  # the category in the page's language
    count: int
    count_text: str  # in the language's digits
    x: float  # the bar's box
    y: float
    width: float
    label_x: float  # where the category name is anchored (text-anchor `anchor`)
    number_x: float  # where the count is anchored
    text_y: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int
    anchor: str  # text-anchor of names and counts: "start" left to right, "end" right to left
    summary: str  # the text alternative: "Misleading: 1 and False: 2"
    total: int
    bar_height: int = BAR


def record_chart(categories: Mapping[str, int], t: Messages) -> Chart | None:
    """The chart of `categories` ({category: published claims}), in `t`'s language and direction;
    None when there is nothing to draw (a claimant whose only fact-checks were retracted)."""
    counts = [(category, categories[category]) for category in _ordered(categories) if categories[category] > 0]
    if not counts:
        return None
    most = max(count for _, count in counts)
    room = CHART_WIDTH - LABELS - NUMBER
    rtl = t.direction == "rtl"
    bars = []
    for row, (category, count) in enumerate(counts):
        length = max(2.0, room * count / most)  # a bar of one claim among hundreds still shows
        y = row * ROW + (ROW - BAR) / 2
        if rtl:
            x, label_x, number_x = CHART_WIDTH - LABELS - length, CHART_WIDTH, CHART_WIDTH - LABELS - length - 6
        else:
            x, label_x, number_x = LABELS, 0, LABELS + length + 6
        bars.append(Bar(category, t.category(category), count, t.number(count), x, y, length, label_x, number_x,
                        y + BAR / 2 + 5))  # fmt: skip
    summary = t.join([f"{bar.name}: {bar.count_text}" for bar in bars])
    return Chart(bars, ROW * len(bars), CHART_WIDTH, "end" if rtl else "start", summary, sum(c for _, c in counts))


def _ordered(categories: Mapping[str, int]) -> list[str]:
    known = [category for category in ORDER if category in categories]
    return known + sorted(category for category in categories if category not in ORDER)


# -- the page ------------------------------------------------------------------------


def _item(ctx: Context, hit: SearchHit, kind: str, key: str) -> dict[str, Any]:
    fc = ctx.publishing.load(hit.document)
    publisher = ctx.publishers[fc.publisher]
    words = Messages(choose_language(None, fc.language))  # the item's date and notice, in its own language
    # A claimant's page lists their claims, not the other claims of the same fact-check.
    claims = [
        {"text": claim.text, "verdict": verdict_view(publisher, claim.verdict, fc.language)}
        for claim in fc.claims
        if kind != "claimant" or (claim.claimant is not None and facet_key(claim.claimant.name) == key)
    ]
    retracted = fc.status == "retracted"
    return {
        "fc": fc,
        "url": ctx.urls.check(fc.slug),
        "claims": claims,
        "retracted": retracted,
        "notice": words.gettext("This fact-check has been retracted.") if retracted else None,
        "direction": text_direction(fc.language),
        "t": words,
        "ui": ui_attributes(words, fc.language),
    }


def browse_page(kind: str) -> View:
    def view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
        key = params["key"]
        page = params.get("page", 1)
        if "page" in params and not 2 <= page <= MAX_PAGE:
            # .../page/1 is the page itself by another name: one address per page.
            first, second = fill(kind, key=key), fill(f"{kind}_page", key=key, page=2)
            raise HTTPProblem(404, "Not found", f"Page 1 is {first}; later pages are {second} and on.")
        label, categories, count = found_facet(ctx, kind, key)
        pages = page_count(ctx, count)
        if page > pages:
            raise HTTPProblem(404, "Not found", f"There are only {pages} page(s) of this {kind}'s fact-checks.")
        size = ctx.settings.page_size
        hits, _ = newest(ctx, kind, key, size, (page - 1) * size)
        urls, t = ctx.urls, site_words(ctx)
        before, after = t.around(HEADINGS[kind], "name")
        json_url = urls.browse_feed(kind, key, "json")
        html = ctx.templates.get_template("browse.html").render(
            t=t,
            kind=kind,
            label=label,
            title=t.gettext(HEADINGS[kind], name=label),
            heading=(before, after),
            count=count,
            chart=record_chart(categories, t) if kind == "claimant" else None,
            items=[_item(ctx, hit, kind, key) for hit in hits],
            page=page,
            pages=pages,
            canonical_url=urls.browse(kind, key, page),
            json_feed_url=json_url,
            atom_feed_url=urls.browse_feed(kind, key, "atom"),
            prev_url=urls.browse(kind, key, page - 1) if page > 1 else None,
            next_url=urls.browse(kind, key, page + 1) if page < pages else None,
        )
        link = f'<{json_url}>; rel="alternate"; type="application/feed+json"'
        return rendered(html.encode(), "text/html; charset=utf-8", _last_modified(ctx), _control(ctx),
                        {"Link": link}, LISTING)  # fmt: skip

    return view


# -- its feeds -------------------------------------------------------------------------


def _feed_parts(ctx: Context, kind: str, key: str) -> tuple[str, list[EntryView], str | None]:
    """The feed's title, its entries (the newest fact-checks) and when the newest of them changed."""
    label, _, _ = found_facet(ctx, kind, key)
    hits, _ = newest(ctx, kind, key, ctx.settings.feed_page_size)
    # A hit as the feeds' entries are: its last change, and its publication for a document undated.
    entries = [FeedEntry(0, h.slug, h.status, h.document, h.updated_at, h.published_at or h.updated_at) for h in hits]
    views = [entry_view(entry, ctx.publishers, ctx.publishing) for entry in entries]
    site = next(iter(ctx.publishers.values())).name
    title = f"{site_words(ctx).gettext(HEADINGS[kind], name=label)} · {site}"
    changed = max((h.updated_at for h in hits), default=None)
    return title, views, rfc3339_stamp(changed) if changed else None


def browse_json_feed(kind: str) -> View:
    def view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
        key, urls = params["key"], ctx.urls
        title, views, _ = _feed_parts(ctx, kind, key)
        feed_url, about = urls.browse_feed(kind, key, "json"), urls.url("feed_extension")
        feed = json_feed(
            title=title,
            home_page_url=urls.browse(kind, key),
            feed_url=feed_url,
            icon=urls.static("logo.svg"),
            favicon=urls.url("favicon"),
            items=[json_feed_item(entry, ctx.templates, about) for entry in views],
            next_url=None,
            since_url=None,
            hub=None,  # the WebSub hub hears of the whole feeds only
            about=about,
            description=site_words(ctx).gettext(FEED_DESCRIPTION),
        )
        return rendered(orjson.dumps(feed), "application/feed+json", _last_modified(ctx), _control(ctx),
                        {"Link": f'<{feed_url}>; rel="self"'}, LISTING)  # fmt: skip

    return view


def browse_atom_feed(kind: str) -> View:
    def view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
        key, urls = params["key"], ctx.urls
        title, views, changed = _feed_parts(ctx, kind, key)
        feed_url, t = urls.browse_feed(kind, key, "atom"), site_words(ctx)
        body = atom_document(ctx, views, t=t, feed_id=feed_url, title=title, updated=changed, self_url=feed_url,
                             home_url=urls.browse(kind, key), subtitle=t.gettext(FEED_DESCRIPTION))  # fmt: skip
        return rendered(body, "application/atom+xml", _last_modified(ctx), _control(ctx),
                        {"Link": f'<{feed_url}>; rel="self"'}, LISTING)  # fmt: skip

    return view


VIEWS: dict[str, View] = {}
for _kind in BROWSE_KINDS:
    VIEWS |= {_kind: browse_page(_kind), f"{_kind}_page": browse_page(_kind),
              f"{_kind}_json_feed": browse_json_feed(_kind), f"{_kind}_atom_feed": browse_atom_feed(_kind)}  # fmt: skip


# -- what the build writes and the sitemap lists ----------------------------------------


def browse_paths(ctx: Context, kind: str, key: str, count: int) -> list[str]:
    """Every URL of one facet with `count` public fact-checks: its pages and its two feeds."""
    pages = [fill(f"{kind}_page", key=key, page=n) for n in range(2, page_count(ctx, count) + 1)]
    return [fill(kind, key=key), *pages, fill(f"{kind}_json_feed", key=key), fill(f"{kind}_atom_feed", key=key)]


def every_browse_path(ctx: Context) -> list[str]:
    return [path for kind in BROWSE_KINDS for key, _, count in ctx.store.facets(kind, EVERY)
            for path in browse_paths(ctx, kind, key, count)]  # fmt: skip


def sitemap_browse_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    """The first page of every tag, claimant and author (the most used first, up to the protocol's
    limit), named in robots.txt beside /sitemap.xml, whose numbering it leaves alone."""
    locs = [ctx.urls.browse(kind, key) for kind in BROWSE_KINDS for key, _, _ in ctx.store.facets(kind, EVERY)]
    # A sitemap lists at least one URL: before anything is tagged, the page browsing starts from.
    listed = locs[:SITEMAP_LIMIT] or [ctx.urls.home()]
    urls: list[dict[str, Any]] = [{"loc": loc, "lastmod": None, "alternates": []} for loc in listed]
    body = ctx.templates.get_template("sitemap.xml").render(urls=urls)
    return rendered(xml_safe(body).encode(), "application/xml", _last_modified(ctx), _control(ctx), scope=LISTING)
