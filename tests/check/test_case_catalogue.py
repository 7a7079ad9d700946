"""The broken-case catalogue itself: enough cases, every rule covered, every fixture used."""

from __future__ import annotations

import itertools
from pathlib import Path

from search.checks import RULES

from . import (
    test_article_sections,
    test_escalation_rules,
    test_markdown_rules,
    test_publishing_rules,
    test_references,
    test_request_rules,
    test_review,
    test_schema_rules,
    test_template_phrase_rules,
    test_tree_rules,
    test_yaml_traps,
)
from .casekit import BROKEN, FIXTURES, MINIMAL, Case, make_repo, run_check, run_kb

ALL_CASES: list[Case] = list(
    itertools.chain(
        test_yaml_traps.CASES,
        test_schema_rules.CASES,
        test_tree_rules.CASES,
        test_references.CASES,
        test_markdown_rules.CASES,
        test_review.CASES,
        test_publishing_rules.CASES,
        test_escalation_rules.CASES,
        test_request_rules.CASES,
        test_article_sections.CASES,
        test_template_phrase_rules.CASES,
    )
)
NOT_TESTABLE = {"unreadable"}  # needs a file the test user cannot read; root can read everything


def test_at_least_45_distinct_broken_cases() -> None:
    names = [case.name for case in ALL_CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(names) >= 45


def test_every_rule_has_a_broken_case() -> None:
    covered = {case.rule for case in ALL_CASES}
    assert sorted(set(RULES) - NOT_TESTABLE - covered) == []
    assert covered <= set(RULES), "a case expects a rule id that search.checks.RULES does not define"


def test_every_broken_fixture_belongs_to_one_case_and_holds_one_file() -> None:
    names = {case.name for case in ALL_CASES}
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert sorted(folders - names) == [], "fixture folders without a case"
    for case in ALL_CASES:
        if case.overlay.is_dir():
            files = [p for p in case.overlay.rglob("*") if p.is_file()]
            assert len(files) == 1, f"{case.name}: one broken file per case, found {files}"
        else:
            assert case.delete or case.generate, f"{case.name}: no fixture folder, nothing deleted or generated"


def test_every_variant_fixture_is_used() -> None:
    sources = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    for folder in (FIXTURES / "variants").iterdir():
        assert f'"{folder.name}"' in sources, f"variant {folder.name} is not used by any test"


def test_minimal_repository_is_clean(tmp_path: Path) -> None:
    result = run_check(make_repo(tmp_path), "--strict", "--format", "json")
    assert (result.exit_code, result.stdout.strip()) == (0, "[]")
    assert "2 guides, 2 articles" in run_check(MINIMAL).stderr


def test_minimal_repository_is_clean_in_a_real_process() -> None:
    done = run_kb("check", "--strict", "--today", "2026-11-27", "--root", str(MINIMAL))
    assert (done.returncode, done.stdout) == (0, "")
    assert "Traceback" not in done.stderr
    assert "0 errors, 0 warnings" in done.stderr
