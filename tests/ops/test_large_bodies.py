"""`factcard serve` answering a body it does not read to its end (a 413, a 401, a redirect to
sign in): a client that keeps its connection open reads every answer and goes on.

Each test runs a real server process, with the default body limit (FACTCARD_MAX_BODY_BYTES).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from feed.core.settings import Settings
from feed.core.tokens import create_token
from feed.store import open_store
from feed.store.clock import utc_now
from tests.serving import Served, serve

LIMIT = Settings.load({}).max_body_bytes
PASTE = b"csrf=x&article=" + b"Word+" * 400_000  # a 2 MB desk paste


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    folder = tmp_path_factory.mktemp("large")
    store = open_store(f"sqlite:///{folder / 'large.db'}")
    token = create_token(store, "large bodies", utc_now())
    store.close()
    with serve(folder, folder / "large.db") as server:
        yield server, token


def _too_large_json() -> bytes:
    return b'{"slug": "' + b"x" * LIMIT + b'"}'


def _read_answer(sock: socket.socket) -> tuple[bytes, bytes]:
    """The head and body of one answer with a Content-Length, read from `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection before answering: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection in the middle of an answer"
        body += chunk
    return head, body


def test_a_keep_alive_client_reads_each_refusal_of_a_large_body_and_goes_on(served: tuple[Served, str]) -> None:
    """httpx reuses its connection: an answer without `Connection: close` keeps it open."""
    server, token = served
    json_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    previous: httpx.Response | None = None

    def kept_open(response: httpx.Response) -> httpx.Response:
        """`response`, checked: if the one before did not say it closes, it came on the same connection."""
        nonlocal previous
        if previous is not None and previous.headers.get("connection", "").lower() != "close":
            assert response.extensions["network_stream"] is previous.extensions["network_stream"], (
                f"the server closed the connection after a {previous.status_code} without saying so"
            )
        previous = response
        return response

    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=30) as client:
        for _ in range(10):
            refused = kept_open(client.post("/api/checks", content=_too_large_json(), headers=json_headers))
            assert refused.status_code == 413 and refused.json()["detail"] == f"The body must be at most {LIMIT} bytes."
            # Signed out: sent to sign in before a byte of the paste is read.
            assert kept_open(client.post("/desk/paste", content=PASTE, headers=form_headers)).status_code == 303
            anonymous = json_headers | {"Authorization": ""}
            unauthorised = kept_open(client.post("/api/checks", content=_too_large_json(), headers=anonymous))
            assert unauthorised.status_code == 401
            assert kept_open(client.get("/robots.txt")).status_code == 200


def test_a_socket_sends_a_too_large_body_whole_and_reads_the_413(served: tuple[Served, str]) -> None:
    """The body is read to its end before the answer: no broken pipe, and the same connection
    answers the next request."""
    server, token = served
    body = _too_large_json() * 2
    head = (
        "POST /api/checks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(30)
        for _ in range(3):
            sock.sendall(head + body)  # a broken pipe here is the failure
            answer, problem = _read_answer(sock)
            assert answer.startswith(b"HTTP/1.1 413") and b'"status":413' in problem
        sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert _read_answer(sock)[0].startswith(b"HTTP/1.1 200")


def test_a_body_far_too_large_is_refused_with_connection_close(served: tuple[Served, str]) -> None:
    """Reading 100 times the limit costs more than closing: the 413 says the connection closes."""
    server, token = served
    head = (
        "POST /api/checks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {LIMIT * 100}\r\n\r\n"
    ).encode()
    for framing in ("length", "chunked"):
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.settimeout(30)
            if framing == "length":
                sock.sendall(head + b'{"slug": "' + b"x" * 65536)
            else:  # chunked: no length to go by, so the drain reads until its bound
                sock.sendall(head.replace(f"Content-Length: {LIMIT * 100}".encode(), b"Transfer-Encoding: chunked"))
                chunk = b"x" * 65536
                try:
                    for _ in range(LIMIT * 100 // len(chunk)):
                        sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except OSError:  # the server stopped reading: expected, the answer is waiting
                    pass
            answer, _ = _read_answer(sock)
            assert answer.startswith(b"HTTP/1.1 413")
            assert b"connection: close" in answer.lower(), answer


def test_a_client_waiting_for_100_continue_is_refused_without_being_invited(served: tuple[Served, str]) -> None:
    """Asked to confirm before a body too large is sent, the server answers 413 at once and
    closes: it neither invites the body nor waits for it."""
    server, token = served
    head = (
        "POST /api/checks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {LIMIT * 2}\r\nExpect: 100-continue\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(10)
        sock.sendall(head)
        answer, _ = _read_answer(sock)
        assert answer.startswith(b"HTTP/1.1 413"), answer
        assert b"connection: close" in answer.lower(), answer
