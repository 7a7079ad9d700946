"""Run `kb check` over the minimal fixture repository with one file broken, and compare exactly.

A case copies ``tests/fixtures/minimal`` (or another valid base, ``tests/fixtures/requests``) into a temporary folder, then lays its overlay
``tests/fixtures/broken/<case-name>/`` (one file, at its repository path) over it, or deletes or
generates a file, and expects exactly one problem: ``path:line:col rule``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from search.checks import RULES
from search.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
MINIMAL = FIXTURES / "minimal"
BROKEN = FIXTURES / "broken"
TODAY = "2026-11-27"  # fixed, so review-overdue does not depend on the day the tests run


@dataclass(frozen=True)
class Case:
    """One broken input and the one problem ``kb check`` must report for it."""

    name: str
    expect: str  # "path:line:col rule-id"
    contains: tuple[str, ...] = ()  # substrings the message must have (did-you-mean, both lines...)
    delete: tuple[str, ...] = ()  # repository paths to remove instead of (or besides) the overlay
    generate: Callable[[Path], None] | None = None  # writes a file too big to keep in git
    base: str = "minimal"  # the valid repository under tests/fixtures the overlay is laid over

    @property
    def path(self) -> str:
        return self.expect.split(":", 1)[0]

    @property
    def position(self) -> tuple[int, int]:
        line, col = self.expect.split(" ")[0].split(":")[1:3]
        return int(line), int(col)

    @property
    def rule(self) -> str:
        return self.expect.split(" ")[1]

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity.value

    @property
    def overlay(self) -> Path:
        return BROKEN / self.name


def params(cases: Sequence[Case]) -> list[object]:
    return [pytest.param(case, id=case.name) for case in cases]


def make_repo(tmp_path: Path, case: Case | None = None, overlay: Path | None = None) -> Path:
    """The minimal repository in ``tmp_path/repo``, broken as ``case`` says (or with ``overlay`` laid over it)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / case.base if case else MINIMAL, root)
    overlay = overlay or (case.overlay if case else None)
    if overlay is not None and overlay.is_dir():
        shutil.copytree(overlay, root, dirs_exist_ok=True)
    if case is not None:
        for rel in case.delete:
            (root / rel).unlink()
        if case.generate is not None:
            case.generate(root)
    return root


def run_check(root: Path, *args: str) -> Result:
    """``kb check`` in-process through click, as a user would call it."""
    return CliRunner().invoke(main, ["check", "--root", str(root), "--today", TODAY, *args])


def assert_no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def problems_of(result: Result) -> list[dict[str, object]]:
    assert_no_traceback(result)
    return json.loads(result.stdout)


def assert_case(tmp_path: Path, case: Case) -> None:
    """The one problem, at the exact position, in JSON and human format, with the right exit codes."""
    root = make_repo(tmp_path, case)
    result = run_check(root, "--format", "json")
    found = problems_of(result)
    assert [f"{p['path']}:{p['line']}:{p['col']} {p['rule']}" for p in found] == [case.expect], json.dumps(found, indent=2)
    problem = found[0]
    assert problem["severity"] == case.severity
    for text in case.contains:
        assert text in problem["message"], problem["message"]
    errors = case.severity == "error"
    assert result.exit_code == (1 if errors else 0)

    human = run_check(root, "--strict", "--fail-on-overdue")  # together: every warning fails
    assert_no_traceback(human)
    line, col = case.position
    assert human.stdout.splitlines() == [f"{case.path}:{line}:{col}: {case.severity} [{case.rule}] {problem['message']}"]
    assert human.exit_code == 1
    summary = "1 errors, 0 warnings" if errors else "0 errors, 1 warnings"
    assert summary in human.stderr


def run_kb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess (``python -m search.cli``), for exit codes and stderr."""
    return subprocess.run([sys.executable, "-m", "search.cli", *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120)
