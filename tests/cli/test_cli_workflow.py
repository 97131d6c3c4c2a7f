"""The editing commands for scripts (update, publish, retract, export --versions, import --update),
run as `python -m feed.cli` on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from feed.store import open_store
from tests.conftest import DEMO, demo_documents, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
LIGHTNING = "lightning-never-strikes-twice"
MUSICIANS = "council-ban-street-musicians"  # retracted in the demo


def factcard(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI of this checkout (not whichever copy is installed), run from `cwd`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "feed.cli", *args, "--database-url", url],
        capture_output=True, text=True, timeout=60, cwd=cwd, env=env, check=False,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result


def versions(url: str, cwd: Path) -> dict[str, dict[str, Any]]:
    exported = factcard("export", "--versions", url=url, cwd=cwd)
    assert exported.returncode == 0, exported.stderr
    return {line["slug"]: line for line in map(json.loads, exported.stdout.splitlines())}


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def draft(slug: str) -> dict[str, Any]:
    document = next(d for d in demo_documents() if d["slug"] == LIGHTNING)
    rest = {k: v for k, v in document.items() if k not in ("datePublished", "dateModified", "corrections")}
    return rest | {"slug": slug, "status": "draft"}


def test_update_is_refused_unless_based_on_the_current_version(database_url: str, tmp_path: Path) -> None:
    assert factcard("import", str(DEMO), url=database_url, cwd=tmp_path).returncode == 0
    edited = versions(database_url, tmp_path)[LIGHTNING]
    assert edited.pop("_version") == 1
    edited["headline"] = "Does lightning strike the same place twice?"
    file = tmp_path / "lightning.json"
    file.write_text(json.dumps(edited))

    neither = factcard("update", str(file), url=database_url, cwd=tmp_path)
    assert neither.returncode == 2 and "one of the arguments --if-version --force is required" in neither.stderr

    first = factcard("update", str(file), "--if-version", "1", url=database_url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"{LIGHTNING}: updated to version 2"

    before = factcard("export", "--versions", url=database_url, cwd=tmp_path).stdout
    file.write_text(json.dumps(edited | {"headline": "A second editor's headline?"}))
    stale = factcard("update", str(file), "--if-version", "1", url=database_url, cwd=tmp_path)
    assert stale.returncode == 1
    assert stale.stderr.strip() == (
        f"error: someone saved version 2 of '{LIGHTNING}' after version 1: "
        "fetch it (factcard export --versions), merge, and retry"
    )
    ahead = factcard("update", str(file), "--if-version", "9", url=database_url, cwd=tmp_path)
    assert ahead.returncode == 1 and f"'{LIGHTNING}' has no version 9: it is at version 2" in ahead.stderr
    assert factcard("export", "--versions", url=database_url, cwd=tmp_path).stdout == before

    forced = factcard("update", str(file), "--force", url=database_url, cwd=tmp_path)
    assert forced.returncode == 0 and forced.stdout.strip() == f"{LIGHTNING}: updated to version 3"
    stored = versions(database_url, tmp_path)[LIGHTNING]
    assert (stored["_version"], stored["headline"]) == (3, "A second editor's headline?")
    assert stored["datePublished"] == "2025-08-02T08:15:00Z"  # an edit keeps the publication date

    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps(edited | {"slug": "no-such-check"}))
    unknown = factcard("update", str(missing), "--force", url=database_url, cwd=tmp_path)
    assert unknown.returncode == 1 and "error: no fact-check is called 'no-such-check'" in unknown.stderr
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps(edited | {"language": ""}))
    refused = factcard("update", str(invalid), "--if-version", "3", url=database_url, cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [f"error: '{LIGHTNING}' refused, nothing written:", "  language: is required"]
    assert versions(database_url, tmp_path)[LIGHTNING]["_version"] == 3


def test_publish_and_retract_follow_the_workflow(database_url: str, tmp_path: Path) -> None:
    file = tmp_path / "draft.json"
    file.write_text(json.dumps(draft("new-draft")))
    assert factcard("import", str(file), url=database_url, cwd=tmp_path).returncode == 0
    hub = ("--websub-hub", "https://hub.example/")

    never = factcard("retract", "new-draft", "--reason", "Wrong", *hub, url=database_url, cwd=tmp_path)
    assert never.returncode == 1
    assert never.stderr.strip() == "error: a draft was never published: edit it, or leave it unpublished"
    stale = factcard("publish", "new-draft", "--if-version", "2", *hub, url=database_url, cwd=tmp_path)
    assert stale.returncode == 1 and "someone saved version 1" not in stale.stderr
    assert "'new-draft' has no version 2: it is at version 1" in stale.stderr

    published = factcard("publish", "new-draft", "--if-version", "1", *hub, url=database_url, cwd=tmp_path)
    assert published.returncode == 0, published.stderr
    stored = versions(database_url, tmp_path)["new-draft"]
    assert (stored["_version"], stored["status"]) == (2, "published")
    assert published.stdout.strip() == f"new-draft: published as version 2, datePublished {stored['datePublished']}"
    again = factcard("publish", "new-draft", *hub, url=database_url, cwd=tmp_path)
    assert again.returncode == 0 and "already published (version 2); nothing changed" in again.stdout

    late = factcard("retract", "new-draft", "--reason", "Wrong", "--if-version", "1", url=database_url, cwd=tmp_path)
    assert late.returncode == 1 and "someone saved version 2 of 'new-draft' after version 1" in late.stderr
    blank = factcard("retract", "new-draft", "--reason", "  ", url=database_url, cwd=tmp_path)
    assert blank.returncode == 1 and "  reason: is required" in blank.stderr
    reason = "The figures came from a misread table."
    retracted = factcard("retract", "new-draft", "--reason", reason, *hub, url=database_url, cwd=tmp_path)
    assert retracted.returncode == 0 and retracted.stdout.strip() == "new-draft: retracted as version 3"
    stored = versions(database_url, tmp_path)["new-draft"]
    assert stored["status"] == "retracted" and stored["retraction"]["reason"] == reason

    republish = factcard("publish", "new-draft", url=database_url, cwd=tmp_path)
    assert republish.returncode == 1
    assert republish.stderr.strip() == "error: a retracted fact-check cannot be published again"
    store = open_store(database_url)
    try:
        assert [(row.target, row.action, row.slug) for row in store.outbox()] == [
            ("websub", "publish", "new-draft"), ("websub", "retract", "new-draft"),
        ]  # fmt: skip
    finally:
        store.close()


def test_export_versions_edit_and_import_update_round_trip(database_url: str, tmp_path: Path) -> None:
    assert factcard("import", str(DEMO), url=database_url, cwd=tmp_path).returncode == 0
    exported = factcard("export", "--versions", url=database_url, cwd=tmp_path).stdout.splitlines()
    lines = [json.loads(line) for line in exported]
    assert all(line["_version"] == 1 for line in lines) and exported[0].startswith('{"_version":1,"slug":')
    plain = [json.loads(line) for line in factcard("export", url=database_url, cwd=tmp_path).stdout.splitlines()]
    assert plain == [{k: v for k, v in line.items() if k != "_version"} for line in lines]

    edited = [line | {"headline": "Edited from the shell?"} if line["slug"] == LIGHTNING else line for line in lines]
    new = draft("a-new-check")
    dump = write_jsonl(tmp_path / "dump.jsonl", [json.dumps(line) for line in [*edited, new]])
    result = factcard("import", "--update", str(dump), url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 2 fact-check(s): 1 new, 1 updated, 7 unchanged"
    after = versions(database_url, tmp_path)
    assert after[LIGHTNING]["_version"] == 2 and after[LIGHTNING]["headline"] == "Edited from the shell?"
    exported_lightning = next(line for line in lines if line["slug"] == LIGHTNING)
    assert after[LIGHTNING]["dateModified"] != exported_lightning["dateModified"]  # a published edit is dated
    assert after["a-new-check"]["_version"] == 1
    untouched = {slug: line for slug, line in after.items() if slug not in (LIGHTNING, "a-new-check")}
    assert untouched == {line["slug"]: line for line in lines if line["slug"] != LIGHTNING}
    assert after[MUSICIANS]["status"] == "retracted"  # left alone, not refused as an edit

    # The same file again is now stale for LIGHTNING, and names no version for the new check.
    before = factcard("export", "--versions", url=database_url, cwd=tmp_path).stdout
    again = factcard("import", "--update", str(dump), url=database_url, cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        "error: nothing imported: 2 record(s) refused:",
        f"  {dump}:7: records[6]._version: someone saved version 2 of '{LIGHTNING}' after version 1, "
        "which this record is based on",
        f"  {dump}:9: records[8]._version: 'a-new-check' exists (version 1) and this record names no version "
        "it is based on",
        "  for each fact-check saved since your copy: fetch it (factcard export --versions), merge, and retry",
    ]
    assert factcard("export", "--versions", url=database_url, cwd=tmp_path).stdout == before

    # Without --update, an existing slug is refused, as it always was.
    plain_import = factcard("import", str(dump), url=database_url, cwd=tmp_path)
    assert plain_import.returncode == 1 and f"{dump}:9: records[8].slug: 'a-new-check' exists already" in (
        plain_import.stderr
    )
    assert "import --update" in plain_import.stderr  # the hint for an export --versions file


def test_a_stale_record_refuses_the_whole_import_across_files(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    assert factcard("import", str(DEMO), url=url, cwd=tmp_path).returncode == 0
    lines = versions(url, tmp_path)
    good = lines[MUSICIANS] | {"_version": 1}
    fresh = write_jsonl(tmp_path / "a.jsonl", [json.dumps(draft("brand-new")), json.dumps(lines[LIGHTNING])])
    edit = lines["three-everyday-health-myths"] | {"headline": "Three health claims, checked"}
    stale = tmp_path / "b.json"
    stale.write_text(json.dumps([edit, lines[LIGHTNING] | {"headline": "Stale?", "_version": 0}, good]))
    before = factcard("export", "--versions", url=url, cwd=tmp_path).stdout
    result = factcard("import", "--update", str(fresh), str(stale), url=url, cwd=tmp_path)
    assert result.returncode == 1
    assert f"{stale}: records[1]._version: must be the version number this record is based on (got 0)" in (
        result.stderr
    )
    assert f"{stale}: records[2]" not in result.stderr and str(fresh) not in result.stderr
    assert factcard("export", "--versions", url=url, cwd=tmp_path).stdout == before


def test_a_bad_line_in_json_lines_is_named_by_its_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    good, other = demo_documents()[:2]
    bad = other | {"language": ""}
    file = write_jsonl(tmp_path / "checks.jsonl", [json.dumps(good), "", json.dumps(bad)])
    for update in ([], ["--update"]):
        result = factcard("import", *update, str(file), url=url, cwd=tmp_path)
        assert result.returncode == 1
        assert f"  {file}:3: records[1].language: is required" in result.stderr.splitlines()
        assert "records[0]" not in result.stderr
    assert factcard("export", url=url, cwd=tmp_path).stdout == ""


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/factcard"
    result = factcard("publish", "some-check", url=url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("error: the database cannot be reached (")
