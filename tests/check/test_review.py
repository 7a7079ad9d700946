"""The annual review: overdue content is a warning; it fails only `kb check --fail-on-overdue`, not `--strict`
(tests/review has the rest: intervals by category, `kb review`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .casekit import Case, assert_case, make_repo, params, problems_of, run_check

CASES = [
    Case("review-overdue", "kb/articles/password-rules.md:6:11 review-overdue", ("due 2026-11-01 (26 days ago)", 'owner "Identity and Access"')),
    Case("review-overdue-interval", "guides/vpn-no-connect.md:7:11 review-overdue", ("due 2026-08-30 (89 days ago)",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_overdue_review_reports_one_warning_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)


def test_overdue_review_fails_only_with_fail_on_overdue(tmp_path: Path) -> None:
    root = make_repo(tmp_path, CASES[0])
    assert run_check(root).exit_code == 0
    assert run_check(root, "--strict").exit_code == 0
    assert run_check(root, "--fail-on-overdue").exit_code == 1


def test_review_due_today_is_not_overdue(tmp_path: Path) -> None:
    """The password guide and article were reviewed 2026-03-10: due 2027-03-10, overdue the day after."""
    root = make_repo(tmp_path)
    assert problems_of(run_check(root, "--format", "json")) == []  # on TODAY
    for day, expected in (("2027-03-10", []), ("2027-03-11", ["guides/password-reset.md", "kb/articles/password-rules.md"])):
        result = run_check(root, "--format", "json", "--today", day)  # the later --today wins
        assert [(p["path"], p["rule"]) for p in problems_of(result)] == [(path, "review-overdue") for path in expected]


def test_retired_content_is_never_overdue(tmp_path: Path) -> None:
    root = make_repo(tmp_path, CASES[0])
    article = root / "kb" / "articles" / "password-rules.md"
    article.write_text(article.read_text(encoding="utf-8").replace("reviewed:", "status: retired\nreviewed:"), encoding="utf-8")
    assert problems_of(run_check(root, "--strict", "--format", "json")) == []
