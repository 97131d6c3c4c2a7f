from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from feed.core.settings import Settings
from feed.site.config import load_publishers
from tests.conftest import DEMO, canonical_verdicts, demo_documents, free_port


def factcard(*args: str, db: Path, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feed.cli", *args, "--database-url", f"sqlite:///{db}"],
        capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False,
    )  # fmt: skip


def test_import_then_export_round_trips(tmp_path: Path) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    imported = factcard("import", str(DEMO), db=first)
    assert imported.returncode == 0, imported.stderr
    assert "imported 8 fact-check(s); 0 file(s) refused" in imported.stdout
    exported = factcard("export", db=first)
    lines = exported.stdout.splitlines()
    assert len(lines) == 8
    dump = tmp_path / "dump.jsonl"
    dump.write_text(exported.stdout)
    assert factcard("import", str(dump), db=second).returncode == 0
    assert factcard("export", db=second).stdout == exported.stdout
    by_slug = {json.loads(line)["slug"]: json.loads(line) for line in lines}
    publishers = load_publishers(Settings.load({}))
    for document in demo_documents():
        assert by_slug[document["slug"]] == {"publisher": "demo", **canonical_verdicts(document, publishers)}


def test_a_file_with_one_bad_record_is_refused_whole(tmp_path: Path) -> None:
    good, bad = demo_documents()[:2]
    bad = bad | {"language": "", "sources": [{"title": "x", "url": "javascript:alert(1)"}]}
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    fine = tmp_path / "fine.json"
    fine.write_text(json.dumps(demo_documents()[2]))
    db = tmp_path / "f.db"
    result = factcard("import", str(mixed), str(fine), db=db)
    assert result.returncode == 1
    assert f"{mixed}: refused, nothing imported from it" in result.stderr
    assert "records[1].language: is required" in result.stderr
    assert "records[1].sources[0].url: must be an http or https URL (got javascript)" in result.stderr
    assert "records[0]" not in result.stderr
    slugs = [json.loads(line)["slug"] for line in factcard("export", db=db).stdout.splitlines()]
    assert slugs == [demo_documents()[2]["slug"]]


def test_import_refuses_slugs_already_in_the_store(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    assert factcard("import", str(DEMO), db=db).returncode == 0
    again = factcard("import", str(DEMO / "02-health-myths.json"), db=db)
    assert again.returncode == 1 and "exists already" in again.stderr


def test_unreadable_input_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = factcard("import", str(broken), db=tmp_path / "f.db")
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    missing = factcard("import", str(tmp_path / "nope"), db=tmp_path / "f.db")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


def test_validate_reports_no_problems_on_the_demo(tmp_path: Path) -> None:
    result = factcard("validate", str(DEMO), db=tmp_path / "v.db")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "checked 8 fact-check(s): 0 problem(s)"


def test_validate_names_vocabulary_and_rule_problems(tmp_path: Path) -> None:
    document = demo_documents()[2]
    document["claims"][0]["text"] = "False: " + document["claims"][0]["text"]
    document["claims"][0]["verdict"] = "Pants on fire"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = factcard("validate", str(bad), db=tmp_path / "v.db")
    assert result.returncode == 1
    assert "claims[0].verdict: 'Pants on fire' is not on the 'default' scale" in result.stderr
    document["claims"][0]["verdict"] = "False"
    bad.write_text(json.dumps(document))
    result = factcard("validate", str(bad), db=tmp_path / "v.db")
    # Advice, not law: said as a warning, and the document passes.
    assert "warning: claimReview[0].claimReviewed: should state the claim, not the verdict 'False'" in result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "checked 1 fact-check(s): 0 problem(s), 1 warning(s)"


def test_validate_without_paths_checks_the_store(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    factcard("import", str(DEMO), db=db)
    result = factcard("validate", db=db)
    assert result.stdout.strip() == "checked 8 fact-check(s): 0 problem(s)"


def test_token_create_prints_a_working_token(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = factcard("token", "create", "Newsroom desk", db=db)
    assert result.returncode == 0
    token = result.stdout.strip()
    assert token.startswith("fc_") and "shown only now" in result.stderr
    assert token not in (tmp_path / "t.db").read_bytes().decode("utf-8", "replace")  # stored hashed
    from feed.app import create_app
    from feed.core.settings import Settings

    app = create_app(Settings.load({}, {"database_url": f"sqlite:///{db}", "base_url": "http://testserver"}))
    with TestClient(app) as client:
        response = client.post("/api/checks", json=demo_documents()[1], headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201


def test_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "feed.cli", "export", "--database-url", "mysql://x"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "DATABASE_URL must start with" in result.stderr
    config = tmp_path / "bad.toml"
    config.write_text('[publishers.x]\nname = ""\nscale = "none"\n')
    result = factcard("export", "--config-file", str(config), db=tmp_path / "c.db")
    assert result.returncode == 2
    assert "publishers.x.name: is required" in result.stderr and "publishers.x.scale" in result.stderr


def test_serve_demo_serves_the_demo(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "feed.cli", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/")
        assert "Does immigration lead to child trafficking?" in body
        page = _wait_for(f"http://127.0.0.1:{port}/checks/immigration-child-trafficking")
        assert "application/ld+json" in page
        assert (tmp_path / "factcard.db").exists()  # the default store: a SQLite file here
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "demo: loaded 8 fact-checks" in output


def _wait_for(url: str) -> str:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                body: bytes = response.read()
                return body.decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_every_setting_has_a_cli_flag(capsys: Any) -> None:
    from feed.cli.main import main
    from feed.core.settings import SETTINGS

    flags = [part for s in SETTINGS for part in (s.flag, str(s.default))]
    assert main(["settings", *flags]) == 0
    listed = capsys.readouterr().out
    for setting in SETTINGS:
        assert f"flag ({setting.flag})" in listed


def test_token_scope_list_and_revoke_from_the_cli(database_url: str, tmp_path: Path) -> None:
    def token_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "feed.cli", "token", *args, "--database-url", database_url],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    assert "no publisher 'elsewhere'" in token_cli("create", "Bad", "--publisher", "elsewhere").stderr
    assert "not in the future" in token_cli("create", "Bad", "--expires-in", "2001-01-01").stderr
    scoped = token_cli("create", "Regional desk", "--publisher", "demo", "--expires-in", "90d")
    assert scoped.returncode == 0 and "publisher 'demo'" in scoped.stderr
    token = scoped.stdout.strip()
    key_id = token.split("_")[1]
    other = token_cli("create", "Chief editor", "--expires-in", "2999-12-31").stdout.strip()

    from feed.app import create_app
    from feed.core.settings import Settings

    app = create_app(Settings.load({}, {"database_url": database_url, "base_url": "http://testserver"}))
    with TestClient(app) as client:
        response = client.post("/api/checks", json=demo_documents()[1], headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201

        listed = token_cli("list")
        assert listed.returncode == 0
        header, *lines = listed.stdout.splitlines()
        assert header.split() == ["KEY", "ID", "NAME", "PUBLISHER", "CREATED", "EXPIRES", "LAST", "USED", "STATE"]
        (regional,) = [line for line in lines if line.startswith(key_id)]
        assert "Regional desk" in regional and " demo " in regional and regional.endswith("active")
        assert len(re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", regional)) == 3  # created, expires, used
        (editor,) = [line for line in lines if line.startswith(other.split("_")[1])]
        assert "(all)" in editor and "2999-12-31T00:00:00Z" in editor and " - " in editor  # never used
        secret = token.split("_", 2)[2]
        assert secret not in listed.stdout and other.split("_", 2)[2] not in listed.stdout

        revoked = token_cli("revoke", key_id)
        assert revoked.returncode == 0 and "revoked" in revoked.stdout
        assert "already revoked" in token_cli("revoke", token).stdout  # the whole token names it too
        assert token_cli("revoke", "0000000000000000").returncode == 1
        (listed_again,) = [line for line in token_cli("list").stdout.splitlines() if line.startswith(key_id)]
        assert "revoked 20" in listed_again
        response = client.post("/api/checks", json=demo_documents()[2], headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
