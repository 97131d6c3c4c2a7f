"""People on the desk in a real browser: headless Chromium, against a live server. An admin adds
a writer; the writer opens the one-time link, sets a password and signs in; the admin disables
them and they are signed out; demoting the last admin is refused. The People pages pass axe-core
(WCAG A and AA) and do not scroll sideways at 390 px, in English and in Arabic."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from feed.desk.accounts import create_user
from tests.browser.test_desk_browser import AXE, WCAG, shot
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, live_app
from tests.desk.test_desk import PASSWORD, START, Clock

ADMIN = ("root@example.org", "Ro Admin")
WRITER_PASSWORD = "bats see perfectly well"


@dataclass
class Desk:
    app: Any
    url: str
    browser: Any

    @property
    def store(self) -> Any:
        return self.app.state.context.store

    def page(self, **options: Any) -> Any:
        return self.browser.new_context(base_url=self.url, **options).new_page()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("people"), [])
    app.state.desk.clock = Clock()
    create_user(app.state.context.store, *ADMIN, "admin", PASSWORD, START)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with LiveServer(app, port) as live, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield Desk(app, live.url, browser)
        finally:
            browser.close()


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/desk/login")
    page.locator("#fc-email").press_sequentially(email)
    page.locator("#fc-password").press_sequentially(password)
    with page.expect_navigation():
        page.locator('.fc-desk-form button[type="submit"]').click()
    page.wait_for_load_state()


def click(page: Any, button: Any) -> Any:
    """Clicks a form's button and waits for the page it loads; the main response."""
    with page.expect_navigation() as navigation:
        button.click()
    page.wait_for_load_state()
    return navigation.value


def test_an_admin_adds_a_writer_who_sets_a_password_signs_in_and_is_disabled(desk: Desk) -> None:
    from playwright.sync_api import expect

    admin = desk.page()
    sign_in(admin, ADMIN[0], PASSWORD)
    admin.get_by_role("link", name="People").click()
    admin.wait_for_url("**/desk/people")
    admin.get_by_label("Name, as colleagues know them").press_sequentially("Ben Okafor")
    admin.get_by_label("Email they sign in with").press_sequentially("ben@example.org")
    admin.get_by_label("Role", exact=True).select_option(label="writer")
    assert click(admin, admin.get_by_role("button", name="Add the person")).status == 200
    expect(admin.get_by_role("status")).to_contain_text("Ben Okafor has an account now")
    link = admin.locator("#person-link").inner_text()
    assert link.startswith(desk.url + "/desk/password/")
    shot(admin, "people-invited")

    writer = desk.page()
    writer.goto(link)
    expect(writer.get_by_label("Email")).to_have_value("ben@example.org")
    writer.get_by_label("New password (at least 12 characters)").press_sequentially(WRITER_PASSWORD)
    writer.get_by_label("The new password again").press_sequentially(WRITER_PASSWORD)
    assert click(writer, writer.get_by_role("button", name="Set my password")).status == 200
    expect(writer.get_by_role("heading", name="Your password is set")).to_be_visible()
    writer.get_by_role("link", name="Sign in to the desk").click()
    writer.wait_for_url("**/desk/login")
    sign_in(writer, "ben@example.org", WRITER_PASSWORD)
    expect(writer.get_by_text("Signed in as Ben Okafor")).to_be_visible()
    expect(writer.get_by_role("link", name="People")).to_have_count(0)  # a writer manages no one

    admin.goto("/desk/people")
    admin.get_by_role("link", name="Disable the account of Ben Okafor").click()
    admin.wait_for_url("**/disable")
    expect(admin.get_by_role("heading")).to_have_text("Disable the account of Ben Okafor?")
    assert click(admin, admin.get_by_role("button", name="Disable the account")).status == 200
    expect(admin.get_by_role("status")).to_contain_text("The account of Ben Okafor is disabled")
    expect(admin.locator("#account-changes")).to_contain_text("Account disabled, signed out everywhere. By Ro Admin.")

    writer.goto("/desk")
    writer.wait_for_url("**/desk/login?next=%2Fdesk")  # signed out at once
    used = writer.goto(link)
    assert used is not None and used.status == 404
    expect(writer.get_by_role("heading", name="This link no longer works")).to_be_visible()


def test_demoting_the_last_admin_is_refused(desk: Desk) -> None:
    from playwright.sync_api import expect

    admin = desk.page()
    sign_in(admin, ADMIN[0], PASSWORD)
    admin.goto("/desk/people")
    admin.get_by_label("Role of Ro Admin").select_option(label="editor")
    row = admin.locator("li", has=admin.get_by_label("Role of Ro Admin"))
    assert click(admin, row.get_by_role("button", name="Change role")).status == 409
    expect(admin.get_by_role("alert")).to_contain_text("Ro Admin is the last active administrator")
    assert desk.store.find_user(ADMIN[0])[0].role == "admin"
    shot(admin, "people-last-admin")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_people_pages_pass_axe_and_fit_a_phone(desk: Desk, language: str) -> None:
    admin = desk.page(bypass_csp=True, locale=language, viewport={"width": 390, "height": 844})
    sign_in(admin, ADMIN[0], PASSWORD)
    admin.goto("/desk/people")
    admin.locator("#person-name").press_sequentially("سارة الأحمد")
    admin.locator("#person-email").press_sequentially(f"sara-{language}@example.org")
    click(admin, admin.locator("form", has=admin.locator("#person-name")).get_by_role("button"))
    link = admin.locator("#person-link").inner_text()
    assert admin.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    sara = desk.store.find_user(f"sara-{language}@example.org")[0]
    pages = {"people": "/desk/people", "reset": f"/desk/people/{sara.id}/reset", "password": link}
    found, widths = {}, {}
    for name, path in pages.items():
        admin.goto(path)
        admin.wait_for_load_state()
        admin.add_script_tag(path=str(AXE))
        result = admin.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
        assert len(result["passes"]) > 10, name
        found[name] = [(v["id"], [node["target"] for node in v["nodes"]][:5]) for v in result["violations"]]
        widths[name] = admin.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        shot(admin, f"people-390-{language}-{name}")
    assert found == {name: [] for name in pages}
    assert {name: scroll <= client for name, (scroll, client) in widths.items()} == dict.fromkeys(pages, True), widths
