"""The desk's publication workflow in a real browser (headless Chromium against a live server):
a draft submitted for review shows as in review on its page and in the list, and the list
filters by it; a retraction asks to confirm, repeating the reason and what readers will see,
with and without JavaScript; after a publication, a correction and a retraction the editor is
told how long caches may show the previous version, and that the static build is updated; a
preview link made on the desk is shown, and opens for someone signed out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from feed.app import create_app
from feed.core.settings import Settings
from feed.desk.accounts import create_user
from feed.store.clock import utc_now
from tests.browser.test_desk_browser import PEOPLE, Desk, shot, sign_in, submit
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, free_port
from tests.desk.test_desk import PASSWORD, START, Clock


@contextmanager
def live_desk(browser: Any, root: Path, **settings: Any) -> Iterator[Desk]:
    """A live server with the desk's people, on a SQLite file in `root`, with `settings`."""
    port = free_port()
    app = create_app(Settings.load({}, {
        "database_url": f"sqlite:///{root / 'live.db'}", "base_url": f"http://127.0.0.1:{port}", **settings,
    }))  # fmt: skip
    clock = Clock()
    app.state.desk.clock = clock
    for email, name, role in PEOPLE.values():
        create_user(app.state.context.store, email, name, role, PASSWORD, START)
    with LiveServer(app, port) as live:
        yield Desk(app, live.url, browser, clock)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


BUILT = {"cache_max_age": 120, "cache_stale_while_revalidate": 900}  # shown as 2 and 15 minutes


@pytest.fixture(scope="module")
def desk(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A desk whose server keeps a static build, with cache times other than the defaults."""
    root = tmp_path_factory.mktemp("workflow")
    with live_desk(browser, root, build_dir=str(root / "build"), **BUILT) as live:
        yield live


def published(desk: Desk, slug: str, headline: str) -> None:
    desk.draft(slug, headline)
    desk.app.state.context.publishing.publish(slug, None, utc_now())


def signed_in(desk: Desk, who: str, **options: Any) -> Any:
    page = desk.context(**options).new_page()
    assert sign_in(page, who).status == 303
    return page


def build_file(desk: Desk, slug: str) -> Path:
    return Path(desk.app.state.context.settings.build_dir) / "checks" / f"{slug}.html"


def wait_for(test: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "the static build was not updated"
        time.sleep(0.2)


def test_a_draft_submitted_for_review_is_in_review_on_its_page_and_in_the_list(desk: Desk) -> None:
    from playwright.sync_api import expect

    desk.draft("bats-in-review", "Are bats blind? (in review)")
    desk.draft("bats-still-draft", "Are bats blind? (still a draft)")
    page = signed_in(desk, "writer")
    page.goto("/desk/checks/bats-in-review/edit")
    expect(page.get_by_text("Status: Draft")).to_be_visible()
    submit(page, "Submit for review")
    expect(page.get_by_text("Status: In review")).to_be_visible()
    expect(page.locator(".desk-review")).to_contain_text("Submitted for review by Ben Okafor.")
    shot(page, "workflow-in-review")

    page.goto("/desk")
    rows = page.locator(".fc-desk-table tbody tr")
    expect(rows.filter(has_text="(in review)").locator("td").nth(1)).to_have_text("In review")
    expect(rows.filter(has_text="(still a draft)").locator("td").nth(1)).to_have_text("Draft")
    page.get_by_label("Status").select_option(label="In review")
    submit(page, "Show")
    assert "status=review" in page.url
    expect(rows.filter(has_text="(in review)")).to_have_count(1)
    expect(rows.filter(has_text="(still a draft)")).to_have_count(0)
    expect(page.get_by_label("Status")).to_have_value("review")
    shot(page, "workflow-list-in-review")
    page.get_by_label("Status").select_option(label="Draft")
    submit(page, "Show")
    expect(rows.filter(has_text="(still a draft)")).to_have_count(1)
    expect(rows.filter(has_text="(in review)")).to_have_count(0)  # listed under In review, not twice

    # An editor asks for changes: the draft goes back to the writer, a draft again.
    editor = signed_in(desk, "editor")
    editor.goto("/desk/checks/bats-in-review/edit")
    editor.get_by_label("Changes to ask the writer for").fill("Add a second source.")
    submit(editor, "Ask for changes")
    expect(editor.get_by_text("Status: Draft")).to_be_visible()
    editor.goto("/desk?status=review")
    expect(rows.filter(has_text="(in review)")).to_have_count(0)
    page.context.close()
    editor.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_retraction_asks_to_confirm_showing_what_readers_will_see(desk: Desk, javascript: bool) -> None:
    from playwright.sync_api import expect

    slug = f"bats-retract-{'js' if javascript else 'nojs'}"
    published(desk, slug, "Are bats blind? (to retract)")
    page = signed_in(desk, "editor", java_script_enabled=javascript)
    page.goto(f"/desk/checks/{slug}/edit")
    page.get_by_label("Why it is retracted (shown to readers)").fill("The bat was a moth.")
    assert submit(page, "Retract").status == 200
    # The second step: nothing has changed yet; the reason and what readers will see, repeated.
    assert desk.store.get(slug).status == "published"
    expect(page.locator("h1")).to_have_text("Retract this fact-check?")
    notice = page.locator("#retraction-preview")
    expect(notice).to_contain_text("This fact-check has been retracted")
    expect(notice).to_contain_text("The bat was a moth.")
    expect(page.locator("main")).to_contain_text("The card on other sites says “Retracted”")
    shot(page, f"workflow-retract-confirm-{'js' if javascript else 'nojs'}")
    page.get_by_role("link", name="No, keep it published").click()
    page.wait_for_url(f"**/desk/checks/{slug}/edit")
    assert desk.store.get(slug).status == "published"

    page.get_by_label("Why it is retracted (shown to readers)").fill("The bat was a moth.")
    submit(page, "Retract")
    assert submit(page, "Yes, retract it").status == 200
    record = desk.store.get(slug)
    assert record.status == "retracted" and record.document["retraction"]["reason"] == "The bat was a moth."
    expect(page.get_by_text("Status: Retracted")).to_be_visible()
    expect(page.locator("#change-notes")).to_contain_text("Retracted.")
    reader = desk.context().new_page()
    reader.goto(f"/checks/{slug}")
    expect(reader.locator("main")).to_contain_text("The bat was a moth.")
    page.context.close()
    reader.context.close()


def test_an_empty_reason_is_refused_before_the_confirmation(desk: Desk) -> None:
    from playwright.sync_api import expect

    published(desk, "bats-no-reason", "Are bats blind? (no reason)")
    page = signed_in(desk, "editor", java_script_enabled=False)  # the browser's `required` does not stop it
    page.goto("/desk/checks/bats-no-reason/edit")
    page.get_by_label("Why it is retracted (shown to readers)").fill("   ")
    assert submit(page, "Retract").status == 422
    expect(page.locator(".desk-problems")).to_contain_text("Why it is retracted is required")
    assert desk.store.get("bats-no-reason").status == "published"
    page.context.close()


def notes_of(page: Any) -> str:
    from playwright.sync_api import expect

    notes = page.locator("#change-notes")
    expect(notes).to_be_visible()
    return str(notes.inner_text())


def test_after_each_public_change_the_editor_is_told_the_cache_times_and_the_build(desk: Desk) -> None:
    from playwright.sync_api import expect

    slug = "bats-cached"
    desk.draft(slug, "Are bats blind? (cached)")
    page = signed_in(desk, "editor")
    page.goto(f"/desk/checks/{slug}/edit")
    expect(page.locator("#change-notes")).to_have_count(0)  # a draft: nothing public yet
    submit(page, "Publish")
    notes = notes_of(page)
    assert "Published." in notes and "2 minutes" in notes and "15 minutes" in notes, notes
    assert "static build" in notes, notes
    shot(page, "workflow-published-notes")
    wait_for(lambda: build_file(desk, slug).exists())

    page.locator('[name="summary"]').fill("No: every bat species can see, and many echolocate too.")
    page.locator('[name="correction"]').fill("The summary did not say that bats echolocate.")
    submit(page, "Save")
    notes = notes_of(page)
    assert "2 minutes" in notes and "15 minutes" in notes and "static build" in notes, notes
    wait_for(lambda: "many echolocate too" in build_file(desk, slug).read_text())

    page.get_by_label("Why it is retracted (shown to readers)").fill("The bat was a moth.")
    submit(page, "Retract")
    submit(page, "Yes, retract it")
    notes = notes_of(page)
    assert "Retracted." in notes and "2 minutes" in notes and "static build" in notes, notes
    wait_for(lambda: "The bat was a moth." in build_file(desk, slug).read_text())
    page.reload()
    expect(page.locator("#change-notes")).to_be_visible()  # the same answer on a reload of that URL
    page.goto(f"/desk/checks/{slug}/edit")
    expect(page.locator("#change-notes")).to_have_count(0)  # only right after the change
    page.context.close()


def test_without_a_build_directory_the_notes_give_the_default_cache_times(browser: Any, tmp_path: Path) -> None:
    with live_desk(browser, tmp_path) as plain:
        published_slug = "bats-plain"
        plain.draft(published_slug, "Are bats blind? (plain)")
        page = signed_in(plain, "editor")
        page.goto(f"/desk/checks/{published_slug}/edit")
        submit(page, "Publish")
        notes = notes_of(page)
        assert "1 minute" in notes and "10 minutes" in notes and "static build" not in notes, notes
        page.context.close()


def test_a_preview_link_is_shown_and_opens_for_someone_signed_out(desk: Desk) -> None:
    from playwright.sync_api import expect

    desk.draft("bats-shared", "Are bats blind? (shared)")
    page = signed_in(desk, "writer", viewport={"width": 1280, "height": 800})
    page.goto("/desk/checks/bats-shared/edit")
    page.get_by_label("The link works for (days)").fill("3")
    assert submit(page, "Make a preview link").status == 200
    shared = page.locator("#shared-link")
    expect(shared).to_contain_text("for 3 days")
    link = shared.get_by_role("link")
    expect(link).to_be_visible()
    expect(link).to_be_in_viewport()  # seen without scrolling, beside the button that made it
    page.screenshot(path=str(ARTIFACTS / "desk-workflow-preview-link-1280.png"))  # what the writer sees
    href = link.get_attribute("href")
    assert href and href.startswith(f"{desk.url}/preview/") and link.inner_text() == href
    expect(page.locator(".desk-warnings", has_text="Anyone with this link")).to_have_count(0)  # not a warning

    stranger = desk.context().new_page()  # a fresh browser: no desk session
    response = stranger.goto(href)
    assert response is not None and response.status == 200 and stranger.url == href
    expect(stranger.locator("h1")).to_have_text("Are bats blind? (shared)")
    expect(stranger.locator("main")).to_contain_text("Lightning")  # the draft's text, as the public page shows it
    expect(stranger.get_by_label("Email")).to_have_count(0)  # not the sign-in page
    shot(stranger, "workflow-preview-link-opened")
    assert desk.store.get("bats-shared").status == "draft"  # still unpublished
    stranger.context.close()
    page.context.close()

    phone = signed_in(desk, "writer", viewport={"width": 390, "height": 844})
    phone.goto("/desk/checks/bats-shared/edit")
    submit(phone, "Make a preview link")
    expect(phone.locator("#shared-link").get_by_role("link")).to_be_in_viewport()
    scroll, client = phone.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client  # the long link wraps
    phone.context.close()


def test_the_workflow_pages_pass_axe_wcag_a_and_aa(desk: Desk) -> None:
    from tests.browser.test_desk_browser import AXE, WCAG

    published(desk, "bats-axe", "Are bats blind? (axe)")
    # Only here: the desk's CSP (script-src 'self') would block the injected axe-core script.
    page = signed_in(desk, "editor", bypass_csp=True)
    page.goto("/desk/checks/bats-axe/edit")
    found = {}
    steps = [("preview link", "Make a preview link"), ("retract confirmation", "Retract"), ("notes", "Yes, retract it")]
    for name, button in steps:
        if button == "Retract":
            page.get_by_label("Why it is retracted (shown to readers)").fill("The bat was a moth.")
        submit(page, button)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
        assert len(result["passes"]) > 10, name
        found[name] = [(v["id"], [node["target"] for node in v["nodes"]][:5]) for v in result["violations"]]
    assert found == {name: [] for name, _ in steps}
    page.context.close()
