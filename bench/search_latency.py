"""Search latency: the first page of results at 100,000 fact-checks, on SQLite and PostgreSQL.

    python -m bench.search_latency                  # 100,000 fact-checks, both stores
    python -m bench.search_latency --count 5000     # a quick look
    python -m bench.search_latency --sqlite

Generates N fact-checks in eight languages (en, es, pt, fr, de, ar, hi, zh, weighted as an
international archive might be) whose words are drawn, with a Zipf-like distribution, from a
vocabulary per language: every word of the relevance corpus (bench/search_corpus) and generated
words of that language's script, 20,000 a language. Tags, claimants and verdicts are drawn the
same way. Loads them into a fresh SQLite file and a fresh PostgreSQL database (the server
FACTCARD_BENCH_POSTGRES_URL names, or a throwaway cluster on 127.0.0.1) with `create_many` in
batches, timing the load, then asks for the first page (10 results) of each kind of query:

- one word, two words (of middling frequency), a common word (one of the most frequent: it
  matches a large part of the archive), a misspelt word (one letter changed: the correction
  path), one word in one language, one word in one verdict category, and no words with a tag
  (a tag page's listing).

Each query is asked once to warm the caches, then REPEAT times; p50 and p99 per store and kind
are of those. Also reports the search index's size. A benchmark, run by hand; it stops by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from bench.search_relevance import corpus
from feed.store import Change, SearchQuery, Store, facet_key, open_store
from feed.store.clock import sort_key, stamp, utc_now
from feed.words.analysis import pieces

LANGUAGES = {"en": 30, "es": 20, "pt": 14, "fr": 10, "de": 10, "ar": 8, "hi": 5, "zh": 3}  # shares of the archive
GENERATED = 20_000  # words per language beyond the corpus's
VERDICTS = {"False": "false", "Mostly false": "mostly-false", "Misleading": "misleading", "Mixed": "mixed",
            "Mostly true": "mostly-true", "True": "true", "Unproven": "unproven"}  # fmt: skip
VERDICT_WEIGHTS = [40, 15, 20, 8, 6, 5, 6]
BATCH = 2000
QUERIES_PER_KIND = 20
REPEAT = 5
SCRIPTS = {
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "hi": "कखगघचछजझटडतथदधनपफबभमयरलवशसह",
    "zh": (
        "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着"
        "去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主"
        "行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二"
        "理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走"
        "电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市"
        "眼体别处总才场师书"
    ),
}
LATIN_SYLLABLES = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["an", "er", "in", "or", "us", "en"]
DEVANAGARI_SIGNS = "ािीुूेैोौं"


@dataclass(frozen=True)
class Vocabulary:
    words: list[str]  # by rank: the most frequent first
    weights: list[float]  # cumulative Zipf weights, for random.choices

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.weights, k=k)


def zipf(words: list[str], exponent: float = 1.0) -> Vocabulary:
    return Vocabulary(words, list(accumulate(1 / (rank + 1) ** exponent for rank in range(len(words)))))


def generated_word(language: str, rng: random.Random) -> str:
    if language in ("ar", "zh"):
        return "".join(rng.choices(SCRIPTS[language], k=rng.randint(2, 6 if language == "ar" else 3)))
    if language == "hi":
        syllables = rng.randint(2, 4)
        return "".join(rng.choice(SCRIPTS["hi"]) + rng.choice(["", *DEVANAGARI_SIGNS]) for _ in range(syllables))
    return "".join(rng.choices(LATIN_SYLLABLES, k=rng.randint(2, 4)))


def vocabularies(seed: int) -> dict[str, Vocabulary]:
    """Each language's words: the corpus's (shuffled into the ranks) and generated ones."""
    rng = random.Random(seed)
    made = {}
    for language in LANGUAGES:
        texts = [" ".join([e["headline"], e["claim"], e["summary"], e["body"]]) for e in corpus()
                 if e["language"] == language]  # fmt: skip
        if language == "zh":  # no spaces to find words by: take pairs and triples of characters
            real = sorted({t[i : i + n] for t in texts for n in (2, 3) for i in range(len(t) - n)
                           if all("\u4e00" <= c <= "\u9fff" for c in t[i : i + n])})  # fmt: skip
        else:
            real = sorted({piece.text for text in texts for piece in pieces(text)})
        words = list(dict.fromkeys(real + [generated_word(language, rng) for _ in range(GENERATED)]))
        rng.shuffle(words)
        made[language] = zipf(words)
    return made


@dataclass(frozen=True)
class Archive:
    vocabularies: dict[str, Vocabulary]
    tags: dict[str, Vocabulary]
    claimants: Vocabulary

    @classmethod
    def make(cls, seed: int = 11) -> Archive:
        vocab = vocabularies(seed)
        rng = random.Random(seed + 1)
        tags = {language: zipf([" ".join(v.draw(rng, rng.randint(1, 2))) for _ in range(400)])
                for language, v in vocab.items()}  # fmt: skip
        names = [f"{rng.choice(string.ascii_uppercase)}. {w.capitalize()}" for w in vocab["en"].draw(rng, 3000)]
        return cls(vocab, tags, zipf(list(dict.fromkeys(names)), 0.8))

    def text(self, language: str, rng: random.Random, words: int) -> str:
        drawn = self.vocabularies[language].draw(rng, words)
        return ("" if language == "zh" else " ").join(drawn) + ("。" if language == "zh" else ".")

    def document(self, n: int, rng: random.Random) -> tuple[dict[str, Any], tuple[str, ...]]:
        language = rng.choices(list(LANGUAGES), weights=list(LANGUAGES.values()))[0]
        published = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(minutes=53 * n)
        verdict = rng.choices(list(VERDICTS), weights=VERDICT_WEIGHTS)[0]
        document = {
            "slug": f"search-check-{n:06d}",
            "status": "published",
            "language": language,
            "publisher": "demo",
            "headline": self.text(language, rng, rng.randint(6, 12)),
            "datePublished": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "summary": self.text(language, rng, rng.randint(25, 50)),
            "claims": [
                {
                    "text": self.text(language, rng, rng.randint(6, 16)),
                    "claimant": {"name": self.claimants.draw(rng, 1)[0], "type": "Person"},
                    "verdict": verdict,
                }
            ],
            "sections": [
                {
                    "heading": self.text(language, rng, 4),
                    "paragraphs": [self.text(language, rng, rng.randint(30, 70)) for _ in range(2)],
                }
            ],
            "tags": list(dict.fromkeys(self.tags[language].draw(rng, rng.randint(1, 4)))),
        }
        return document, (VERDICTS[verdict],)


def changes(archive: Archive, first: int, last: int) -> list[Change]:
    rng = random.Random(first)  # the same documents for every store
    made = []
    for n in range(first, last):
        document, categories = archive.document(n, rng)
        made.append(Change(document, sort_key(document["datePublished"]), "publish", categories=categories))
    return made


def load(store: Store, archive: Archive, count: int) -> float:
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        store.create_many(changes(archive, first, min(first + BATCH, count)), stamp(utc_now()))
        if (first // BATCH) % 10 == 9:
            print(f"  {first + BATCH:>7} fact-checks, {time.perf_counter() - started:.0f} s", flush=True)
    return time.perf_counter() - started


def misspelt(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + ("x" if word[at] != "x" else "q") + word[at + 1 :]


def query_set(archive: Archive, seed: int = 5) -> dict[str, list[SearchQuery]]:
    """QUERIES_PER_KIND queries of each kind, from the archive's own words and tags."""
    rng = random.Random(seed)
    latin = [language for language in LANGUAGES if language not in ("ar", "hi", "zh")]

    def word(language: str, ranks: tuple[int, int]) -> str:
        words = archive.vocabularies[language].words
        shortest = 2 if language == "zh" else 4  # a Chinese word is two or three characters
        return next(w for w in iter(lambda: words[rng.randint(*ranks)], None) if len(w) >= shortest)

    def middling(language: str) -> str:  # a word of rank 50 to 2,000: in tens to hundreds of fact-checks
        return word(language, (50, 2000))

    def common(language: str) -> str:  # among the 30 most frequent words
        return word(language, (0, 30))

    languages = list(LANGUAGES)
    kinds: dict[str, Iterator[SearchQuery]] = {
        "one word": (SearchQuery(middling(rng.choice(languages))) for _ in iter(int, 1)),
        "two words": (SearchQuery(f"{middling(x)} {middling(x)}") for x in iter(lambda: rng.choice(languages), None)),
        "common word": (SearchQuery(common(rng.choice(languages))) for _ in iter(int, 1)),
        "misspelt word": (SearchQuery(misspelt(middling(rng.choice(latin)), rng)) for _ in iter(int, 1)),
        "one word, language": (SearchQuery(middling(x), language=x) for x in iter(lambda: rng.choice(languages), None)),
        "one word, category": (
            SearchQuery(middling(rng.choice(languages)), categories=("misleading",)) for _ in iter(int, 1)
        ),
        "tag, no words": (
            SearchQuery("", tag=facet_key(archive.tags[x].words[rng.randint(0, 300)]))
            for x in iter(lambda: rng.choice(languages), None)
        ),
    }
    return {kind: [next(made) for _ in range(QUERIES_PER_KIND)] for kind, made in kinds.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(store: Store, queries: dict[str, list[SearchQuery]]) -> dict[str, tuple[float, float, float]]:
    """Per kind: p50 and p99 in milliseconds, and the mean number of hits on the page."""
    for kind_queries in queries.values():
        for query in kind_queries:
            store.search(query)
    figures = {}
    for kind, kind_queries in queries.items():
        times, hits = [], []
        for _ in range(REPEAT):
            for query in kind_queries:
                started = time.perf_counter()
                results = store.search(query)
                times.append((time.perf_counter() - started) * 1000)
                hits.append(len(results.hits))
        figures[kind] = (percentile(times, 0.5), percentile(times, 0.99), statistics.mean(hits))
    return figures


def sqlite_index_size(path: str) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    sizes = {str(name): int(size) for name, size in rows}
    index = {name: size for name, size in sizes.items() if name.startswith(("search_", "sqlite_autoindex_search"))}
    fts5 = sum(size for name, size in index.items() if name.startswith("search_text"))
    return {"search index": sum(index.values()), "of which FTS5 (search_text*)": fts5,
            "whole file": Path(path).stat().st_size}  # fmt: skip


def postgres_index_size(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT pg_total_relation_size('search_documents'), pg_relation_size('search_documents_by_terms'), "
            "pg_total_relation_size('search_facets'), pg_total_relation_size('search_vocabulary'), "
            "pg_database_size(current_database())"
        ).fetchone()
    assert row is not None
    return {"search index": row[0] + row[2] + row[3], "of which GIN index on terms": row[1],
            "search_documents (with its indexes)": row[0], "search_facets": row[2], "search_vocabulary": row[3],
            "whole database": row[4]}  # fmt: skip


def run_store(name: str, url: str, archive: Archive, count: int, queries: dict[str, list[SearchQuery]]) -> str:
    print(f"{name}: loading {count:,} fact-checks", flush=True)
    store = open_store(url)
    try:
        seconds = load(store, archive, count)
        if name == "PostgreSQL" and os.environ.get("FACTCARD_BENCH_NO_ANALYZE") is None:
            # What autovacuum does after a bulk load: the planner's statistics of the new rows
            # (the tsvector's lexemes among them), without which it guesses at every filter.
            with store._transaction() as cur:
                cur.execute("ANALYZE")
        figures = measure(store, queries)
    finally:
        store.close()
    sizes = sqlite_index_size(url.removeprefix("sqlite:///")) if name == "SQLite" else postgres_index_size(url)
    lines = [f"### {name}, {count:,} fact-checks", "",
             f"Loaded in {seconds:.1f} s ({count / seconds:,.0f} fact-checks/s, create_many in batches of {BATCH:,}).",
             "", "| query (first page of 10) | p50 ms | p99 ms | hits on the page |",
             "| --- | ---: | ---: | ---: |"]  # fmt: skip
    lines += [f"| {kind} | {p50:.2f} | {p99:.2f} | {hits:.1f} |" for kind, (p50, p99, hits) in figures.items()]
    lines += ["", "| index | MiB |", "| --- | ---: |"]
    lines += [f"| {part} | {size / 2**20:.1f} |" for part, size in sizes.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    archive = Archive.make()
    queries = query_set(archive)
    reports = []
    if not args.postgres:
        with tempfile.TemporaryDirectory(prefix="factcard-search-latency-") as folder:
            reports.append(run_store("SQLite", f"sqlite:///{folder}/search.db", archive, args.count, queries))
            print(reports[-1], flush=True)
    if not args.sqlite:
        from bench.pgserver import postgres_database, postgres_server

        with postgres_server() as server, postgres_database(server) as url:
            reports.append(run_store("PostgreSQL", url, archive, args.count, queries))
    print("\n" + "\n\n".join(reports))
    for kind, kind_queries in queries.items():
        print(f"- {kind}: " + "; ".join(repr(q.text or q.tag) for q in kind_queries[:3]), file=sys.stderr)


if __name__ == "__main__":
    main()
