"""The manual's reference pages are what their sources give today: a stale page fails here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from feed.core.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def reference_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reference", ROOT / "scripts" / "reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reference"] = module
    spec.loader.exec_module(module)
    return module


REFERENCE = reference_script()


@pytest.mark.parametrize("name", sorted(REFERENCE.PAGES))
def test_the_reference_page_is_current(name: str) -> None:
    shipped = (ROOT / "docs" / "reference" / name).read_text()
    assert shipped == REFERENCE.PAGES[name](), f"docs/reference/{name} is stale: run python scripts/reference.py"


def test_the_check_names_a_stale_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in REFERENCE.PAGES:
        (tmp_path / name).write_text(REFERENCE.PAGES[name]())
    monkeypatch.setattr(REFERENCE, "REFERENCE", tmp_path)
    monkeypatch.setattr(REFERENCE, "ROOT", tmp_path.parent)
    assert REFERENCE.main(["--check"]) == 0
    (tmp_path / "commands.md").write_text("# an older parser\n")
    assert REFERENCE.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "stale: " in err and "commands.md" in err and "settings.md" not in err


def test_the_settings_page_has_a_row_per_setting() -> None:
    page = REFERENCE.settings_page()
    for setting in SETTINGS:
        row = next((line for line in page.splitlines() if f"`{setting.env}`" in line), None)
        assert row is not None, f"no row for {setting.env}"
        assert f"`{setting.flag}`" in row and row.startswith(f"| {setting.name} |")


def test_the_commands_page_tells_every_command() -> None:
    page = REFERENCE.commands_page()
    for command in (
        "serve",
        "import",
        "export",
        "publish",
        "retract",
        "token create",
        "user create",
        "build",
        "settings",
        "backup",
        "restore",
    ):
        assert f"\n## factcard {command}\n" in page, command
    assert "usage: factcard publish" in page


def test_the_api_page_tells_every_operation() -> None:
    from feed.api.openapi import openapi_document

    page = REFERENCE.api_page()
    for path, item in openapi_document("https://factcheck.example")["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                assert f"### {method.upper()} {path}" in page
                assert f"`{operation['operationId']}`" in page
