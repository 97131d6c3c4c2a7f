from __future__ import annotations

from typing import Any

import pytest

from schemas.errors import FieldError, ValidationError
from schemas.publisher import parse_publishers
from schemas.ratings import parse_scale


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_default_scale_badges_meet_wcag_aa_with_white_text(publishers: Any) -> None:
    scale = publishers["demo"].scale
    assert [label.category for label in scale.labels][:6] == [
        "true", "mostly-true", "mixed", "misleading", "mostly-false", "false",
    ]  # fmt: skip
    for label in scale.labels:
        assert contrast(label.colour, "#ffffff") >= 4.5, label


def test_contrast_helper_can_fail() -> None:
    assert contrast("#ffff00", "#ffffff") < 4.5


def test_scale_problems_are_all_named() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_scale(
            {
                "name": "house",
                "best": 5,
                "worst": 1,
                "labels": [
                    {"label": "Yes", "value": 9, "colour": "#000000", "category": "true"},
                    {"label": "yes", "value": 1, "colour": "red", "category": "sort-of"},
                ],
            }
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {
        "scale.labels[0].value", "scale.labels[1].label", "scale.labels[1].colour", "scale.labels[1].category",
    }  # fmt: skip


def test_publishers_name_their_scale_and_get_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publishers({"publishers": {"Bad Id": {"name": "X", "url": "javascript:x", "scale": "none"}}})
    fields = {e.field for e in caught.value.errors}
    assert fields == {"publishers.Bad Id", "publishers.Bad Id.url", "publishers.Bad Id.scale"}


def _scale(*labels: dict[str, Any]) -> dict[str, Any]:
    return {"name": "house", "best": 2, "worst": 1, "labels": list(labels)}


def test_labels_carry_their_words_in_other_languages() -> None:
    scale = parse_scale(
        _scale(
            {"label": "Right", "value": 2, "colour": "#1a7f37", "category": "true",
             "translations": {"es": " Correcto ", "pt-BR": "Certo"}},
            {"label": "Wrong", "value": 1, "colour": "#8c1c13", "category": "false"},
        )
    )  # fmt: skip
    right, wrong = scale.labels
    assert right.translations == (("es", "Correcto"), ("pt-br", "Certo"))
    assert wrong.translations == ()
    assert scale.find("correcto") is right
    assert scale.find(" CERTO ") is right
    assert scale.find("Correcta") is None


def test_translation_problems_are_all_named() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_scale(
            _scale(
                {"label": "Right", "value": 2, "colour": "#1a7f37", "category": "true",
                 "translations": {"es": "Correcto", "ES": "Cierto", "not a tag": "x", "fr": "  ", "de": 3}},
                {"label": "Wrong", "value": 1, "colour": "#8c1c13", "category": "false",
                 "translations": {"pt": "correcto"}},
                {"label": "Correcto", "colour": "#4a5568", "category": "unproven"},
                {"label": "Odd", "colour": "#4a5568", "category": "other", "translations": ["es", "Raro"]},
            )
        )  # fmt: skip
    errors = {e.field: e.message for e in caught.value.errors}
    assert set(errors) == {
        "scale.labels[0].translations.ES", "scale.labels[0].translations.not a tag",
        "scale.labels[0].translations.fr", "scale.labels[0].translations.de",
        "scale.labels[1].translations.pt", "scale.labels[2].label", "scale.labels[3].translations",
    }  # fmt: skip
    assert errors["scale.labels[0].translations.ES"] == "'ES' appears twice"
    assert "BCP 47" in errors["scale.labels[0].translations.not a tag"]
    assert errors["scale.labels[1].translations.pt"] == "'correcto' already names the label 'Right'"
    assert errors["scale.labels[2].label"] == "'Correcto' already names the label 'Right'"


def test_publishers_name_translation_problems_under_their_scale() -> None:
    raw = {"label": "Wrong", "value": 1, "colour": "#8c1c13", "category": "false", "translations": {"es": ""}}
    data = {
        "publishers": {"desk": {"name": "Desk", "url": "https://desk.example/", "scale": "house"}},
        "scales": {"house": {"best": 1, "worst": 1, "labels": [raw]}},
    }
    with pytest.raises(ValidationError) as caught:
        parse_publishers(data)
    assert caught.value.errors[0] == FieldError(
        "scales.house.labels[0].translations.es", "must be the label's words in that language"
    )


def test_in_language_takes_the_main_subtag_and_falls_back_to_the_label() -> None:
    scale = parse_scale(
        _scale(
            {"label": "Wrong", "value": 1, "colour": "#8c1c13", "category": "false",
             "translations": {"es": "Falso", "pt-BR": "Errado", "pt": "Incorreto"}},
        )
    )  # fmt: skip
    wrong = scale.labels[0]
    assert wrong.in_language("es") == "Falso"
    assert wrong.in_language("es-MX") == "Falso"
    assert wrong.in_language("ES-419") == "Falso"
    assert wrong.in_language("pt-BR") == "Errado"
    assert wrong.in_language("pt-PT") == "Incorreto"
    assert wrong.in_language("en") == "Wrong"
    assert wrong.in_language("ar") == "Wrong"


def test_default_scale_speaks_the_languages_of_the_fact_checkers(publishers: Any) -> None:
    scale = publishers["demo"].scale
    for label in scale.labels:
        assert {tag for tag, _ in label.translations} == {"es", "pt", "fr", "de", "ar", "hi"}, label.label
    false = scale.find("False")
    assert false is not None
    assert [false.in_language(tag) for tag in ("es", "pt", "fr", "de", "ar", "hi", "en")] == [
        "Falso", "Falso", "Faux", "Falsch", "زائف", "गलत", "False",
    ]  # fmt: skip
    assert scale.find("Verdadero") is scale.labels[0]
    assert scale.find("sin pruebas") is scale.labels[-1]


def test_a_scale_names_the_language_of_its_labels() -> None:
    labels = [{"label": "Falso", "value": 1, "colour": "#8c1c13", "category": "false", "translations": {"en": "False"}}]
    scale = parse_scale({"name": "casa", "best": 1, "worst": 1, "language": "es", "labels": labels})
    (label,) = scale.labels
    assert (scale.language_of(label, "en-GB"), label.in_language("en-GB")) == ("en", "False")
    assert (scale.language_of(label, "sw"), label.in_language("sw")) == ("es", "Falso")  # no Swahili: the label
    assert parse_scale({"name": "x", "best": 1, "worst": 1, "labels": labels}).language == "en"
    with pytest.raises(ValidationError) as caught:
        parse_scale({"name": "x", "best": 1, "worst": 1, "language": "not a tag", "labels": labels})
    assert [e.field for e in caught.value.errors] == ["scale.language"]
