"""Signing in to the desk: cookies, CSRF, throttling, session ends and expiry, redirects, headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.security import DESK_CSP
from feed.core.settings import Settings
from feed.desk.accounts import ABSOLUTE, IDLE, create_user, disable_user, reset_password
from feed.desk.auth import require_role, safe_next
from feed.ops.throttle import ACCOUNT, Policy, SignInThrottle
from tests.conftest import demo_documents

PASSWORD = "correct horse battery staple"
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Any) -> Clock:
    fake = Clock()
    app.state.desk.clock = fake
    return fake


@pytest.fixture
def desk(app: Any, client: TestClient, clock: Clock) -> TestClient:
    store = app.state.context.store
    create_user(store, "ana@example.org", "Ana Silva", "editor", PASSWORD, START)
    create_user(store, "ben@example.org", "Ben Okafor", "writer", PASSWORD, START)
    return client


def csrf_of(response: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', response.text)
    assert found, response.text
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str) -> httpx.Response:
    token = csrf_of(client.get("/desk/login"))
    data = {"csrf": token, "email": email, "password": password, **extra}
    return client.post("/desk/login", data=data, follow_redirects=False)


def signed_out(client: TestClient) -> bool:
    response = client.get("/desk", follow_redirects=False)
    assert response.status_code in (200, 303)
    return response.status_code == 303


def test_a_signed_out_visit_is_sent_to_the_sign_in_form(desk: TestClient) -> None:
    response = desk.get("/desk", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/desk/login?next=%2Fdesk"
    form = desk.get(response.headers["location"])
    assert form.status_code == 200 and 'name="next" value="/desk"' in form.text
    assert 'type="password"' in form.text and 'autocomplete="current-password"' in form.text


def test_signing_in_sets_the_session_cookie_and_shows_who_and_their_role(
    desk: TestClient, publishing: Any, clock: Clock
) -> None:
    publishing.import_documents(demo_documents(), START)
    draft = {**demo_documents()[1], "slug": "a-desk-draft", "status": "draft", "headline": "A draft <b>in</b> work"}
    for key in ("datePublished", "dateModified"):
        draft.pop(key, None)
    publishing.create(draft, START + timedelta(hours=1))
    response = sign_in(desk, "Ana@Example.org", next="/desk")
    assert response.status_code == 303 and response.headers["location"] == "/desk"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("factcard_session="))
    attributes = {part.strip().lower() for part in session.split(";")[1:]}
    assert attributes == {"httponly", "path=/", "samesite=lax"}  # http: no Secure, no __Host- prefix
    assert any(c.startswith('factcard_signin=""') and "Max-Age=0" in c for c in cookies)
    page = desk.get("/desk")
    assert page.status_code == 200
    assert "Signed in as Ana Silva (ana@example.org)." in page.text and "Role: editor." in page.text
    assert "A draft &lt;b&gt;in&lt;/b&gt; work" in page.text and "Draft" in page.text and "Published" in page.text
    assert "coming soon" not in page.text.lower()
    assert page.headers["cache-control"] == "no-store" and page.headers["content-security-policy"] == DESK_CSP
    assert "access-control-allow-origin" not in page.headers
    assert "<script" not in page.text and "style=" not in page.text and "<style" not in page.text


def test_over_https_the_cookie_is_host_prefixed_and_secure(tmp_path: Path) -> None:
    settings = Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 's.db'}", "base_url": "https://desk.example"})
    app = create_app(settings)
    create_user(app.state.context.store, "ana@example.org", "Ana", "admin", PASSWORD, datetime.now(UTC))
    with TestClient(app, base_url="https://desk.example") as client:
        form = client.get("/desk/login")
        assert form.headers["set-cookie"].startswith("__Host-factcard_signin=")
        response = sign_in(client, "ana@example.org")
        session = next(c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-factcard_session="))
        attributes = {part.strip().lower() for part in session.split(";")[1:]}
        assert attributes == {"httponly", "path=/", "samesite=lax", "secure"}
        assert client.get("/desk").status_code == 200


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(desk: TestClient) -> None:
    def attempt(email: str) -> tuple[int, dict[str, str], str]:
        response = sign_in(desk, email, "not the password at all")
        headers = {k: v for k, v in response.headers.items() if k not in ("date", "content-length")}
        return response.status_code, headers, response.text.replace(email, "EMAIL")

    wrong_password, unknown = attempt("ana@example.org"), attempt("nobody@example.org")
    assert wrong_password == unknown
    assert wrong_password[0] == 400 and "do not match an account" in wrong_password[2]
    assert "set-cookie" not in wrong_password[1] and signed_out(desk)


def test_a_disabled_account_gets_the_same_answer_as_a_wrong_password(app: Any, desk: TestClient) -> None:
    disable_user(app.state.context.store, "ben@example.org", START)
    response = sign_in(desk, "ben@example.org")
    assert response.status_code == 400 and "do not match an account" in response.text and signed_out(desk)


@pytest.mark.parametrize("token", [None, "", "forged-token-of-the-right-length-000000"])
def test_a_sign_in_without_the_right_csrf_token_is_refused(desk: TestClient, token: str | None) -> None:
    desk.get("/desk/login")  # the pre-session cookie is set
    data = {"email": "ana@example.org", "password": PASSWORD} | ({"csrf": token} if token is not None else {})
    response = desk.post("/desk/login", data=data, follow_redirects=False)
    assert response.status_code == 403 and "This form cannot be accepted" in response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store" and "set-cookie" not in response.headers
    assert signed_out(desk)


def test_a_sign_in_without_the_pre_session_cookie_is_refused(desk: TestClient) -> None:
    token = csrf_of(desk.get("/desk/login"))
    desk.cookies.clear()
    data = {"csrf": token, "email": "ana@example.org", "password": PASSWORD}
    assert desk.post("/desk/login", data=data, follow_redirects=False).status_code == 403
    assert signed_out(desk)


@pytest.mark.parametrize(
    "headers", [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}]
)
def test_a_form_posted_from_another_site_is_refused(desk: TestClient, headers: dict[str, str]) -> None:
    token = csrf_of(desk.get("/desk/login"))
    data = {"csrf": token, "email": "ana@example.org", "password": PASSWORD}
    assert desk.post("/desk/login", data=data, headers=headers, follow_redirects=False).status_code == 403
    assert signed_out(desk)
    same_site = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert desk.post("/desk/login", data=data, headers=same_site, follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session_and_needs_its_csrf_token(desk: TestClient) -> None:
    sign_in(desk, "ana@example.org")
    page = desk.get("/desk")
    old_cookie = desk.cookies["factcard_session"]
    refused = desk.post("/desk/logout", data={"csrf": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403 and not signed_out(desk)  # nothing happened
    assert desk.post("/desk/logout", data={}, follow_redirects=False).status_code == 403 and not signed_out(desk)
    response = desk.post("/desk/logout", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/desk/login"
    assert signed_out(desk)
    desk.cookies.clear()
    desk.cookies.set("factcard_session", old_cookie)  # the old cookie, kept by someone, is dead
    assert signed_out(desk)


def test_signing_in_again_ends_the_session_before(desk: TestClient) -> None:
    sign_in(desk, "ana@example.org")
    anas = desk.cookies["factcard_session"]
    # Signed in, the form sends the person on to the desk; a sign-in posted anyway (another tab) counts.
    token = "a-pre-session-token-from-another-tab-0123"
    desk.cookies.set("factcard_signin", token)
    data = {"csrf": token, "email": "ben@example.org", "password": PASSWORD}
    assert desk.post("/desk/login", data=data, follow_redirects=False).status_code == 303
    assert "Ben Okafor" in desk.get("/desk").text
    desk.cookies.clear()
    desk.cookies.set("factcard_session", anas)
    assert signed_out(desk)


def test_a_password_reset_or_disabling_signs_the_account_out_at_once(app: Any, desk: TestClient) -> None:
    store = app.state.context.store
    sign_in(desk, "ana@example.org")
    assert not signed_out(desk)
    reset_password(store, "ana@example.org", "a brand new passphrase", START)
    assert signed_out(desk)
    assert sign_in(desk, "ana@example.org").status_code == 400
    assert sign_in(desk, "ana@example.org", "a brand new passphrase").status_code == 303
    assert not signed_out(desk)
    disable_user(store, "ana@example.org", START)
    assert signed_out(desk)


def test_sessions_expire_when_idle_and_after_their_absolute_lifetime(desk: TestClient, clock: Clock) -> None:
    sign_in(desk, "ana@example.org")
    clock.advance(seconds=IDLE.total_seconds() - 60)
    assert not signed_out(desk)  # used just in time: the idle clock starts again
    clock.advance(seconds=IDLE.total_seconds() - 60)
    assert not signed_out(desk)
    clock.advance(seconds=IDLE.total_seconds())
    assert signed_out(desk)

    clock.now = START
    desk.cookies.clear()
    sign_in(desk, "ana@example.org")
    while clock.now + timedelta(hours=11) < START + ABSOLUTE:
        clock.advance(hours=11)
        assert not signed_out(desk)
    clock.now = START + ABSOLUTE
    assert signed_out(desk)


def test_failed_sign_ins_slow_down_without_locking_the_person_out(app: Any, desk: TestClient, clock: Clock) -> None:
    for _ in range(ACCOUNT.free):
        assert sign_in(desk, "ana@example.org", "a wrong guess here").status_code == 400
    refused = sign_in(desk, "ana@example.org")  # even the right password waits now
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "Too many failed attempts" in refused.text and signed_out(desk)
    assert 'factcard_rate_limited_total{limit="sign_in"} 1.0' in app.state.metrics.exposition("text/plain")[0].decode()
    clock.advance(seconds=1)
    assert sign_in(desk, "ana@example.org", "a wrong guess here").status_code == 400
    assert sign_in(desk, "ana@example.org").headers["retry-after"] == "2"  # each failure doubles the wait
    # The same answers for an email with no account.
    for _ in range(ACCOUNT.free):
        assert sign_in(desk, "nobody@example.org", "a wrong guess here").status_code == 400
    assert sign_in(desk, "nobody@example.org").headers["retry-after"] == "1"
    clock.advance(seconds=2)
    response = sign_in(desk, "ana@example.org")
    assert response.status_code == 303 and not signed_out(desk)


def test_failures_from_one_address_slow_it_down_whatever_the_email(app: Any, desk: TestClient, clock: Clock) -> None:
    app.state.desk.throttle = SignInThrottle(address=Policy(free=3))
    for number in range(3):
        assert sign_in(desk, f"guess{number}@example.org", "a wrong guess here").status_code == 400
    refused = sign_in(desk, "ana@example.org")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    clock.advance(seconds=1)
    assert sign_in(desk, "ana@example.org").status_code == 303


def test_the_throttle_policy_doubles_to_a_cap_and_forgets() -> None:
    policy = Policy(free=5, delay=1, cap=900)
    assert [policy.wait_after(n) for n in (0, 4, 5, 6, 7, 14, 15, 100)] == [0, 0, 1, 2, 4, 512, 900, 900]
    throttle = SignInThrottle(Policy(free=1, forget=100), Policy(free=50))
    throttle.failed("a@example.org", "192.0.2.1", 0)
    assert throttle.wait("a@example.org", "192.0.2.1", 0.5) == 1
    assert throttle.wait("a@example.org", "192.0.2.1", 1) == 0
    throttle.failed("a@example.org", "192.0.2.1", 1)
    assert throttle.wait("a@example.org", "192.0.2.1", 1) == 2
    throttle.succeeded("a@example.org")
    assert throttle.wait("a@example.org", "192.0.2.1", 1) == 0


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "evil", "/\t/evil.example"],
)
def test_next_never_leads_off_the_site(desk: TestClient, next_path: str) -> None:
    assert safe_next(next_path) == "/desk"
    form = desk.get("/desk/login", params={"next": next_path})
    assert 'name="next" value="/desk"' in form.text
    response = sign_in(desk, "ana@example.org", next=next_path)
    assert response.status_code == 303 and response.headers["location"] == "/desk"


def test_next_keeps_a_path_on_the_site(desk: TestClient) -> None:
    assert safe_next("/desk?tab=drafts") == "/desk?tab=drafts"
    response = sign_in(desk, "ana@example.org", next="/checks/some-check")
    assert response.headers["location"] == "/checks/some-check"
    # Signed in, the form sends the person straight on.
    again = desk.get("/desk/login", params={"next": "/desk"}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/desk"


@pytest.fixture
def editors_only(app: Any) -> None:
    async def endpoint(request: Request) -> Response:
        who = await run_in_threadpool(require_role, request, "editor")
        return PlainTextResponse(f"hello {who.user.name}")

    app.router.routes.insert(0, Route("/desk/editors-only", endpoint, methods=["GET", "POST"]))


def test_require_role_admits_the_role_and_those_above_it(editors_only: None, app: Any, desk: TestClient) -> None:
    response = desk.get("/desk/editors-only", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/desk/login?next=%2Fdesk%2Feditors-only"
    sign_in(desk, "ben@example.org")  # a writer
    refused = desk.get("/desk/editors-only")
    assert refused.status_code == 403 and "needs the editor role" in refused.text
    assert refused.headers["content-type"].startswith("text/html") and refused.headers["cache-control"] == "no-store"
    assert desk.post("/desk/editors-only").status_code == 403
    desk.cookies.clear()
    sign_in(desk, "ana@example.org")  # an editor
    assert desk.get("/desk/editors-only").text == "hello Ana Silva"
    create_user(app.state.context.store, "chief@example.org", "Chief", "admin", PASSWORD, START)
    desk.cookies.clear()
    sign_in(desk, "chief@example.org")
    assert desk.get("/desk/editors-only").text == "hello Chief"


def test_desk_answers_are_never_kept_by_the_render_cache(app: Any, desk: TestClient) -> None:
    sign_in(desk, "ana@example.org")
    assert "Ana Silva" in desk.get("/desk").text
    desk.cookies.clear()
    sign_in(desk, "ben@example.org")
    assert "Ben Okafor" in desk.get("/desk").text
    for path in ("/desk", "/desk/login", "/desk/nothing-here"):
        response = desk.get(path, follow_redirects=False)
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["content-security-policy"] == DESK_CSP, path
    assert not [key for key in app.state.response_cache.entries if key.startswith("/desk")]


def test_malformed_desk_forms_get_clear_answers_not_errors(desk: TestClient) -> None:
    token = csrf_of(desk.get("/desk/login"))
    as_json = desk.post("/desk/login", json={"csrf": token}, follow_redirects=False)
    assert as_json.status_code == 415
    huge = desk.post("/desk/login", data={"csrf": token, "password": "x" * 20_000}, follow_redirects=False)
    assert huge.status_code == 413
    long_password = desk.post(
        "/desk/login", data={"csrf": token, "email": "ana@example.org", "password": "x" * 5000}, follow_redirects=False
    )
    assert long_password.status_code == 400
    assert desk.get("/desk/login", params={"other": "1"}).status_code == 400
