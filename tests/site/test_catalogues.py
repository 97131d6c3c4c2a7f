"""The message catalogues: current with the code, complete in every shipped language, compiled.

widget/locale/factcard.pot is what `pybabel extract -F babel.cfg` finds; each language's .po
holds exactly its messages, each translated, with the placeholders of the English; each .mo
is the compilation of its .po. A message a catalogue lacks falls back to English by itself.
"""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from widget import i18n
from widget.i18n import LOCALE_DIR, Messages, choose_language, languages

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = ("ar", "de", "en", "es", "fr", "hi", "pt")  # the languages the manual promises (docs/editors/languages.md)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def po(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "factcard.po").open("rb") as file:
        return read_po(file, locale=language)


def template() -> Catalog:
    with (LOCALE_DIR / "factcard.pot").open("rb") as file:
        return read_po(file)


def ids(catalog: Catalog) -> set[Any]:
    return {message.id for message in catalog if message.id}


def test_the_shipped_languages_have_catalogues() -> None:
    assert languages() == SHIPPED


def test_the_template_holds_what_the_code_and_templates_ask_for() -> None:
    with (ROOT / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    found = {
        message[2] if isinstance(message[2], str) else tuple(message[2])
        for message in extract_from_dir(str(ROOT), method_map, options_map)
    }
    listed = ids(template())
    assert found == listed, (
        f"run pybabel extract (docs/developers/languages.md): new {sorted(map(str, found - listed))}, "
        f"gone {sorted(map(str, listed - found))}"
    )


def test_what_each_catalogue_lacks() -> None:
    """Lists, per language, the messages without a translation (shown in English meanwhile)."""
    expected = ids(template())
    lacking = {}
    for language in SHIPPED:
        if language == "en":
            continue
        catalog = po(language)
        missing = sorted(str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy or (
            isinstance(m.string, tuple) and not all(m.string))))  # fmt: skip
        missing += sorted(str(message_id) for message_id in expected - ids(catalog))
        if missing:
            lacking[language] = missing
    assert not lacking, f"untranslated messages: {lacking}"


def test_no_catalogue_keeps_messages_the_code_no_longer_has() -> None:
    expected = ids(template())
    for language in SHIPPED:
        if language != "en":
            assert ids(po(language)) <= expected, f"{language}: run pybabel update (docs/developers/languages.md)"


@pytest.mark.parametrize("language", [lang for lang in SHIPPED if lang != "en"])
def test_translations_keep_the_placeholders(language: str) -> None:
    for message in po(language):
        if not message.id or not message.string:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            # A plural form may leave out the count (Arabic says "one claim" without a number).
            assert set(PLACEHOLDER.findall(string)) <= wanted | {"num"}, (language, message.id, string)
            if not isinstance(message.id, tuple):
                assert set(PLACEHOLDER.findall(string)) == wanted, (language, message.id, string)


@pytest.mark.parametrize("language", [lang for lang in SHIPPED if lang != "en"])
def test_each_mo_is_its_po_compiled(language: str) -> None:
    # The messages are compared, not the bytes or the header: each Babel release writes its own
    # version into the header and may lay out the same messages differently.
    compiled = io.BytesIO()
    write_mo(compiled, po(language))
    compiled.seek(0)
    mo = LOCALE_DIR / language / "LC_MESSAGES" / "factcard.mo"
    with mo.open("rb") as file:
        shipped = gettext.GNUTranslations(file)
    wanted = gettext.GNUTranslations(compiled)
    messages = {key: value for key, value in shipped._catalog.items() if key != ""}  # type: ignore[attr-defined]
    expected = {key: value for key, value in wanted._catalog.items() if key != ""}  # type: ignore[attr-defined]
    assert messages == expected, f"{language}: run pybabel compile (docs/developers/languages.md)"


def test_a_missing_message_falls_back_to_english_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    partial = Catalog(locale="es")
    partial.add("Sources", "Fuentes")
    (tmp_path / "es" / "LC_MESSAGES").mkdir(parents=True)
    with (tmp_path / "es" / "LC_MESSAGES" / "factcard.mo").open("wb") as file:
        write_mo(file, partial)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._translations.cache_clear()
    try:
        t = Messages("es")
        assert t.gettext("Sources") == "Fuentes"
        assert t.gettext("Bottom line") == "Bottom line"
        assert t.gettext("Checked on %(date)s", date="1 de mayo") == "Checked on 1 de mayo"
    finally:
        i18n._translations.cache_clear()


def test_plural_forms_follow_each_languages_rule() -> None:
    arabic = Messages("ar")
    forms = {count: arabic.ngettext("Claim reviewed", "Claims reviewed", count) for count in (1, 2, 3, 11, 100)}
    # A heading without the number: one claim, two claims (the dual), and the plural.
    assert len({forms[1], forms[2], forms[3]}) == 3 and forms[3] == forms[11] == forms[100], forms
    assert Messages("fr").ngettext("Claim reviewed", "Claims reviewed", 1) != Messages("fr").ngettext(
        "Claim reviewed", "Claims reviewed", 2
    )
    english = Messages("en")
    assert english.ngettext("Claim reviewed", "Claims reviewed", 1) == "Claim reviewed"
    assert english.ngettext("Claim reviewed", "Claims reviewed", 2) == "Claims reviewed"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "October 30, 2025"), ("es", "30 de octubre de 2025"), ("fr", "30 octobre 2025"),
     ("de", "30. Oktober 2025"), ("pt", "30 de outubro de 2025"), ("hi", "30 अक्टूबर 2025")],
)  # fmt: skip
def test_dates_are_written_the_locales_way(language: str, expected: str) -> None:
    assert Messages(language).date("2025-10-30") == expected
    assert Messages(language).date("2025-10-30T09:15:00Z") == expected


def test_the_card_language_is_chosen_among_the_catalogues() -> None:
    assert choose_language("pt-BR", "en") == "pt"
    assert choose_language("zh", "es-MX") == "es"
    assert choose_language(None, "zh-Hant") == "en"
    assert choose_language("hi", "en") == "hi"
