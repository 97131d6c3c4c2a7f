"""Reading Markdown takes time linear in the text, whatever the text.

Each pattern is one that makes a backtracking or rescanning reader quadratic. Timings run in a
child process with a deadline, so a reader that is slow fails the test instead of hanging it,
and count the child's CPU time, which other work on a busy machine does not inflate. The bounds
are loose, and far below what a quadratic reader takes (20,000 `[` took 1.8 s; a mebibyte of
them, hours).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from schemas.markdown import MAX_NESTING, parse_inline
from schemas.validation import MAX_DOCUMENT_MARKS

ROOT = Path(__file__).resolve().parent.parent.parent
MEBIBYTE = 1_048_576  # FACTCARD_MAX_BODY_BYTES by default: no text can be longer

PATTERNS = {
    "open brackets": "[",
    "close brackets": "]",
    "stars": "*",
    "double stars": "**",
    "backticks": "`",
    "link starts": "[a](",
    "citations": "[1]",
    "brackets before citations": "[[1]",
    "openers": "*a ",
    "both-flanking stars": "a*",
    "star and bracket": "*[",
    "backtick runs of two lengths": "`a``",
    "destinations of spaces": "[a](" + " " * 64 + "!",
    "nested brackets": "[" * 200 + "a" + "]" * 200,
    "long runs among text": "[" * 4096 + " some text *with* a [link](https://example.org) [2] " + "*" * 4096,
}

_CHILD = """
import json, sys, time
from schemas.markdown import citation_numbers, parse_inline, plain_text

pattern, max_marks, big_size, small_size = json.loads(sys.argv[1])
options = {} if max_marks is None else {"max_marks": max_marks}

def text(size):
    return (pattern * (size // len(pattern) + 1))[:size]

def fastest(read, size, runs=5):
    sample = text(size)
    times = []
    for _ in range(runs):
        start = time.process_time()
        read(sample)
        times.append(time.process_time() - start)
    return min(times)  # noise on a shared machine only ever adds time

if max_marks is None:
    # What pages, feeds and validation call, at the size limit and a quarter of it.
    big = text(big_size)
    start = time.process_time()
    citation_numbers(big)
    plain_text(big)
    others = time.process_time() - start
    result = {"n": fastest(parse_inline, big_size // 4), "4n": fastest(parse_inline, big_size), "others": others}
else:
    # The reader itself, with no bound on the marks it reads.
    read = lambda sample: parse_inline(sample, **options)
    result = {"n": fastest(read, small_size), "4n": fastest(read, 4 * small_size)}
print(json.dumps(result))
"""


@functools.cache
def timings(pattern: str, max_marks: int | None) -> dict[str, float]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps([pattern, max_marks, MEBIBYTE, 32_768])],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {pattern[:20]!r} repeated did not finish in 120 s")
    except subprocess.CalledProcessError as exc:
        pytest.fail(exc.stderr)
    result: dict[str, float] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("pattern", PATTERNS.values(), ids=PATTERNS.keys())
def test_a_mebibyte_of_any_pattern_is_read_in_well_under_two_seconds(pattern: str) -> None:
    measured = timings(pattern, None)
    assert measured["4n"] < 2.0, measured
    assert measured["others"] < 4.0, measured  # citation_numbers and plain_text each read it once more


@pytest.mark.parametrize("pattern", PATTERNS.values(), ids=PATTERNS.keys())
def test_reading_four_times_the_text_takes_about_four_times_as_long(pattern: str) -> None:
    measured = timings(pattern, None)
    # A quadratic reader takes 16 times as long; noise on a busy machine is allowed for, and
    # times too small to compare (some milliseconds) pass.
    assert measured["4n"] < 8 * measured["n"] or measured["4n"] < 0.1, measured


@pytest.mark.parametrize("pattern", PATTERNS.values(), ids=PATTERNS.keys())
def test_the_reader_is_linear_even_without_its_bound_on_marks(pattern: str) -> None:
    measured = timings(pattern, 10**9)
    assert measured["4n"] < 8 * measured["n"] or measured["4n"] < 0.1, measured


def test_deep_emphasis_is_kept_to_a_bounded_depth() -> None:
    def depth(nodes: list[dict[str, Any]]) -> int:
        return max([0] + [1 + depth(node["c"]) for node in nodes if "c" in node])

    for text in ("**" * 5000 + "a" + "**" * 5000, "*a " * 400 + "b" + " c*" * 400):
        nodes = parse_inline(text)
        assert depth(nodes) == MAX_NESTING
        # Nothing is lost: the stars beyond the depth are shown as written.
        literal = sum(node["v"].count("*") for node in _all(nodes) if node["t"] == "text")
        paired = sum(2 if node["t"] == "em" else 4 for node in _all(nodes) if node["t"] in ("em", "strong"))
        assert literal + paired == text.count("*")


def _all(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n for node in nodes for n in [node, *_all(node.get("c", []))]]


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """`call()`, failing the test if it takes longer than `seconds` (the call is left to finish alone)."""
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    started = time.perf_counter()
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"took more than {seconds} s")
    assert outcome, "the call raised"
    return outcome[0], time.perf_counter() - started


def big_document(paragraph: str, sections: int) -> dict[str, Any]:
    return {
        "slug": "big",
        "headline": "A long read",
        "language": "en",
        "summary": paragraph,
        "bottomLine": paragraph,
        "claims": [{"text": "The claim", "verdict": "False", "explanation": paragraph[:1000]}],
        "sections": [{"heading": f"Part {n}", "paragraphs": [paragraph]} for n in range(sections)],
        "sources": [{"title": "A source", "url": "https://example.org/source"}],
    }


def test_the_reported_document_publishes_and_serves_promptly(client: TestClient, auth: dict[str, str]) -> None:
    # 40 sections of 19,990 `[` (802 KB): its first page read once took 156 s, stalling the worker.
    document = big_document("[" * 19_990, 40)
    created, _ = within(30, lambda: client.post("/api/checks", json=document, headers=auth))
    assert created.status_code == 201, created.text
    times = {}
    for name, call in {
        "publish": lambda: client.post("/api/checks/big/publish", headers=auth),
        "page": lambda: client.get("/checks/big"),
        "feed": lambda: client.get("/feed.json"),
        "atom": lambda: client.get("/feed.atom"),
    }.items():
        response, times[name] = within(30, call)
        assert response.status_code == 200, (name, response.text[:200])
    assert all(seconds < 10 for seconds in times.values()), times


@pytest.mark.parametrize("pattern", ["[", "*a", "[1]", "`a", "[a](", "**a "], ids=repr)
def test_a_document_at_the_body_limit_is_published_or_refused_promptly(
    pattern: str, client: TestClient, auth: dict[str, str]
) -> None:
    paragraph = (pattern * 20_000)[:19_990]
    document = big_document(paragraph, 48)
    assert 0.9 * MEBIBYTE < len(json.dumps(document)) < MEBIBYTE
    created, seconds = within(30, lambda: client.post("/api/checks", json=document, headers=auth))
    assert seconds < 10
    if created.status_code == 422:
        # Far more markup than any fact-check holds: refused, naming where it went over.
        (error,) = created.json()["errors"]
        assert error["message"].startswith(f"takes the document past {MAX_DOCUMENT_MARKS} runs of Markdown markup")
        return
    assert created.status_code == 201, created.text
    for call in (
        lambda: client.post("/api/checks/big/publish", headers=auth),
        lambda: client.get("/checks/big"),
        lambda: client.get("/feed.json"),
    ):
        response, seconds = within(30, call)
        assert response.status_code == 200 and seconds < 10


def test_markup_up_to_the_document_budget_is_accepted(client: TestClient, auth: dict[str, str]) -> None:
    # A dense but plausible document: the budget is far above what fact-checks use.
    paragraph = "A **strong** claim [1], *weighed* against `data` and [a report](https://example.org/r). " * 10
    document = big_document(paragraph, 20)
    response = client.post("/api/checks", json=document, headers=auth)
    assert response.status_code == 201, response.text
