"""The package's layers, kept by import-linter's contracts in pyproject.toml.

content <- workflow <- checks | index <- integrations <- site HTML (render) | API <- mkdocs plugin <- CLI; no
layer imports a higher one or a sibling, and the lower layers know no web or site framework.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(project / "pyproject.toml"), "--no-cache"], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def test_import_contracts_are_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_or_sideways_import_breaks_a_contract(tmp_path: Path) -> None:
    # guards the guard: the same contracts on a copy of the package with one bad import each
    for module, bad in (
        ("content/models.py", "from ..workflow import walk"),  # upward
        ("render/markup.py", "from ..checks import review"),  # sideways into the checks
        ("index/answers/catalog.py", "from ...api import schemas"),  # upward
        ("workflow/steps.py", "import whoosh"),  # a lower layer using the search engine
    ):
        project = tmp_path / module.replace("/", "-")
        shutil.copytree(ROOT / "search", project / "search", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
        target = project / "search" / module
        target.write_text(target.read_text(encoding="utf-8") + f"\n{bad}  # noqa\n", encoding="utf-8")
        result = _lint_imports(project)
        assert result.returncode != 0, f"{module}: {bad!r} was not caught\n{result.stdout}"
        assert "BROKEN" in result.stdout


def test_the_command_line_starts_without_the_site_web_or_search_stacks() -> None:
    # every `kb` command (kb check in a pre-commit hook included) pays for what search.cli imports
    code = "import sys, search.cli; print(sorted(m for m in ('mkdocs', 'material', 'whoosh', 'fastapi', 'uvicorn', 'starlette') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
