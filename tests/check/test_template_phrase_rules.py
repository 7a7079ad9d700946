"""Optional phrases in message templates (decision record 0042): a placeholder a walk can leave
blank outside a phrase is a warning naming the fix; unpaired, nested or placeholder-less brackets
are one error each; the shipped templates have none of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from search.checks import run_checks
from search.content.repository import load_repository

from .casekit import ROOT, TODAY, Case, assert_case, params

CASES = [
    Case(
        "template-optional-phrase",
        "guides/templates.yml:4:11 template-optional-phrase",
        ('template "resolution": {requester} can be blank', 'as in "Hello[[ {requester}]],"'),
    ),
    Case("template-phrase-unpaired", "guides/templates.yml:4:10 template-phrase-syntax", ('"[[" without its "]]"',)),
    Case("template-phrase-nested", "guides/templates.yml:13:30 template-phrase-syntax", ('template "closure": a phrase [[...]] inside another',)),
    Case("template-phrase-empty", "guides/templates.yml:6:17 template-phrase-syntax", ("the phrase [[ Thank you.]] holds no {placeholder}",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_a_phrase_fault_is_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)


def test_the_shipped_templates_pass() -> None:
    """``kb init``'s skeleton links to the same guides/templates.yml."""
    found = [p.format() for p in run_checks(load_repository(ROOT), dt.date.fromisoformat(TODAY)) if p.rule.startswith("template-")]
    assert found == []
