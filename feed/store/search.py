"""The search index: published and retracted fact-checks by their words and facets, kept in the
same transaction as every write, behind one contract on both stores.

Each backend keeps the words its own way (SQLite: an FTS5 table; PostgreSQL: a tsvector with a
GIN index) from the same terms (feed.words), so both find the same fact-checks; the hooks below
are all that differs. A query is tried strictly first (every uncommon word), then with each
unknown word replaced by the nearest word of the archive's claims and headlines, then with any
of its words: so a misspelling or a word the fact-check does not use still finds it.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from rapidfuzz.distance import Levenshtein

from feed.store.searchentry import Facet, facets_of, field_terms
from feed.store.sql import Cursor, SQLBase, language_filter
from feed.words.analysis import fold
from feed.words.query import QueryWord, query_words, required
from feed.words.stemmers import primary

INDEXED_STATUSES = ("published", "retracted")  # drafts are never in the index
MIN_PART = 3  # letters of each part when a word is split in two
LANGUAGES_TTL = 60.0  # seconds the list of the index's languages is kept before it is read again
Categorize = Callable[[dict[str, Any]], Sequence[str]]


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""  # what the reader typed; "" lists the newest (a browse page)
    language: str | None = None  # that language and its forms (es: es-MX too)
    categories: tuple[str, ...] = ()  # verdict categories, any of them; () any
    tag: str | None = None  # facet keys (feed.store.searchentry.facet_key)
    claimant: str | None = None
    author: str | None = None
    publishers: tuple[str, ...] = ()  # publisher ids, any of them; () any
    since: str | None = None  # store timestamps: published at or after
    until: str | None = None  # published before
    statuses: tuple[str, ...] = INDEXED_STATUSES
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True)
class SearchHit:
    slug: str
    status: str
    document: dict[str, Any]
    published_at: str | None
    updated_at: str


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit]
    more: bool  # another page follows
    words: list[QueryWord] = field(default_factory=list)  # what was looked for (for highlighting)
    corrected: dict[str, str] = field(default_factory=dict)  # a word typed -> the word looked for
    relaxed: bool = False  # no fact-check has every word; these have some


@dataclass(frozen=True)
class WordMatch:
    join: str  # joined after `search_documents d`
    condition: str  # starts with AND
    condition_params: tuple[Any, ...]
    rank: str  # an ORDER BY term, best first, ending in ", "
    rank_params: tuple[Any, ...]


NO_WORDS = WordMatch("", "", (), "", ())


class SearchIndex(SQLBase):
    # -- backend hooks -------------------------------------------------------

    @abstractmethod
    def _write_search_text(self, cur: Cursor, document_id: int, fields: dict[str, list[frozenset[str]]]) -> None:
        """Put a document's terms, by field, in the word index (replacing what it had)."""

    @abstractmethod
    def _delete_search_text(self, cur: Cursor, document_id: int) -> None: ...

    @abstractmethod
    def _match(self, groups: Sequence[frozenset[str]], every: bool) -> WordMatch:
        """How to find the documents `d` (search_documents) that hold a term of every group
        (`every`) or of any group, and rank them."""

    # -- writing -------------------------------------------------------------

    def _index_for_search(
        self, cur: Cursor, document: dict[str, Any], published_at: str | None, categories: Sequence[str]
    ) -> None:
        """Make the index hold `document` as it now is: in it if public, out of it if not."""
        slug, status = document["slug"], document.get("status", "draft")
        cur.execute("SELECT id FROM search_documents WHERE slug = ?", (slug,))
        rows = cur.fetchall()
        document_id = int(rows[0][0]) if rows else None
        if status not in INDEXED_STATUSES:
            if document_id is not None:
                self._unindex(cur, document_id)
            return
        language = (document.get("language") or "").lower() or None
        if document_id is None:
            cur.execute(
                "INSERT INTO search_documents (slug, status, language, publisher, published_at) VALUES (?, ?, ?, ?, ?)",
                (slug, status, language, document.get("publisher"), published_at),
            )
            cur.execute("SELECT id FROM search_documents WHERE slug = ?", (slug,))
            document_id = int(cur.fetchall()[0][0])
        else:
            cur.execute(
                "UPDATE search_documents SET status = ?, language = ?, publisher = ?, published_at = ? WHERE id = ?",
                (status, language, document.get("publisher"), published_at, document_id),
            )
            cur.execute("DELETE FROM search_facets WHERE document_id = ?", (document_id,))
        terms = field_terms(document)
        self._write_search_text(cur, document_id, terms)
        for facet in facets_of(document, categories):
            cur.execute(
                "INSERT INTO search_facets (kind, key, document_id, position, label, category) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (facet.kind, facet.key, document_id, facet.position, facet.label, facet.category),
            )
        # The words readers misspell are the claims' and headlines': kept for suggestions. Counts
        # only rise (an edit that drops a word leaves it), which suggestions can live with.
        # Each is kept by its shortest term (the stem, which a misspelling is nearest) with the
        # word as written, folded (what "showing results for" tells the reader).
        words = {min(t, key=len): max(t, key=len) for name in ("claim", "headline") for t in terms[name]}
        for term, written in sorted(words.items()):
            cur.execute(
                "INSERT INTO search_vocabulary (term, word, documents) VALUES (?, ?, 1) "
                "ON CONFLICT (term) DO UPDATE SET documents = search_vocabulary.documents + 1",
                (term, written),
            )

    def _unindex(self, cur: Cursor, document_id: int) -> None:
        cur.execute("DELETE FROM search_facets WHERE document_id = ?", (document_id,))
        self._delete_search_text(cur, document_id)
        cur.execute("DELETE FROM search_documents WHERE id = ?", (document_id,))

    def reindex(self, categorize: Categorize) -> int:
        """Rebuild the whole index from the fact-checks, in one transaction (readers keep the old
        index until it commits). Returns how many fact-checks it holds."""
        with self._transaction() as cur:
            return self.rebuild_search_index(cur, categorize)

    def rebuild_search_index(self, cur: Cursor, categorize: Categorize) -> int:
        """reindex within a transaction of the caller's (restore's)."""
        cur.execute("SELECT id FROM search_documents")
        for (document_id,) in cur.fetchall():
            self._unindex(cur, int(document_id))
        cur.execute("DELETE FROM search_vocabulary")
        marks = ", ".join("?" for _ in INDEXED_STATUSES)
        cur.execute(f"SELECT document, published_at FROM factchecks WHERE status IN ({marks})", INDEXED_STATUSES)
        rows = cur.fetchall()
        for body, published_at in rows:
            document = orjson.loads(body)
            self._index_for_search(cur, document, published_at, categorize(document))
        return len(rows)

    def search_index_lags(self) -> bool:
        """Whether public fact-checks are missing from the index: a store written before the
        index existed (migration 13), which `factcard reindex` (or starting the server) fills."""
        marks = ", ".join("?" for _ in INDEXED_STATUSES)
        rows = self._query(
            f"SELECT (SELECT COUNT(*) FROM factchecks WHERE status IN ({marks})), "
            "(SELECT COUNT(*) FROM search_documents)",
            INDEXED_STATUSES,
        )
        return int(rows[0][0]) != int(rows[0][1])

    # -- reading -------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """One page of fact-checks for `query`, best first (ties: the newer first)."""
        if not query.text.strip():
            return SearchResults(*self._page(query, None))
        languages = [query.language] if query.language else self.search_languages()
        words = query_words(query.text, languages)
        if not words:
            return SearchResults([], False, [])
        wanted = required(words)
        hits, more = self._page(query, ([w.terms for w in wanted], True))
        if hits:
            return SearchResults(hits, more, words)
        corrected, fixed = self._corrections(wanted, languages)
        if corrected:
            hits, more = self._page(query, ([w.terms for w in fixed], True))
            if hits:
                return SearchResults(hits, more, [*words, *fixed], corrected)
        hits, more = self._page(query, ([w.terms for w in fixed], False))
        return SearchResults(hits, more, [*words, *fixed], corrected, relaxed=bool(hits))

    def _page(
        self, query: SearchQuery, match: tuple[list[frozenset[str]], bool] | None
    ) -> tuple[list[SearchHit], bool]:
        words = NO_WORDS if match is None else self._match(*match)
        filters, filter_params = _filters(query, browsing=match is None)
        # The page's slugs first, from the index alone, then only their documents: joined in one
        # query, every matching fact-check's document would be carried through the sort.
        read = self._query if match is None else self._word_rows
        rows = read(
            f"SELECT d.slug FROM search_documents d{words.join} "
            f"WHERE d.status IN ({', '.join('?' for _ in query.statuses)}){words.condition}{filters} "
            f"ORDER BY {words.rank}d.published_at DESC, d.slug ASC LIMIT ? OFFSET ?",
            (*query.statuses, *words.condition_params, *filter_params, *words.rank_params, query.limit + 1,
             query.offset),
        )  # fmt: skip
        slugs = [str(r[0]) for r in rows[: query.limit]]
        if not slugs:
            return [], False
        found = {
            r[0]: SearchHit(r[0], r[1], orjson.loads(r[2]), r[3], r[4])
            for r in self._query(
                "SELECT slug, status, document, published_at, updated_at FROM factchecks "
                f"WHERE slug IN ({', '.join('?' for _ in slugs)})",
                slugs,
            )
        }
        # A fact-check unpublished between the two reads is left out of the page.
        return [found[slug] for slug in slugs if slug in found], len(rows) > query.limit

    def _corrections(
        self, wanted: list[QueryWord], languages: Sequence[str | None]
    ) -> tuple[dict[str, str], list[QueryWord]]:
        """Each word of `wanted` that no fact-check holds, replaced by the nearest word of the
        archive's claims and headlines (edit distance 1, or 2 for words of 6 letters or more)."""
        corrected: dict[str, str] = {}
        fixed = []
        for word in wanted:
            typed = min(word.terms, key=len)
            if word.piece.dense or len(typed) < 4 or self._holds(word.terms):
                fixed.append(word)
                continue
            best = self._nearest(typed, 1 if len(typed) < 6 else 2) or self._split(word.piece.text, languages)
            if best is None:
                fixed.append(word)
                continue
            corrected[word.piece.text] = best
            again = query_words(best, languages)
            fixed += [replace(word, terms=part.terms) for part in again] if again else [word]
        return corrected, fixed

    def _split(self, written: str, languages: Sequence[str | None]) -> str | None:
        """`written` as two words the archive holds ("megabassines": "mega bassines"), the split
        with the longer shorter part; None if there is none. Readers join words that the
        fact-check hyphenates or spaces."""
        folded = fold(written)
        best: tuple[int, str] | None = None
        for cut in range(MIN_PART, len(folded) - MIN_PART + 1):
            left, right = folded[:cut], folded[cut:]
            shorter = min(len(left), len(right))
            if best is not None and shorter <= best[0]:
                continue
            parts = query_words(f"{left} {right}", languages)
            if len(parts) == 2 and all(self._holds(part.terms) for part in parts):
                best = (shorter, f"{left} {right}")
        return best[1] if best else None

    def _holds(self, terms: frozenset[str]) -> bool:
        words = self._match([terms], True)
        return bool(self._word_rows(f"SELECT 1 FROM search_documents d{words.join} WHERE 1 = 1{words.condition} "
                                    "LIMIT 1", words.condition_params))  # fmt: skip

    def _word_rows(self, statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """The rows of `statement`, a query that matches words: a backend hook for its planner."""
        return self._query(statement, params)

    def _nearest(self, typed: str, most: int) -> str | None:
        """The archive's word whose term is nearest `typed` (the typed word's shortest term)."""
        prefix = typed[:2]
        rows = self._query(
            "SELECT term, word, documents FROM search_vocabulary WHERE term >= ? AND term < ? LIMIT 5000",
            (prefix, prefix + "\U0010ffff"),
        )
        scored = []
        for term, written, documents in rows:
            if abs(len(term) - len(typed)) <= most:
                distance = Levenshtein.distance(typed, term, score_cutoff=most)
                if distance <= most:
                    scored.append((distance, -int(documents), term, str(written)))
        return min(scored)[3] if scored else None

    def search_languages(self) -> list[str]:
        """The primary languages of the indexed fact-checks: a query is stemmed in each of them."""
        kept = getattr(self, "_search_languages", None)
        if kept is not None and kept[0] > time.monotonic():
            return list(kept[1])
        rows = self._query("SELECT DISTINCT language FROM search_documents")
        languages = sorted({primary(r[0]) for r in rows if r[0]})
        self._search_languages = (time.monotonic() + LANGUAGES_TTL, languages)
        return languages

    # -- facets --------------------------------------------------------------

    def facet(self, kind: str, key: str) -> tuple[str, dict[str, int], int] | None:
        """A tag's, claimant's or author's name (as most recently written), its published claims by
        verdict category, and how many public fact-checks it is on; None if it is on none."""
        rows = self._query(
            "SELECT x.label, x.category, d.status, d.id FROM search_facets x "
            "JOIN search_documents d ON d.id = x.document_id WHERE x.kind = ? AND x.key = ? "
            "ORDER BY d.published_at DESC, d.slug ASC",
            (kind, key),
        )
        if not rows:
            return None
        categories: dict[str, int] = {}
        for _, category, status, _ in rows:
            if category is not None and status == "published":
                categories[category] = categories.get(category, 0) + 1
        return str(rows[0][0]), categories, len({r[3] for r in rows})

    def facets(self, kind: str, limit: int = 1000) -> list[tuple[str, str, int]]:
        """(key, name, public fact-checks) of every tag, claimant or author, the most used first."""
        rows = self._query(
            "SELECT key, MAX(label), COUNT(DISTINCT document_id) AS n FROM search_facets WHERE kind = ? "
            "GROUP BY key ORDER BY n DESC, key ASC LIMIT ?",
            (kind, limit),
        )
        return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    def facets_of_check(self, slug: str) -> list[Facet]:
        rows = self._query(
            "SELECT x.kind, x.key, x.label, x.category, x.position FROM search_facets x "
            "JOIN search_documents d ON d.id = x.document_id WHERE d.slug = ? ORDER BY x.kind, x.position, x.key",
            (slug,),
        )
        return [Facet(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    def indexed_slug_at(self, canonical_url: str) -> str | None:
        """The published or retracted fact-check whose canonical page is `canonical_url`, an
        original article kept canonical (the `canonical_url` column, indexed); None for any other URL."""
        if "\x00" in canonical_url:  # no stored URL holds NUL, and PostgreSQL text cannot carry one
            return None
        rows = self._query(
            "SELECT d.slug FROM search_documents d JOIN factchecks f ON f.slug = d.slug "
            "WHERE f.canonical_url = ? ORDER BY d.slug LIMIT 1",
            (canonical_url,),
        )
        return str(rows[0][0]) if rows else None


def _filters(query: SearchQuery, browsing: bool = False) -> tuple[str, tuple[Any, ...]]:
    """The conditions on `d` (search_documents) for the query's filters. A tag, claimant or
    author holds few fact-checks of many: `browsing` (no words to find) starts from its list of
    them rather than trying the newest fact-checks one by one until a page is full."""
    conditions: list[str] = []
    params: list[Any] = []
    in_language, tags = language_filter("d.language", query.language)
    conditions.append(in_language)
    params += tags
    facets: Iterable[tuple[str, str | None]] = (("tag", query.tag), ("claimant", query.claimant),
                                                ("author", query.author))  # fmt: skip
    for kind, key in facets:
        if key is not None and browsing:
            conditions.append(" AND d.id IN (SELECT x.document_id FROM search_facets x WHERE x.kind = ? AND x.key = ?)")
            params += [kind, key]
        elif key is not None:
            conditions.append(" AND EXISTS (SELECT 1 FROM search_facets x WHERE x.kind = ? AND x.key = ? "
                              "AND x.document_id = d.id)")  # fmt: skip
            params += [kind, key]
    if query.categories:
        marks = ", ".join("?" for _ in query.categories)
        conditions.append(" AND EXISTS (SELECT 1 FROM search_facets x WHERE x.kind = 'category' "
                          f"AND x.key IN ({marks}) AND x.document_id = d.id)")  # fmt: skip
        params += query.categories
    if query.publishers:
        conditions.append(f" AND d.publisher IN ({', '.join('?' for _ in query.publishers)})")
        params += query.publishers
    if query.since:
        conditions.append(" AND d.published_at >= ?")
        params.append(query.since)
    if query.until:
        conditions.append(" AND d.published_at < ?")
        params.append(query.until)
    return "".join(conditions), tuple(params)
