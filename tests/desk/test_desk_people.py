"""People on the desk: an admin adds a person (a one-time link to set their password, shown
once), changes a role, resets a password (a new link; the old password and sessions stop at
once), disables an account (signed out at once); every change in the audit trail; the last
admin is never disabled or demoted; only admins may; CSRF and origin checks as everywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.desk.accounts import authenticate, create_user, current_session, start_session
from feed.desk.people import invite, link_account, reset, set_password
from feed.store import LastAdmin, Store, open_store
from tests.desk.test_accounts import user_cli
from tests.desk.test_desk import PASSWORD, START, Clock, csrf_of, sign_in, signed_out

NEW_PASSWORD = "a password of my very own"


@pytest.fixture
def clock(app: Any) -> Clock:
    fake = Clock()
    app.state.desk.clock = fake
    return fake


@pytest.fixture
def admin(app: Any, client: TestClient, clock: Clock) -> TestClient:
    create_user(app.state.context.store, "root@example.org", "Ro Admin", "admin", PASSWORD, START)
    assert sign_in(client, "root@example.org").status_code == 303
    return client


def store_of(app: Any) -> Store:
    store: Store = app.state.context.store
    return store


def user_id(app: Any, email: str) -> int:
    found = store_of(app).find_user(email)
    assert found is not None
    return found[0].id


def add(client: TestClient, name: str, email: str, role: str) -> Any:
    token = csrf_of(client.get("/desk/people"))
    return client.post("/desk/people", data={"csrf": token, "name": name, "email": email, "role": role})


def link_in(response: Any) -> str:
    (link,) = re.findall(r'<code class="desk-secret" id="person-link">([^<]+)</code>', response.text)
    assert link.startswith("http://testserver/desk/password/")
    return str(link).removeprefix("http://testserver")


def set_by_link(client: TestClient, path: str, password: str = NEW_PASSWORD, again: str | None = None) -> Any:
    form = client.get(path)
    assert form.status_code == 200, form.text
    data = {"csrf": csrf_of(form), "password": password, "again": password if again is None else again}
    return client.post(path, data=data)


def post(client: TestClient, path: str, **data: str) -> Any:
    return client.post(path, data={"csrf": csrf_of(client.get("/desk/people")), **data}, follow_redirects=False)


def test_an_admin_adds_a_person_who_sets_their_own_password_by_a_one_time_link(admin: TestClient, app: Any) -> None:
    page = admin.get("/desk/people")
    assert page.status_code == 200 and "Ro Admin" in page.text and page.headers["cache-control"] == "no-store"
    added = add(admin, "Ben Okafor", "Ben@Example.org", "writer")
    assert added.status_code == 200 and "Ben Okafor has an account now" in added.text
    path = link_in(added)
    assert path.removeprefix("/desk/password/") not in admin.get("/desk/people").text  # shown once
    assert "Waiting to set a password" in admin.get("/desk/people").text
    stored = store_of(app)._query("SELECT id FROM password_links")
    assert [row[0] for row in stored] != [path.rsplit("/", 1)[1]]  # only the secret's hash is kept

    ben = TestClient(app)
    form = ben.get(path)  # opening the link changes nothing
    assert form.status_code == 200 and "ben@example.org" in form.text
    assert form.headers["referrer-policy"] == "same-origin" and form.headers["cache-control"] == "no-store"
    assert authenticate(store_of(app), "ben@example.org", NEW_PASSWORD) is None
    assert set_by_link(ben, path, "short", "short").status_code == 422
    assert set_by_link(ben, path, NEW_PASSWORD, "not the same one").status_code == 422
    done = set_by_link(ben, path)
    assert done.status_code == 200 and "Your password is set" in done.text
    assert sign_in(ben, "ben@example.org", NEW_PASSWORD).status_code == 303 and not signed_out(ben)
    assert ben.get("/desk/people").status_code == 403  # a writer is not an admin
    used = TestClient(app).get(path)
    assert used.status_code == 404 and "This link no longer works" in used.text  # once only


def test_a_role_change_holds_at_once_and_every_change_is_in_the_audit_trail(admin: TestClient, app: Any) -> None:
    create_user(store_of(app), "ana@example.org", "Ana Silva", "writer", PASSWORD, START)
    ana = TestClient(app)
    assert sign_in(ana, "ana@example.org").status_code == 303
    assert ana.get("/desk/people").status_code == 403
    ana_id = user_id(app, "ana@example.org")
    changed = post(admin, f"/desk/people/{ana_id}/role", role="admin")
    assert changed.status_code == 200 and "The role of Ana Silva is now: administrator." in changed.text
    assert ana.get("/desk/people").status_code == 200  # the same session, the new role
    assert post(admin, f"/desk/people/{ana_id}/role", role="boss").status_code == 422
    assert post(admin, "/desk/people/999/role", role="writer").status_code == 404
    assert post(admin, f"/desk/people/{2**70}/role", role="writer").status_code == 404
    trail = [(e.action, e.detail, e.actor_name, e.email) for e in store_of(app).account_events()]
    assert trail == [
        ("role_changed", "writer admin", "Ro Admin", "ana@example.org"),
        ("created", "writer", None, "ana@example.org"),
        ("created", "admin", None, "root@example.org"),
    ]
    page = admin.get("/desk/people").text
    assert "Role changed from writer to administrator. By Ro Admin." in page


def test_a_reset_stops_the_old_password_and_sessions_and_gives_a_new_link(admin: TestClient, app: Any) -> None:
    create_user(store_of(app), "ben@example.org", "Ben Okafor", "writer", PASSWORD, START)
    ben = TestClient(app)
    assert sign_in(ben, "ben@example.org").status_code == 303
    ben_id = user_id(app, "ben@example.org")
    asked = admin.get(f"/desk/people/{ben_id}/reset")
    assert asked.status_code == 200 and "Reset the password of Ben Okafor?" in asked.text
    assert not signed_out(ben)  # asking changes nothing
    done = post(admin, f"/desk/people/{ben_id}/reset")
    assert done.status_code == 200 and "no longer works" in done.text and PASSWORD not in done.text
    assert signed_out(ben) and authenticate(store_of(app), "ben@example.org", PASSWORD) is None
    path = link_in(done)
    assert set_by_link(TestClient(app), path).status_code == 200
    assert authenticate(store_of(app), "ben@example.org", NEW_PASSWORD) is not None
    actions = [(e.action, e.detail, e.actor_name) for e in store_of(app).account_events()][:2]
    assert actions == [("password_set", None, "Ben Okafor"), ("password_link", "reset", "Ro Admin")]


def test_disabling_signs_the_person_out_and_ends_their_link(admin: TestClient, app: Any) -> None:
    path = link_in(add(admin, "Cai Wen", "cai@example.org", "editor"))
    create_user(store_of(app), "ben@example.org", "Ben Okafor", "writer", PASSWORD, START)
    ben = TestClient(app)
    assert sign_in(ben, "ben@example.org").status_code == 303
    for email in ("ben@example.org", "cai@example.org"):
        asked = admin.get(f"/desk/people/{user_id(app, email)}/disable")
        assert asked.status_code == 200 and "Disable the account of" in asked.text
        done = post(admin, f"/desk/people/{user_id(app, email)}/disable")
        assert done.status_code == 200 and "is disabled" in done.text
    assert signed_out(ben) and sign_in(ben, "ben@example.org").status_code == 400
    assert TestClient(app).get(path).status_code == 404  # a disabled account's link is ended
    page = admin.get("/desk/people").text
    assert page.count("Disabled since") == 2 and "Account disabled, signed out everywhere. By Ro Admin." in page


def test_the_last_admin_is_never_demoted_or_disabled(admin: TestClient, app: Any) -> None:
    root = user_id(app, "root@example.org")
    for path, data in ((f"/desk/people/{root}/role", {"role": "editor"}), (f"/desk/people/{root}/disable", {})):
        refused = post(admin, path, **data)
        assert refused.status_code == 409 and "is the last active administrator" in refused.text
    assert store_of(app).user(root) == store_of(app).find_user("root@example.org")[0]  # type: ignore[index]
    assert store_of(app).user(root).role == "admin" and not signed_out(admin)  # type: ignore[union-attr]
    # With a second admin, the first may step down, and is sent to the desk they may still use.
    create_user(store_of(app), "ana@example.org", "Ana Silva", "admin", PASSWORD, START)
    stepped_down = post(admin, f"/desk/people/{root}/role", role="editor")
    assert stepped_down.status_code == 303 and stepped_down.headers["location"] == "/desk"
    assert admin.get("/desk/people").status_code == 403
    # A disabled admin does not count: Ana is now the last one.
    ana = user_id(app, "ana@example.org")
    with pytest.raises(LastAdmin):
        store_of(app).disable_user(ana, "2026-05-04T10:00:00.000000Z")


def test_an_admin_who_disables_their_own_account_is_signed_out(admin: TestClient, app: Any) -> None:
    create_user(store_of(app), "ana@example.org", "Ana Silva", "admin", PASSWORD, START)
    done = post(admin, f"/desk/people/{user_id(app, 'root@example.org')}/disable")
    assert done.status_code == 303 and done.headers["location"] == "/desk/login" and signed_out(admin)


def test_the_command_line_is_held_to_the_last_admin_too_and_records_itself(database_url: str) -> None:
    created = user_cli(database_url, "create", "root@example.org", "--name", "Ro Admin", "--role", "admin",
                       stdin=PASSWORD + "\n")  # fmt: skip
    assert created.returncode == 0, created.stderr
    refused = user_cli(database_url, "disable", "root@example.org")
    assert refused.returncode == 1 and "is the last active admin" in refused.stderr
    store = open_store(database_url)
    try:
        assert [(e.action, e.actor_name) for e in store.account_events()] == [("created", "command line")]
        assert store.users()[0].disabled_at is None
    finally:
        store.close()


def test_a_link_works_once_only_while_newest_and_unexpired(store: Store) -> None:
    create_user(store, "root@example.org", "Ro Admin", "admin", PASSWORD, START)
    ben, first = invite(store, " Ben@example.org ", "Ben Okafor ", "writer", START, "Ro Admin")
    assert (ben.email, ben.name) == ("ben@example.org", "Ben Okafor")
    assert authenticate(store, "ben@example.org", PASSWORD) is None  # no one knows its first password
    second, _ = reset(store, ben, START, "Ro Admin")
    assert link_account(store, first, START) is None  # a newer link ends the one before
    later = START.replace(day=6)
    assert link_account(store, second, later) is None and set_password(store, second, NEW_PASSWORD, later) is None
    third, _ = reset(store, ben, later, "Ro Admin")
    session = start_session(store, ben, later)
    assert set_password(store, third, NEW_PASSWORD, later) == store.user(ben.id)
    assert set_password(store, third, "yet another new password", later) is None  # used up
    assert authenticate(store, "ben@example.org", NEW_PASSWORD) is not None
    assert current_session(store, session, later) is None  # setting the password signs out everywhere
    assert link_account(store, "x" * 10, START) is None and link_account(store, "x" * 200, START) is None


CHANGES = ["/desk/people", "/desk/people/1/role", "/desk/people/1/reset", "/desk/people/1/disable"]


@pytest.mark.parametrize("path", CHANGES)
def test_people_changes_need_the_forms_csrf_token_and_this_site(admin: TestClient, app: Any, path: str) -> None:
    before = store_of(app).account_events()
    assert admin.post(path, data={"csrf": "forged", "role": "writer", "name": "X", "email": "x@example.org"}
                      ).status_code == 403  # fmt: skip
    token = csrf_of(admin.get("/desk/people"))
    cross = admin.post(path, data={"csrf": token, "role": "writer"}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and store_of(app).account_events() == before


def test_adding_names_what_is_wrong(admin: TestClient, app: Any) -> None:
    assert add(admin, " ", "x@example.org", "writer").status_code == 422
    assert add(admin, "X", "not an email", "writer").status_code == 422
    assert add(admin, "X", "x@example.org", "boss").status_code == 422
    assert add(admin, "X\x00Y", "x@example.org", "writer").status_code == 422  # PostgreSQL text cannot hold NUL
    assert add(admin, "X", "x\x00@example.org", "writer").status_code == 422
    assert add(admin, "X" * 201, "x@example.org", "writer").status_code == 422
    refused = add(admin, "Ro Again", "ROOT@example.org", "writer")
    assert refused.status_code == 409 and "exists already" in refused.text
    assert len(store_of(app).users()) == 1


def test_people_pages_are_for_admins_and_signed_in_people_only(app: Any, client: TestClient, clock: Clock) -> None:
    assert client.get("/desk/people", follow_redirects=False).status_code == 303
    create_user(store_of(app), "ana@example.org", "Ana Silva", "editor", PASSWORD, START)
    assert sign_in(client, "ana@example.org").status_code == 303
    for path in ("/desk/people", "/desk/people/1/reset", "/desk/people/1/disable"):
        assert client.get(path).status_code == 403
    assert "/desk/people" not in client.get("/desk").text
    assert TestClient(app).get("/desk/password/" + "x" * 43).status_code == 404
