"""The package type-checks (mypy, config in mypy.ini) and has no unused imports or undefined names (ruff)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_no_type_errors() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "search"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_no_unused_imports_or_undefined_names() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9", "search", "tests", "bench"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
