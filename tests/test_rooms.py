"""The plan of feed/: rooms by concern, imports running one way, rooms and modules kept small.

Each room is a subpackage of feed/ (the app and server modules at the top count as rooms of one
module each). LAYERS lists them from the bottom up; a room may import its own modules and any
room on a lower layer, never one on its own layer or above. A new room fails
test_every_room_has_a_place until it is given a layer here, and its `__init__.py` says so too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_structure import graph

ROOT = Path(__file__).resolve().parent.parent
FEED = ROOT / "feed"

LAYERS: list[set[str]] = [
    {"words"},  # the very bottom: how text becomes search terms, language by language
    {"store"},  # fact-checks, revisions, accounts, tokens, the outbox, the clock
    {"core"},  # settings, URL scheme, problems, query rules, security policy, publishing workflow
    {"render"},  # Context, templates, Rendered, HTTP caching, the render cache
    {"ops", "push", "importer"},  # health, metrics, logs, limits, backup; push notifications; imports
    {"api", "assistants"},  # the publishing API and its OpenAPI description; the MCP server
    {"site"},  # the public site and its one renderer
    {"build", "desk"},  # each may use the site's renderer; neither uses the other
    {"app"},  # the app factory
    {"server"},  # how `factcard serve` runs the app
    {"cli"},  # the `factcard` command, over everything
]
MAX_ENTRY_MODULES = 12  # modules directly in feed/, __init__ included
MAX_ROOM_MODULES = 20
MAX_MODULE_LINES = 400


def room_of(module: str) -> str | None:
    """`feed.site.pages` -> "site", `feed.app` -> "app"; None outside feed (schemas, widget)."""
    parts = module.split(".")
    if parts[0] != "feed" or len(parts) == 1:
        return None
    return parts[1]


def layer_of(room: str) -> int:
    for number, rooms in enumerate(LAYERS):
        if room in rooms:
            return number
    raise LookupError(f"room {room!r} has no layer in LAYERS")


def wrong_way(edges: dict[str, set[str]]) -> list[str]:
    """Every import from one room into a room on its own layer or above."""
    found = []
    for module, targets in sorted(edges.items()):
        here = room_of(module)
        for target in sorted(targets):
            there = room_of(target)
            if here is None or there is None or here == there:
                continue
            if layer_of(there) >= layer_of(here):
                found.append(f"{module} ({here}) imports {target} ({there})")
    return found


def rooms() -> list[Path]:
    return sorted(path for path in FEED.iterdir() if path.is_dir() and (path / "__init__.py").exists())


def test_imports_run_down_the_layers() -> None:
    assert wrong_way(graph()) == []


def test_the_direction_check_sees_imports_up_and_sideways() -> None:
    edges = {
        "feed.site.pages": {"feed.desk.editor", "feed.core.urls", "feed.site.cards", "schemas.model"},
        "feed.build.static": {"feed.desk.home", "feed.site.renderer"},
        "feed.store.base": {"feed.store.clock"},
    }
    assert wrong_way(edges) == [
        "feed.build.static (build) imports feed.desk.home (desk)",
        "feed.site.pages (site) imports feed.desk.editor (desk)",
    ]


def test_every_room_has_a_place() -> None:
    planned = set().union(*LAYERS)
    present = {path.name for path in rooms()} | {path.stem for path in FEED.glob("*.py") if path.name != "__init__.py"}
    assert sorted(present - planned) == []  # a new room: give it a layer
    assert sorted(planned - present) == []  # a room gone: take it out of the plan


def test_every_room_says_what_it_holds_and_may_import() -> None:
    silent = []
    for room in rooms():
        docstring = ast.get_docstring(ast.parse((room / "__init__.py").read_text())) or ""
        if "May import" not in docstring:
            silent.append(room.name)
    assert silent == []


def test_few_entry_points_directly_in_feed() -> None:
    entry_points = sorted(path.name for path in FEED.glob("*.py"))
    assert len(entry_points) <= MAX_ENTRY_MODULES, entry_points


def test_enough_rooms_none_too_big() -> None:
    assert len(rooms()) >= 5
    sizes = {room.name: len(list(room.glob("*.py"))) for room in rooms()}
    assert {name: size for name, size in sizes.items() if size > MAX_ROOM_MODULES} == {}


def test_no_module_over_the_line_budget() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for package in ("feed", "schemas", "widget")
        for path in sorted((ROOT / package).rglob("*.py"))
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_tests_mirror_the_rooms() -> None:
    """A test folder is named after a room or package it tests, or a kind of test that spans them."""
    kinds = {"browser", "consumers", "install", "docs", "fixtures", "specs", "node_modules", "__pycache__"}
    known = {path.name for path in rooms()} | {"schemas", "widget"} | kinds
    folders = {path.name for path in (ROOT / "tests").iterdir() if path.is_dir()}
    assert sorted(folders - known) == []
    loose = {path.name for path in (ROOT / "tests").glob("test_*.py")}
    assert sorted(loose - {"test_rooms.py", "test_structure.py"}) == []  # the house's own tests


def test_test_files_have_unique_names() -> None:
    """Test folders are no packages, so pytest imports each file by its name: two files of one name
    in two folders stop the whole run at collection."""
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py") if "node_modules" not in path.parts]
    assert sorted({name for name in names if names.count(name) > 1}) == []
