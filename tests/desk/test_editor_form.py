"""The editor's form logic (feed/desk/editor.py, feed/desk/editorform.py): row buttons, merge hints,
errors by field, and a form that holds every field of the model."""

from __future__ import annotations

from typing import Any

from feed.desk.editor import ROW_ACTION, apply_row_action, changed_fields
from feed.desk.editorform import editor_form
from feed.desk.messages import by_field, notices
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


def test_the_form_shows_every_field_and_a_blank_row_in_each_empty_list(publishers: Any) -> None:
    fields = to_form(demo_documents()[1])  # three claims, sources, sections
    widgets = editor_form(fields, {}, Messages("en"), publishers)
    shown = names(widgets)
    workflow = {name for name in fields if name.split(".")[0] in ("status", "retraction", "corrections")}
    assert set(fields) - workflow <= shown  # every value the document has is in the form
    assert "image.url" in shown and "claims.3.text" not in shown  # a row is added by "Add another" only
    assert {"claims.0.text", "sources.0.url", "authors.0.name"} <= names(
        editor_form({}, {}, Messages("en"), publishers)
    )
    added = names(editor_form(fields, {}, Messages("en"), publishers, extra_rows={"claims": 1}))
    assert added - shown == {name for name in added if name.startswith("claims.3.")} != set()
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
    assert same == fields and extra == {"sources": 1}
    assert apply_row_action(fields, "remove:claims:99")[0] == fields
    assert apply_row_action(fields, "explode:claims:1")[0] == fields
    assert ROW_ACTION.match("remove:claims.0.appearances:1") and not ROW_ACTION.match("add:claims:1:2")


def test_a_merge_shows_only_what_the_other_person_changed() -> None:
    base = {"headline": "A", "summary": "S", "tags": "x"}
    mine = {"headline": "A (mine)", "summary": "S", "tags": "x"}
    theirs = {"headline": "A", "summary": "S, theirs", "tags": "x", "bottomLine": "New"}
    assert changed_fields(mine, base, theirs) == {"summary": "S, theirs", "bottomLine": "New"}
    assert changed_fields(theirs, base, theirs) == {}  # nothing to merge when both wrote the same


def test_errors_are_grouped_by_field_in_form_words(publishers: Any) -> None:
    errors = [FieldError("claims[0].verdict", "must be one of the scale's labels"),
              FieldError("sections[1].paragraphs[0]", "cites [9] but there are 2 sources"),
              FieldError("sections[1].paragraphs[2]", "cites [8] but there are 2 sources"),
              FieldError("claimReview[0].datePublished", "is required"),  # publishing sets it
              FieldError("claimReview[0].reviewRating.alternateName", "is required: the verdict in words"),
              FieldError("tags[2]", "must be at most 500 characters"),
              FieldError("corrections[1].note", "must be at most 20000 characters")]  # fmt: skip
    fields = {"sections.0.heading": "A", "sections.1.heading": "B", "claims.0.text": "x"}
    assert by_field(notices(errors, fields, Messages("en"))) == {
        "claims.0.verdict": "Claim 1, Verdict: must be one of the scale's labels Claim 1, Verdict is required.",
        "sections.1.paragraphs": "Section 2, paragraph 1 cites [9], but there are 2 sources. "
        "Section 2, paragraph 3 cites [8], but there are 2 sources.",
        "tags": "Tags, line 3 is too long: at most 500 characters.",
        "correction": "Correction note, shown to readers is too long: at most 20000 characters.",
    }


def test_an_error_of_a_row_after_a_blank_one_names_the_row_the_writer_sees() -> None:
    # Row 0 left blank: the document's first source is the form's second row.
    fields = {"sources.0.title": "", "sources.0.url": "", "sources.1.title": "T", "sources.1.url": "javascript:x"}
    (found,) = notices([FieldError("sources[0].url", "must be an http or https URL")], fields, Messages("en"))
    assert found.field == "sources.1.url" and found.label == "Source 2, Web address"


def test_the_canonical_checkbox_sits_next_to_the_original_article(publishers: Any) -> None:
    fields = to_form(demo_documents()[0]) | {"originalUrl": "https://news.example/a"}
    widgets = editor_form(fields, {}, Messages("en"), publishers)
    order = [widget.name for widget in widgets]
    assert order[order.index("originalUrl") + 1] == "originalIsCanonical"
    box = widgets[order.index("originalIsCanonical")]
    assert (box.kind, box.value, box.label) == ("checkbox", "", "The original article stays the canonical page")
    assert box.options == [("true", box.label)] and "fallback" in box.hint
    checked = editor_form(fields | {"originalIsCanonical": "true"}, {}, Messages("es"), publishers)
    (spanish,) = [widget for widget in checked if widget.name == "originalIsCanonical"]
    assert spanish.value == "true" and spanish.label == "El artículo original sigue siendo la página canónica"


def test_the_canonical_checkbox_without_an_original_article_is_named_beside_it(publishers: Any) -> None:
    from schemas.errors import ValidationError
    from schemas.validation import parse_factcheck

    fields = to_form(demo_documents()[0]) | {"originalIsCanonical": "true"}
    try:
        parse_factcheck(from_form(fields), publishers)
    except ValidationError as exc:
        found = notices(exc.errors, fields, Messages("en"))
    else:
        raise AssertionError("a canonical original without its address was taken")
    assert [(n.field, n.message) for n in found] == [(
        "originalIsCanonical",
        "The original article stays the canonical page: give the original article's address too.",
    )]  # fmt: skip


def test_a_review_url_off_the_publishers_site_is_named_where_it_comes_from(publishers: Any) -> None:
    """The review's url is the page's own (its slug), or the original article when that stays canonical."""
    error = FieldError("claimReview[0].url", "must be on the publisher's own host 'testserver'")
    assert [n.field for n in notices([error], {"slug": "x"}, Messages("en"))] == ["slug"]
    kept = {"slug": "x", "originalUrl": "https://news.example/a", "originalIsCanonical": "true"}
    assert [n.field for n in notices([error], kept, Messages("en"))] == ["originalUrl"]
