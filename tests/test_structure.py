"""The structure a reader relies on: packages depend one way, no module imports itself back
through others, the URL scheme lives in one module and ClaimReview is built in one function."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "feed", "widget")
# What each package may import: schemas is pure, the card knows only schemas.
ALLOWED = {"schemas": {"schemas"}, "widget": {"widget", "schemas"}, "feed": {"feed", "widget", "schemas"}}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports, at the top or inside a function alike."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    result: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from feed import pages` imports the module feed.site.pages; `from feed.x import y`, feed.x.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                result.add(target)
    return result


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, name, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    assert cycles(graph()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_packages_depend_one_way() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[name.split(".")[0]]
    ]
    assert wrong == []


def test_the_import_walk_sees_imports_inside_functions_and_packages() -> None:
    edges = graph()
    assert "feed.store.postgres" in edges["feed.store"]  # imported inside open_store
    assert "feed.site.pages" in edges["feed.site.renderer"]  # `from feed import pages`
    assert "widget.card" in edges["feed.site.cards"]


# Paths of the URL scheme that only feed/core/urls.py may spell out.
ROUTE_LITERAL = re.compile(
    r"""["'}](/(?:checks|embed|oembed|feed\.|claimreview|sitemap|api/|widget|verdicts|static/|page/))"""
)


@pytest.mark.parametrize("package", PACKAGES)
def test_only_the_url_scheme_spells_out_routes(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*")):
        if path.suffix not in (".py", ".html", ".js", ".atom", ".xml") or path.name == "urls.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if ROUTE_LITERAL.search(line) and not line.lstrip().startswith(("#", '"""', "*", "//")):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_claimreview_is_built_in_one_function() -> None:
    makers = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.is_relative_to(ROOT / "feed" / "importer"):
                continue  # it writes down the review a source gave (a Fact Check Tools answer) to read it
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                # A dict typed ClaimReview is a ClaimReview made; the importer's reading of one is not.
                if isinstance(node, ast.Dict) and any(
                    isinstance(key, ast.Constant)
                    and key.value == "@type"
                    and isinstance(value, ast.Constant)
                    and value.value == "ClaimReview"
                    for key, value in zip(node.keys, node.values, strict=True)
                ):
                    makers.append(str(path.relative_to(ROOT)))
    assert makers == ["schemas/claimreview.py"]
    source = (ROOT / "schemas" / "claimreview.py").read_text()
    assert source.count('"@type": "ClaimReview"') == 1
