"""The article structure the templates promise: KCS sections present and in order, one problem per fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from .casekit import Case, assert_case, params

ARTICLE = "kb/articles/vpn-reinstall.md"
CASES = [
    Case("article-without-resolution", f"{ARTICLE}:9:1 article-sections", ('no "## Resolution" section; add it after "## Issue"',)),
    Case(
        "article-sections-out-of-order",
        f"{ARTICLE}:16:1 article-sections",
        ('"## Issue" comes after "## Resolution" (line 9)', "Issue, Environment, Resolution, Cause"),
    ),
    Case("article-section-heading-level", f"{ARTICLE}:13:1 article-sections", ('"### Resolution" is a KCS section: write it as "## Resolution"',)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_article_structure_fault_reports_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)
