"""The package's dependency direction: content <- checks/render/index <- docsite/api <- cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "search"

# layer -> modules (top-level names or search.<layer>) it must never import
FORBIDDEN = {
    "content": {"mkdocs", "material", "fastapi", "starlette", "uvicorn", "whoosh", "search.checks", "search.render", "search.index", "search.api", "search.docsite", "search.cli"},
    "checks": {"mkdocs", "fastapi", "starlette", "whoosh", "search.render", "search.index", "search.api", "search.docsite", "search.cli"},
    "render": {"mkdocs", "fastapi", "starlette", "whoosh", "search.index", "search.api", "search.docsite", "search.cli"},
    "index": {"mkdocs", "fastapi", "starlette", "search.api", "search.docsite", "search.cli"},
    "docsite": {"fastapi", "starlette", "uvicorn", "whoosh", "search.api", "search.index", "search.cli"},
    "api": {"mkdocs", "material", "search.docsite", "search.cli"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = "search." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                if path.name == "__init__.py":  # the module is the package itself
                    parts = parts[:-1]
                    base = parts[: len(parts) - node.level + 1]
                else:
                    base = parts[: -node.level]
                found.add(".".join([*base, node.module] if node.module else base))
            else:
                found.add(node.module or "")
    return found


def _violations(layer: str) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            for forbidden in FORBIDDEN[layer]:
                if name == forbidden or name.startswith(forbidden + "."):
                    bad.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return bad


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    assert _violations(layer) == []


def test_relative_imports_are_resolved() -> None:
    # guards the guard: "from ..content.models import x" and "from . import rule" resolve to full names
    assert "search.content.models" in _imports(PACKAGE / "checks" / "tree.py")
    assert "search.checks" in _imports(PACKAGE / "checks" / "tree.py")
    assert "search.content.problems" in _imports(PACKAGE / "checks" / "__init__.py")
