"""The package type-checks strictly (mypy, mypy.ini) and the code passes ruff's rules and format (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = ["search", "tests", "bench", "tools"]


def test_mypy_strict_finds_no_type_errors() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "search"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "strict = True" in (ROOT / "mypy.ini").read_text(encoding="utf-8")


def test_ruff_rules_pass() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *CODE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_ruff_formatted() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", *CODE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, "run: .venv/bin/ruff format search tests bench tools\n" + result.stdout + result.stderr


def test_no_tracked_file_keeps_a_merge_conflict_marker() -> None:
    """A conflict resolved by hand can leave its markers in a file no other test reads (.gitignore, an index page)."""
    result = subprocess.run(["git", "grep", "-n", "-E", "^(<<<<<<<|>>>>>>>) "], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and not result.stdout, result.stdout + result.stderr  # git grep: 1 is "no match"
