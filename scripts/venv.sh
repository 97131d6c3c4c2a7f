# Sourced, not run: makes (or reuses) the virtual environment .venv at the top of the checkout
# and sets VENV_PYTHON to its interpreter. Installing into a virtual environment works the same
# on every Python, including the Debian and Ubuntu system Pythons that refuse a plain
# `pip install` ("externally managed", PEP 668).

_venv_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv"
_python="${PYTHON:-python3}"

_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi; }

_make_venv() {
  rm -rf "$_venv_dir"
  "$_python" -m venv "$_venv_dir" >/dev/null 2>&1 && return 0
  # Debian and Ubuntu ship the venv module's pip bootstrap separately (python3-venv).
  if command -v apt-get >/dev/null 2>&1; then
    echo "venv: $_python cannot make a virtual environment; installing python3-venv" >&2
    _as_root apt-get update -qq && _as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends python3-venv >/dev/null || true
    rm -rf "$_venv_dir"
    "$_python" -m venv "$_venv_dir" && return 0
  fi
  echo "venv: could not make $_venv_dir with $_python; install its venv module (Debian: python3-venv)" >&2
  return 1
}

# Reuse a working environment; remake one that is broken or half-made.
if ! "$_venv_dir/bin/python" -m pip --version >/dev/null 2>&1; then
  _make_venv
fi
VENV_PYTHON="$_venv_dir/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
unset _venv_dir _python
