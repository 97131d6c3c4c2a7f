"""Identifiers in our answers resolve: a problem's `type` (RFC 9457) is a page on the site, or
about:blank when the status says it all; the JSON Feed extension's `about` is a page that
explains each of its fields."""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.core.problemtypes import TYPES
from feed.store.clock import utc_now
from tests.conftest import demo_documents

FEED = Path(__file__).resolve().parent.parent.parent / "feed"
RAISED = re.compile(r'HTTPProblem\(\s*(\d{3}),\s*"([^"]+)"')


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


def test_a_problem_type_is_a_page_on_the_site_that_a_person_can_read(client: TestClient) -> None:
    problem = client.get("/feed.json?cursor=nonsense").json()
    assert problem["type"] == "http://testserver/problems/bad-cursor"
    page = client.get(problem["type"].removeprefix("http://testserver"))
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Bad cursor" in page.text and "cursor" in page.text.split("</h1>", 1)[1]
    assert "RFC 9457" in page.text


def test_the_invalid_fact_check_type_explains_its_errors(client: TestClient, auth: dict[str, str]) -> None:
    problem = client.post("/api/checks", json={"slug": "x"}, headers=auth).json()
    assert problem["title"] == "Invalid fact-check" and problem["errors"]
    page = client.get(problem["type"].removeprefix("http://testserver"))
    assert page.status_code == 200 and "sources[0].url" in page.text


def test_a_problem_that_only_repeats_its_status_is_about_blank(client: TestClient) -> None:
    problem = client.get("/checks/no-such-check.json").json()
    assert (problem["status"], problem["type"]) == (404, "about:blank")
    assert client.get("/problems/no-such-type").status_code == 404


def test_a_problem_made_before_routing_names_its_type_on_the_site(client: TestClient) -> None:
    response = client.get("/feed.json", headers={"Host": ""})
    assert response.status_code == 400
    assert response.json()["type"] == "http://testserver/problems/bad-host"


def test_problem_type_pages_in_the_sites_language(tmp_path: Path) -> None:
    from feed.app import create_app
    from feed.core.settings import Settings

    settings = Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'es.db'}", "base_url": "http://testserver",
                                  "language": "es"})  # fmt: skip
    with TestClient(create_app(settings)) as spanish:
        page = spanish.get("/problems/bad-since")
        assert page.status_code == 200 and '<html lang="es"' in page.text
        assert "El parámetro" in page.text and "since" in page.text


def test_every_problem_raised_has_a_page_or_only_repeats_its_status() -> None:
    """A new title gets a page in feed.core.problemtypes, or is the status code's own phrase."""
    titled = {problem.title for problem in TYPES.values()}
    found = set()
    for path in FEED.rglob("*.py"):
        for status, title in RAISED.findall(path.read_text()):
            found.add(title)
            phrase = HTTPStatus(int(status)).phrase
            assert title in titled or title.lower() == phrase.lower(), (path.name, status, title)
    assert len(found) > 15  # the pattern still finds the problems raised


def test_the_json_feed_extension_says_where_its_fields_are_explained(client: TestClient, demo: None) -> None:
    feed = client.get("/feed.json").json()
    about = feed["_claimreview"]["about"]
    assert about == "http://testserver/feeds/claimreview-extension"
    objects = [feed["_claimreview"], *(item["_claimreview"] for item in feed["items"])]
    assert all(extension["about"] == about for extension in objects)
    assert {extension["status"] for extension in objects[1:]} == {"published", "retracted"}
    page = client.get(about.removeprefix("http://testserver"))
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    for extension in objects:
        for field in extension:
            assert f"<code>{field}</code>" in page.text, field
