"""The shipped nginx configuration: current with the code, and one nginx accepts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = ROOT / "deploy" / "nginx.conf"
# How deploy/nginx.conf is made (docs/operators/static-build.md).
ARGUMENTS = ["nginx-config", "--root", "/srv/factcard/build", "--upstream", "127.0.0.1:8000", "--listen", "80"]
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")


def generated(**env: str) -> str:
    environment = {"PATH": "/usr/bin:/bin", "FACTCARD_BASE_URL": "https://factcheck.example", **env}
    return subprocess.run([sys.executable, "-m", "feed.cli", *ARGUMENTS], env=environment, cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout  # fmt: skip


def test_the_shipped_configuration_is_what_the_command_prints() -> None:
    assert SHIPPED.read_text() == generated(), "regenerate deploy/nginx.conf (see docs/operators/static-build.md)"


def test_the_configuration_follows_the_settings() -> None:
    text = generated(FACTCARD_CACHE_MAX_AGE="120", FACTCARD_WEBSUB_HUB="https://hub.example/")
    assert '"public, max-age=120, stale-while-revalidate=600"' in text
    assert 'rel=\\"hub\\"' in text and "https://hub.example/" in text
    assert "https://factcheck.example/checks/$slug.json" in text


def test_nginx_accepts_it(tmp_path: Path) -> None:
    if shutil.which("nginx") is None or not BROTLI_MODULE.exists():
        what = "nginx with its brotli static module (Debian: nginx libnginx-mod-http-brotli-static)"
        if os.environ.get("FACTCARD_REQUIRE_ALL") == "1":
            pytest.fail(f"{what} not found, and FACTCARD_REQUIRE_ALL=1")
        pytest.skip(f"{what} not found")
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "factcard.conf").write_text(SHIPPED.read_text().replace("/srv/factcard/build", str(site)))
    (tmp_path / "nginx.conf").write_text(
        f"load_module {BROTLI_MODULE};\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include {tmp_path}/factcard.conf; }}\n"
    )
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            capture_output=True, text=True, timeout=30)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr, result.stderr
