"""Search relevance on both stores: the relevance benchmark's reader queries (bench/search_queries.json)
find their fact-checks in its corpus of 120 (bench/search_corpus), at recall@5 of 0.9 or more,
in every language the queries are typed in."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench.search_relevance import TARGET, corpus, load, queries, recall, report, run
from feed.store import Change, SearchQuery, Store
from feed.store.sqlite import SQLiteStore

T = "2026-01-01T00:00:00.000000Z"


def test_the_benchmark_holds_realistic_queries_in_many_languages() -> None:
    documents, asked = corpus(), queries()
    slugs = {entry["slug"] for entry in documents}
    assert len(documents) >= 120 and len(slugs) == len(documents)
    assert len(Counter(entry["language"] for entry in documents)) >= 6
    assert len(asked) >= 80 and len({q.language for q in asked}) >= 5
    assert {q.slug for q in asked} <= slugs  # every query names a fact-check of the corpus


def test_reader_queries_find_their_fact_check_in_the_first_five(store: Store, database_url: str) -> None:
    assert load(store, database_url) == len(corpus())
    outcomes = run(store)
    assert recall(outcomes) >= TARGET, report("recall", outcomes)
    for language in {o.query.language for o in outcomes}:
        some = [o for o in outcomes if o.query.language == language]
        assert recall(some) >= TARGET, report(language, some)
    assert sum(1 for o in outcomes if o.rank == 1) > len(outcomes) / 2  # and mostly first


def test_a_word_written_joined_is_found_as_the_two_words_the_fact_check_has(store: Store) -> None:
    document = {"slug": "bassines", "status": "published", "language": "fr", "publisher": "demo",
                "headline": "", "claims": [{"text": "Les méga-bassines aggravent la sécheresse",
                                            "claimant": {"name": "Une association"}, "verdict": "Mixed"}]}  # fmt: skip
    store.create(Change(document, T, "publish", categories=("mixed",)), T)
    results = store.search(SearchQuery("megabassines"))
    assert [hit.slug for hit in results.hits] == ["bassines"]
    assert results.corrected == {"megabassines": "mega bassines"}
    assert store.search(SearchQuery("megaphone")).hits == []  # no split the archive holds both parts of


def test_a_word_in_much_of_a_large_archive_is_ranked_among_the_newest_fact_checks(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "window.db"))
    store.migrate()
    store.newest_window, store.probe_window = 4, 2  # as an archive of 100,000 would be, in small
    claims = ["Covid is a hoax"] + [f"Covid rumour number {n}" for n in range(1, 10)]
    for n, claim in enumerate(claims):
        claimed = [{"text": claim, "claimant": {"name": "A post"}, "verdict": "False"}]
        document = {"slug": f"check-{n}", "status": "published", "language": "en", "publisher": "demo",
                    "headline": "", "claims": claimed}  # fmt: skip
        store.create(Change(document, T, "publish", categories=("false",)), T)
    newest = {f"check-{n}" for n in range(6, 10)}
    assert {hit.slug for hit in store.search(SearchQuery("covid")).hits} == newest
    assert [hit.slug for hit in store.search(SearchQuery("hoax")).hits] == ["check-0"]  # a rare word: ranked whole
    store.newest_window = 10
    assert len(store.search(SearchQuery("covid")).hits) == 10  # the archive within the window: all of it
    store.close()
