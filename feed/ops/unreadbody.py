"""What becomes of a request body the app answered without reading to its end.

An answer can come before the body is read: a 413 once the limit is passed, a 401 or a
redirect to the sign-in page before any of it. Granian (hyper) then closes the connection,
and says `Connection: close` only when it happens to know in time, so a client that reuses
the connection meets "server disconnected", and one still sending meets a broken pipe; a
socket closed with unread data may even be reset before the client reads the answer.

So, before the answer starts, the rest of the body is read and dropped, up to a bound: the
connection then stays open and the client reads the answer whole. Past the bound (or when
the body cannot be read just now) the answer says `Connection: close`, which granian obeys.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feed.core.problems import HTTPProblem


class FinishUnreadBody:
    """ASGI wrapper: read and drop at most `drain_bytes` of a body left unread, else close.

    `receive` is expected to be bounded in time (feed.server.BodyDeadline): a body that stops
    arriving ends the drain with a 408 from it, and the answer then closes the connection.
    """

    def __init__(self, app: ASGIApp, drain_bytes: int):
        self.app, self.drain_bytes = app, drain_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = _declared_length(headers.get(b"content-length"))
        chunked = b"transfer-encoding" in headers
        complete = not chunked and not declared
        # A client waiting for "100 Continue" has not sent the body: asking for it would make
        # the server invite it. Answering with a close is what RFC 9110 (10.1.1) expects.
        waits_to_send = headers.get(b"expect", b"").lower() == b"100-continue"
        receiving = False
        received = 0

        async def tracked_receive() -> Message:
            nonlocal complete, receiving, received
            receiving = True
            try:
                message = await receive()
            finally:
                receiving = False
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = complete or not message.get("more_body", False)
            else:  # http.disconnect: nothing more will come
                complete = True
            return message

        async def drain() -> bool:
            """Read the rest of the body if it is small enough; whether it is all read."""
            if receiving or (waits_to_send and received == 0):
                # Someone else is waiting on receive (a streamed answer listening for the
                # disconnect), or the body was never invited: leave it, and close.
                return False
            limit = received + self.drain_bytes
            if declared is not None and declared > limit:
                return False
            try:
                while not complete and received <= limit:
                    await tracked_receive()
            except HTTPProblem:  # the body deadline passed while draining
                return False
            return complete

        async def send_when_read(message: Message) -> None:
            if message["type"] == "http.response.start" and not complete and not await drain():
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, tracked_receive, send_when_read)


def _declared_length(value: bytes | None) -> int | None:
    """Content-Length as a number; None when absent or not digits (the server refuses those)."""
    return int(value) if value is not None and value.isdigit() else None
