"""The MCP server as assistants reach it, with the official SDK's client: over Streamable HTTP at
/mcp on a real `factcard serve` on 127.0.0.1, and over stdio from `factcard mcp`."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from tests.assistants.test_mcp_tools import BASE, DRAFT, LEMON_ES, RETRACTED, fill
from tests.conftest import demo_documents, free_port
from tests.serving import ROOT, Served, serve

Session = Callable[[ClientSession], Awaitable[None]]
INITIALIZE = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}},
}  # fmt: skip
JSON_RPC = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`factcard serve` over the demo fact-checks, one kept canonical elsewhere, and a draft."""
    folder = tmp_path_factory.mktemp("mcp-http")
    port = free_port()
    database = folder / "served.db"
    fill(f"sqlite:///{database}", f"http://127.0.0.1:{port}").store.close()
    with serve(folder, database, port=port) as server:
        yield server


def over_http(served: Served, session: Session) -> None:
    async def run() -> None:
        async with streamable_http_client(f"http://127.0.0.1:{served.port}/mcp") as (read, write):
            async with ClientSession(read, write) as client:
                await client.initialize()
                await session(client)

    anyio.run(run)


def results(answer: Any) -> list[dict[str, Any]]:
    assert not answer.is_error, answer.content
    found: list[dict[str, Any]] = answer.structured_content["results"]
    return found


def assert_cited(item: dict[str, Any]) -> None:
    """Each item as the brief to assistants promises: URL, claim, verdict label and category, date, publisher."""
    assert item["url"].startswith("http") and item["datePublished"] and item["publisher"]["name"]
    for claim in item["claims"]:
        assert claim["text"]
        assert item["status"] == "retracted" or (claim["verdict"]["label"] and claim["verdict"]["category"])


# -- Streamable HTTP ----------------------------------------------------------------


def test_the_tools_over_streamable_http(served: Served) -> None:
    origin = f"http://127.0.0.1:{served.port}"

    async def session(client: ClientSession) -> None:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert sorted(listed) == ["get_fact_check", "search_fact_checks"]
        search, get = listed["search_fact_checks"], listed["get_fact_check"]
        assert {"query", "language", "category", "since", "limit"} <= set(search.input_schema["properties"])
        assert search.input_schema["required"] == ["query"]
        assert search.input_schema["properties"]["limit"]["maximum"] == 20
        assert get.input_schema["required"] == ["slug_or_url"]
        assert search.output_schema and get.output_schema
        assert "cite" in (search.description or "") and "cite" in (get.description or "")
        assert search.annotations and search.annotations.read_only_hint

        found = results(await client.call_tool("search_fact_checks", {"query": "limon"}))
        assert [item["slug"] for item in found] == [LEMON_ES]
        for item in results(await client.call_tool("search_fact_checks", {"query": "lemon", "limit": 20})):
            assert item["slug"] != DRAFT
            assert_cited(item)
        assert_cited(found[0])
        assert found[0]["url"] == f"{origin}/checks/{LEMON_ES}"

        by_slug = await client.call_tool("get_fact_check", {"slug_or_url": LEMON_ES})
        by_url = await client.call_tool("get_fact_check", {"slug_or_url": f"{origin}/embed/{LEMON_ES}"})
        assert not by_slug.is_error and by_slug.structured_content == by_url.structured_content
        assert by_slug.structured_content["claims"][0]["verdict"]["label"] == "Falso"

        retracted = await client.call_tool("get_fact_check", {"slug_or_url": f"{origin}/checks/{RETRACTED}"})
        assert retracted.structured_content["status"] == "retracted"
        assert retracted.structured_content["retraction"]["notice"] == "This fact-check has been retracted."
        assert all("verdict" not in claim for claim in retracted.structured_content["claims"])
        assert "True" not in json.dumps(retracted.structured_content)  # its old verdict, given nowhere

        hidden = await client.call_tool("get_fact_check", {"slug_or_url": DRAFT})
        assert hidden.is_error and "No published fact-check" in hidden.content[0].text
        bad = await client.call_tool("search_fact_checks", {"query": "lemon", "since": "yesterday"})
        assert bad.is_error and "YYYY-MM-DD" in bad.content[0].text
        long = await client.call_tool("search_fact_checks", {"query": "lemon " * 60})
        assert long.is_error and "at most 300 characters" in long.content[0].text
        unknown = await client.call_tool("search_fact_checks", {"query": "lemon", "category": "fake"})
        assert unknown.is_error and "category must be one of" in unknown.content[0].text
        # The session goes on after each refusal.
        assert results(await client.call_tool("search_fact_checks", {"query": "limao"}))

    over_http(served, session)


def test_the_resources_over_streamable_http(served: Served) -> None:
    async def session(client: ClientSession) -> None:
        resources = (await client.list_resources()).resources
        assert [str(resource.uri) for resource in resources] == ["factcard://recent"]
        templates = (await client.list_resource_templates()).resource_templates
        assert [template.uri_template for template in templates] == ["factcard://fact-check/{slug}"]

        (recent,) = (await client.read_resource("factcard://recent")).contents
        items = json.loads(recent.text)  # type: ignore[union-attr]
        assert len(items) == len(demo_documents()) + 1  # the demo and the one kept canonical, no draft
        assert DRAFT not in {item["slug"] for item in items}
        for item in items:
            assert_cited(item)
        (one,) = (await client.read_resource(f"factcard://fact-check/{LEMON_ES}")).contents
        assert json.loads(one.text)["slug"] == LEMON_ES  # type: ignore[union-attr]

    over_http(served, session)


def test_mcp_answers_are_never_cached_and_carry_the_site_headers(served: Served) -> None:
    url = f"http://127.0.0.1:{served.port}/mcp"
    answer = httpx.post(url, json=INITIALIZE, headers=JSON_RPC)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["result"]["serverInfo"]["name"] == "factcard"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"

    stream = httpx.get(url, headers={"Accept": "text/event-stream"})
    assert stream.status_code == 405  # stateless: no stream of server messages to open
    assert stream.headers["allow"] == "POST" and stream.headers["cache-control"] == "no-store"
    assert stream.headers["content-type"] == "application/problem+json"

    query = httpx.post(url + "?session=1", json=INITIALIZE, headers=JSON_RPC)
    assert query.status_code == 400 and "session" in query.json()["detail"]
    # The SDK's DNS rebinding check: a page on another name that resolves here gets nothing.
    rebound = httpx.post(url, json=INITIALIZE, headers=JSON_RPC | {"Host": f"evil.example:{served.port}"})
    assert rebound.status_code == 421
    foreign = httpx.post(url, json=INITIALIZE, headers=JSON_RPC | {"Origin": "https://evil.example"})
    assert foreign.status_code == 403

    log = served.log.read_text()  # the access log counts /mcp like any route
    assert '"method":"POST","path":"/mcp","query":"","route":"/mcp","status":200' in log


def test_mcp_requests_are_limited_per_address(tmp_path: Path) -> None:
    settings = Settings.load({}, {
        "database_url": f"sqlite:///{tmp_path / 'limited.db'}", "base_url": "http://testserver",
        "access_log": "off", "mcp_requests_per_minute_per_address": 2,
    })  # fmt: skip
    app = create_app(settings)
    with TestClient(app, client=("192.0.2.1", 1)) as here:
        for _ in range(2):
            assert here.post("/mcp", json=INITIALIZE, headers=JSON_RPC).status_code == 200
        limited = here.post("/mcp", json=INITIALIZE, headers=JSON_RPC)
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) >= 1 and limited.headers["cache-control"] == "no-store"
        assert here.get("/").status_code == 200  # the site's reads are not limited
    with TestClient(app, client=("192.0.2.2", 1)) as there:  # another address; the app started again
        assert there.post("/mcp", json=INITIALIZE, headers=JSON_RPC).status_code == 200


# -- stdio -----------------------------------------------------------------------------


def mcp_command(database: Path) -> list[str]:
    return ["-m", "feed.cli", "mcp", "--database-url", f"sqlite:///{database}", "--base-url", BASE]


def test_the_tools_over_stdio(tmp_path: Path) -> None:
    database = tmp_path / "desk.db"
    fill(f"sqlite:///{database}").store.close()
    parameters = StdioServerParameters(
        command=sys.executable, args=mcp_command(database), env={"PYTHONPATH": str(ROOT)}, cwd=tmp_path
    )

    async def run() -> None:
        with (tmp_path / "stderr.txt").open("w") as errors:
            async with stdio_client(parameters, errlog=errors) as (read, write):
                async with ClientSession(read, write) as client:
                    await client.initialize()
                    names = sorted(tool.name for tool in (await client.list_tools()).tools)
                    assert names == ["get_fact_check", "search_fact_checks"]
                    found = results(await client.call_tool("search_fact_checks", {"query": "limon"}))
                    assert [item["url"] for item in found] == [f"{BASE}/checks/{LEMON_ES}"]
                    one = await client.call_tool("get_fact_check", {"slug_or_url": f"{BASE}/checks/{RETRACTED}"})
                    assert one.structured_content["status"] == "retracted"
                    hidden = await client.call_tool("get_fact_check", {"slug_or_url": DRAFT})
                    assert hidden.is_error

    anyio.run(run)


def test_stdout_carries_the_protocol_alone(tmp_path: Path) -> None:
    database = tmp_path / "desk.db"
    fill(f"sqlite:///{database}").store.close()
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, *mcp_command(database)], cwd=tmp_path, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None

    def send(message: dict[str, Any]) -> None:
        assert process.stdin is not None
        process.stdin.write(json.dumps(message).encode() + b"\n")
        process.stdin.flush()

    def answer() -> dict[str, Any]:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "no answer within 60 s"
        line = process.stdout.readline()
        message: dict[str, Any] = json.loads(line)  # a line that is no JSON fails here
        assert message["jsonrpc"] == "2.0"
        return message

    try:
        send(INITIALIZE)
        assert answer()["result"]["serverInfo"]["name"] == "factcard"
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
              "params": {"name": "search_fact_checks", "arguments": {"query": "<>"}}})  # fmt: skip
        refused = answer()
        assert refused["id"] == 2 and refused["result"]["isError"] is True
        send({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
              "params": {"name": "get_fact_check", "arguments": {"slug_or_url": LEMON_ES}}})  # fmt: skip
        assert answer()["result"]["structuredContent"]["slug"] == LEMON_ES
        process.stdin.close()
        assert process.wait(30) == 0
        assert process.stdout.read() == b""  # nothing else was written
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
        assert process.stderr is not None
        process.stderr.close()


def test_a_missing_store_is_an_error_and_is_not_made(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    done = subprocess.run(
        [sys.executable, *mcp_command(missing)], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
        input=b"", capture_output=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert b"there is no store" in done.stderr
    assert done.stdout == b""
    assert not missing.exists()
