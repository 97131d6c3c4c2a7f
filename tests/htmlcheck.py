"""The Nu Html Checker (the W3C's validator, vnu.jar from the npm package `vnu-jar`), run over
pages in one Java process: each page's errors, as the validator words them.

Only errors count; the checker's warnings and notes (an `info` message) are advice. A test that
needs the validator and finds no Java or no jar fails under FACTCARD_REQUIRE_ALL and is skipped
otherwise, like the other independent consumers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

import orjson
import pytest

VNU = Path(__file__).parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def validator_available() -> str:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        missing = "java (Debian package default-jre-headless)" if java is None else f"{VNU} (npm ci in tests/)"
        if os.environ.get("FACTCARD_REQUIRE_ALL"):
            pytest.fail(f"the HTML validator needs {missing}")
        pytest.skip(f"the HTML validator needs {missing}")
    return java


def validation_errors(pages: Mapping[str, str]) -> dict[str, list[str]]:
    """The validator's errors for each page (name -> markup), by name; [] for a valid page."""
    java = validator_available()
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for number, (name, markup) in enumerate(pages.items()):
            path = Path(folder, f"page-{number}.html")
            path.write_text(markup, encoding="utf-8")
            files[path.as_uri().replace("file:///", "file:/")] = name
        run = subprocess.run(
            [java, "-jar", str(VNU), "--format", "json", "--exit-zero-always", *(str(Path(folder, Path(u).name))
             for u in files)],
            capture_output=True, timeout=300, check=True,
        )  # fmt: skip
    report = orjson.loads(run.stderr or run.stdout)
    errors: dict[str, list[str]] = {name: [] for name in pages}
    for message in report["messages"]:
        if message["type"] in ("error", "non-document-error"):
            name = files.get(message.get("url", ""), "?")
            errors.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']}")
    return errors
