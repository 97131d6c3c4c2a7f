"""Push notifications through the durable outbox, with the network edge mocked by pytest-httpx."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from pytest_httpx import HTTPXMock
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.core.tokens import create_token
from feed.push import worker
from feed.push.worker import LEASE, Deliverer, backoff
from feed.store.clock import stamp, utc_now
from tests.conftest import demo_documents

HUB = "https://hub.example/"
INDEXNOW = "https://indexnow.example/indexnow"
TOOLS = "https://tools.example/v1alpha1"
LIGHTNING = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")


def push_settings(tmp_path: Any, **targets: str) -> Settings:
    return Settings.load({}, {
        "database_url": f"sqlite:///{tmp_path / 'push.db'}", "base_url": "http://testserver",
        "indexnow_endpoint": INDEXNOW, "factcheck_tools_endpoint": TOOLS, "push_max_attempts": 4, **targets,
    })  # fmt: skip


@pytest.fixture
def world(tmp_path: Any) -> Iterator[tuple[Any, Deliverer]]:
    """An app with all three targets, its worker thread not started, and a deliverer to drive by hand."""
    settings = push_settings(
        tmp_path, websub_hub=HUB, indexnow_key="key-12345678", factcheck_tools_token="secret-token"
    )
    app = create_app(settings)
    ctx = app.state.context
    with httpx.Client() as client:
        yield app, Deliverer(ctx.store, settings, ctx.publishers, client)
    ctx.store.close()


def publish_lightning(app: Any) -> None:
    app.state.context.publishing.create(LIGHTNING, utc_now())


def outbox(app: Any) -> list[Any]:
    return app.state.context.store.outbox()


def test_changes_write_outbox_rows_in_their_transaction_and_send_nothing_yet(
    world: tuple[Any, Deliverer], httpx_mock: HTTPXMock
) -> None:
    app, _ = world
    publish_lightning(app)
    rows = outbox(app)
    assert [(r.target, r.action, r.slug) for r in rows] == [
        ("websub", "publish", LIGHTNING["slug"]),
        ("indexnow", "publish", LIGHTNING["slug"]),
        ("factcheck-tools", "publish", LIGHTNING["slug"]),
    ]
    assert all(r.delivered_at is None for r in rows)
    assert httpx_mock.get_requests() == []  # the publishing call never waits on the network


def test_drafts_notify_no_one(world: tuple[Any, Deliverer]) -> None:
    app, _ = world
    app.state.context.publishing.create(LIGHTNING | {"status": "draft"}, utc_now())
    assert outbox(app) == []


def test_success_delivers_each_target(world: tuple[Any, Deliverer], httpx_mock: HTTPXMock) -> None:
    app, deliverer = world
    httpx_mock.add_response(url=HUB, status_code=204)
    httpx_mock.add_response(url=INDEXNOW, status_code=202)
    httpx_mock.add_response(url=f"{TOOLS}/pages", json={"name": "pages/abc123"})
    publish_lightning(app)
    assert deliverer.deliver_due() == 3
    assert all(r.delivered_at and r.attempts == 1 for r in outbox(app))

    hub, indexnow, tools = httpx_mock.get_requests()
    assert parse_qsl(hub.content.decode()) == [
        ("hub.mode", "publish"), ("hub.url", "http://testserver/feed.json"), ("hub.url", "http://testserver/feed.atom"),
    ]  # fmt: skip
    assert json.loads(indexnow.content) == {
        "host": "testserver", "key": "key-12345678", "keyLocation": "http://testserver/key-12345678.txt",
        "urlList": ["http://testserver/checks/lightning-never-strikes-twice"],
    }  # fmt: skip
    assert tools.headers["authorization"] == "Bearer secret-token"
    page = json.loads(tools.content)
    assert page["pageUrl"] == "http://testserver/checks/lightning-never-strikes-twice"
    (markup,) = page["claimReviewMarkups"]
    assert markup["claimReviewed"] == "Lightning never strikes the same place twice"
    assert markup["rating"] == {
        "textualRating": "False", "ratingValue": 1, "bestRating": 6, "worstRating": 1,
        "ratingExplanation": "Tall, isolated and pointed objects are struck repeatedly, some dozens of times a year.",
    }  # fmt: skip
    assert app.state.context.store.remote_name("factcheck-tools", LIGHTNING["slug"]) == "pages/abc123"


def test_update_and_retract_reach_the_created_markup_page(world: tuple[Any, Deliverer], httpx_mock: HTTPXMock) -> None:
    app, deliverer = world
    httpx_mock.add_response(url=HUB, status_code=204, is_reusable=True)
    httpx_mock.add_response(url=INDEXNOW, status_code=200, is_reusable=True)
    httpx_mock.add_response(method="POST", url=f"{TOOLS}/pages", json={"name": "pages/abc123"})
    httpx_mock.add_response(method="PUT", url=f"{TOOLS}/pages/abc123", json={"name": "pages/abc123"})
    httpx_mock.add_response(method="DELETE", url=f"{TOOLS}/pages/abc123", json={})
    publishing = app.state.context.publishing
    record = publishing.create(LIGHTNING, utc_now())
    deliverer.deliver_due()
    record = publishing.update(record.slug, LIGHTNING | {"headline": "Edited"}, record.version, utc_now())
    deliverer.deliver_due()
    publishing.retract(record.slug, "Wrong", None, utc_now())
    deliverer.deliver_due()
    tools = [(r.method, str(r.url)) for r in httpx_mock.get_requests() if str(r.url).startswith(TOOLS)]
    assert tools == [("POST", f"{TOOLS}/pages"), ("PUT", f"{TOOLS}/pages/abc123"), ("DELETE", f"{TOOLS}/pages/abc123")]
    assert [r.action for r in outbox(app) if r.target == "factcheck-tools"] == ["publish", "update", "retract"]
    assert all(r.delivered_at for r in outbox(app))
    assert app.state.context.store.remote_name("factcheck-tools", LIGHTNING["slug"]) is None


def test_requests_are_built_from_the_state_at_delivery(world: tuple[Any, Deliverer], httpx_mock: HTTPXMock) -> None:
    """Published and retracted before the worker ran: no markup page is created only to be deleted."""
    app, deliverer = world
    httpx_mock.add_response(url=HUB, status_code=204, is_reusable=True)
    httpx_mock.add_response(url=INDEXNOW, status_code=200, is_reusable=True)
    record = app.state.context.publishing.create(LIGHTNING, utc_now())
    app.state.context.publishing.retract(record.slug, "Wrong", None, utc_now())
    while deliverer.deliver_due():
        pass
    assert not [r for r in httpx_mock.get_requests() if str(r.url).startswith(TOOLS)]
    assert all(r.delivered_at for r in outbox(app))


def test_server_error_then_success_retries_with_backoff(tmp_path: Any, httpx_mock: HTTPXMock) -> None:
    settings = push_settings(tmp_path, websub_hub=HUB)
    app = create_app(settings)
    ctx = app.state.context
    httpx_mock.add_response(url=HUB, status_code=503, text="busy")
    httpx_mock.add_response(url=HUB, status_code=204)
    publish_lightning(app)
    with httpx.Client() as client:
        deliverer = Deliverer(ctx.store, settings, ctx.publishers, client)
        now = utc_now()
        assert deliverer.deliver_due(now) == 1
        (row,) = outbox(app)
        assert row.delivered_at is None and row.failed_at is None and row.attempts == 1
        assert "answered 503: busy" in (row.last_error or "")
        assert deliverer.deliver_due(now + backoff(1) - timedelta(seconds=1)) == 0  # not due yet
        assert deliverer.deliver_due(now + backoff(1) + timedelta(seconds=1)) == 1
    (row,) = outbox(app)
    assert row.delivered_at and row.attempts == 2 and row.last_error is None
    ctx.store.close()


def test_timeout_is_retried_and_nothing_is_lost(tmp_path: Any, httpx_mock: HTTPXMock) -> None:
    settings = push_settings(tmp_path, indexnow_key="key-12345678")
    app = create_app(settings)
    ctx = app.state.context
    httpx_mock.add_exception(httpx.ReadTimeout("too slow"), url=INDEXNOW, is_reusable=True)
    publish_lightning(app)
    with httpx.Client() as client:
        deliverer = Deliverer(ctx.store, settings, ctx.publishers, client)
        now = utc_now()
        for attempt in range(1, 4):
            assert deliverer.deliver_due(now + timedelta(days=attempt)) == 1
            (row,) = outbox(app)
            assert row.attempts == attempt and row.delivered_at is None and row.failed_at is None
            assert "timed out" in (row.last_error or "")
        # push_max_attempts=4: the fourth timeout gives up, keeping the reason.
        deliverer.deliver_due(now + timedelta(days=9))
    (row,) = outbox(app)
    assert row.failed_at and row.attempts == 4 and "gave up after 4 attempts" in (row.last_error or "")
    ctx.store.close()


def test_permanent_client_error_is_not_retried(tmp_path: Any, httpx_mock: HTTPXMock) -> None:
    settings = push_settings(tmp_path, factcheck_tools_token="bad-token")
    app = create_app(settings)
    ctx = app.state.context
    httpx_mock.add_response(url=f"{TOOLS}/pages", status_code=403, json={"error": "forbidden"})
    publish_lightning(app)
    with httpx.Client() as client:
        deliverer = Deliverer(ctx.store, settings, ctx.publishers, client)
        assert deliverer.deliver_due() == 1
        assert deliverer.deliver_due(utc_now() + timedelta(days=30)) == 0
    (row,) = outbox(app)
    assert row.failed_at and row.attempts == 1 and "answered 403" in (row.last_error or "")
    assert len(httpx_mock.get_requests()) == 1
    ctx.store.close()


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(50) == timedelta(hours=1)


def test_the_app_worker_delivers_in_the_background(tmp_path: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=HUB, status_code=204)
    app = create_app(push_settings(tmp_path, websub_hub=HUB))
    token = create_token(app.state.context.store, "desk", utc_now())
    with TestClient(app) as client:
        response = client.post("/api/checks", json=LIGHTNING, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201
        deadline = time.monotonic() + 10
        while not outbox(app)[0].delivered_at and time.monotonic() < deadline:
            time.sleep(0.05)
        assert outbox(app)[0].delivered_at


def test_an_unexpected_failure_counts_as_an_attempt_and_blocks_no_one(tmp_path: Any, httpx_mock: HTTPXMock) -> None:
    settings = push_settings(tmp_path, websub_hub=HUB, indexnow_key="key-12345678")
    app = create_app(settings)
    ctx = app.state.context
    httpx_mock.add_exception(httpx.DecodingError("bad gzip"), url=HUB)
    httpx_mock.add_response(url=INDEXNOW, status_code=200)
    publish_lightning(app)
    with httpx.Client() as client:
        Deliverer(ctx.store, settings, ctx.publishers, client).deliver_due()
    websub, indexnow = outbox(app)
    assert websub.attempts == 1 and websub.delivered_at is None and "bad gzip" in (websub.last_error or "")
    assert indexnow.delivered_at
    ctx.store.close()


# -- crashes and lost answers ----------------------------------------------------


class WorkerKilled(BaseException):
    """Stands for kill -9: nothing in the worker catches it, nothing after it runs."""


def test_a_worker_killed_mid_delivery_holds_back_only_its_own_row_and_briefly(
    tmp_path: Any, httpx_mock: HTTPXMock
) -> None:
    settings = push_settings(tmp_path, websub_hub=HUB, indexnow_key="key-12345678")
    app = create_app(settings)
    ctx = app.state.context
    calls: list[str] = []

    def hub(request: httpx.Request) -> httpx.Response:
        calls.append("hub")
        if len(calls) == 1:
            raise WorkerKilled  # the worker dies while the hub is slow to answer
        return httpx.Response(204)

    httpx_mock.add_callback(hub, url=HUB, is_reusable=True)
    httpx_mock.add_response(url=INDEXNOW, status_code=200, is_reusable=True)
    ctx.publishing.import_documents(
        [LIGHTNING, next(d for d in demo_documents() if d["slug"] == "three-everyday-health-myths")], utc_now()
    )
    assert len(outbox(app)) == 4  # websub and indexnow, for each of two fact-checks
    now = utc_now()
    with httpx.Client() as client:
        with pytest.raises(WorkerKilled):
            Deliverer(ctx.store, settings, ctx.publishers, client).deliver_due(now)
        survivor = Deliverer(ctx.store, settings, ctx.publishers, client)
        # The rows the dead worker never attempted are free at once...
        assert survivor.deliver_due(now) == 3
        assert [bool(r.delivered_at) for r in outbox(app)] == [False, True, True, True]
        # ...and the one it was working on once its short lease has run out.
        assert survivor.deliver_due(now + LEASE - timedelta(seconds=1)) == 0
        assert LEASE <= timedelta(minutes=1)
        assert survivor.deliver_due(now + LEASE + timedelta(seconds=1)) == 1
    assert all(r.delivered_at for r in outbox(app))
    assert outbox(app)[0].attempts == 1  # the killed attempt recorded nothing
    ctx.store.close()


def test_a_slow_delivery_renews_its_lease_before_each_request(
    tmp_path: Any, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = push_settings(tmp_path, factcheck_tools_token="secret-token")
    app = create_app(settings)
    ctx = app.state.context
    publish_lightning(app)
    ctx.store.note_create_attempt("factcheck-tools", LIGHTNING["slug"], stamp(utc_now()))  # so: GET, then POST
    ticks = iter(range(0, 10_000, 40))  # every clock reading is 40 s after the last
    monkeypatch.setattr(worker, "time", SimpleNamespace(monotonic=lambda: float(next(ticks))))
    now = utc_now()

    def while_working(request: httpx.Request) -> httpx.Response:
        # Another worker, past the first lease (claimed at +40 s, until +100 s): the row is still held.
        assert ctx.store.claim_due(stamp(now + timedelta(seconds=130)), stamp(now + timedelta(hours=1)), 10) == []
        if request.method == "GET":
            return httpx.Response(200, json={})
        return httpx.Response(200, json={"name": "pages/abc123"})

    httpx_mock.add_callback(while_working, url=re.compile(f"{TOOLS}/.*"), is_reusable=True)
    with httpx.Client() as client:
        assert Deliverer(ctx.store, settings, ctx.publishers, client).deliver_due(now) == 1
    assert [r.method for r in httpx_mock.get_requests()] == ["GET", "POST"]
    assert outbox(app)[0].delivered_at
    ctx.store.close()


class FactCheckTools:
    """A stand-in for the Fact Check Tools pages API, keeping pages across requests."""

    def __init__(self) -> None:
        self.pages: dict[str, dict[str, Any]] = {}
        self.created = 0
        self.unreachable = False  # the page is made, but every answer is lost on the way back
        self.creates_lost_on_the_way = 0  # creates that never reach the server

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1alpha1/")
        if request.method == "POST" and self.creates_lost_on_the_way:
            self.creates_lost_on_the_way -= 1
            raise httpx.ConnectTimeout("no route", request=request)
        if request.method == "POST" and path == "pages":
            self.created += 1
            name = f"pages/{self.created}"
            self.pages[name] = json.loads(request.content) | {"name": name}
            response = httpx.Response(200, json=self.pages[name])
        elif request.method == "GET" and path == "pages":
            url = request.url.params["url"]
            response = httpx.Response(
                200, json={"claimReviewMarkupPages": [p for p in self.pages.values() if p["pageUrl"] == url]}
            )
        elif request.method == "PUT" and path in self.pages:
            self.pages[path] = json.loads(request.content)
            response = httpx.Response(200, json=self.pages[path])
        elif request.method == "DELETE" and path in self.pages:
            del self.pages[path]
            response = httpx.Response(200, json={})
        else:
            response = httpx.Response(404, json={"error": {"code": 404}})
        if self.unreachable:
            raise httpx.ReadTimeout("no answer in time", request=request)
        return response


@pytest.fixture
def tools_world(tmp_path: Any, httpx_mock: HTTPXMock) -> Iterator[tuple[Any, Deliverer, FactCheckTools]]:
    settings = push_settings(tmp_path, factcheck_tools_token="secret-token")
    app = create_app(settings)
    ctx = app.state.context
    remote = FactCheckTools()
    httpx_mock.add_callback(remote, url=re.compile(f"{TOOLS}/.*"), is_reusable=True)
    with httpx.Client() as client:
        yield app, Deliverer(ctx.store, settings, ctx.publishers, client), remote
    ctx.store.close()


def test_a_create_whose_answer_was_lost_is_found_and_updated_not_made_twice(
    tools_world: tuple[Any, Deliverer, FactCheckTools], httpx_mock: HTTPXMock
) -> None:
    app, deliverer, remote = tools_world
    publishing = app.state.context.publishing
    remote.unreachable = True  # the first create times out client-side, yet the server made the page
    record = publishing.create(LIGHTNING, utc_now())
    now = utc_now()
    assert deliverer.deliver_due(now) == 1
    (row,) = outbox(app)
    assert "timed out" in (row.last_error or "") and list(remote.pages) == ["pages/1"]

    remote.unreachable = False
    record = publishing.update(record.slug, LIGHTNING | {"headline": "Edited"}, record.version, utc_now())
    assert deliverer.deliver_due(now + timedelta(days=1)) == 2  # the retried create, then the update
    assert list(remote.pages) == ["pages/1"] and remote.created == 1
    assert remote.pages["pages/1"]["pageUrl"] == f"http://testserver/checks/{LIGHTNING['slug']}"
    assert app.state.context.store.remote_name("factcheck-tools", LIGHTNING["slug"]) == "pages/1"

    publishing.retract(record.slug, "Wrong", None, utc_now())
    assert deliverer.deliver_due(now + timedelta(days=2)) == 1
    assert remote.pages == {} and remote.created == 1  # the one page, deleted
    assert [(r.method, r.url.path) for r in httpx_mock.get_requests()] == [
        ("POST", "/v1alpha1/pages"), ("GET", "/v1alpha1/pages"), ("PUT", "/v1alpha1/pages/1"),
        ("PUT", "/v1alpha1/pages/1"), ("DELETE", "/v1alpha1/pages/1"),
    ]  # fmt: skip
    assert all(r.delivered_at for r in outbox(app))


def test_a_page_whose_create_gave_up_is_still_deleted_on_retraction(
    tools_world: tuple[Any, Deliverer, FactCheckTools],
) -> None:
    app, deliverer, remote = tools_world
    remote.unreachable = True
    record = app.state.context.publishing.create(LIGHTNING, utc_now())
    now = utc_now()
    for day in range(4):  # push_max_attempts=4, every answer lost
        deliverer.deliver_due(now + timedelta(days=day))
    (row,) = outbox(app)
    assert row.failed_at and remote.created == 1  # the page exists; we never learnt its name

    remote.unreachable = False
    app.state.context.publishing.retract(record.slug, "Wrong", None, utc_now())
    assert deliverer.deliver_due(now + timedelta(days=5)) == 1
    assert remote.pages == {} and remote.created == 1


def test_a_create_that_made_nothing_is_sent_again_after_the_lookup(
    tools_world: tuple[Any, Deliverer, FactCheckTools], httpx_mock: HTTPXMock
) -> None:
    app, deliverer, remote = tools_world
    remote.creates_lost_on_the_way = 1
    publish_lightning(app)
    now = utc_now()
    assert deliverer.deliver_due(now) == 1  # the POST never reached the server
    assert deliverer.deliver_due(now + timedelta(days=1)) == 1
    assert list(remote.pages) == ["pages/1"]
    assert app.state.context.store.remote_name("factcheck-tools", LIGHTNING["slug"]) == "pages/1"
    assert [r.method for r in httpx_mock.get_requests()] == ["POST", "GET", "POST"]


def test_the_markup_page_of_a_kept_original_is_the_original_article(tmp_path: Any, httpx_mock: HTTPXMock) -> None:
    """Fact Check Tools gets the markup for the canonical page, the newsroom's own article; IndexNow
    is told of our page, which changed, and which our key vouches for."""
    from tests.site.test_canonical_elsewhere import ORIGINALS, SEVERAL, kept_config, kept_documents

    settings = push_settings(tmp_path, indexnow_key="key-12345678", factcheck_tools_token="secret-token",
                             config_file=kept_config(tmp_path))  # fmt: skip
    app = create_app(settings)
    ctx = app.state.context
    httpx_mock.add_response(url=INDEXNOW, status_code=202)
    httpx_mock.add_response(url=f"{TOOLS}/pages", json={"name": "pages/kept1"})
    ctx.publishing.create(kept_documents()[1], utc_now())  # three claims, one article
    with httpx.Client() as client:
        assert Deliverer(ctx.store, settings, ctx.publishers, client).deliver_due() == 2
    indexnow, tools = httpx_mock.get_requests()
    assert json.loads(indexnow.content)["urlList"] == [f"http://testserver/checks/{SEVERAL}"]
    page = json.loads(tools.content)
    assert page["pageUrl"] == ORIGINALS[SEVERAL]
    assert [markup["url"] for markup in page["claimReviewMarkups"]] == [ORIGINALS[SEVERAL]] * 3
    ctx.store.close()
