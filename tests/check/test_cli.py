"""The `kb check` command line: output formats, exit codes, usage errors, real processes."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main

from . import test_references, test_review, test_tree_rules, test_yaml_traps
from .casekit import BROKEN, MINIMAL, ROOT, TODAY, Case, make_repo, params, problems_of, run_check, run_kb

FIELDS = {"path": str, "line": int, "col": int, "severity": str, "rule": str, "message": str}


def _case(module, name: str) -> Case:
    return next(case for case in module.CASES if case.name == name)


def _two_faults(tmp_path: Path) -> Path:
    """Minimal repo with an error in one file and a warning in another."""
    root = make_repo(tmp_path, _case(test_tree_rules, "unknown-guide"))
    shutil.copytree(BROKEN / "review-overdue", root, dirs_exist_ok=True)
    return root


def test_json_format_is_a_list_of_problem_objects(tmp_path: Path) -> None:
    result = run_check(_two_faults(tmp_path), "--format", "json")
    problems = json.loads(result.stdout)
    assert [(p["path"], p["severity"], p["rule"]) for p in problems] == [
        ("guides/vpn-no-connect.yml", "error", "unknown-guide"),
        ("kb/articles/password-rules.md", "warning", "review-overdue"),
    ]
    for problem in problems:
        assert {k: type(v) for k, v in problem.items()} == FIELDS
    assert result.stderr == ""  # no human summary mixed into machine output
    assert result.exit_code == 1


def test_json_format_of_a_clean_repository_is_an_empty_list(tmp_path: Path) -> None:
    result = run_check(make_repo(tmp_path), "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_github_format_is_workflow_annotations(tmp_path: Path) -> None:
    result = run_check(_two_faults(tmp_path), "--format", "github")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith('::error file=guides/vpn-no-connect.yml,line=20,col=12,title=unknown-guide::node "reset-password" links to unknown guide')
    assert lines[1].startswith("::warning file=kb/articles/password-rules.md,line=6,col=11,title=review-overdue::last reviewed 2025-11-01")
    for line in lines:
        assert re.fullmatch(r"::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[a-z-]+::.+", line)
    assert result.exit_code == 1


def test_human_format_is_sorted_path_line_col_lines(tmp_path: Path) -> None:
    result = run_check(_two_faults(tmp_path))
    assert [line.split(" ", 2)[:2] for line in result.stdout.splitlines()] == [
        ["guides/vpn-no-connect.yml:20:12:", "error"],
        ["kb/articles/password-rules.md:6:11:", "warning"],
    ]
    assert "1 errors, 1 warnings" in result.stderr


def test_problems_are_sorted_by_path_then_position(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    for name in ("raw-html-body", "unknown-node-start", "bom-yaml", "priority-matrix-gap"):
        shutil.copytree(BROKEN / name, root, dirs_exist_ok=True)
    found = problems_of(run_check(root, "--format", "json"))
    keys = [(p["path"], p["line"], p["col"]) for p in found]
    assert keys == sorted(keys) and len(keys) == 4


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--root", "/nonexistent/kb-content"], id="missing-root"),
        pytest.param(["--root", "{empty}"], id="root-without-content"),
        pytest.param(["--root", "{file}"], id="root-is-a-file"),
        pytest.param(["--no-such-option"], id="unknown-option"),
        pytest.param(["--format", "xml"], id="unknown-format"),
        pytest.param(["--today", "27/11/2026"], id="bad-date"),
    ],
)
def test_usage_errors_exit_2_without_traceback(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("not a folder\n", encoding="utf-8")
    args = [a.format(empty=tmp_path / "empty", file=tmp_path / "file") for a in args]
    if "--root" not in args:
        args = ["--root", str(MINIMAL), *args]
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "Error" in result.stderr


def test_root_from_environment(tmp_path: Path) -> None:
    root = make_repo(tmp_path, _case(test_tree_rules, "unknown-guide"))
    result = CliRunner(env={"KB_ROOT": str(root)}).invoke(main, ["check", "--today", TODAY])
    assert result.exit_code == 1
    assert result.stdout.startswith("guides/vpn-no-connect.yml:20:12: error [unknown-guide]")


SUBPROCESS_CASES = [
    _case(test_yaml_traps, "alias-bomb"),
    _case(test_yaml_traps, "invalid-utf8-markdown"),
    _case(test_yaml_traps, "duplicate-key-front-matter"),
    _case(test_tree_rules, "cycle-no-exit"),
    _case(test_references, "orphan-tree"),
    _case(test_review, "review-overdue"),
]


@pytest.mark.parametrize("case", params(SUBPROCESS_CASES))
def test_real_process_exit_codes_and_clean_stderr(tmp_path: Path, case: Case) -> None:
    root = make_repo(tmp_path, case)
    line, col = case.position
    fail_flag = "--fail-on-overdue" if case.rule == "review-overdue" else "--strict"  # --strict leaves overdue reviews a warning
    for flag, expected_exit in ((None, 1 if case.severity == "error" else 0), (fail_flag, 1)):
        done = run_kb("check", "--root", str(root), "--today", TODAY, *([flag] if flag else []))
        assert done.returncode == expected_exit, done.stderr
        assert done.stdout.startswith(f"{case.path}:{line}:{col}: {case.severity} [{case.rule}] ")
        assert len(done.stdout.splitlines()) == 1
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().endswith(("1 errors, 0 warnings", "0 errors, 1 warnings"))


def test_installed_kb_script_runs_check(tmp_path: Path) -> None:
    kb = Path(sys.executable).parent / "kb"
    if not kb.exists():
        kb = ROOT / ".venv" / "bin" / "kb"
    if not kb.exists():
        pytest.skip("the kb console script is not installed")
    import subprocess

    root = make_repo(tmp_path, _case(test_tree_rules, "unknown-guide"))
    done = subprocess.run([str(kb), "check", "--root", str(root), "--today", TODAY, "--format", "github"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout.startswith("::error file=guides/vpn-no-connect.yml,line=20,col=12,title=unknown-guide::")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["check", "--root", "/nonexistent/kb-content"], ["check", "--bogus"]], ids=["bad-root", "unknown-option"])
def test_real_process_usage_errors_exit_2(args: list[str]) -> None:
    done = run_kb(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Error" in done.stderr
