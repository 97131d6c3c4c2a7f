"""The search index, on a real SQLite file and a real PostgreSQL database: language-aware matching,
what is never found, ranking, and an index that moves in the same transaction as the fact-checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest

from feed.store import Change, SearchQuery, Store, facet_key, open_store

T = "2026-01-01T00:00:00.000000Z"


def check(slug: str, language: str, claim: str, **fields: Any) -> dict[str, Any]:
    claimant = fields.pop("claimant", "A politician")
    verdict = fields.pop("verdict", "False")
    return {
        "slug": slug,
        "status": fields.pop("status", "published"),
        "language": language,
        "publisher": "demo",
        "headline": fields.pop("headline", ""),
        "claims": [{"text": claim, "claimant": {"name": claimant}, "verdict": verdict}],
        **fields,
    }


def publish(store: Store, document: dict[str, Any], when: str = T, categories: tuple[str, ...] = ("false",)) -> None:
    store.create(Change(document, when, "publish", categories=categories), when)


def found(store: Store, text: str, **query: Any) -> list[str]:
    return [hit.slug for hit in store.search(SearchQuery(text, **query)).hits]


# -- language by language ----------------------------------------------------

# (language, the claim as published, what a reader types: other inflections, no accents)
LANGUAGE_CASES = [
    ("en", "Vaccines caused the floods in Texas", "vaccine flooding"),
    ("en", "Running marathons damages the heart", "marathon runs"),
    ("es", "El gobierno subió el precio del limón", "limon precios"),
    ("es", "Las vacunas contienen grafeno", "vacuna grafenos"),
    ("pt", "As vacinas causam autismo", "vacina autismo"),
    ("pt", "As urnas eletrônicas foram fraudadas", "urna eletronica fraude"),
    ("fr", "Les vaccins contiennent des puces électroniques", "vaccin puce electronique"),
    ("de", "Rauchen verursacht keinen Lungenkrebs", "rauchens lungenkrebses"),
    ("de", "Die Regierungen verbieten Ölheizungen", "regierung olheizungen"),
    ("ar", "الحكومة رفعت أسعار الخبز", "حكومة الخبز"),
    ("ar", "اللقاحات تسبب العقم", "اللقاحات والعقم"),
    ("ar", "رفعت الحكومةُ أسعارَ الوقود", "اسعار الوقود"),
]


@pytest.mark.parametrize(("language", "claim", "typed"), LANGUAGE_CASES)
def test_a_reader_finds_a_claim_by_other_forms_of_its_words(
    store: Store, language: str, claim: str, typed: str
) -> None:
    publish(store, check("the-check", language, claim))
    publish(store, check("another-check", language, "Unrelated words entirely"))
    assert found(store, typed) == ["the-check"]
    assert found(store, typed, language=language) == ["the-check"]


def test_a_hindi_and_a_chinese_fact_check_are_found_by_a_word_of_their_claim(store: Store) -> None:
    publish(store, check("hindi", "hi", "टीका लगवाने से बांझपन होता है"))
    publish(store, check("chinese", "zh", "喝热水可以杀死新冠病毒"))
    publish(store, check("english", "en", "Hot water kills the virus"))
    assert found(store, "बांझपन") == ["hindi"]
    assert found(store, "टीके") == ["hindi"]  # another form of टीका
    assert found(store, "病毒") == ["chinese"]
    assert found(store, "新冠病毒") == ["chinese"]
    assert found(store, "热水") == ["chinese"]


def test_a_misspelt_word_is_corrected_to_the_nearest_word_of_the_archive(store: Store) -> None:
    publish(store, check("vaccines", "en", "Vaccines cause autism"))
    results = store.search(SearchQuery("vacines autism"))
    assert [hit.slug for hit in results.hits] == ["vaccines"]
    assert results.corrected == {"vacines": "vaccines"}  # the word as the archive writes it, not its stem


def test_a_query_no_fact_check_holds_every_word_of_finds_those_with_some(store: Store) -> None:
    publish(store, check("lemon", "en", "Hot lemon water cures cancer"))
    results = store.search(SearchQuery("lemon juice recipe"))
    assert [hit.slug for hit in results.hits] == ["lemon"]
    assert results.relaxed
    assert found(store, "quantum chromodynamics") == []


def test_common_words_are_not_required(store: Store) -> None:
    publish(store, check("lemon", "en", "Hot lemon water cures cancer"))
    results = store.search(SearchQuery("is lemon water a cure for cancer"))
    assert [hit.slug for hit in results.hits] == ["lemon"]
    assert not results.relaxed


# -- what is never found -----------------------------------------------------


def test_drafts_are_never_indexed(store: Store) -> None:
    store.create(Change(check("draft", "en", "Secret draft about volcanoes", status="draft")), T)
    publish(store, check("public", "en", "Volcanoes erupt weekly"))
    assert found(store, "volcano") == ["public"]
    assert found(store, "secret") == []
    assert found(store, "") == ["public"]


def test_a_retracted_fact_check_is_found_as_retracted_but_never_by_its_old_verdict(store: Store) -> None:
    publish(store, check("retracted", "en", "Bananas are radioactive", verdict="Mostly True"), categories=("true",))
    publish(store, check("kept", "en", "Bananas cure colds", verdict="False"), when="2025-01-01T00:00:00.000000Z")
    record = store.get("retracted")
    assert record is not None
    store.update("retracted", Change({**record.document, "status": "retracted"}, T, "retract",
                                     categories=("true",)), 1, T)  # fmt: skip
    hits = store.search(SearchQuery("bananas")).hits
    assert [(hit.slug, hit.status) for hit in hits] == [("retracted", "retracted"), ("kept", "published")]
    assert found(store, "bananas", categories=("true",)) == []
    assert found(store, "mostly radioactive") == ["retracted"]  # relaxed: by its claim, not "mostly"
    assert found(store, "mostly true") == []
    assert found(store, "", statuses=("published",)) == ["kept"]
    assert store.facet("claimant", facet_key("A politician")) == ("A politician", {"false": 1}, 2)


# -- ranking -----------------------------------------------------------------


def test_a_match_in_the_claim_ranks_above_a_match_in_the_body(store: Store) -> None:
    publish(store, check("in-body", "en", "Taxes went up", summary="Nothing to do with dolphins, really."),
            when="2026-06-01T00:00:00.000000Z")  # fmt: skip
    publish(store, check("in-claim", "en", "Dolphins can talk"), when="2025-01-01T00:00:00.000000Z")
    assert found(store, "dolphins") == ["in-claim", "in-body"]


def test_ties_go_to_the_newer(store: Store) -> None:
    for slug, when in (("older", "2024-01-01T00:00:00.000000Z"), ("newer", "2025-01-01T00:00:00.000000Z")):
        publish(store, check(slug, "en", "Chocolate prevents sunburn"), when=when)
    assert found(store, "chocolate") == ["newer", "older"]


# -- filters and paging -------------------------------------------------------


def test_filters_by_language_category_facets_and_dates(store: Store) -> None:
    publish(store, check("es-false", "es", "El agua cura todo", claimant="Ana Pérez", tags=["Salud"]),
            when="2025-03-01T00:00:00.000000Z")  # fmt: skip
    true = check("en-true", "en", "Water cures thirst", claimant="Bo Li", verdict="True", authors=[{"name": "Ed Roe"}])
    publish(store, true, when="2025-06-01T00:00:00.000000Z", categories=("true",))
    assert found(store, "", language="es") == ["es-false"]
    assert found(store, "", categories=("true",)) == ["en-true"]
    assert found(store, "", tag=facet_key("Salud")) == ["es-false"]
    assert found(store, "", claimant=facet_key("Ana Pérez")) == ["es-false"]
    assert found(store, "", author=facet_key("Ed Roe")) == ["en-true"]
    assert found(store, "", since="2025-04-01T00:00:00.000000Z") == ["en-true"]
    assert found(store, "", until="2025-04-01T00:00:00.000000Z") == ["es-false"]
    assert facet_key("Ana Pérez") == "ana-perez"


def test_pages_follow_one_another_without_gaps_or_doubles(store: Store) -> None:
    for n in range(7):
        publish(store, check(f"check-{n}", "en", f"Owls hoot {n} times"), when=f"2025-01-0{n + 1}T00:00:00.000000Z")
    seen: list[str] = []
    offset, more = 0, True
    while more:
        results = store.search(SearchQuery("owls", limit=3, offset=offset))
        seen += [hit.slug for hit in results.hits]
        offset, more = offset + 3, results.more
    assert seen == [f"check-{n}" for n in reversed(range(7))]


# -- the index moves with the fact-checks ---------------------------------------


def test_the_index_follows_publish_edit_and_unpublishing(store: Store) -> None:
    store.create(Change(check("moving", "en", "Penguins fly", status="draft")), T)
    assert found(store, "penguins") == []
    record = store.update("moving", Change(check("moving", "en", "Penguins fly"), T, "publish"), 1, T)
    assert found(store, "penguins") == ["moving"]
    record = store.update("moving", Change(check("moving", "en", "Ostriches fly"), T, "update"), record.version, T)
    assert found(store, "penguins") == []
    assert found(store, "ostriches") == ["moving"]
    store.update("moving", Change(check("moving", "en", "Ostriches fly", status="draft")), record.version, T)
    assert found(store, "ostriches") == []


def test_a_write_that_fails_leaves_the_index_as_it_was(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*args: Any) -> None:
        raise RuntimeError("the outbox write fails")

    monkeypatch.setattr(store, "_enqueue", fails)
    with pytest.raises(RuntimeError):
        publish(store, check("never", "en", "Walruses sing opera"))
    assert found(store, "walruses") == []
    assert store.get("never") is None


def test_reindex_rebuilds_the_same_index(store: Store) -> None:
    publish(store, check("a", "en", "Walruses sing opera", tags=["Music"]))
    with store._transaction() as cur:
        cur.execute("DELETE FROM search_facets")  # an index gone astray
    assert found(store, "", tag="music") == []
    assert store.reindex(lambda document: ("false",)) == 1
    assert found(store, "", tag="music") == ["a"]
    assert found(store, "walrus") == ["a"]
    assert not store.search_index_lags()


_WRITER = textwrap.dedent(
    """
    import sys
    from feed.store import Change, open_store
    store = open_store(sys.argv[1])
    T = "2026-01-01T00:00:00.000000Z"
    for n in range(int(sys.argv[2]), int(sys.argv[2]) + 100000):
        doc = {"slug": f"k-{n}", "status": "published", "language": "en", "headline": f"word{n}",
               "claims": [{"text": f"zebra{n} claim", "claimant": {"name": "X"}, "verdict": "False"}]}
        store.create(Change(doc, T, "publish", categories=("false",)), T)
        if n % 3 == 0:
            store.update(f"k-{n}", Change({**doc, "status": "retracted"}, T, "retract"), 1, T)
        print(n, flush=True)
    """
)


def test_kill_9_between_write_and_index_cannot_leave_them_apart(database_url: str) -> None:
    for run, delay in enumerate((0.5, 0.9, 1.3)):
        command = [sys.executable, "-c", _WRITER, database_url, str(run * 100000)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as writer:
            assert writer.stdout is not None
            writer.stdout.readline()  # it has begun writing
            time.sleep(delay)
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(timeout=30)
    store = open_store(database_url)
    try:
        public = store._query("SELECT slug, status FROM factchecks ORDER BY slug")
        indexed = store._query("SELECT slug, status FROM search_documents ORDER BY slug")
        assert len(public) > 3
        assert public == indexed
        for slug, _ in public[:: max(1, len(public) // 20)]:
            n = slug.removeprefix("k-")
            assert found(store, f"zebra{n}") == [slug]
        assert not store.search_index_lags()
    finally:
        store.close()
