from __future__ import annotations

import pytest

from feed.core.settings import Settings, served_origin


def test_environment_then_overrides() -> None:
    loaded = Settings.load({"FACTCARD_PAGE_SIZE": "7", "FACTCARD_BASE_URL": "https://x.org/"}, {"page_size": 9})
    assert loaded.page_size == 9 and loaded.base_url == "https://x.org"
    with pytest.raises(ValueError, match="FACTCARD_PAGE_SIZE must be a whole number"):
        Settings.load({"FACTCARD_PAGE_SIZE": "many"})


@pytest.mark.parametrize(
    ("host", "port", "origin"),
    [
        ("127.0.0.1", 9000, "http://127.0.0.1:9000"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),  # noqa: S104 (a wildcard host is the case tested)
        ("::", 8080, "http://[::1]:8080"),
        ("::1", 9000, "http://[::1]:9000"),
        ("localhost", 9000, "http://localhost:9000"),
    ],
)
def test_served_origin(host: str, port: int, origin: str) -> None:
    assert served_origin(host, port) == origin


def test_base_url_defaults_to_the_loopback_origin_outside_serve() -> None:
    assert Settings.load({}).base_url == "http://127.0.0.1:8000"
