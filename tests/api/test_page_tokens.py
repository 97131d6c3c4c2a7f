"""claims:search page tokens: what we issue comes back as it was; anything else is refused."""

from __future__ import annotations

import base64

import orjson
import pytest

from feed.api.pagetokens import BadToken, Position, issue, query_digest, redeem

DIGEST = query_digest("aquifer", "es", None, 30)
POSITION = Position(40, 2, "all", "2026-01-01T00:00:00.000000Z")


def test_a_token_names_its_position_for_its_query() -> None:
    token = issue(POSITION, DIGEST)
    assert redeem(token, DIGEST) == POSITION
    assert token.isascii() and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_token_of_another_query_is_refused() -> None:
    token = issue(POSITION, DIGEST)
    others = [("aquifer", "es", None, 31), ("aquifer", "pt", None, 30), ("aquifers", "es", None, 30),
              ("aquifer", "es", "news.example", 30), ("aquifer", None, None, 30)]  # fmt: skip
    for other in (query_digest(*filters) for filters in others):
        with pytest.raises(BadToken):
            redeem(token, other)


def test_every_change_to_a_token_is_refused() -> None:
    token = issue(POSITION, DIGEST)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for index in range(len(raw)):
        changed = bytearray(raw)
        changed[index] ^= 0x01
        with pytest.raises(BadToken):
            redeem(base64.urlsafe_b64encode(bytes(changed)).rstrip(b"=").decode(), DIGEST)
    for bad in ("", token[:-1], token[1:], token + "A", "====", "é" + token, "A" * 1000):
        with pytest.raises(BadToken):
            redeem(bad, DIGEST)


def test_a_well_checked_token_of_the_wrong_shape_is_refused() -> None:
    """A token whose check holds but whose content is not a position (an older or a forged format)."""
    from feed.api.pagetokens import _check

    for payload in ([2, 0, 0, "all", None], [1, -1, 0, "all", None], [1, 0, True, "all", None], [1, 0, 0, 5, None],
                    [1, 0, 0, "all"], {"checks": 0}):  # fmt: skip
        body = orjson.dumps(payload)
        token = base64.urlsafe_b64encode(body + _check(body, DIGEST)).rstrip(b"=").decode()
        with pytest.raises(BadToken):
            redeem(token, DIGEST)
