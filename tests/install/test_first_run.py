"""What a newcomer reads first: the server's start-up line, the README's demo, the 404 page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from starlette.testclient import TestClient

from tests.cli.test_commands import clean_environment
from tests.conftest import demo_documents, free_port

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def start_up_line(tmp_path: Path, port: int, *flags: str, **environment: str) -> str:
    """The first line `factcard serve --port PORT` prints, with `flags` and `environment`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "feed.cli", "serve", "--port", str(port), *flags],
        cwd=tmp_path, env=clean_environment(**environment), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
    finally:
        process.terminate()
        process.communicate(timeout=20)
    return line


@pytest.mark.parametrize(
    ("flags", "environment"),
    [
        (["--base-url", "http://127.0.0.1:PORT"], {}),  # the address served, given on purpose
        (["--base-url", "https://factcheck.example"], {}),
        ([], {"FACTCARD_BASE_URL": "https://factcheck.example/"}),
    ],
)
def test_start_up_names_the_base_url_given(tmp_path: Path, flags: list[str], environment: dict[str, str]) -> None:
    port = free_port()
    flags = [flag.replace("PORT", str(port)) for flag in flags]
    line = start_up_line(tmp_path, port, *flags, **environment)
    given = (flags[1] if flags else environment["FACTCARD_BASE_URL"]).rstrip("/")
    assert f"links use the base URL {given}" in line
    assert "set FACTCARD_BASE_URL" not in line and "set --base-url" not in line


def test_start_up_without_a_base_url_says_how_to_set_one(tmp_path: Path) -> None:
    port = free_port()
    line = start_up_line(tmp_path, port)
    assert line.startswith(f"serving on http://127.0.0.1:{port} with 1 worker(s)")
    assert "links follow the address served; set --base-url or FACTCARD_BASE_URL for a public origin" in line


NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def test_the_readme_describes_the_demo_it_loads() -> None:
    text = " ".join(README.read_text().split())
    found = re.search(r"Serve the demo \((\w+) fact-checks in ([^)]+?), (\w+) retracted\)", text)
    assert found, "the README's Set up no longer describes the demo"
    count, languages, retracted = found.groups()
    documents = demo_documents()
    assert NUMBERS[count] == len(documents)
    assert NUMBERS[retracted] == sum(1 for d in documents if d["status"] == "retracted")
    named = set(re.split(r", | and ", languages))
    assert named == {Locale.parse(d["language"].split("-")[0]).get_display_name("en") for d in documents}


@pytest.mark.parametrize(("language", "title"), [("en", "Not found"), ("es", "No encontrado")])
def test_the_404_page_says_not_found_once(client: TestClient, language: str, title: str) -> None:
    response = client.get(f"/no-such-page?lang={language}", headers={"Accept": "text/html"})
    assert response.status_code == 404
    main = re.search(r"<main.*?</main>", response.text, re.S)
    assert main is not None
    assert f"<h1>{title}</h1>" in main.group()
    assert len(re.findall(r"not found", main.group(), re.I)) == (1 if language == "en" else 0)
    # A detail that says more than the status's name is still shown, for developers.
    missing = client.get("/checks/no-such-check", headers={"Accept": "text/html"})
    assert "No published fact-check is called" in missing.text
