"""Slugs proposed from headlines in every script the desk writes in, and when nothing can be
transliterated, from the date; a taken slug gets the next free number."""

from __future__ import annotations

import random
from datetime import date

import pytest

from schemas.document import SLUG_PATTERN
from schemas.paste import read_article
from schemas.slugs import MAX_PROPOSED, dated_slug, free_slug, propose_slug, slug_of

TODAY = date(2025, 10, 30)
HEADLINES = {
    "Immigration leads to child trafficking": "immigration-leads-to-child-trafficking",
    "La inmigración provoca la trata de niños": "la-inmigracion-provoca-la-trata-de-ninos",
    "Überprüfung: Straße": "uberprufung-strasse",
    "هل يسبب اللقاح العقم؟": "hl-ysbb-llqh-l-qm",
    "الهجرة تؤدي إلى الاتجار بالأطفال": "lhjrh-tu-dy-la-ltjr-bl-tfl",
    "क्या टीका बांझपन का कारण बनता है": "kya-tika-bamjhpn-ka-karn-bnta-hai",
    "Вакцина вызывает бесплодие": "vaktsina-vyzyvaet-besplodie",
    "疫苗会导致不孕吗": "yi-miao-hui-dao-zhi-bu-yun-ma",  # one ideograph, one syllable
    "Ellas dijeron 🙂 ٢٠٢٤": "ellas-dijeron-2024",  # the emoji left out, Arabic-Indic digits read
}


@pytest.mark.parametrize("headline", sorted(HEADLINES))
def test_every_script_gives_a_slug(headline: str) -> None:
    slug = slug_of(headline)
    assert slug == HEADLINES[headline]
    assert SLUG_PATTERN.match(slug)


@pytest.mark.parametrize("headline", ["", "   ", "؟!؟", "🙂🙂 🎉", "\u200f\u200e"])
def test_nothing_to_transliterate_gives_no_slug_and_a_dated_proposal(headline: str) -> None:
    assert slug_of(headline) == ""
    assert propose_slug(headline, TODAY, lambda slug: False) == "fact-check-2025-10-30" == dated_slug(TODAY)


def test_a_long_headline_is_cut_between_words() -> None:
    headline = "Does the vaccine " + "really " * 30 + "cause it"
    slug = slug_of(headline)
    assert len(slug) <= MAX_PROPOSED and SLUG_PATTERN.match(slug) and slug.endswith("-really")
    assert len(slug_of("x" * 200)) == MAX_PROPOSED


def test_a_taken_slug_gets_the_next_free_number() -> None:
    taken = {"are-bats-blind", "are-bats-blind-2", "fact-check-2025-10-30"}
    assert free_slug("are-bats-blind", taken.__contains__) == "are-bats-blind-3"
    assert propose_slug("Are bats blind?", TODAY, taken.__contains__) == "are-bats-blind-3"
    assert propose_slug("؟", TODAY, taken.__contains__) == "fact-check-2025-10-30-2"
    assert free_slug("free", taken.__contains__) == "free"


def test_a_pasted_arabic_headline_gets_a_slug() -> None:
    text = "هل يسبب اللقاح العقم؟\n\nالخلاصة\n\nلا يوجد دليل على ذلك [1].\n"  # noqa: RUF001 (Arabic, as typed)
    document = read_article(text, "ar").document
    assert document["headline"] == "هل يسبب اللقاح العقم؟" and document["slug"] == "hl-ysbb-llqh-l-qm"
    # A headline with nothing to transliterate: the date, when the caller gives it.
    emoji = read_article("Fact check: 🙂🙂 🎉 🎉\n\nSummary\n\nA summary.\n", "en", TODAY)
    assert emoji.document["slug"] == "fact-check-2025-10-30"
    assert any("'fact-check-2025-10-30' was proposed" in note for note in emoji.notes)
    assert "slug" not in read_article("Fact check: 🙂🙂 🎉 🎉\n\nSummary\n\nA summary.\n", "en").document


@pytest.mark.parametrize("seed", range(5))
def test_any_text_gives_a_valid_slug_or_none(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        text = "".join(chr(rng.randrange(0, 0x30000)) for _ in range(rng.randrange(1, 60)))
        slug = slug_of(text)
        assert slug == "" or (SLUG_PATTERN.match(slug) and len(slug) <= MAX_PROPOSED), (text, slug)
