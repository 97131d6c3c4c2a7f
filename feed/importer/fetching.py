"""A polite, safe fetcher for importing fact-check archives from newsrooms' websites.

Polite: it names itself in `User-Agent`, obeys robots.txt (read with protego, once per origin) and
its Crawl-delay, spaces requests to one host by `FetchPolicy.delay`, and backs off on 429 and 5xx.
Safe: http and https only, public addresses only, and the connection goes to the address that was
checked (see `addresses`); redirects are followed by hand so each hop is checked the same way; a
body is read within a size limit and every exchange within a deadline.

Not thread-safe: one Fetcher per import run, used from one thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType

import httpx
from protego import Protego

from feed.importer.addresses import ADDRESS, DEADLINE, AddressRefused, PinnedTransport, checked_address, resolve_host
from feed.importer.bodies import ACCEPT_ENCODING, BodyRefused, read_body

REDIRECTS = frozenset({301, 302, 303, 307, 308})
ROBOTS_LIMIT = 512 * 1024  # RFC 9309: at least the first 500 KiB of a robots.txt are parsed


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str  # e.g. "factcard/1.2 (+https://factcheck.example/)"; its product token meets robots.txt
    delay: float = 1.0  # seconds between two requests to one host (a robots.txt Crawl-delay that is larger wins)
    allow_private_addresses: bool = False
    max_bytes: int = 10 * 1024 * 1024  # a body larger than this is refused (reading stops; never held whole)
    timeout: float = 30.0  # seconds for one exchange: connect, headers and the whole body
    max_redirects: int = 5
    max_retries: int = 3  # for 429 / 5xx / connection errors
    max_retry_after: float = 120.0  # a Retry-After larger than this: give up on that URL with a clear reason


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL after redirects
    status: int  # 200 (or another 2xx), or 304 when a conditional GET says unchanged
    body: bytes  # b"" for 304
    content_type: str | None
    etag: str | None
    last_modified: str | None


class FetchFailed(Exception):
    """A URL that gives no page, with a reason for the import report.

    `url` is the URL asked for (a reason about a later redirect hop names that hop); `status` is the
    HTTP status when the server gave one, so a caller can tell 404 and 410 (retract) from the rest.
    """

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class _Answer:
    url: httpx.URL
    status: int
    headers: httpx.Headers
    body: bytes  # read only for a 2xx answer


def _size_text(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks us to wait (delta-seconds or an HTTP-date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def user_agent_for(base_url: str) -> str:
    """How the importer names itself to the sites it reads: product, version, and whose it is."""
    try:
        ours = version("factcard")
    except PackageNotFoundError:
        ours = "0"
    return f"factcard/{ours} (+{base_url})"


def _product_token(user_agent: str) -> str:
    # robots.txt groups name a product token ("factcard"), not the whole header: matching the whole
    # header would let "User-agent: example" catch "factcard/1.2 (+https://factcheck.example/)".
    words = user_agent.split()
    return words[0].split("/", 1)[0] if words else "*"


class Fetcher:
    """Fetches pages under a FetchPolicy, raising FetchFailed with a reason for any URL it cannot.

    `transport` replaces the network (tests): it gets requests by their own URL, and the address
    that was checked in the `factcard.address` request extension; by default a PinnedTransport
    connects to that address. `resolve(host, port)` gives a host's IP addresses (default: the
    system resolver). `sleep` and `clock` serve the waits between requests and retries; deadlines
    are real time (time.monotonic), as the sockets' timeouts are.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        transport: httpx.BaseTransport | None = None,
        resolve: Callable[[str, int], list[str]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.policy = policy
        self._resolve = resolve or resolve_host
        self._sleep = sleep
        self._clock = clock
        self._token = _product_token(policy.user_agent)
        self._client = httpx.Client(
            transport=transport or PinnedTransport(),
            follow_redirects=False,
            trust_env=False,  # no proxy or .netrc from the environment: the connection is ours to pin
            timeout=policy.timeout,
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )
        self._robots: dict[str, Protego | None] = {}  # origin -> its rules; None: everything allowed
        self._host_delay: dict[str, float] = {}  # host -> its robots.txt Crawl-delay
        self._last_start: dict[str, float] = {}  # host -> clock() when its last request started

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The page at `url`, after redirects; a conditional GET when `etag` or `last_modified` is
        given (an unchanged page gives status 304 and an empty body)."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            start = httpx.URL(url)
        except httpx.InvalidURL as error:
            raise FetchFailed(url, f"not a valid URL ({error})") from None
        answer = self._follow(url, start, headers, robots=False)
        if answer.status == 304 or 200 <= answer.status < 300:
            return Fetched(
                url=str(answer.url),
                status=answer.status,
                body=answer.body if answer.status != 304 else b"",
                content_type=answer.headers.get("content-type"),
                # A 304 should repeat the validators; when it does not, the ones sent still hold.
                etag=answer.headers.get("etag", etag if answer.status == 304 else None),
                last_modified=answer.headers.get("last-modified", last_modified if answer.status == 304 else None),
            )
        if answer.status in REDIRECTS:
            raise FetchFailed(url, f"HTTP {answer.status} without a Location", answer.status)
        raise FetchFailed(url, f"HTTP {answer.status}", answer.status)

    # -- redirects, each hop checked like the first -----------------------------------------------

    def _follow(self, original: str, url: httpx.URL, headers: dict[str, str], *, robots: bool) -> _Answer:
        """The last answer of the redirect chain from `url`. For robots.txt itself (`robots`): no
        robots.txt check, no retries, and a long file truncated rather than refused."""
        seen = {str(url)}
        redirects = 0
        while True:
            self._check_scheme(original, url, redirected=redirects > 0)
            address = self._address(original, url)
            if not robots and not self._allowed(url):
                where = "" if redirects == 0 else f" (redirected to {url})"
                raise FetchFailed(original, f"disallowed by robots.txt{where}")
            answer = self._with_retries(original, url, address, headers, robots=robots)
            location = answer.headers.get("location")
            if answer.status not in REDIRECTS or not location:
                return answer
            try:
                target = url.join(location).copy_with(fragment=None)
            except httpx.InvalidURL as error:
                raise FetchFailed(original, f"a redirect to an invalid URL ({error})", answer.status) from None
            if str(target) in seen:
                raise FetchFailed(original, f"redirect loop (back to {target})", answer.status)
            redirects += 1
            if redirects > self.policy.max_redirects:
                raise FetchFailed(
                    original, f"too many redirects (more than {self.policy.max_redirects})", answer.status
                )
            seen.add(str(target))
            url = target

    def _check_scheme(self, original: str, url: httpx.URL, *, redirected: bool) -> None:
        if url.scheme not in ("http", "https"):
            shown = url.scheme or "no scheme"
            reason = f"redirected to a URL that is not http or https ({shown})" if redirected else None
            raise FetchFailed(original, reason or f"not an http or https URL ({shown})")
        if not url.host:
            raise FetchFailed(original, f"a URL without a host ({url})")

    def _address(self, original: str, url: httpx.URL) -> str:
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            return checked_address(url.host, port, self._resolve, self.policy.allow_private_addresses)
        except AddressRefused as refused:
            raise FetchFailed(original, str(refused)) from None

    # -- robots.txt ------------------------------------------------------------------------------

    def _allowed(self, url: httpx.URL) -> bool:
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        if origin not in self._robots:
            rules = self._read_robots(httpx.URL(origin + "/robots.txt"))
            self._robots[origin] = rules
            delay = rules.crawl_delay(self._token) if rules is not None else None
            if delay:
                self._host_delay[url.host] = max(self._host_delay.get(url.host, 0.0), float(delay))
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(str(url), self._token)

    def _read_robots(self, url: httpx.URL) -> Protego | None:
        """The origin's rules; None (everything allowed) when it has no robots.txt (4xx) and, to keep
        it simple, also when the file cannot be read (5xx, unreachable, refused address)."""
        try:
            answer = self._follow(str(url), url, {}, robots=True)
        except FetchFailed:
            return None
        if answer.status != 200:
            return None
        return Protego.parse(answer.body.decode("utf-8", errors="replace"))

    # -- one exchange, its retries and the waits between requests ----------------------------------

    def _with_retries(
        self, original: str, url: httpx.URL, address: str, headers: dict[str, str], *, robots: bool
    ) -> _Answer:
        retries = 0 if robots else self.policy.max_retries
        for attempt in range(retries + 1):
            status: int | None = None
            try:
                answer = self._exchange(original, url, address, headers, robots=robots)
            except httpx.TransportError as error:
                failure = f"connection failed: {str(error) or type(error).__name__}"
                wait = self._backoff(url.host, attempt)
            else:
                if answer.status != 429 and answer.status < 500:
                    return answer
                status = answer.status
                failure = f"HTTP {status}"
                asked = self._server_wait(original, answer)
                wait = asked if asked is not None else self._backoff(url.host, attempt)
            if attempt == retries:
                break
            self._sleep(wait)
        raise FetchFailed(original, f"{failure} after {retries} retries", status)

    def _server_wait(self, original: str, answer: _Answer) -> float | None:
        asked = _retry_after(answer.headers.get("retry-after"))
        if asked is not None and asked > self.policy.max_retry_after:
            raise FetchFailed(
                original,
                f"Retry-After {asked:.0f} s is longer than {self.policy.max_retry_after:g} s",
                answer.status,
            )
        return asked

    def _backoff(self, host: str, attempt: int) -> float:
        # Exponential from the host's delay, but from at least 1 s: a server that is struggling
        # should not get three more requests at once from an import run with `delay` 0.
        return max(self._delay(host), 1.0) * (1 << attempt)

    def _delay(self, host: str) -> float:
        return max(self.policy.delay, self._host_delay.get(host, 0.0))

    def _wait_turn(self, host: str) -> None:
        """Waits until `delay` has passed since the last request to `host` started."""
        last = self._last_start.get(host)
        if last is not None:
            wait = last + self._delay(host) - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_start[host] = self._clock()

    def _exchange(
        self, original: str, url: httpx.URL, address: str, headers: dict[str, str], *, robots: bool
    ) -> _Answer:
        """One request and its answer, the body read for a 2xx only, all within `timeout`."""
        self._wait_turn(url.host)
        timeout_text = f"timed out after {self.policy.timeout:g} s"
        deadline = time.monotonic() + self.policy.timeout
        request = self._client.build_request(
            "GET", url, headers=headers, extensions={ADDRESS: address, DEADLINE: deadline}
        )
        try:
            response = self._client.send(request, stream=True)
            try:
                body = b""
                if 200 <= response.status_code < 300:
                    limit = min(self.policy.max_bytes, ROBOTS_LIMIT) if robots else self.policy.max_bytes
                    body = read_body(
                        response, limit=limit, limit_text=_size_text(limit), deadline=deadline,
                        timeout_text=timeout_text, truncate=robots,
                    )  # fmt: skip
                return _Answer(url, response.status_code, response.headers, body)
            finally:
                response.close()
        except httpx.TimeoutException:
            # Not retried: a page this slow is slow again, and retries would multiply the wait.
            raise FetchFailed(original, timeout_text) from None
        except BodyRefused as refused:
            raise FetchFailed(original, refused.reason, None if refused.timed_out else response.status_code) from None
