"""The editor's form in a real browser, as an editor who is not a developer meets it: an
article pasted and saved unfinished, rows added and removed one at a time, every message in
the form's words beside its field, dates, the language list and its verdicts, an Arabic
headline, and a layout that uses the window. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

from typing import Any

from tests.browser.test_desk_browser import SEED, Desk, desk, preview, shot, sign_in, submit

__all__ = ["desk"]  # the live desk and its browser, shared with the desk's other browser tests

LISTS = ("authors", "claims", "sections", "sources")
SLUG = "immigration-leads-to-child-trafficking"


def rows(page: Any) -> dict[str, int]:
    return {name: page.locator(f'#editor fieldset[data-list="{name}"]').count() for name in LISTS}


def add_another(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.locator(f"#f-{name}").get_by_role("button", name="Add another").last.click()
    page.wait_for_load_state()


def below(page: Any, message: Any, field: Any) -> float:
    """How far (px) the message sits from the top of its field's control."""
    box, control = message.bounding_box(), field.bounding_box()
    return abs(control["y"] - (box["y"] + box["height"]))


def test_an_editor_pastes_an_article_saves_it_unfinished_and_edits_its_rows(desk: Desk) -> None:
    from playwright.sync_api import expect

    page = desk.context(viewport={"width": 1280, "height": 900}).new_page()
    assert sign_in(page, "writer").status == 303
    page.goto("/desk")
    page.get_by_role("link", name="Start from an article").click()
    page.get_by_label("The article").fill(SEED.read_text())
    submit(page, "Fill the form")
    form = page.locator("#editor")
    expect(form.locator('[name="headline"]')).to_have_value("Immigration leads to child trafficking")
    start = rows(page)

    # One click adds one row, to its own list only; Remove takes one away.
    for clicks in range(1, 5):
        add_another(page, "sources")
        assert rows(page) == start | {"sources": start["sources"] + clicks}
        added = f"#f-sources-{start['sources'] + clicks - 1}"
        assert page.evaluate("location.hash") == added  # the page opens at the new row
        expect(page.locator(added)).to_be_in_viewport()
    add_another(page, "claims")
    assert rows(page) == start | {"sources": start["sources"] + 4, "claims": start["claims"] + 1}
    with page.expect_navigation():
        page.locator("#f-sources fieldset.desk-row").last.get_by_role("button", name="Remove").click()
    page.wait_for_load_state()
    edited = start | {"sources": start["sources"] + 3, "claims": start["claims"] + 1}
    assert rows(page) == edited
    shot(page, "form-rows")

    # Unfinished (no verdict, eight [n] and no source): the draft saves, and says what publication needs.
    response = submit(page, "Save draft")
    assert response.status == 200 and "/desk/checks/" in page.url
    expect(page.get_by_role("status").filter(has_text="Saved as version 1.")).to_be_visible()
    record = desk.store.get(SLUG)
    assert record.status == "draft" and "verdict" not in record.document["claims"][0]
    paragraph = "Section 1, paragraph 1 cites [1] and [2], but there are 0 sources."
    warning = page.locator("#f-sections-0-paragraphs-warning")
    expect(warning).to_have_text(paragraph)
    assert below(page, warning, page.locator('[name="sections.0.paragraphs"]')) < 40  # right above the box
    expect(page.locator("#f-claims-0-verdict-warning")).to_have_text("Claim 1, Verdict is required.")
    text = page.locator("main").inner_text()
    assert text.count(paragraph) == 1 and text.count("Claim 1, Verdict is required.") == 1  # each once
    for developer_words in ("claimReview", "datePublished", "sections.0", "sources[", "is required:"):
        assert developer_words not in text, developer_words
    page.locator(".desk-warnings").get_by_role("link", name="Section 1, paragraph 1").click()
    assert page.evaluate("location.hash") == "#f-sections-0-paragraphs"
    shot(page, "form-saved-with-warnings")
    saved = rows(page)
    assert all(count >= 1 for count in saved.values())

    # A refused save: the message in form words beside its field; the rows stay as they were.
    page.locator('[name="sources.0.title"]').fill("DHS press release")
    page.locator('[name="sources.0.url"]').fill("dhs.gov/news")
    response = submit(page, "Save draft")
    assert response.status == 422
    error = page.locator("#f-sources-0-url-error")
    expect(error).to_have_text("Source 1, Web address must be a whole web address, such as https://example.org/page.")
    assert below(page, error, page.locator('[name="sources.0.url"]')) < 40
    assert page.locator("main").inner_text().count("must be a whole web address") == 1
    assert rows(page) == saved
    shot(page, "form-error-beside-field")
    page.locator('[name="sources.0.url"]').fill("https://www.dhs.gov/news")
    page.locator('[name="sources.0.date"]').fill("2022")  # a source dated by its year, as schema.org allows
    assert submit(page, "Save draft").status == 200
    assert desk.store.get(SLUG).document["sources"][0] == {
        "title": "DHS press release", "url": "https://www.dhs.gov/news", "date": "2022"
    }  # fmt: skip
    expect(page.locator("#f-sections-0-paragraphs-warning")).to_have_text(
        "Section 1, paragraph 1 cites [2], but there is 1 source."  # [1] is found now
    )
    page.context.close()


def test_dates_language_and_verdicts_follow_the_form(desk: Desk) -> None:
    from playwright.sync_api import expect

    page = desk.context(viewport={"width": 1280, "height": 900}).new_page()
    assert sign_in(page, "writer").status == 303
    page.goto("/desk/new")
    form = page.locator("#editor")
    assert form.locator('[name="claims.0.date"]').get_attribute("type") == "date"
    assert form.locator('[name="sources.0.date"]').get_attribute("type") == "text"  # 2022 or 2022-10 too
    language = form.locator('select[name="language"]')
    names = language.locator("option").all_inner_texts()
    assert {"English", "Español", "Português", "Français", "Deutsch", "العربية", "हिन्दी"} <= set(names)
    verdict = form.locator('[name="claims.0.verdict"]')
    assert "False" in verdict.locator("option").all_inner_texts()
    language.select_option(label="Español")  # no save: the verdicts follow at once
    expect(verdict.locator('option[value="False"]')).to_have_text("Falso")
    verdict.select_option(label="Falso")
    assert verdict.input_value() == "False"
    shot(page, "form-spanish-verdicts")
    page.context.close()


def test_an_arabic_headline_runs_right_to_left_and_a_long_one_is_held(desk: Desk) -> None:
    from playwright.sync_api import expect

    page = desk.context(viewport={"width": 1280, "height": 900}).new_page()
    assert sign_in(page, "writer").status == 303
    page.goto("/desk/new")
    headline = page.locator('[name="headline"]')
    assert headline.get_attribute("maxlength") == "300"
    headline.press_sequentially("هل الخفافيش عمياء؟")
    expect(page.locator("#f-headline-count")).to_have_text("18 of 300 characters")
    summary = page.locator('[name="summary"]')
    summary.fill("لا: كل أنواع الخفافيش ترى.")
    for field in (headline, summary):
        assert field.evaluate("el => el.matches(':dir(rtl)')"), field
    assert page.locator('[name="claims.0.text"]').evaluate("el => el.matches(':dir(ltr)')")  # empty: the page's
    shot(page, "form-arabic-headline")

    # A headline with no spaces, longer than the rule (as a paste can make it): refused, and the page
    # still fits the window.
    headline.evaluate("el => { el.removeAttribute('maxlength'); el.value = '\u0628'.repeat(20000); }")  # Arabic letters
    response = submit(page, "Save draft")
    assert response.status == 422
    expect(page.locator("#f-headline-error")).to_contain_text("at most 300 characters")
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    page.context.close()


def test_the_preview_uses_the_room_beside_the_form(desk: Desk) -> None:
    from playwright.sync_api import expect

    desk.draft("bats-wide-preview", "Are bats blind? (wide preview)")
    page = desk.context(viewport={"width": 1280, "height": 900}).new_page()
    assert sign_in(page, "writer").status == 303
    page.goto("/desk/checks/bats-wide-preview/edit")
    page.get_by_role("button", name="Preview the page").click()
    expect(preview(page).locator("h1")).to_have_text("Are bats blind? (wide preview)")
    frame = page.locator('iframe[name="desk-preview"]').bounding_box()
    form = page.locator("#editor").bounding_box()
    assert frame["width"] >= 560, frame  # half the window, not a phone's column
    assert frame["x"] >= form["x"] + form["width"] - 1  # beside the form
    page.get_by_role("button", name="Preview the card", exact=True).click()
    expect(preview(page).locator(".c")).to_be_visible()
    assert page.locator('iframe[name="desk-preview"]').bounding_box()["width"] >= 540  # the card's full width
    shot(page, "form-wide-preview")
    page.context.close()
