"""The editor's form logic (feed/editor.py, feed/editorform.py): row buttons, merge hints,
errors by field, and a form that holds every field of the model."""

from __future__ import annotations

from typing import Any

from feed.editor import ROW_ACTION, apply_row_action, changed_fields, errors_by_field
from feed.editorform import editor_form
from schemas.errors import FieldError
from schemas.formfields import from_form, to_form
from tests.conftest import demo_documents
from widget.i18n import Messages


def names(widgets: list[Any]) -> set[str]:
    found = set()
    for widget in widgets:
        if widget.kind in ("group", "rows"):
            found |= names(widget.rows)
        else:
            found.add(widget.name)
    return found


def test_the_form_shows_every_field_with_one_blank_row_per_list(publishers: Any) -> None:
    fields = to_form(demo_documents()[1])  # three claims, sources, sections
    widgets = editor_form(fields, {}, Messages("en"), publishers)
    shown = names(widgets)
    workflow = {name for name in fields if name.split(".")[0] in ("status", "retraction", "corrections")}
    assert set(fields) - workflow <= shown  # every value the document has is in the form
    assert {"claims.3.text", f"sources.{len(demo_documents()[1]['sources'])}.url", "image.url"} <= shown
    assert not {name for name in shown if name.startswith(("status", "retraction", "corrections"))}


def test_the_verdict_is_chosen_from_the_scale_in_the_fact_checks_language(publishers: Any) -> None:
    fields = {"language": "pt-BR", "claims.0.text": "x", "claims.0.verdict": "Falso"}
    widgets = editor_form(fields, {}, Messages("pt"), publishers)
    claims = next(w for w in widgets if w.name == "claims")
    verdict = next(w for w in claims.rows[0].rows if w.name == "claims.0.verdict")
    assert verdict.kind == "select" and verdict.value == "False"  # "Falso" names the label False
    assert ("False", "Falso") in verdict.options and ("True", "Verdadeiro") in verdict.options
    assert verdict.options[0] == ("", Messages("pt").gettext("Choose a verdict"))


def test_row_buttons_add_remove_and_move() -> None:
    fields = to_form(demo_documents()[1])
    texts = [claim["text"] for claim in from_form(fields)["claims"]]
    moved, _ = apply_row_action(fields, "up:claims:1")
    assert [c["text"] for c in from_form(moved)["claims"]] == [texts[1], texts[0], texts[2]]
    moved, _ = apply_row_action(fields, "down:claims:2")  # the last stays last
    assert [c["text"] for c in from_form(moved)["claims"]] == texts
    removed, _ = apply_row_action(fields, "remove:claims:0")
    assert [c["text"] for c in from_form(removed)["claims"]] == texts[1:]
    same, extra = apply_row_action(fields, "add:sources")
    assert same == fields and extra == {"sources": 2}
    assert apply_row_action(fields, "remove:claims:99")[0] == fields
    assert apply_row_action(fields, "explode:claims:1")[0] == fields
    assert ROW_ACTION.match("remove:claims.0.appearances:1") and not ROW_ACTION.match("add:claims:1:2")


def test_a_merge_shows_only_what_the_other_person_changed() -> None:
    base = {"headline": "A", "summary": "S", "tags": "x"}
    mine = {"headline": "A (mine)", "summary": "S", "tags": "x"}
    theirs = {"headline": "A", "summary": "S, theirs", "tags": "x", "bottomLine": "New"}
    assert changed_fields(mine, base, theirs) == {"summary": "S, theirs", "bottomLine": "New"}
    assert changed_fields(theirs, base, theirs) == {}  # nothing to merge when both wrote the same


def test_errors_are_grouped_by_field() -> None:
    errors = [FieldError("claims[0].verdict", "must be one of the scale's labels"),
              FieldError("sections[1].paragraphs[0]", "cites [9] but there are 2 sources"),
              FieldError("sections[1].paragraphs[2]", "cites [8] but there are 2 sources")]  # fmt: skip
    assert errors_by_field(errors) == {
        "claims.0.verdict": "must be one of the scale's labels",
        "sections.1.paragraphs": "cites [9] but there are 2 sources cites [8] but there are 2 sources",
    }
