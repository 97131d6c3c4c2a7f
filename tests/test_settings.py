from __future__ import annotations

from pathlib import Path

import pytest

from feed.settings import SETTINGS, Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_documents_every_setting() -> None:
    text = README.read_text()
    for setting in SETTINGS:
        row = next((line for line in text.splitlines() if f"`{setting.env}`" in line), None)
        assert row is not None, f"README has no row for {setting.env}"
        assert f"`{setting.flag}`" in row, setting.flag


def test_environment_then_overrides() -> None:
    loaded = Settings.load({"FACTCARD_PAGE_SIZE": "7", "FACTCARD_BASE_URL": "https://x.org/"}, {"page_size": 9})
    assert loaded.page_size == 9 and loaded.base_url == "https://x.org"
    with pytest.raises(ValueError, match="FACTCARD_PAGE_SIZE must be a whole number"):
        Settings.load({"FACTCARD_PAGE_SIZE": "many"})
