"""The `factcard` command as a shell user and a deploy script meet it, run as real processes:
no store made by reading, no empty site built by mistake, quiet ends in pipes, short help, and
`factcard settings` saying where each value came from."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from feed.cli.main import build_parser, main
from feed.core.settings import SETTINGS
from tests.conftest import DEMO, demo_documents

MASK = "********"  # how `factcard settings` shows a secret


def clean_environment(**extra: str) -> dict[str, str]:
    """This environment without any factcard setting, so only what a test sets counts."""
    names = {setting.env for setting in SETTINGS}
    return {**{k: v for k, v in os.environ.items() if k not in names}, "COLUMNS": "80", **extra}


def factcard(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feed.cli", *args], cwd=cwd, env=env or clean_environment(),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


# -- item 18: reading makes no store; an empty site is not built by mistake ----------------


def test_build_where_there_is_no_store_refuses_and_makes_nothing(tmp_path: Path) -> None:
    result = factcard("build", "site", cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert f"there is no store at '{tmp_path / 'factcard.db'}'" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no factcard.db, no site


def test_build_of_a_store_with_nothing_published_refuses_unless_allow_empty(tmp_path: Path) -> None:
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(demo_documents()[0] | {"status": "draft", "datePublished": None}))
    assert factcard("import", str(draft), cwd=tmp_path).returncode == 0
    refused = factcard("build", "site", cwd=tmp_path)
    assert refused.returncode == 1
    assert f"nothing is published in the store {tmp_path / 'factcard.db'}" in refused.stderr
    assert "--allow-empty" in refused.stderr and not (tmp_path / "site").exists()
    allowed = factcard("build", "site", "--allow-empty", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert (tmp_path / "site" / "index.html").is_file() and "0 public fact-check(s)" in allowed.stdout
    # An empty site asked for where there is no store at all is written without making one.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert factcard("build", "site", "--allow-empty", cwd=elsewhere).returncode == 0
    # The build and its generations (feed.build.generations), and no store.
    assert sorted(p.name for p in elsewhere.iterdir()) == [".site.builds", "site"]


@pytest.mark.parametrize(
    "command",
    [
        ["export"], ["validate"], ["token", "list"], ["token", "revoke", "0000000000000000"],
        ["user", "list"], ["user", "disable", "a@example.org"], ["backup", "-"],
        ["publish", "a-slug"], ["retract", "a-slug", "--reason", "x"],
    ],
)  # fmt: skip
def test_commands_that_read_the_store_do_not_make_one(tmp_path: Path, command: list[str]) -> None:
    result = factcard(*command, cwd=tmp_path)
    assert result.returncode == 1
    assert f"there is no store at '{tmp_path / 'factcard.db'}'" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_validating_files_needs_no_store(tmp_path: Path) -> None:
    result = factcard("validate", str(DEMO), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


# -- item 19: a reader that goes away ends a command quietly --------------------------------


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("filled")
    assert factcard("import", str(DEMO), cwd=folder).returncode == 0
    assert factcard("token", "create", "desk", cwd=folder).returncode == 0
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["export"], ["export", "--versions"], ["validate"], ["validate", str(DEMO)], ["token", "list"],
        ["user", "list"], ["backup", "-"], ["nginx-config", "--root", "/srv/site"], ["settings"],
        ["build", "site"],
    ],
)  # fmt: skip
def test_a_closed_pipe_ends_the_command_quietly(filled_store: Path, command: list[str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "feed.cli", *command], cwd=filled_store, env=clean_environment(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first line, as `| head -0` would be
    with process.stderr:
        errors = process.stderr.read().decode()
    process.wait(timeout=120)
    assert errors == ""
    assert process.returncode == -signal.SIGPIPE  # as `cat` ends: the shell reports 141


def test_export_piped_to_head_ends_quietly(tmp_path: Path) -> None:
    # Far more than a pipe holds (64 KiB), so export is still writing when `head` has gone.
    document = demo_documents()[0]
    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps(document | {"slug": f"check-{n}"}) + "\n" for n in range(300)))
    assert factcard("import", str(many), cwd=tmp_path).returncode == 0
    script = f"set -o pipefail; {sys.executable} -m feed.cli export | head -1 | wc -l"
    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=clean_environment(),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.stdout.strip() == "1"
    assert result.stderr == ""
    assert result.returncode == 128 + signal.SIGPIPE


# -- item 20: short help per subcommand; `factcard settings` ---------------------------------


def subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every subcommand path (("token", "create"), ...) of the CLI's parser."""
    found = []
    for action in parser._actions:  # argparse keeps its subparsers here only
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((*path, name))
                found.extend(subcommands(sub, (*path, name)))
    return found


SUBCOMMANDS = subcommands(build_parser())


@pytest.mark.parametrize("columns", ["80", "100"])
def test_the_commands_help_gives_each_command_one_line(
    columns: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    with pytest.raises(SystemExit):
        main(["--help"])
    lines = capsys.readouterr().out.splitlines()
    names = [path[0] for path in SUBCOMMANDS if len(path) == 1]
    listed = lines[lines.index("  COMMAND") + 1 :]
    listed = listed[: listed.index("")]
    assert [line.split()[0] for line in listed] == names  # no name alone on a line, no help wrapped below
    assert all(len(line.split(maxsplit=1)) == 2 and len(line) <= int(columns) for line in listed), listed


@pytest.mark.parametrize("path", SUBCOMMANDS, ids=" ".join)
def test_each_subcommands_help_is_its_own_and_short(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        main([*path, "--help"])
    text = capsys.readouterr().out
    assert len(text.splitlines()) <= 40, text
    (note,) = [line for line in text.splitlines() if "`factcard settings`" in line]  # one line on where they are
    assert note.startswith("Settings (--database-url and ")
    assert "FACTCARD_" not in text and "--page-size" not in text


@pytest.mark.parametrize("path", [p for p in SUBCOMMANDS if p not in {("token",), ("user",)}], ids=" ".join)
def test_every_setting_flag_still_works_on_every_subcommand(path: tuple[str, ...]) -> None:
    needs = {"import": ["x"], "import-claimreview": ["x"], "update": ["x", "--force"], "publish": ["x"],
             "retract": ["x", "--reason", "r"],
             "create": ["x", "--name", "n", "--role", "admin"] if path[0] == "user" else ["x"],
             "reset": ["x"], "disable": ["x"], "revoke": ["x"], "build": ["x"], "nginx-config": ["--root", "x"],
             "backup": ["x"], "restore": ["x"]}  # fmt: skip
    flags: list[str] = []
    for setting in SETTINGS:
        flags += [setting.flag, "7" if isinstance(setting.default, int) else "value"]
    args = build_parser().parse_args([*path, *needs.get(path[-1], []), *flags])
    assert args.page_size == 7 and args.database_url == "value"


def test_settings_prints_every_value_and_where_it_came_from(tmp_path: Path) -> None:
    config = tmp_path / "newsroom.toml"
    config.write_text(
        _default_config() + '\n[settings]\npage_size = 7\ncache_max_age = 30\nwebsub_hub = "https://hub.example"\n'
    )
    environment = clean_environment(
        FACTCARD_CONFIG=str(config), FACTCARD_CACHE_MAX_AGE="45",
        DATABASE_URL="postgresql://desk:s3cret-password@db.example/factcard",
        FACTCARD_METRICS_TOKEN="metrics-secret-value",
    )  # fmt: skip
    result = factcard("settings", "--feed-page-size", "9", "--factcheck-tools-token", "ya29.tool-secret",
                      cwd=tmp_path, env=environment)  # fmt: skip
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["SETTING", "VALUE", "FROM"]
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in lines}
    assert list(rows) == [setting.name for setting in SETTINGS]
    assert rows["page_size"] == ["7", f"config file ({config})"]
    assert rows["cache_max_age"] == ["45", "environment (FACTCARD_CACHE_MAX_AGE)"]  # environment beats the file
    assert rows["websub_hub"] == ["https://hub.example", f"config file ({config})"]
    assert rows["feed_page_size"] == ["9", "flag (--feed-page-size)"]
    assert rows["language"] == ["en", "default"]
    assert rows["base_url"] == ["http://127.0.0.1:8000", "default"]
    assert rows["config_file"] == [str(config), "environment (FACTCARD_CONFIG)"]
    assert rows["metrics_token"] == [MASK, "environment (FACTCARD_METRICS_TOKEN)"]
    assert rows["factcheck_tools_token"] == [MASK, "flag (--factcheck-tools-token)"]
    assert rows["database_url"] == [f"postgresql://desk:{MASK}@db.example/factcard", "environment (DATABASE_URL)"]
    for secret in ("s3cret-password", "metrics-secret-value", "ya29.tool-secret"):
        assert secret not in result.stdout


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("pagesize = 7", "[settings] has no setting 'pagesize'"),
        ('page_size = "7"', "[settings] page_size must be a whole number"),
        ("websub_hub = 1", "[settings] websub_hub must be a string"),
        ('config_file = "other.toml"', "[settings] has no setting 'config_file'"),
    ],
)
def test_a_wrong_setting_in_the_config_file_is_named(tmp_path: Path, table: str, problem: str) -> None:
    config = tmp_path / "newsroom.toml"
    config.write_text(_default_config() + f"\n[settings]\n{table}\n")
    result = factcard("settings", "--config-file", str(config), cwd=tmp_path)
    assert result.returncode == 2 and problem in result.stderr and "Traceback" not in result.stderr


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    result = factcard("settings", "--config-file", "nowhere.toml", cwd=tmp_path)
    assert result.returncode == 2 and "'nowhere.toml', which cannot be read" in result.stderr


def _default_config() -> str:
    from feed.site.config import DEFAULT_CONFIG

    return DEFAULT_CONFIG.read_text()
