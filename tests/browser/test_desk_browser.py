"""The desk in a real browser: headless Chromium signs people in by typing, writes, previews,
saves, merges, publishes and retracts through the forms, and checks what is refused, the
keyboard walk, WCAG A/AA (axe-core) and phone widths. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from feed.desk.accounts import create_user
from feed.store.clock import utc_now
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, demo_documents, live_app
from tests.desk.test_desk import PASSWORD, START, Clock

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed-article.txt"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PEOPLE = {
    "writer": ("ben@example.org", "Ben Okafor", "writer"),
    "other": ("cai@example.org", "Cai Wen", "writer"),
    "editor": ("ana@example.org", "Ana Silva", "editor"),
    "flooded": ("dee@example.org", "Dee Park", "writer"),  # only the login flood signs in as Dee
}


@dataclass
class Desk:
    app: Any
    url: str
    browser: Any
    clock: Clock

    @property
    def store(self) -> Any:
        return self.app.state.context.store

    def context(self, **options: Any) -> Any:
        return self.browser.new_context(base_url=self.url, **options)

    def draft(self, slug: str, headline: str) -> None:
        """A draft saved straight into the store, for the tests that start from one."""
        if self.store.get(slug) is not None:
            return
        document = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")
        document = {k: v for k, v in document.items() if k not in ("status", "corrections")}
        document |= {"slug": slug, "headline": headline, "status": "draft"}
        for key in ("datePublished", "dateModified"):
            document.pop(key, None)
        self.app.state.context.publishing.create(document, utc_now())


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("desk"), [])
    clock = Clock()
    app.state.desk.clock = clock  # sessions and the sign-in throttle read it: time advances without sleeping
    for email, name, role in PEOPLE.values():
        create_user(app.state.context.store, email, name, role, PASSWORD, START)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with LiveServer(app, port) as live, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield Desk(app, live.url, browser, clock)
        finally:
            browser.close()


def sign_in(page: Any, who: str, password: str = PASSWORD) -> Any:
    """Types the email and password into the sign-in form and sends it; the response."""
    page.goto("/desk/login")
    page.get_by_label("Email").press_sequentially(PEOPLE[who][0])
    page.get_by_label("Password").press_sequentially(password)
    with page.expect_response(lambda r: r.url.endswith("/desk/login") and r.request.method == "POST") as sent:
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return sent.value


def submit(page: Any, name: str) -> Any:
    """Clicks a form's button and waits for the page it loads; the main response."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    return navigation.value


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"desk-{name}.png"), full_page=True)


def preview(page: Any) -> Any:
    return page.frame_locator('iframe[name="desk-preview"]')


def test_a_writer_writes_and_an_editor_publishes_then_retracts(desk: Desk) -> None:
    from playwright.sync_api import expect

    writer = desk.context().new_page()
    assert sign_in(writer, "writer").status == 303
    expect(writer.get_by_text("Signed in as Ben Okafor")).to_be_visible()
    writer.get_by_role("link", name="Write a new fact-check").click()
    writer.wait_for_url("**/desk/new")
    form = writer.locator("#editor")
    form.locator('[name="headline"]').press_sequentially("Are bats blind?")
    expect(form.locator('[name="slug"]')).to_have_value("are-bats-blind")  # proposed from the headline
    form.locator('[name="language"]').select_option("en")
    form.locator('[name="summary"]').press_sequentially("No: every bat species can see.")
    form.locator('[name="claims.0.text"]').press_sequentially("Bats are blind")
    form.locator('[name="claims.0.claimant.name"]').press_sequentially("A popular saying")
    form.locator('[name="claims.0.verdict"]').select_option(label="False")
    form.locator('[name="sections.0.heading"]').press_sequentially("What biologists say")
    paragraph = form.locator('[name="sections.0.paragraphs"]')
    paragraph.press_sequentially("All bats have eyes and see. ")
    form.get_by_role("button", name="Insert [1] at the cursor").click()
    expect(paragraph).to_have_value("All bats have eyes and see. [1]")
    form.locator('[name="sources.0.title"]').press_sequentially("Bat vision")
    form.locator('[name="sources.0.url"]').press_sequentially("https://example.org/bat-vision")
    form.get_by_role("button", name="Preview the page").click()
    expect(preview(writer).locator("h1")).to_have_text("Are bats blind?")
    expect(preview(writer).get_by_text("All bats have eyes and see.")).to_be_visible()
    shot(writer, "editor-preview-page")
    form.get_by_role("button", name="Preview the card").click()
    expect(preview(writer).locator(".c")).to_contain_text("Bats are blind")
    shot(writer, "editor-preview-card")
    response = submit(writer, "Save draft")
    assert response.status == 200 and "/desk/checks/are-bats-blind/edit" in writer.url
    expect(writer.get_by_role("status").filter(has_text="Saved as version 1.")).to_be_visible()
    record = desk.store.get("are-bats-blind")
    assert record.status == "draft" and record.document["claims"][0]["verdict"] == "False"
    assert record.document["sections"][0]["paragraphs"] == ["All bats have eyes and see. [1]"]

    # Start from an article: the pasted text fills the form; the notes say what to add.
    writer.goto("/desk")
    writer.get_by_role("link", name="Start from an article").click()
    writer.get_by_label("The article").fill(SEED.read_text())
    submit(writer, "Fill the form")
    expect(form.locator('[name="headline"]')).to_have_value("Immigration leads to child trafficking")
    expect(form.locator('[name="sections.0.heading"]')).to_have_value(
        "A dramatic headline, a nuanced reality: what the U.S. government found"
    )  # the article's "1. " left out: the page numbers sections
    expect(form.locator('[name="bottomLine"]')).to_have_value(re.compile("^Empirical evidence across U.S. government"))
    notes = writer.locator(".desk-warnings")
    expect(notes).to_contain_text("verdict")
    shot(writer, "paste-filled")
    form.locator('[name="claims.0.verdict"]').select_option(label="Misleading")
    form.locator('[name="claims.0.claimant.name"]').fill("Social media posts")
    response = submit(writer, "Save draft")  # eight cited numbers and no source: saved, warned field by field
    assert response.status == 200 and desk.store.get("immigration-leads-to-child-trafficking").status == "draft"
    expect(writer.locator("#f-sections-0-paragraphs-warning")).to_contain_text("[2]")
    expect(writer.locator('[name="claims.0.verdict"]')).to_have_value("Misleading")  # what was chosen, kept
    shot(writer, "paste-errors")
    for number in range(1, 9):  # a source per cited number, one row added at a time
        row = writer.locator(f"#f-sources-{number - 1}")
        row.locator(f'[name="sources.{number - 1}.title"]').fill(f"Source {number}")
        row.locator(f'[name="sources.{number - 1}.url"]').fill(f"https://example.org/source-{number}")
        if number < 8:
            with writer.expect_navigation():
                writer.locator("#f-sources").get_by_role("button", name="Add another").click()
    response = submit(writer, "Save draft")
    shot(writer, "paste-saved")
    assert response.status == 200, writer.locator("main").inner_text()
    expect(writer.get_by_role("status").filter(has_text="Saved as version 2.")).to_be_visible()
    pasted = desk.store.get("immigration-leads-to-child-trafficking")
    assert pasted.status == "draft" and len(pasted.document["sections"]) == 5 and len(pasted.document["sources"]) == 8
    assert pasted.document["bottomLine"].startswith("Empirical evidence")
    assert pasted.document["claims"] == [
        {"text": "Immigration leads to child trafficking", "claimant": {"name": "Social media posts", "type": "Person"},
         "verdict": "Misleading"}
    ]  # fmt: skip

    # The writer submits the first for review.
    writer.goto("/desk/checks/are-bats-blind/edit")
    submit(writer, "Submit for review")
    expect(writer.locator(".desk-review")).to_contain_text("Submitted for review by Ben Okafor.")
    expect(writer.get_by_text("Status: In review")).to_be_visible()

    # An editor, in a browser context of their own, publishes the writer's draft from the list.
    editor = desk.context().new_page()
    assert sign_in(editor, "editor").status == 303
    editor.get_by_role("link", name="Are bats blind?").click()
    editor.wait_for_url("**/desk/checks/are-bats-blind/edit")
    expect(editor.locator(".desk-review")).to_contain_text("Submitted for review by Ben Okafor.")
    submit(editor, "Publish")
    assert desk.store.get("are-bats-blind").status == "published"
    shot(editor, "published")
    # The public side, seen by a reader (a browser of their own: public pages are cached).
    reader = desk.context().new_page()
    reader.goto("/checks/are-bats-blind")
    expect(reader.locator("h1")).to_have_text("Are bats blind?")
    reader.goto("/embed/are-bats-blind")
    expect(reader.locator(".c")).to_contain_text("Bats are blind")
    feed = reader.request.get("/feed.json").json()
    assert any(item["url"].endswith("/checks/are-bats-blind") for item in feed["items"])
    datafeed = reader.request.get("/claimreview.json").text()
    assert '"DataFeed"' in datafeed and "/checks/are-bats-blind" in datafeed
    assert "immigration-leads-to-child-trafficking" not in datafeed  # still a draft

    # A correction, with its public note.
    editor.goto("/desk/checks/are-bats-blind/edit")
    editor.locator('[name="summary"]').fill("No: every bat species can see, and many echolocate too.")
    editor.locator('[name="correction"]').press_sequentially("The summary did not say that bats echolocate.")
    assert submit(editor, "Save").status == 200
    corrected = desk.context().new_page()  # a reader who had not seen it yet
    corrected.goto("/checks/are-bats-blind")
    expect(corrected.locator("main")).to_contain_text("The summary did not say that bats echolocate.")
    expect(corrected.locator("main")).to_contain_text("many echolocate too")
    shot(corrected, "corrected-public")
    corrected.context.close()

    editor.goto("/desk/checks/are-bats-blind/edit")
    editor.get_by_label("Why it is retracted (shown to readers)").press_sequentially("The bat was a moth.")
    submit(editor, "Retract")
    expect(editor.locator("#retraction-preview")).to_contain_text("The bat was a moth.")  # asked first
    assert desk.store.get("are-bats-blind").status == "published"
    submit(editor, "Yes, retract it")
    assert desk.store.get("are-bats-blind").status == "retracted"
    later = desk.context().new_page()  # a reader who had not seen it yet
    later.goto("/checks/are-bats-blind")
    expect(later.locator("main")).to_contain_text("This fact-check has been retracted")
    expect(later.locator("main")).to_contain_text("The bat was a moth.")
    shot(later, "retracted-public")
    for page in (writer, editor, reader, later):
        page.context.close()


def test_two_people_save_one_draft_and_the_second_merges(desk: Desk) -> None:
    from playwright.sync_api import expect

    desk.draft("bats-merge", "Are bats blind? (merge)")
    mine, theirs = desk.context().new_page(), desk.context().new_page()
    for page, who in ((mine, "writer"), (theirs, "other")):
        assert sign_in(page, who).status == 303
        page.goto("/desk/checks/bats-merge/edit")
    theirs.locator('[name="summary"]').fill("Their summary.")
    assert submit(theirs, "Save draft").status == 200
    expect(theirs.get_by_text("Saved as version 2.")).to_be_visible()

    mine.locator('[name="headline"]').fill("Are bats really blind?")
    with mine.expect_navigation() as navigation:
        mine.get_by_role("button", name="Save draft", exact=True).click()
    assert navigation.value.status == 409
    expect(mine.locator(".desk-warnings")).to_contain_text("Someone saved this fact-check while you were writing.")
    expect(mine.locator('[name="headline"]')).to_have_value("Are bats really blind?")  # my text, kept
    summary = mine.locator(".desk-field").filter(has=mine.locator('[name="summary"]'))
    expect(summary.locator(".desk-theirs pre")).to_have_text("Their summary.")  # beside the field they changed
    shot(mine, "conflict")
    assert desk.store.get("bats-merge").document["summary"] == "Their summary."  # nothing overwritten
    # Merge: keep my headline, take their summary, save again.
    mine.locator('[name="summary"]').fill(summary.locator(".desk-theirs pre").inner_text())
    assert submit(mine, "Save draft").status == 200
    expect(mine.get_by_text("Saved as version 3.")).to_be_visible()
    stored = desk.store.get("bats-merge").document
    assert stored["headline"] == "Are bats really blind?" and stored["summary"] == "Their summary."
    mine.context.close()
    theirs.context.close()


def test_a_writer_has_no_publish_button_and_a_forged_publish_is_refused(desk: Desk) -> None:
    from playwright.sync_api import expect

    desk.draft("bats-forged", "Are bats blind? (forged)")
    page = desk.context().new_page()
    assert sign_in(page, "writer").status == 303
    page.goto("/desk/checks/bats-forged/edit")
    expect(page.locator("#editor")).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    token = page.locator('#editor [name="csrf"]').input_value()
    # The writer's own cookies and a valid token, from the desk's own origin: only the role is wrong.
    forged = page.request.post(
        "/desk/checks/bats-forged/publish", form={"csrf": token, "version": "1"}, headers={"Origin": desk.url}
    )
    assert forged.status == 403
    assert desk.store.get("bats-forged").status == "draft"
    page.context.close()


def test_a_form_without_its_csrf_token_is_refused(desk: Desk) -> None:
    from playwright.sync_api import expect

    page = desk.context().new_page()
    assert sign_in(page, "writer").status == 303
    page.goto("/desk/new")
    page.locator('[name="headline"]').fill("Never saved")
    page.locator('[name="slug"]').fill("never-saved")
    page.evaluate("document.querySelector('#editor input[name=csrf]').remove()")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save draft", exact=True).click()
    assert navigation.value.status == 403
    expect(page.locator("h1")).to_have_text("This form cannot be accepted")
    shot(page, "refused")
    assert desk.store.get("never-saved") is None
    page.context.close()


def test_a_login_flood_is_slowed_and_the_right_password_works_after_the_wait(desk: Desk) -> None:
    from playwright.sync_api import expect

    page = desk.context().new_page()
    answers = [sign_in(page, "flooded", password=f"wrong password {n}") for n in range(8)]
    assert [answer.status for answer in answers] == [400] * 5 + [429] * 3
    waits = [int(answer.headers["retry-after"]) for answer in answers[5:]]
    assert all(wait >= 1 for wait in waits)
    expect(page.get_by_role("alert")).to_contain_text("Too many failed attempts")
    shot(page, "login-throttled")
    refused = sign_in(page, "flooded")  # the right password, before the wait is over
    assert refused.status == 429
    desk.clock.advance(seconds=int(refused.headers["retry-after"]))
    assert sign_in(page, "flooded").status == 303
    expect(page.get_by_text("Signed in as Dee Park")).to_be_visible()
    page.context.close()


FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {name: el.getAttribute('name'), id: el.id, text: el.textContent.trim(), tag: el.tagName,
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def tab_to(page: Any, wanted: Any, limit: int = 120) -> dict[str, Any]:
    """Presses Tab until `wanted(focused)` holds (at most `limit` times); what has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused: dict[str, Any] = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached it; last focused: {focused}")


def visibly_focused(focused: dict[str, Any]) -> bool:
    # "auto" is Chromium's own focus ring (the site's stylesheet keeps it); else at least 2px.
    return focused["outline"] == "auto" or (focused["outline"] not in ("none", "") and focused["width"] >= 2)


def test_the_desk_by_keyboard_alone(desk: Desk) -> None:
    page = desk.context().new_page()
    page.goto("/desk/login")
    assert visibly_focused(tab_to(page, lambda f: f["id"] == "fc-email"))
    page.keyboard.type(PEOPLE["writer"][0])
    assert visibly_focused(tab_to(page, lambda f: f["id"] == "fc-password", limit=1))
    page.keyboard.type(PASSWORD)
    with page.expect_navigation(url="**/desk"):
        page.keyboard.press("Enter")
    link = tab_to(page, lambda f: f["text"] == "Write a new fact-check")
    assert visibly_focused(link)
    with page.expect_navigation(url="**/desk/new"):
        page.keyboard.press("Enter")
    headline = tab_to(page, lambda f: f["name"] == "headline")
    assert visibly_focused(headline), headline
    page.keyboard.type("Typed without a mouse")
    save = tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Save draft", limit=200)
    assert visibly_focused(save), save
    shot(page, "keyboard-save-focused")
    page.context.close()


def desk_pages(desk: Desk, page: Any) -> Iterator[str]:
    """Opens every kind of desk page in turn, yielding its name while it is shown."""
    page.goto("/desk/login")
    yield "login"
    assert sign_in(page, "editor").status == 303
    desk.draft("bats-listed", "Are bats blind? (listed)")
    page.goto("/desk")
    yield "home"
    page.goto("/desk/new")
    yield "new"
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save draft", exact=True).click()
    assert navigation.value.status == 422
    yield "errors"
    page.goto("/desk/checks/bats-listed/edit")
    yield "edit"
    page.goto("/desk/paste")
    yield "paste"
    page.get_by_label("The article").fill("A title")  # required: the browser would not send it empty
    page.evaluate("document.querySelector('form input[name=csrf]').remove()")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Fill the form").click()
    assert navigation.value.status == 403
    yield "refused"


def test_every_desk_page_passes_axe_wcag_a_and_aa(desk: Desk) -> None:
    # Only here: the desk's CSP (script-src 'self') would block the injected axe-core script.
    page = desk.context(bypass_csp=True).new_page()
    found = {}
    for name in desk_pages(desk, page):
        page.wait_for_load_state()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
        assert len(result["passes"]) > 10, name  # axe ran its rules on the page
        # (axe leaves some contrast checks "incomplete" where the sticky Save bar overlaps a field:
        # those are for a person to review, not violations.)
        found[name] = [
            (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:5]) for v in result["violations"]
        ]
    assert found == {name: [] for name in found}
    assert len(found) == 7
    page.context.close()


def test_no_desk_page_scrolls_sideways_on_a_phone(desk: Desk) -> None:
    page = desk.context(viewport={"width": 390, "height": 844}).new_page()
    widths = {}
    for name in desk_pages(desk, page):
        page.wait_for_load_state()
        widths[name] = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        shot(page, f"390-{name}")
    assert {name: scroll <= client for name, (scroll, client) in widths.items()} == dict.fromkeys(widths, True), widths
    assert len(widths) == 7
    page.context.close()


def test_a_draft_saves_itself_after_a_pause(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect

    from feed.desk import editor

    monkeypatch.setattr(editor, "AUTOSAVE_MS", 400)  # a minute in use; less here
    desk.draft("bats-autosave", "Are bats blind? (autosave)")
    page = desk.context().new_page()
    assert sign_in(page, "writer").status == 303
    page.goto("/desk/checks/bats-autosave/edit")
    page.locator('[name="summary"]').fill("Saved without pressing Save.")
    expect(page.locator("#desk-autosave")).to_contain_text("Saved automatically", timeout=15_000)
    stored = desk.store.get("bats-autosave")
    assert stored.version == 2 and stored.document["summary"] == "Saved without pressing Save."
    page.locator('[name="summary"]').fill("And again, on the version it saved.")
    expect(page.locator("#desk-autosave")).not_to_have_text("", timeout=15_000)
    page.wait_for_function("() => document.querySelector('input[name=version]').value === '3'", timeout=15_000)
    assert desk.store.get("bats-autosave").document["summary"] == "And again, on the version it saved."
    # A new fact-check: the slug follows the headline, and the first save creates it.
    page.goto("/desk/new")
    page.locator('[name="headline"]').press_sequentially("Água é molhada?")
    expect(page.locator('[name="slug"]')).to_have_value("agua-e-molhada")
    page.context.close()
