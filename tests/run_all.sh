#!/usr/bin/env bash
# Install everything the tests need, then run every test (PostgreSQL and consumer tests included).
# Extra arguments go to pytest, e.g. `bash tests/run_all.sh -k store`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: the PostgreSQL server (the tests start a throwaway cluster of their own),
# Node.js for structured-data-testing-tool, Chromium for the card's browser tests (driven by
# Playwright at /usr/bin/chromium; Playwright never downloads a browser here), nginx with its
# brotli module to serve the static build, Apache to serve the redirects from an old archive,
# FriBidi, which Pillow's text layout loads, and Java for the HTML validator.
packages=()
dpkg -s postgresql >/dev/null 2>&1 || packages+=(postgresql)
command -v nginx >/dev/null 2>&1 || packages+=(nginx)
dpkg -s libnginx-mod-http-brotli-static >/dev/null 2>&1 || packages+=(libnginx-mod-http-brotli-static)
command -v apache2 >/dev/null 2>&1 || packages+=(apache2)
dpkg -s libfribidi0 >/dev/null 2>&1 || packages+=(libfribidi0)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
[ -x /usr/bin/chromium ] || packages+=(chromium)
command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)  # the Nu Html Checker (vnu.jar, from npm)
if [ "${#packages[@]}" -gt 0 ]; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
fi

# Python packages go into .venv (scripts/venv.sh), never into the system Python.
source scripts/venv.sh
"$VENV_PYTHON" -m pip install --quiet -e '.[test]'
(cd tests && npm ci --no-audit --no-fund --loglevel=error)

"$VENV_PYTHON" -m ruff check .
"$VENV_PYTHON" -m ruff format --check .
"$VENV_PYTHON" -m mypy
# The manual: a link to a missing page, heading or image fails the build.
NO_MKDOCS_2_WARNING=1 "$(dirname "$VENV_PYTHON")/mkdocs" build --strict --quiet

# Missing PostgreSQL or consumers fail the run instead of skipping. The install tests build the
# wheel and sdist and run them from fresh virtual environments outside this checkout.
FACTCARD_REQUIRE_ALL=1 "$VENV_PYTHON" -m pytest "$@"
