"""API tokens on the desk: a person makes one (shown once), it writes through the API in their
name, they revoke it; nobody else's tokens are theirs to see or revoke, except an admin's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.desk.accounts import create_user
from tests.conftest import demo_documents
from tests.desk.test_desk import PASSWORD, START, Clock, csrf_of, sign_in


@pytest.fixture
def clock(app: Any) -> Clock:
    fake = Clock()
    app.state.desk.clock = fake
    return fake


@pytest.fixture
def people(app: Any, client: TestClient, clock: Clock) -> dict[str, TestClient]:
    store = app.state.context.store
    create_user(store, "ben@example.org", "Ben Okafor", "writer", PASSWORD, START)
    create_user(store, "cai@example.org", "Cai Wen", "writer", PASSWORD, START)
    create_user(store, "root@example.org", "Ro Admin", "admin", PASSWORD, START)
    found = {}
    for name, email in (("ben", "ben@example.org"), ("cai", "cai@example.org"), ("admin", "root@example.org")):
        person = client if name == "ben" else TestClient(app)
        assert sign_in(person, email).status_code == 303
        found[name] = person
    return found


def make(client: TestClient, name: str, days: str = "30") -> str:
    token = csrf_of(client.get("/desk/tokens"))
    response = client.post("/desk/tokens", data={"csrf": token, "name": name, "days": days})
    assert response.status_code == 200, response.text
    (secret,) = re.findall(r'<code class="desk-secret">([^<]+)</code>', response.text)
    return secret


def test_a_token_made_on_the_desk_writes_in_its_makers_name_until_revoked(
    people: dict[str, TestClient], app: Any
) -> None:
    ben = people["ben"]
    secret = make(ben, "newsroom script")
    assert secret not in ben.get("/desk/tokens").text  # shown once
    document = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice") | {
        "slug": "by-script", "status": "draft"
    }  # fmt: skip
    auth = {"Authorization": f"Bearer {secret}"}
    assert ben.post("/api/checks", json=document, headers=auth).status_code == 201
    (revision,) = app.state.context.store.revisions("by-script")
    assert revision.actor is not None and revision.actor.name == "Ben Okafor: newsroom script"
    (info,) = app.state.context.store.tokens_of(app.state.context.store.find_user("ben@example.org")[0].id)
    key_id = info.key_id
    revoke = ben.post(f"/desk/tokens/{key_id}/revoke", data={"csrf": csrf_of(ben.get("/desk/tokens"))},
                      follow_redirects=False)  # fmt: skip
    assert revoke.status_code == 303
    assert ben.post("/api/checks", json=document | {"slug": "by-script-2"}, headers=auth).status_code == 401


def test_a_token_is_its_makers_and_an_admins_only(people: dict[str, TestClient], app: Any) -> None:
    ben, cai, admin = people["ben"], people["cai"], people["admin"]
    make(ben, "ben's tool")
    (info,) = app.state.context.store.tokens()
    assert "ben&#39;s tool" in ben.get("/desk/tokens").text or "ben's tool" in ben.get("/desk/tokens").text
    assert info.key_id not in cai.get("/desk/tokens").text
    refused = cai.post(f"/desk/tokens/{info.key_id}/revoke", data={"csrf": csrf_of(cai.get("/desk/tokens"))})
    assert refused.status_code == 404 and app.state.context.store.tokens()[0].revoked_at is None
    assert info.key_id in admin.get("/desk/tokens").text
    done = admin.post(f"/desk/tokens/{info.key_id}/revoke", data={"csrf": csrf_of(admin.get("/desk/tokens"))},
                      follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and app.state.context.store.tokens()[0].revoked_at is not None


def test_a_token_needs_a_purpose_a_valid_lifetime_and_the_forms_csrf(people: dict[str, TestClient], app: Any) -> None:
    ben = people["ben"]
    token = csrf_of(ben.get("/desk/tokens"))
    assert ben.post("/desk/tokens", data={"csrf": token, "name": " ", "days": "30"}).status_code == 422
    assert ben.post("/desk/tokens", data={"csrf": token, "name": "x", "days": "400"}).status_code == 422
    assert ben.post("/desk/tokens", data={"csrf": "forged", "name": "x", "days": "30"}).status_code == 403
    assert app.state.context.store.tokens() == []
