"""The reader's search: /search, a page, and /search.json, the same answer as JSON.

A query is the reader's words (`q`) and filters: the fact-check's language, verdict categories
(`category`, which may repeat), a tag, claimant or author (their facet keys), a date range
(`from`, `to`: days, inclusive) and a page of ten. Words with filters, or filters alone (the
newest that match: browsing by filter), are answered by the store's index (feed.store.search);
no words and no filters is the empty form.

An answer is never kept: not by the render cache (its Rendered has no scope, and the fast path
never waits on another request for it), not by any other cache (`Cache-Control: no-store`):
there are as many answers as queries, each publish changes them, and what a reader searched for
is theirs alone, not for a shared computer's disk. Nor is it indexed (`noindex`, robots.txt) or
a file of the static build: a file cannot answer a query.

The page speaks the reader's language: `?lang=`, else Accept-Language, else the site's (as the
error page chooses it); a search is rendered per request, so unlike the cached pages it may read
the request's headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import orjson
from babel import Locale, UnknownLocaleError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from feed.core.findings import findings, query_text
from feed.core.problems import HTTPProblem
from feed.core.query import MAX_PAGE, language_tag, takes, whole_number
from feed.core.representation import verdict_view
from feed.core.urls import PATTERNS
from feed.render.context import Context, context_of
from feed.render.rendered import Rendered, rendered
from feed.site.cards import card_links
from feed.site.errorpage import reader_language
from feed.site.pages import ui_attributes
from feed.site.respond import respond
from feed.store import SearchHit, SearchQuery, SearchResults, facet_key
from feed.store.clock import sort_key
from feed.words.analysis import pieces, terms_of
from feed.words.query import QueryWord, required
from schemas.claimreview import canonical_url
from schemas.errors import FieldError
from schemas.languages import text_direction
from schemas.model import load_factcheck
from schemas.ratings import CATEGORIES
from widget.card import embed_code
from widget.i18n import Messages, choose_language, language_name, primary

PAGE_SIZE = 10
PARAMETERS = ("q", "lang", "language", "category", "tag", "claimant", "author", "from", "to", "page")
FACETS = ("tag", "claimant", "author")
CONTROL = "no-store"
HEADERS = {"X-Robots-Tag": "noindex"}
MAX_FACET = 200  # characters of a tag, claimant or author key; longer is no key of ours
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
Segments = list[tuple[str, bool]]  # a text in pieces, each marked (a word searched for) or not


@dataclass(frozen=True)
class Ask:
    """One search as a reader asked for it, checked."""

    text: str = ""
    lang: str | None = None  # ?lang= as given: kept in the links that page on
    language: str | None = None
    categories: tuple[str, ...] = ()
    tag: str | None = None
    claimant: str | None = None
    author: str | None = None
    since: date | None = None  # from, inclusive
    until: date | None = None  # to, inclusive
    page: int = 1

    @property
    def filtered(self) -> bool:
        facets = (self.tag, self.claimant, self.author)
        return bool(self.language or self.categories or any(facets) or self.since or self.until)

    def params(self, page: int | None = None, text: str | None = None) -> list[tuple[str, str]]:
        """This search's query string (on page `page`, for words `text`), in one order."""
        pairs = [("q", self.text if text is None else text), ("lang", self.lang or ""),
                 ("language", self.language or "")]  # fmt: skip
        pairs += [("category", category) for category in self.categories]
        pairs += [("tag", self.tag or ""), ("claimant", self.claimant or ""), ("author", self.author or "")]
        pairs += [("from", self.since.isoformat() if self.since else ""),
                  ("to", self.until.isoformat() if self.until else "")]  # fmt: skip
        number = self.page if page is None else page
        pairs.append(("page", str(number) if number > 1 else ""))
        return [(name, value) for name, value in pairs if value]

    def store_query(self) -> SearchQuery:
        # Days are UTC days, as the store keeps publication times; `to` takes in its whole day.
        after = self.until + timedelta(days=1) if self.until else None
        return SearchQuery(
            self.text, self.language, self.categories, self.tag, self.claimant, self.author,
            since=sort_key(self.since.isoformat()) if self.since else None,
            until=sort_key(after.isoformat()) if after else None,
            limit=PAGE_SIZE, offset=(self.page - 1) * PAGE_SIZE,
        )  # fmt: skip


def parse_ask(query: Sequence[tuple[str, str]], indexed: Sequence[str]) -> Ask:
    """The search `query` asks for, or a 400 naming the parameter that is wrong. An empty value is
    an absent one (a form sends its empty fields); `indexed`: the languages the index holds."""
    given: dict[str, str] = {}
    categories: list[str] = []
    for name, raw in query:
        value = raw.strip()
        if name == "category" and value:
            if value not in CATEGORIES:
                raise _bad("category", f"is not a verdict category; the categories are {', '.join(CATEGORIES)}")
            categories.append(value)
        elif value:
            given[name] = value
    language = language_tag(given.get("language"), "language")
    if language is not None and not _known_language(language, indexed):
        raise _bad("language", f"{language!r} is no language we know; give a BCP 47 tag such as es or pt-BR")
    facets = {name: _facet(name, given.get(name)) for name in FACETS}
    since, until = _day(given.get("from"), "from"), _day(given.get("to"), "to")
    if since and until and since > until:
        raise _bad("from", "is after to: the range from a day to a later one")
    return Ask(
        query_text(given.get("q", "")), language_tag(given.get("lang")), language,
        tuple(sorted(set(categories), key=CATEGORIES.index)), facets["tag"], facets["claimant"], facets["author"],
        since, until, whole_number(given.get("page"), "page", 1, MAX_PAGE) or 1,
    )  # fmt: skip


def _bad(name: str, problem: str) -> HTTPProblem:
    return HTTPProblem(400, f"Bad {name}", f"{name} {problem}.", [FieldError(name, problem)])


def _known_language(tag: str, indexed: Sequence[str]) -> bool:
    """A language some fact-check is in, or one CLDR knows (fr, with none yet, finds none)."""
    if primary(tag) in indexed:
        return True
    try:
        Locale.parse(primary(tag))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _facet(name: str, value: str | None) -> str | None:
    """A facet's key; a name ("Child trafficking") is taken as the key it has (child-trafficking)."""
    if value is None:
        return None
    if len(value) > MAX_FACET:
        raise _bad(name, f"is at most {MAX_FACET} characters")
    return facet_key(value)


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        if DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise _bad(name, "must be a day written YYYY-MM-DD, such as 2025-06-18")


def answer(ctx: Context, ask: Ask) -> SearchResults | None:
    """The store's answer; None for no words and no filter (nothing asked yet)."""
    if not ask.text and not ask.filtered:
        return None
    return ctx.store.search(ask.store_query())


# -- highlighting ------------------------------------------------------------------------


def searched_terms(words: Sequence[QueryWord]) -> frozenset[str]:
    """The terms a result's words are marked for: those of the words a result had to hold."""
    return frozenset().union(*(word.terms for word in required(words))) if words else frozenset()


def marked(text: str, language: str, terms: frozenset[str]) -> Segments:
    """`text` cut into pieces, a piece marked where a word of it has a term of `terms` (read in
    `language`, as the index read it). The template escapes each piece and wraps the marked ones in
    <mark>: no markup is made here."""
    spans: list[list[int]] = []
    for piece in pieces(text) if terms else ():
        if terms_of(piece, (language,)) & terms:
            if spans and piece.start <= spans[-1][1]:  # the overlapping pairs of a dense script
                spans[-1][1] = max(spans[-1][1], piece.end)
            else:
                spans.append([piece.start, piece.end])
    segments: Segments = []
    position = 0
    for start, end in spans:
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text):
        segments.append((text[position:], False))
    return segments


def corrected_text(text: str, corrected: dict[str, str]) -> str:
    """The reader's words with each corrected one replaced (for "did you mean")."""
    out, position = [], 0
    for piece in pieces(text):
        if piece.text in corrected:
            out += [text[position : piece.start], corrected[piece.text]]
            position = piece.end
    return "".join([*out, text[position:]])


# -- the answers -------------------------------------------------------------------------


def result_view(ctx: Context, hit: SearchHit, terms: frozenset[str], t: Messages) -> dict[str, Any]:
    """One result as search.html shows it."""
    fc = load_factcheck(hit.document)
    publisher = ctx.publishers.get(fc.publisher)
    page_url = ctx.urls.check(fc.slug)
    retracted = fc.status == "retracted"
    claims = [
        {
            "text": marked(claim.text, fc.language, terms),
            # A retracted fact-check's verdict is withdrawn: never shown as a verdict.
            "verdict": None if retracted or publisher is None else verdict_view(publisher, claim.verdict, fc.language),
        }
        for claim in fc.claims
    ]
    embed = None
    if not retracted and publisher is not None:
        embed = embed_code(ctx.templates, fc, publisher, card_links(ctx.urls, fc))
    return {
        "fc": fc,
        "url": canonical_url(fc, page_url),
        "direction": text_direction(fc.language),
        "headline": marked(fc.headline, fc.language, terms),
        "claims": claims,
        "retracted": retracted,
        "reason": fc.retraction.reason if retracted and fc.retraction else "",
        "embed": embed,
        "ui": ui_attributes(t, fc.language),  # the reader's words inside a result in another language
    }


def search_html(ctx: Context, ask: Ask, speaks: str) -> Rendered:
    """The search page for `ask`, its own words in catalogue `speaks`."""
    t = Messages(speaks)
    results = answer(ctx, ask)
    terms = searched_terms(results.words) if results else frozenset()
    items = [result_view(ctx, hit, terms, t) for hit in results.hits] if results else []
    urls = ctx.urls
    json_url = urls.search(ask.params(), as_json=True)
    # The words as corrected, already searched for: the page says so and links to them.
    suggestion = corrected_text(ask.text, results.corrected) if results and results.corrected else None
    html = ctx.templates.get_template("search.html").render(
        t=t,
        ask=ask,
        asked=results is not None,
        items=items,
        suggestion=suggestion,
        suggestion_url=urls.search(ask.params(1, suggestion)) if suggestion else None,
        relaxed=bool(results and results.relaxed),
        prev_url=urls.search(ask.params(ask.page - 1)) if results and ask.page > 1 else None,
        next_url=urls.search(ask.params(ask.page + 1)) if results and results.more else None,
        json_url=json_url,
        action=urls.search(),
        languages=[(tag, language_name(tag)) for tag in _form_languages(ctx, ask)],
        categories=[(category, t.category(category)) for category in CATEGORIES],
        facets=[(name, getattr(ask, name), _facet_label(ctx, name, getattr(ask, name))) for name in FACETS],
    )
    link = f'<{json_url}>; rel="alternate"; type="application/json"'
    return rendered(html.encode(), "text/html; charset=utf-8", None, CONTROL, {**HEADERS, "Link": link})


def _form_languages(ctx: Context, ask: Ask) -> list[str]:
    """The languages the filter offers: those of the archive, and the one asked for."""
    indexed = ctx.store.search_languages()
    return sorted({*indexed, *([ask.language] if ask.language else [])})


def _facet_label(ctx: Context, kind: str, key: str | None) -> str | None:
    if key is None:
        return None
    found = ctx.store.facet(kind, key)
    return found[0] if found else key


def search_json(ctx: Context, ask: Ask) -> Rendered:
    """The same search as JSON: findings a tool or assistant can cite, and the links that page on."""
    results = answer(ctx, ask)
    hits = results.hits if results else []
    urls = ctx.urls
    body = {
        "query": ask.text,
        "page": ask.page,
        "items": findings(hits, ctx.publishers, urls),
        "corrected": results.corrected if results else {},
        "relaxed": bool(results and results.relaxed),
        "next": urls.search(ask.params(ask.page + 1), as_json=True) if results and results.more else None,
        "previous": urls.search(ask.params(ask.page - 1), as_json=True) if results and ask.page > 1 else None,
    }
    link = f'<{urls.search(ask.params())}>; rel="alternate"; type="text/html"'
    return rendered(orjson.dumps(body), "application/json", None, CONTROL, {**HEADERS, "Link": link})


# -- HTTP --------------------------------------------------------------------------------


def _ask(request: Request, ctx: Context) -> Ask:
    return parse_ask(request.query_params.multi_items(), ctx.store.search_languages())


@takes(*PARAMETERS, repeatable=("category",))
def search_page(request: Request) -> Response:
    ctx = context_of(request)
    ask = _ask(request, ctx)
    speaks = choose_language(reader_language(request, ctx.settings.language), ctx.settings.language)
    return respond(request, search_html(ctx, ask, speaks))


@takes(*PARAMETERS, repeatable=("category",))
def search_json_route(request: Request) -> Response:
    ctx = context_of(request)
    return respond(request, search_json(ctx, _ask(request, ctx)))


def search_routes() -> list[Route]:
    return [
        Route(PATTERNS["search_json"], search_json_route, methods=["GET"]),
        Route(PATTERNS["search"], search_page, methods=["GET"]),
    ]
