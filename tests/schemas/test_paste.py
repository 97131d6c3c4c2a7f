"""A pasted article becomes a document draft: the seed article whole, other common page shapes,
and odd input that must never raise."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any, cast

import orjson
import pytest

from schemas.document import FACTCHECK, LIST, Shape, walk
from schemas.errors import ValidationError
from schemas.markdown import citation_numbers
from schemas.paste import read_article
from schemas.validation import parse_factcheck

HERE = Path(__file__).resolve().parent.parent
SEED = (HERE / "fixtures" / "seed-article.txt").read_text(encoding="utf-8")
SEED_LINES = [line for line in SEED.split("\n") if line.strip()]
DEMO = orjson.loads((HERE.parent / "feed" / "demo" / "01-immigration-child-trafficking.json").read_bytes())
FURNITURE = SEED_LINES[:4]  # what the page puts before the title
SECTION_HEADINGS = [
    "1. A dramatic headline, a nuanced reality: what the U.S. government found",
    "2. International perspective: children are a large share of trafficking victims, but motives are multifaceted",
    "3. Academic and investigative reporting: migration routes and traffickers often intersect",
    "4. Risk factors: why migrants and displaced children are more vulnerable",
    "5. Conflicting messages: agendas and implications in the evidence",
]  # as the article numbers them; the draft's headings are without the numbers
BOTTOM_LINE_HEADING = "6. Bottom line for policy and public debate"
SPANISH_ARTICLE = (HERE / "fixtures" / "spanish-article.txt").read_text(encoding="utf-8")
NUMBERED_SOURCES_ARTICLE = (HERE / "fixtures" / "numbered-sources-article.txt").read_text(encoding="utf-8")


def unknown_keys(value: Any, shape: Shape = FACTCHECK, path: str = "") -> list[str]:
    """Every key in `value` that `shape` (and the shapes of its fields) does not describe."""
    found = [f"{path}.{key}".lstrip(".") for key in value if key not in shape.keys]
    for each in shape.fields:
        if each.shape is None or each.name not in value:
            continue
        items = value[each.name] if each.kind == LIST else [value[each.name]]
        for index, item in enumerate(items):
            found += unknown_keys(item, each.shape, f"{path}.{each.name}[{index}]")
    return found


def test_unknown_keys_sees_nested_keys() -> None:
    # Every object the description knows is walked, so a stray key at any depth is seen.
    assert {path for path, _ in walk()} >= {"", "claims[0]", "claims[0].claimant", "sections[0]", "sources[0]"}
    document = {"headline": "x", "claims": [{"text": "y", "rating": "z"}], "sections": [{"heading": "h", "p": []}]}
    assert unknown_keys(document) == ["claims[0].rating", "sections[0].p"]


def paragraph_after(line: str) -> str:
    return SEED_LINES[SEED_LINES.index(line) + 1]


# -- the seed article -----------------------------------------------------------------------------


def test_the_seed_article_comes_out_whole() -> None:
    pasted = read_article(SEED)
    document = pasted.document
    assert unknown_keys(document) == []
    assert document["headline"] == "Immigration leads to child trafficking"
    assert document["slug"] == "immigration-leads-to-child-trafficking"
    assert document["language"] == "en"
    assert document["datePublished"] == "2025-10-30"
    assert document["summary"] == paragraph_after("Executive Summary")
    assert document["summary"].startswith('The claim "immigration leads to child trafficking" oversimplifies')
    assert document["claims"] == [{"text": "Immigration leads to child trafficking"}]
    # Headings without the article's numbers (the page numbers sections), each with the paragraph
    # under it, exactly (typographic quotes too).
    assert [section["heading"] for section in document["sections"]] == [h[3:] for h in SECTION_HEADINGS]
    for heading, section in zip(SECTION_HEADINGS, document["sections"], strict=True):
        assert section["paragraphs"] == [paragraph_after(heading)]
    assert "Department of Homeland Security\u2019s July 25, 2025" in document["sections"][0]["paragraphs"][0]
    # "6. Bottom line for policy ..." heads the last section: the bottom line, not also a section.
    assert document["bottomLine"] == paragraph_after(BOTTOM_LINE_HEADING)
    assert document["relatedQuestions"] == SEED_LINES[-5:]
    assert "sources" not in document
    # No furniture anywhere in the draft.
    text = orjson.dumps(document).decode()
    for line in [*FURNITURE, "Loading", "Goal:", "donation", "Want to dive deeper?", "Checked on"]:
        assert line not in text


def test_the_seed_article_notes_say_what_is_missing() -> None:
    notes = read_article(SEED).notes
    assert "No verdict: choose one from the scale" in notes
    assert "Cited [1]\u2013[8] but no source list was found: add the sources" in notes
    assert "Language not given: set to 'en'; check it" in notes
    assert "The bottom line was read under the heading 'Bottom line for policy and public debate': check it" in notes
    dropped = [note for note in notes if note.startswith("Dropped 4 lines that looked like site furniture: ")]
    assert len(dropped) == 1
    assert "'Keep Factually independent'" in dropped[0] and "'Loading...Goal: 1,000 supporters'" in dropped[0]
    assert not any("summary" in note.lower() or "headline" in note.lower() for note in notes)


def test_the_seed_article_agrees_with_its_published_form() -> None:
    """The newsroom's structured form (feed/demo) rewrote the prose, but each section cites the same
    sources, its numbered sixth section is the bottom line, and the claim and questions agree."""
    document = read_article(SEED).document
    pasted = [set(citation_numbers(" ".join(section["paragraphs"]))) for section in document["sections"]]
    published = [set(citation_numbers(" ".join(section["paragraphs"]))) for section in DEMO["sections"]]
    assert pasted == published
    assert set(citation_numbers(document["bottomLine"])) == set(citation_numbers(DEMO["bottomLine"]))
    assert set(citation_numbers(document["summary"])) == set(citation_numbers(DEMO["summary"]))
    assert max(set().union(*pasted)) == len(DEMO["sources"])
    assert len(document["sections"]) == len(DEMO["sections"])
    assert document["claims"][0]["text"] == DEMO["claims"][0]["text"]
    assert len(document["relatedQuestions"]) == len(DEMO["relatedQuestions"])


def test_the_seed_draft_validates_once_the_writer_adds_a_verdict_and_sources(publishers: Any) -> None:
    document = read_article(SEED).document
    parse_factcheck(document, publishers, incoming=True)  # as a draft it saves; publishing it is refused
    with pytest.raises(ValidationError) as caught:
        parse_factcheck(document | {"status": "published"}, publishers, incoming=True)
    assert {error.field for error in caught.value.errors} >= {"claims[0].verdict", "summary"}
    document["claims"][0]["verdict"] = "False"
    document["sources"] = DEMO["sources"]
    fact_check = parse_factcheck(document, publishers, incoming=True)
    assert fact_check.claims[0].verdict == "False"
    assert len(fact_check.sections) == 5 and len(fact_check.related_questions) == 5
    assert fact_check.bottom_line == paragraph_after(BOTTOM_LINE_HEADING)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_other_line_endings_and_spaces_read_the_same(newline: str) -> None:
    expected = read_article(SEED).document
    assert read_article(SEED.replace("\n", newline)).document == expected
    # Non-breaking spaces in a heading and trailing spaces are not part of the text.
    spaced = SEED.replace("1. A dramatic", "1.\u00a0A\u00a0dramatic").replace("\n", "  \t\n")
    assert read_article(spaced).document == expected


# -- other shapes of fact-check page --------------------------------------------------------------

RATED = """\
Home > Fact checks
Share on Facebook
Subscribe to our newsletter

FACT CHECK | Vaccines do not contain microchips

By Jane Doe and John Roe
Published 3 March 2024
Claim: COVID-19 vaccines contain microchips that track people
Rating: False

Posts shared thousands of times say the vaccines carry
tracking chips [1]. They do not.

What the ingredient lists show

Every authorised vaccine publishes its ingredients, and none is electronic [2].

Bottom line

The claim is false: nothing in a vaccine can send a signal [1] [2].

Sources
[1] Archived viral post \u2013 Archive.today, https://archive.ph/abc123
2. Vaccine ingredients. https://www.cdc.gov/vaccines/ingredients.html
\u00a9 2024 Example Checks. All rights reserved.
Example Checks is a signatory of the IFCN code of principles.
"""


def test_a_rated_article_with_a_source_list_validates_as_read(publishers: Any) -> None:
    pasted = read_article(RATED, "en")
    document = pasted.document
    assert unknown_keys(document) == []
    assert document["headline"] == "Vaccines do not contain microchips"
    assert document["authors"] == [{"name": "Jane Doe"}, {"name": "John Roe"}]
    assert document["datePublished"] == "2024-03-03"
    assert document["claims"] == [
        {"text": "COVID-19 vaccines contain microchips that track people", "verdict": "False"}
    ]
    # No summary heading: the first paragraph (hard-wrapped over two lines) is the summary.
    assert document["summary"] == (
        "Posts shared thousands of times say the vaccines carry\ntracking chips [1]. They do not."
    )
    assert document["sections"] == [
        {
            "heading": "What the ingredient lists show",
            "paragraphs": ["Every authorised vaccine publishes its ingredients, and none is electronic [2]."],
        }
    ]
    # An unnumbered "Bottom line" heading fills bottomLine and is not also a section.
    assert document["bottomLine"] == "The claim is false: nothing in a vaccine can send a signal [1] [2]."
    assert document["sources"] == [
        {"title": "Archived viral post", "url": "https://archive.ph/abc123", "publisher": "Archive.today"},
        {"title": "Vaccine ingredients", "url": "https://www.cdc.gov/vaccines/ingredients.html"},
    ]
    assert "Verdict read as 'False': check it is a label of the scale" in pasted.notes
    assert not any(note.startswith(("No verdict", "Cited", "Language")) for note in pasted.notes)
    assert any(note.startswith("Dropped 4 lines") and "'Share on Facebook'" in note for note in pasted.notes)
    assert any(note.startswith("Dropped 4 lines") and "All rights reserved" in note for note in pasted.notes)
    assert any(note.startswith("Left out 1 line") and "IFCN" in note for note in pasted.notes)
    parse_factcheck(document, publishers, incoming=True)


SPANISH = """\
Apoya el periodismo independiente: suscríbete
Cargando...

Verificación: La inmigración provoca la trata de niños

Verificado el 30 de octubre de 2025
Veredicto: Falso

Resumen

La afirmación «la inmigración provoca la trata de niños» simplifica una realidad compleja [1].

1. Lo que dicen los informes

Los informes describen fallos de protección, no una causa migratoria [1] [2].

Fuentes
[1] Informe mundial sobre la trata de personas \u2013 UNODC, https://www.unodc.org/glotip.html
[2] Niños migrantes \u2013 UNICEF, https://www.unicef.org/es/ninos-migrantes

Preguntas relacionadas
¿Qué dice la UNODC sobre los niños migrantes?
¿Cómo se protege a los menores no acompañados?
"""


@pytest.mark.parametrize("language", ["es", None])
def test_a_spanish_article(language: str | None, publishers: Any) -> None:
    pasted = read_article(SPANISH, language)
    document = pasted.document
    assert unknown_keys(document) == []
    assert document["language"] == "es"
    assert document["headline"] == "La inmigración provoca la trata de niños"
    assert document["slug"] == "la-inmigracion-provoca-la-trata-de-ninos"
    assert document["datePublished"] == "2025-10-30"
    assert document["summary"].startswith("La afirmación «la inmigración")
    assert document["claims"] == [{"text": "La inmigración provoca la trata de niños", "verdict": "Falso"}]
    assert [section["heading"] for section in document["sections"]] == ["Lo que dicen los informes"]
    assert [source["publisher"] for source in document["sources"]] == ["UNODC", "UNICEF"]
    assert len(document["relatedQuestions"]) == 2
    assert "Cargando" not in orjson.dumps(document).decode()
    assert any(note.startswith("Language not given") for note in pasted.notes) == (language is None)
    assert parse_factcheck(document, publishers, incoming=True).claims[0].verdict == "False"


def test_a_claim_quoted_in_the_summary_when_the_title_is_plain() -> None:
    text = SEED.replace("Fact check: Immigration leads to child trafficking", "What we found about migration")
    pasted = read_article(text)
    assert pasted.document["headline"] == "What we found about migration"
    assert pasted.document["claims"] == [{"text": "Immigration leads to child trafficking"}]
    assert "Claim taken from the quotation in the summary: check its wording" in pasted.notes


def test_without_a_summary_heading_the_first_paragraph_is_the_summary() -> None:
    text = SEED.replace("Executive Summary\n\n", "")
    document = read_article(text).document
    assert document["summary"] == paragraph_after("Executive Summary")
    assert len(document["sections"]) == 5 and "bottomLine" in document


# -- odd input ------------------------------------------------------------------------------------


def junk(seed: int, size: int) -> str:
    rng = random.Random(seed)
    alphabet = "\x00\x01\x7f\x9f\ud800\ufffe[]*`#>-.:?\u00a0\u2028\r\n\t 1. Fact check: Sources Verdict: é»«"
    return "".join(rng.choice(alphabet) for _ in range(size))


ODD = {
    "empty": "",
    "blank": " \n\r\n\t\n\u00a0\n",
    "only furniture": "Keep Factually independent\nLoading...\nGoal: 1,000 supporters\nShare on Facebook\n",
    "binary junk": bytes(range(256)).decode("latin-1") * 20,
    "random junk": junk(1, 20_000),
    "one very long line": "word " * 200_000,
    "brackets": "[" * 300_000 + "]" * 300_000,
    "numbers": "1. " * 300_000,
    "prefixes": "Fact check: " * 80_000,
    "newlines": "\n" * 1_000_000,
    "short lines": "Fact check: x\n" + "Sources\n[1] a https://a.example/\n" * 30_000,
    "seed a hundred times": SEED * 130,
    "one hard-wrapped paragraph": "Fact check: x\n\nIt starts\n" + "and goes on\n" * 80_000,
}


@pytest.mark.parametrize("name", list(ODD))
def test_odd_input_gives_a_draft_with_notes_and_never_raises(name: str, publishers: Any) -> None:
    text = ODD[name]
    started = time.monotonic()
    pasted = read_article(text)
    assert time.monotonic() - started < 5  # linear work; a quadratic reader takes minutes here
    assert unknown_keys(pasted.document) == []
    assert pasted.document["language"] == "en"
    assert pasted.notes
    assert all(isinstance(note, str) and note for note in pasted.notes)
    for items in ("sections", "sources", "relatedQuestions"):
        assert len(pasted.document.get(items, ())) <= 200
    orjson.dumps(pasted.document)  # serialisable: no lone surrogates
    assert malformed(pasted.document, publishers) == []


def test_an_empty_paste_says_what_to_write() -> None:
    pasted = read_article("")
    assert pasted.document == {"language": "en"}
    assert "No headline found: write one" in pasted.notes
    assert "No summary found: write one" in pasted.notes
    assert "No claim found: write the claim being checked" in pasted.notes


def test_control_characters_are_removed_and_named() -> None:
    pasted = read_article(SEED.replace("Executive Summary", "Executive\x00 Summary\x07"))
    assert pasted.document == read_article(SEED).document
    assert "Removed 2 control characters that text cannot hold" in pasted.notes


def test_text_that_is_not_text_and_a_bad_language_tag() -> None:
    pasted = read_article(cast(Any, b"Fact check: bytes"), "not a tag!")
    assert pasted.document == {"language": "en"}
    assert pasted.notes[0] == "The pasted content was not text: paste the article's text"
    assert "'not a tag!' is not a language tag: set to 'en'; check it" in pasted.notes


# What validation may still say of a draft: something to add or shorten, never a malformed value.
LEFT_FOR_THE_WRITER = ("is required", "must hold at least one", "cites [", "is not on the", "must be at most")


@pytest.mark.parametrize("seed", range(40))
def test_shuffled_article_lines_never_raise(seed: int, publishers: Any) -> None:
    rng = random.Random(seed)
    lines = SEED.split("\n") + RATED.split("\n") + SPANISH.split("\n") + junk(seed, 400).split("\n")
    rng.shuffle(lines)
    pasted = read_article("\n".join(lines[: rng.randrange(1, len(lines))]), rng.choice([None, "en", "pt-BR", ""]))
    assert unknown_keys(pasted.document) == []
    assert pasted.notes
    assert malformed(pasted.document, publishers) == []


def malformed(document: dict[str, Any], publishers: Any) -> list[str]:
    """What validation says of `document` beyond what the writer is asked to add or shorten."""
    try:
        parse_factcheck(document, publishers, incoming=True)
    except ValidationError as error:
        return [str(each) for each in error.errors if not any(ok in each.message for ok in LEFT_FOR_THE_WRITER)]
    return []


MARKDOWN = """\
# Fact-check: Cookies cause cancer

**Published:** 2024-05-02

**Verdict:** Mostly false.

## In short

No study links eating cookies to cancer [1] [3].

## What the studies say

Cookies are not a carcinogen.

Large diet studies found no link [1]. A small one found a weak one [2].

## Conclusion

The claim goes far beyond the evidence [1].

Eat them in moderation all the same.

## References

1. Diet and cancer cohort
https://example.org/cohort
2. [A small study](https://example.org/small-study)

Subscribe to our newsletter.
"""


def test_a_markdown_article_with_bold_labels_and_wrapped_sources() -> None:
    pasted = read_article(MARKDOWN, "en")
    document = pasted.document
    assert unknown_keys(document) == []
    assert document["headline"] == "Cookies cause cancer"
    assert document["datePublished"] == "2024-05-02"
    assert document["claims"] == [{"text": "Cookies cause cancer", "verdict": "Mostly false"}]
    assert document["summary"] == "No study links eating cookies to cancer [1] [3]."
    # A short sentence that mentions cookies is prose, not furniture.
    assert document["sections"] == [
        {
            "heading": "What the studies say",
            "paragraphs": [
                "Cookies are not a carcinogen.",
                "Large diet studies found no link [1]. A small one found a weak one [2].",
            ],
        }
    ]
    assert (
        document["bottomLine"] == "The claim goes far beyond the evidence [1].\n\nEat them in moderation all the same."
    )
    assert document["sources"] == [
        {"title": "Diet and cancer cohort", "url": "https://example.org/cohort"},
        {"title": "A small study", "url": "https://example.org/small-study"},
    ]
    assert "Cited [3] but the source list has 2: add the missing sources" in pasted.notes
    assert "The bottom line has 2 paragraphs, shown as one: check it" in pasted.notes
    assert any(note.startswith("Dropped 1 line") and "Subscribe" in note for note in pasted.notes)


def test_headings_that_look_like_labels_and_sources_as_plain_lines() -> None:
    text = """\
Fact check: Wind farms kill more birds than cats do

By the numbers

Cats kill over a billion birds a year in the United States alone [1].

Sources
Cats and birds: a review \u2013 a hyphen-rich title \u2013 Nature Communications
Wind energy and wildlife - U.S. Fish and Wildlife Service, https://www.fws.gov/wind
Example Checks is a signatory of the IFCN code of principles.
"""
    pasted = read_article(text, "en")
    document = pasted.document
    assert "authors" not in document
    # "By the numbers" is a heading, not a byline; its paragraph is also the summary until one is written.
    paragraph = "Cats kill over a billion birds a year in the United States alone [1]."
    assert document["sections"] == [{"heading": "By the numbers", "paragraphs": [paragraph]}]
    assert document["summary"] == paragraph
    assert any(note.startswith("No summary: the first paragraph under 'By the numbers'") for note in pasted.notes)
    assert document["sources"] == [
        {"title": "Cats and birds: a review \u2013 a hyphen-rich title", "publisher": "Nature Communications"},
        {
            "title": "Wind energy and wildlife",
            "url": "https://www.fws.gov/wind",
            "publisher": "U.S. Fish and Wildlife Service",
        },
    ]
    assert "Source [1] has no URL: add one" in pasted.notes
    assert any(note.startswith("Left out 1 line") and "IFCN" in note for note in pasted.notes)


def test_limits_of_a_document_are_named_not_exceeded() -> None:
    long_paragraph = "Too many words here. " * 1_000  # over the 20,000 characters of a summary
    sources = "".join(f"[{n}] Source {n} https://example.org/{n}\n" for n in range(1, 251))
    pasted = read_article(f"Fact check: A claim with many sources\n\n{long_paragraph}\n\nSources\n{sources}", "en")
    assert len(pasted.document["sources"]) == 200
    assert pasted.document["sources"][199] == {"title": "Source 200", "url": "https://example.org/200"}
    assert "Kept the first 200 sources of 250: a fact-check holds at most 200" in pasted.notes
    assert "Too long to publish: summary; shorten or split it" in pasted.notes


@pytest.mark.parametrize(
    ("line", "published", "note"),
    [
        ("Published: 30/10/2025", "2025-10-30", None),
        ("Published: 10/30/2025", "2025-10-30", None),
        ("Veröffentlicht am 30.10.2025", "2025-10-30", None),
        ("Published: 12/05/2024", None, "The date in 'Published: 12/05/2024' could be day or month first: add it"),
    ],
)
def test_dates_in_digits_and_a_byte_order_mark(line: str, published: str | None, note: str | None) -> None:
    text = f"\ufeffFact check: Carrots give you night vision\n{line}\n\nThe myth dates from wartime propaganda.\n"
    pasted = read_article(text, "en")
    assert pasted.document["headline"] == "Carrots give you night vision"
    assert pasted.document.get("datePublished") == published
    assert pasted.document["summary"] == "The myth dates from wartime propaganda."
    assert (note in pasted.notes) if note else not any("could be day or month" in each for each in pasted.notes)


def test_a_claim_under_its_own_heading() -> None:
    text = """\
Full Fact

Viral post wrongly says the UK will ban petrol cars next year

12 March 2024

What was claimed
The UK will ban the sale of all petrol cars in 2025.

Our verdict
Incorrect. The ban on new petrol and diesel cars is set for 2035 [1].

Sources
[1] Government announcement \u2013 GOV.UK, https://www.gov.uk/government/news/x
"""
    pasted = read_article(text, "en-GB")
    document = pasted.document
    assert document["language"] == "en-GB"
    assert document["headline"] == "Viral post wrongly says the UK will ban petrol cars next year"
    assert document["datePublished"] == "2024-03-12"
    assert document["claims"] == [{"text": "The UK will ban the sale of all petrol cars in 2025."}]
    assert document["bottomLine"] == "Incorrect. The ban on new petrol and diesel cars is set for 2035 [1]."
    assert "sections" not in document
    assert "No summary found: write one" in pasted.notes
    assert "Dropped 1 line that looked like site furniture: 'Full Fact'" in pasted.notes


def test_furniture_inside_the_article_is_dropped_and_named() -> None:
    heading = SECTION_HEADINGS[3]
    text = SEED.replace(heading, f"Share this article\nLoading...\n\nAdvertisement\n\n{heading}")
    pasted = read_article(text)
    assert pasted.document == read_article(SEED).document
    dropped = next(note for note in pasted.notes if note.startswith("Dropped 7 lines"))
    assert dropped.endswith("'Loading...', 'Share this article' and 2 more")


def test_a_long_hard_wrapped_paragraph_is_one_paragraph() -> None:
    document = read_article(ODD["one hard-wrapped paragraph"]).document
    assert document["summary"] == "It starts\n" + "\n".join(["and goes on"] * 80_000)


# -- the bottom line and numbered headings, in articles of other shapes ------------------------------


def test_a_spanish_article_with_numbered_headings_and_a_conclusion(publishers: Any) -> None:
    """A Spanish fact-check as such sites print it: a byline, dates, a rating, numbered headings,
    the last one "4. Conclusión: ...", a bracketed source list and share buttons after it."""
    pasted = read_article(SPANISH_ARTICLE, "es")
    document = pasted.document
    assert unknown_keys(document) == []
    assert document["headline"] == "El agua con limón en ayunas no cura el cáncer"
    assert document["authors"] == [{"name": "Lucía Fernández"}, {"name": "Andrés Molina"}]
    assert (document["datePublished"], document["dateModified"]) == ("2024-03-14", "2024-04-02")
    assert [section["heading"] for section in document["sections"]] == [
        "Qué dice el mensaje",
        "El pH de la sangre no depende de lo que bebemos",
        "Qué dicen los oncólogos",
    ]
    assert document["bottomLine"].startswith("Beber agua con limón es inocuo")
    assert document["bottomLine"].endswith("el tratamiento debe decidirlo el equipo médico.")
    assert [source["publisher"] for source in document["sources"]] == [
        "Asociación Española Contra el Cáncer",
        "MedlinePlus en español",
        "Archive.today",
        "Organización Mundial de la Salud",
    ]  # "Compartir en Facebook" after the list is the page's share button, not a source
    read_under = "The bottom line was read under the heading 'Conclusión: un remedio"
    assert any(note.startswith(read_under) for note in pasted.notes)
    assert any(note.startswith("Dropped 5 lines") and "'Compartir en X'" in note for note in pasted.notes)
    fact_check = parse_factcheck(document, publishers, incoming=True)
    assert fact_check.claims[0].verdict == "False" and len(fact_check.sources) == 4


def test_an_article_with_markdown_headings_and_a_numbered_source_list(publishers: Any) -> None:
    """Headings such as "## 2) What researchers tested", the last one "## 4) The bottom line: ...",
    and a source list numbered "1. ..." at the end."""
    pasted = read_article(NUMBERED_SOURCES_ARTICLE)
    document = pasted.document
    assert unknown_keys(document) == []
    assert document["headline"] == "Is your phone secretly listening to you to target ads?"
    assert [section["heading"] for section in document["sections"]] == [
        "Where the claim comes from",
        "What researchers tested",
        "Why the adverts feel like eavesdropping",
    ]
    assert document["bottomLine"].startswith("There is no evidence that phones routinely record conversations")
    sources = document["sources"]
    assert [source["url"] for source in sources] == [
        "https://petsymposium.org/2018/files/papers/issue4/popets-2018-0030.pdf",
        "https://archive.ph/phone-listening",
        "https://www.404media.co/cmg-active-listening/",
        "https://www.eff.org/issues/online-behavioral-tracking",
        "https://www.bbc.com/future/article/phone-listening-ads",
    ]
    assert sources[2] == {
        "url": "https://www.404media.co/cmg-active-listening/",
        "title": 'Marketing firm drops "active listening" claim',
        "publisher": "404 Media",
    }
    assert not any(note.startswith(("Cited", "Source [")) for note in pasted.notes)
    assert parse_factcheck(document, publishers, incoming=True).bottom_line == document["bottomLine"]


BOTTOM_LINES = {
    "en": ("3. Bottom line", "The claim is false [1]."),
    "es": ("3) Conclusiones", "La afirmación es falsa [1]."),
    "pt": ("3. Em conclusão", "A alegação é falsa [1]."),
    "fr": ("3. Notre conclusion", "L'affirmation est fausse [1]."),
    "de": ("3. Fazit", "Die Behauptung ist falsch [1]."),
    "ar": ("٣. الخلاصة", "الادعاء غير صحيح [1]."),
    "hi": ("3. निष्कर्ष", "यह दावा गलत है [1]."),
}


@pytest.mark.parametrize("language", sorted(BOTTOM_LINES))
def test_a_bottom_line_heading_in_the_articles_language(language: str) -> None:
    heading, bottom_line = BOTTOM_LINES[language]
    text = (
        "Fact check: A claim that went round\n\nChecked on 3 March 2024\n\nSummary\n\nThe summary [1].\n\n"
        "1. What was said\n\nA paragraph about it [1].\n\n2. What the record shows\n\nAnother paragraph [1].\n\n"
        f"{heading}\n\n{bottom_line}\n\nSources\n[1] A report \u2013 A publisher, https://example.org/report\n"
    )
    document = read_article(text, language).document
    assert [section["heading"] for section in document["sections"]] == ["What was said", "What the record shows"]
    assert document["bottomLine"] == bottom_line


def test_a_heading_that_starts_like_a_conclusion_stays_a_section_unless_it_is_the_last() -> None:
    text = (
        "Fact check: A claim that went round\n\nSummary\n\nThe summary.\n\n"
        "1. Conclusions of the 2019 study\n\nWhat the study found.\n\n2. What came after\n\nLater work.\n"
    )
    document = read_article(text, "en").document
    assert [section["heading"] for section in document["sections"]] == [
        "Conclusions of the 2019 study",
        "What came after",
    ]
    assert "bottomLine" not in document
    # Headings that only begin with a number keep it: "10 ways", "2024: the year".
    kept = read_article(text.replace("2. What came after", "10 ways it was checked"), "en").document
    assert kept["sections"][1]["heading"] == "10 ways it was checked"
