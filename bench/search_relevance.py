"""Search relevance: does a reader's query find the fact-check it is after?

    python -m bench.search_relevance            # SQLite and PostgreSQL
    python -m bench.search_relevance --sqlite   # SQLite only
    python -m bench.search_relevance --distractors 20000   # among 20,000 generated fact-checks

Loads a corpus of 120 fact-checks in eight languages (bench/search_corpus/*.json: health,
elections, climate, viral images, as fact-checkers publish them) into a fresh SQLite file and a
fresh PostgreSQL database (the server FACTCARD_BENCH_POSTGRES_URL names, or a throwaway cluster
on 127.0.0.1), then runs every query of bench/search_queries.json as the reader's search box
sends it: the text alone, no language. The queries are typed as readers type them: misspelt,
without accents, in another form of the word, with common words, part of the claim, the words
in another order. Each names the fact-check it should find.

Reports, per store and per language of the query, recall@5 (the share of queries whose
fact-check is among the first five results) and the mean reciprocal rank (1/rank of that
fact-check, 0 when it is not on the first page of ten), and lists every miss. Exits 1 when
recall@5 is under 0.9 on a store. tests/store/test_search_relevance.py holds both stores to it.
`--distractors N` also loads N generated fact-checks (bench/search_latency's, whose words are
drawn from the corpus's and generated ones) so the corpus's fact-checks are found in a crowd.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from feed.core.representation import verdict_categories
from feed.core.settings import Settings
from feed.site.config import load_publishers
from feed.store import Change, SearchQuery, Store, open_store
from feed.store.clock import sort_key, stamp, utc_now
from schemas.model import to_document
from schemas.validation import parse_factcheck

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "search_corpus"
QUERIES = HERE / "search_queries.json"
DEPTH = 5  # recall@5: the first results a reader looks at
PAGE = 10  # results asked for: the first page
TARGET = 0.9


@dataclass(frozen=True)
class Query:
    language: str  # the language the reader types in (for the report; the search is not told)
    text: str
    slug: str  # the fact-check it should find
    kind: str  # how it differs from the fact-check's wording


@dataclass(frozen=True)
class Outcome:
    query: Query
    found: list[str]  # the first page's slugs

    @property
    def rank(self) -> int | None:
        return self.found.index(self.query.slug) + 1 if self.query.slug in self.found else None


def corpus() -> list[dict[str, Any]]:
    """The corpus entries, each with its `language` (the file it is in)."""
    entries = []
    for path in sorted(CORPUS.glob("*.json")):
        entries += [entry | {"language": path.stem} for entry in orjson.loads(path.read_bytes())]
    return entries


def queries() -> list[Query]:
    return [Query(**entry) for entry in orjson.loads(QUERIES.read_bytes())]


def document(entry: dict[str, Any], number: int) -> dict[str, Any]:
    """A corpus entry as a fact-check document: one claim, a summary, a section, tags."""
    published = datetime(2023, 1, 2, 9, tzinfo=UTC) + timedelta(days=6 * number)
    return {
        "slug": entry["slug"],
        "status": "published",
        "language": entry["language"],
        "headline": entry["headline"],
        "datePublished": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "summary": entry["summary"],
        "claims": [
            {
                "text": entry["claim"],
                "claimant": {"name": entry["claimant"], "type": "Organization"},
                "date": (published - timedelta(days=3)).date().isoformat(),
                "verdict": entry["verdict"],
            }
        ],
        "sections": [{"heading": entry["headline"], "paragraphs": [entry["body"]]}],
        "tags": entry["tags"],
    }


def changes(database_url: str) -> list[Change]:
    """The corpus as the publishing workflow writes it: validated, with verdict categories."""
    publishers = load_publishers(Settings.load(overrides={"database_url": database_url}))
    made = []
    for number, entry in enumerate(corpus()):
        fc = parse_factcheck(document(entry, number), publishers)
        stored = to_document(fc)
        made.append(Change(stored, sort_key(fc.date_published), "publish",
                           categories=verdict_categories(publishers, stored)))  # fmt: skip
    return made


def load(store: Store, database_url: str) -> int:
    return store.create_many(changes(database_url), stamp(utc_now()))


def run(store: Store) -> list[Outcome]:
    return [Outcome(q, [hit.slug for hit in store.search(SearchQuery(q.text, limit=PAGE)).hits]) for q in queries()]


def recall(outcomes: list[Outcome]) -> float:
    return sum(1 for o in outcomes if o.rank is not None and o.rank <= DEPTH) / len(outcomes)


def mrr(outcomes: list[Outcome]) -> float:
    return sum(1 / o.rank for o in outcomes if o.rank is not None) / len(outcomes)


def report(name: str, outcomes: list[Outcome]) -> str:
    """A Markdown table per language and overall, then the misses."""
    languages = sorted({o.query.language for o in outcomes})
    lines = [f"### {name}", "", f"| language | queries | recall@{DEPTH} | MRR |", "| --- | ---: | ---: | ---: |"]
    for language in languages:
        some = [o for o in outcomes if o.query.language == language]
        lines.append(f"| {language} | {len(some)} | {recall(some):.3f} | {mrr(some):.3f} |")
    lines.append(f"| **all** | {len(outcomes)} | {recall(outcomes):.3f} | {mrr(outcomes):.3f} |")
    misses = [o for o in outcomes if o.rank is None or o.rank > DEPTH]
    lines += ["", f"Misses ({len(misses)}):" if misses else "Misses: none."]
    for o in misses:
        where = f"rank {o.rank}" if o.rank else "not on the first page"
        lines.append(f"- [{o.query.language}, {o.query.kind}] {o.query.text!r} -> {o.query.slug}: {where}; "
                     f"found {', '.join(o.found[:DEPTH]) or 'nothing'}")  # fmt: skip
    return "\n".join(lines)


def measure(database_url: str, distractors: int = 0) -> list[Outcome]:
    store = open_store(database_url)
    try:
        load(store, database_url)
        if distractors:
            from bench.search_latency import Archive
            from bench.search_latency import load as load_generated

            load_generated(store, Archive.make(), distractors)
        return run(store)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--distractors", type=int, default=0, help="generated fact-checks loaded beside the corpus")
    args = parser.parse_args()
    print(f"{len(corpus())} fact-checks (and {args.distractors:,} generated), {len(queries())} queries\n")
    results: dict[str, list[Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="factcard-relevance-") as folder:
        results["SQLite"] = measure(f"sqlite:///{folder}/relevance.db", args.distractors)
    if not args.sqlite:
        from bench.pgserver import postgres_database, postgres_server

        with postgres_server() as server, postgres_database(server) as url:
            results["PostgreSQL"] = measure(url, args.distractors)
    for name, outcomes in results.items():
        print(report(name, outcomes), end="\n\n")
    sys.exit(0 if all(recall(o) >= TARGET for o in results.values()) else 1)


if __name__ == "__main__":
    main()
