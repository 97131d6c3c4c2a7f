"""The importer's fetcher against real servers on 127.0.0.1, never the internet.

Loopback is a private address, so these tests pass allow_private_addresses=True, except the ones
that check the address guard (they give a stub resolver and a transport that fails if used).
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from feed.importer.addresses import ADDRESS, PinnedTransport
from feed.importer.fetching import Fetched, Fetcher, FetchFailed, FetchPolicy
from tests.conftest import free_port

AGENT = "factcard/1.2 (+https://factcheck.example/)"
Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Site:
    """A tiny website: a route per path, and a record of what each request carried."""

    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    sent: int = 0  # body bytes written by streaming routes
    stop: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    port: int = 0

    def paths(self) -> list[str]:
        return [path for path, _ in self.seen]

    def answer(self, path: str, status: int = 200, body: bytes = b"", **headers: str) -> None:
        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name.replace("_", "-"), value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = route

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.answer(path, status, Location=location)


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.seen.append((self.path, {name.lower(): value for name, value in self.headers.items()}))
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            try:
                route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the fetcher hung up, as it should on a body too large or too slow

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    state.url = f"http://127.0.0.1:{state.port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    state.stop.set()
    server.shutdown()
    server.server_close()


class Waits:
    """An injected clock and sleep: sleeping moves the clock, so no test waits for real."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def fetcher(waits: Waits | None = None, **policy: Any) -> Fetcher:
    settings: dict[str, Any] = {"user_agent": AGENT, "delay": 0.0, "allow_private_addresses": True} | policy
    waits = waits or Waits()
    return Fetcher(FetchPolicy(**settings), sleep=waits.sleep, clock=waits.clock)


def failure(fetch: Callable[[], Fetched]) -> FetchFailed:
    with pytest.raises(FetchFailed) as caught:
        fetch()
    return caught.value


# -- politeness: the user agent, robots.txt, the waits -------------------------------------------


def test_the_user_agent_goes_with_robots_txt_and_the_page(site: Site) -> None:
    site.answer("/robots.txt", body=b"User-agent: *\nAllow: /\n")
    site.answer("/check", body=b"<html>ok</html>", Content_Type="text/html")
    with fetcher() as client:
        page = client.fetch(site.url + "/check")
    assert page == Fetched(site.url + "/check", 200, b"<html>ok</html>", "text/html", None, None)
    assert [(path, headers["user-agent"]) for path, headers in site.seen] == [("/robots.txt", AGENT), ("/check", AGENT)]


@pytest.mark.parametrize(
    "robots",
    [
        "User-agent: *\nDisallow: /private/\n",
        # Our own group wins over *; "factcard" is the product token of AGENT.
        "User-agent: *\nAllow: /\n\nUser-agent: factcard\nDisallow: /private/\n",
    ],
)
def test_a_url_robots_txt_disallows_is_not_requested(site: Site, robots: str) -> None:
    site.answer("/robots.txt", body=robots.encode())
    site.answer("/private/check")
    site.answer("/public/check")
    with fetcher() as client:
        assert failure(lambda: client.fetch(site.url + "/private/check")).reason == "disallowed by robots.txt"
        assert client.fetch(site.url + "/public/check").status == 200
    assert site.paths() == ["/robots.txt", "/public/check"]  # robots.txt read once for the origin


def test_a_group_is_matched_on_the_product_token_not_the_whole_user_agent(site: Site) -> None:
    # AGENT contains "factcheck.example"; a group for a crawler named "example" is not ours.
    site.answer("/robots.txt", body=b"User-agent: example\nDisallow: /\n")
    site.answer("/check")
    with fetcher() as client:
        assert client.fetch(site.url + "/check").status == 200


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_without_a_readable_robots_txt_everything_is_allowed(site: Site, status: int) -> None:
    site.answer("/robots.txt", status, body=b"User-agent: *\nDisallow: /\n")
    site.answer("/check")
    with fetcher() as client:
        assert client.fetch(site.url + "/check").status == 200
    assert site.paths() == ["/robots.txt", "/check"]  # robots.txt is not retried


def test_two_requests_to_one_host_start_delay_apart(site: Site) -> None:
    site.answer("/a")
    site.answer("/b")
    waits = Waits()
    resolve = {"other.invalid": ["127.0.0.1"]}
    policy = FetchPolicy(AGENT, delay=2.0, allow_private_addresses=True)
    with Fetcher(policy, resolve=lambda host, port: resolve[host], sleep=waits.sleep, clock=waits.clock) as client:
        client.fetch(site.url + "/a")  # robots.txt (404) first, then /a: one wait
        waits.now += 0.5  # time spent elsewhere counts
        client.fetch(site.url + "/b")
        assert waits.sleeps == [2.0, 1.5]
        client.fetch(f"http://other.invalid:{site.port}/a")  # another host: its robots.txt at once
        assert waits.sleeps == [2.0, 1.5, 2.0]


def test_a_larger_crawl_delay_raises_the_wait(site: Site) -> None:
    site.answer("/robots.txt", body=b"User-agent: *\nCrawl-delay: 7\n")
    site.answer("/a")
    site.answer("/b")
    waits = Waits()
    with fetcher(waits, delay=1.0) as client:
        client.fetch(site.url + "/a")
        client.fetch(site.url + "/b")
    assert waits.sleeps == [7.0, 7.0]


# -- retries and statuses -------------------------------------------------------------------------


def flaky(site: Site, path: str, failures: int, status: int = 503, **headers: str) -> None:
    """`path` answers `status` `failures` times, then a page."""
    count = {"n": 0}

    def route(handler: BaseHTTPRequestHandler) -> None:
        count["n"] += 1
        if count["n"] <= failures:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name.replace("_", "-"), value)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Length", "4")
        handler.end_headers()
        handler.wfile.write(b"page")

    site.routes[path] = route


@pytest.mark.parametrize("status", [503, 429])
def test_a_retry_after_is_waited_then_the_page_is_fetched(site: Site, status: int) -> None:
    flaky(site, "/check", failures=1, status=status, Retry_After="1")
    waits = Waits()
    with fetcher(waits) as client:
        assert client.fetch(site.url + "/check").body == b"page"
    assert waits.sleeps == [1.0]
    assert site.paths().count("/check") == 2


def test_a_server_error_that_stays_fails_after_the_retries_with_growing_waits(site: Site) -> None:
    flaky(site, "/check", failures=100)
    waits = Waits()
    with fetcher(waits, max_retries=3) as client:
        failed = failure(lambda: client.fetch(site.url + "/check"))
    assert (failed.reason, failed.status, failed.url) == ("HTTP 503 after 3 retries", 503, site.url + "/check")
    assert waits.sleeps == [1.0, 2.0, 4.0]
    assert site.paths().count("/check") == 4


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_a_retry_after_longer_than_the_limit_fails_at_once(site: Site, form: str) -> None:
    later = "3600" if form == "seconds" else format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    flaky(site, "/check", failures=1, Retry_After=later)
    waits = Waits()
    with fetcher(waits) as client:
        failed = failure(lambda: client.fetch(site.url + "/check"))
    # An HTTP-date has whole seconds, and a moment passes before it is read.
    assert failed.reason in ("Retry-After 3600 s is longer than 120 s", "Retry-After 3599 s is longer than 120 s")
    assert failed.status == 503
    assert waits.sleeps == []
    assert site.paths().count("/check") == 1


@pytest.mark.parametrize("status", [404, 410, 403])
def test_a_client_error_fails_at_once_with_its_status(site: Site, status: int) -> None:
    site.answer("/check", status)
    with fetcher() as client:
        failed = failure(lambda: client.fetch(site.url + "/check"))
    assert (failed.reason, failed.status) == (f"HTTP {status}", status)
    assert site.paths().count("/check") == 1


def test_a_refused_connection_is_retried_then_reported() -> None:
    waits = Waits()
    with fetcher(waits, max_retries=2) as client:
        failed = failure(lambda: client.fetch(f"http://127.0.0.1:{free_port()}/check"))
    assert failed.reason.startswith("connection failed: ")
    assert failed.reason.endswith(" after 2 retries")
    assert waits.sleeps == [1.0, 2.0]


# -- conditional GET ------------------------------------------------------------------------------


def test_an_unchanged_page_answers_304_to_its_validators(site: Site) -> None:
    def route(handler: BaseHTTPRequestHandler) -> None:
        unchanged = handler.headers.get("If-None-Match") == '"v1"'
        handler.send_response(304 if unchanged else 200)
        handler.send_header("ETag", '"v1"')
        handler.send_header("Last-Modified", "Mon, 02 Jun 2025 10:00:00 GMT")
        handler.send_header("Content-Length", "0" if unchanged else "4")
        handler.end_headers()
        handler.wfile.write(b"" if unchanged else b"page")

    site.routes["/check"] = route
    with fetcher() as client:
        first = client.fetch(site.url + "/check")
        again = client.fetch(site.url + "/check", etag=first.etag, last_modified=first.last_modified)
    assert (first.status, first.body, first.etag) == (200, b"page", '"v1"')
    assert (again.status, again.body, again.etag, again.last_modified) == (304, b"", '"v1"', first.last_modified)
    sent = site.seen[-1][1]
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"v1"', "Mon, 02 Jun 2025 10:00:00 GMT")
    assert "if-none-match" not in site.seen[-2][1]


# -- redirects, followed by hand ------------------------------------------------------------------


def test_redirects_are_followed_to_the_final_url(site: Site) -> None:
    for hop in range(5, 0, -1):
        site.redirect(f"/r{hop}", f"/r{hop - 1}", status=301 if hop % 2 else 308)
    site.answer("/r0", body=b"page")
    with fetcher(max_redirects=5) as client:
        page = client.fetch(site.url + "/r5")
    assert (page.url, page.body) == (site.url + "/r0", b"page")


def test_more_redirects_than_allowed_fail(site: Site) -> None:
    for hop in range(6, 0, -1):
        site.redirect(f"/r{hop}", f"/r{hop - 1}")
    site.answer("/r0")
    with fetcher(max_redirects=5) as client:
        assert failure(lambda: client.fetch(site.url + "/r6")).reason == "too many redirects (more than 5)"
    assert "/r0" not in site.paths()


def test_a_redirect_loop_is_reported_as_a_loop(site: Site) -> None:
    site.redirect("/a", site.url + "/b")
    site.redirect("/b", "/a#top")
    with fetcher() as client:
        assert failure(lambda: client.fetch(site.url + "/a")).reason.startswith("redirect loop")


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/archive"])
def test_a_redirect_leaves_http_and_https_only_refused(site: Site, target: str) -> None:
    site.redirect("/go", target)
    with fetcher() as client:
        failed = failure(lambda: client.fetch(site.url + "/go"))
    scheme = target.split(":")[0]
    assert failed.reason == f"redirected to a URL that is not http or https ({scheme})"


def test_each_redirect_hop_is_checked_against_robots_txt(site: Site) -> None:
    site.answer("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n")
    site.redirect("/go", "/private/check")
    site.answer("/private/check")
    with fetcher() as client:
        failed = failure(lambda: client.fetch(site.url + "/go"))
    assert failed.reason == f"disallowed by robots.txt (redirected to {site.url}/private/check)"
    assert "/private/check" not in site.paths()


def test_each_redirect_hop_is_checked_against_the_address_rules() -> None:
    asked: list[tuple[str, Any]] = []

    def public_site(request: httpx.Request) -> httpx.Response:
        asked.append((str(request.url), request.extensions[ADDRESS]))
        if request.url.host != "news.example":
            pytest.fail(f"connected to {request.url}")
        if request.url.path == "/go":
            return httpx.Response(302, headers={"Location": "http://metadata.example/latest"})
        return httpx.Response(404)

    addresses = {"news.example": ["93.184.215.14"], "metadata.example": ["169.254.169.254"]}
    policy = FetchPolicy(AGENT, delay=0.0)
    with Fetcher(policy, transport=httpx.MockTransport(public_site), resolve=lambda host, port: addresses[host]) as f:
        failed = failure(lambda: f.fetch("http://news.example/go"))
    assert "169.254.169.254" in failed.reason
    assert asked == [("http://news.example/robots.txt", "93.184.215.14"), ("http://news.example/go", "93.184.215.14")]


# -- size and time --------------------------------------------------------------------------------


def stream(site: Site, path: str, total: int, *, declare: bool = False, pause: float = 0.0, chunk: int = 65536) -> None:
    """`path` sends `total` bytes in chunks, `pause` seconds apart, until done or hung up on."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        if declare:
            handler.send_header("Content-Length", str(total))
        handler.end_headers()
        handler.wfile.flush()
        while site.sent < total and not site.stop.is_set():
            handler.wfile.write(b"x" * chunk)
            handler.wfile.flush()
            site.sent += chunk
            site.stop.wait(pause)

    site.routes[path] = route


def test_a_body_past_the_limit_is_refused_while_streaming(site: Site) -> None:
    stream(site, "/big", 20_000_000)
    with fetcher(max_bytes=2 * 1024 * 1024) as client:
        failed = failure(lambda: client.fetch(site.url + "/big"))
    assert (failed.reason, failed.status) == ("larger than 2 MiB", 200)
    time.sleep(0.2)  # the server notices the hang-up
    assert site.sent < 10_000_000  # reading stopped: most of the 20 MB was never taken


def test_a_declared_length_past_the_limit_is_refused_before_reading(site: Site) -> None:
    stream(site, "/big", 20_000_000, declare=True)
    with fetcher() as client:
        assert failure(lambda: client.fetch(site.url + "/big")).reason == "larger than 10 MiB (Content-Length 20000000)"


def test_a_compressed_body_is_limited_by_its_decoded_size(site: Site) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)  # about 20 KB on the wire
    site.answer("/bomb", body=bomb, Content_Encoding="gzip")
    site.answer("/small", body=gzip.compress(b"<html>ok</html>"), Content_Encoding="gzip")
    with fetcher(max_bytes=1024 * 1024) as client:
        assert failure(lambda: client.fetch(site.url + "/bomb")).reason == "larger than 1 MiB"
        assert client.fetch(site.url + "/small").body == b"<html>ok</html>"
    assert site.seen[-1][1]["accept-encoding"] == "gzip, deflate"


def test_a_page_whose_headers_never_come_times_out_on_time(site: Site) -> None:
    def silent(handler: BaseHTTPRequestHandler) -> None:
        site.stop.wait(30)  # until the test ends

    site.routes["/silent"] = silent
    with fetcher(timeout=2.0) as client:
        started = time.monotonic()
        failed = failure(lambda: client.fetch(site.url + "/silent"))
        took = time.monotonic() - started
    assert failed.reason == "timed out after 2 s"
    assert 1.9 < took < 2.7


# A steady trickle; and a byte just before each read would time out, which only the deadline ends.
@pytest.mark.parametrize("pause", [0.2, 1.5])
def test_a_page_that_never_finishes_times_out_on_time(site: Site, pause: float) -> None:
    stream(site, "/endless", 10**12, pause=pause, chunk=1)
    with fetcher(timeout=2.0) as client:
        started = time.monotonic()
        failed = failure(lambda: client.fetch(site.url + "/endless"))
        took = time.monotonic() - started
    assert failed.reason == "timed out after 2 s"
    assert 1.9 < took < 2.7


# -- the address guard, and the connection pinned to the checked address ----------------------------


def no_network(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"the fetcher connected to {request.url}")


def guarded(resolve: Callable[[str, int], list[str]] | None = None) -> Fetcher:
    return Fetcher(FetchPolicy(AGENT), transport=httpx.MockTransport(no_network), resolve=resolve)


@pytest.mark.parametrize(
    ("addresses", "named"),
    [
        (["10.0.0.5"], "a private address (10.0.0.5)"),
        (["127.0.0.1"], "a loopback address (127.0.0.1)"),
        (["169.254.169.254"], "a link-local address (169.254.169.254)"),
        (["::ffff:10.0.0.5"], "a private address (::ffff:10.0.0.5)"),
        (["::1"], "a loopback address (::1)"),
        (["100.64.1.1"], "a non-public address (100.64.1.1)"),
        (["93.184.215.14", "10.0.0.5"], "a private address (10.0.0.5)"),  # one bad answer among good ones
    ],
)
def test_a_host_that_resolves_to_a_private_address_is_not_fetched(addresses: list[str], named: str) -> None:
    with guarded(resolve=lambda host, port: addresses) as client:
        failed = failure(lambda: client.fetch("https://newsroom.internal/checks"))
    assert failed.reason == f"{named} is not fetched without --allow-private-addresses"


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("http://10.1.2.3/", "a private address (10.1.2.3)"),
        ("http://[::1]:8080/", "a loopback address (::1)"),
        ("http://0.0.0.0/", "an unspecified address (0.0.0.0)"),
        ("http://2130706433/", "a loopback address (127.0.0.1)"),  # the system resolver reads it as 127.0.0.1
    ],
)
def test_a_literal_private_address_is_not_fetched(url: str, named: str) -> None:
    with guarded() as client:
        assert failure(lambda: client.fetch(url)).reason == f"{named} is not fetched without --allow-private-addresses"


@pytest.mark.parametrize(("url", "scheme"), [("file:///etc/passwd", "file"), ("ftp://example.org/a", "ftp")])
def test_only_http_and_https_urls_are_fetched(url: str, scheme: str) -> None:
    with guarded() as client:
        assert failure(lambda: client.fetch(url)).reason == f"not an http or https URL ({scheme})"


def test_the_loopback_server_is_fetched_only_with_allow_private_addresses(site: Site) -> None:
    site.answer("/check", body=b"page")
    with Fetcher(FetchPolicy(AGENT, delay=0.0)) as client:
        assert "loopback address (127.0.0.1)" in failure(lambda: client.fetch(site.url + "/check")).reason
    assert site.seen == []
    with fetcher() as client:
        assert client.fetch(site.url + "/check").body == b"page"


def test_the_connection_goes_to_the_checked_address_with_the_name_in_host(site: Site) -> None:
    # newsroom.invalid resolves nowhere (RFC 6761): the page arrives only if the connection went to
    # the address the stub gave the check, not to a second lookup.
    site.answer("/check", body=b"page")
    looked_up: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    policy = FetchPolicy(AGENT, delay=0.0, allow_private_addresses=True)
    with Fetcher(policy, resolve=resolve) as client:
        page = client.fetch(f"http://newsroom.invalid:{site.port}/check")
    assert (page.url, page.body) == (f"http://newsroom.invalid:{site.port}/check", b"page")
    assert site.seen[-1][1]["host"] == f"newsroom.invalid:{site.port}"
    assert looked_up == ["newsroom.invalid", "newsroom.invalid"]  # robots.txt, then the page


def test_the_pinned_transport_refuses_a_request_without_a_checked_address(site: Site) -> None:
    with PinnedTransport() as transport, httpx.Client(transport=transport) as client:
        with pytest.raises(httpx.ConnectError, match="no checked address"):
            client.get(site.url + "/check")
    assert site.seen == []
