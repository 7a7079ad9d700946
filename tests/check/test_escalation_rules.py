"""The escalation protocol must not contradict itself: a tier skipped, two timers for one priority
(at once and after a delay), timers that never fire; the shipped protocol has none of them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from search.checks import run_checks
from search.content.repository import load_repository

from .casekit import MINIMAL, ROOT, TODAY, Case, assert_case, params, run_check

CASES = [
    Case(
        "escalation-tier-gap",
        "guides/categories.yml:7:9 escalation-tier-gap",
        (
            'category "network" reaches Infrastructure Engineering (engineering-l3) with no L2 step serving it for P3, P4',
            'add "network" (or a parent)',
        ),
    ),
    # No L2 at all for a category that reaches L3: one problem, owned by category-without-l2, not a second from the tier gap.
    Case("escalation-tier-gap-no-l2", "guides/categories.yml:7:9 category-without-l2", ('no L2 step serves category "network"',)),
    Case(
        "escalation-trigger-immediate-and-delay",
        "guides/escalation.yml:36:9 escalation-trigger-conflict",
        ('"duty-manager" escalates P1 at once (line 34) and also at 80% of the resolution target', "one timer"),
    ),
    Case(
        "escalation-trigger-priorities-outside",
        "guides/escalation.yml:36:21 escalation-trigger-never-fires",
        ("only names P3", "applies only to P1, P2; it never fires"),
    ),
    Case("escalation-trigger-share-one", "guides/escalation.yml:34:23 escalation-trigger-never-fires", ("at 100% the resolution target has passed",)),
    Case(
        "escalation-trigger-after-target",
        "guides/escalation.yml:35:16 escalation-trigger-never-fires",
        ("after 6h is at or past the resolution target of P1 (4h)",),  # P2's target is 8h: it fits there
    ),
    Case("template-handoff-twice", "guides/templates.yml:12:5 template-handoff-twice", ("{transcript} ends with it; remove {handoff}",)),
]
RULES = {"escalation-tier-gap", "escalation-trigger-conflict", "escalation-trigger-never-fires", "template-handoff-twice"}


@pytest.mark.parametrize("case", params(CASES))
def test_protocol_contradiction_reports_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)


def test_the_shipped_protocol_and_templates_contradict_nothing() -> None:
    found = [p.format() for p in run_checks(load_repository(ROOT), dt.date.fromisoformat(TODAY)) if p.rule in RULES]
    assert found == []


def test_the_older_at_sla_share_and_clock_together_are_a_schema_error(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(MINIMAL, root)
    path = root / "guides" / "escalation.yml"
    text = path.read_text(encoding="utf-8").replace("    clock:\n      - at_sla_share: 0.5\n", "    at_sla_share: 0.5\n    clock:\n      - after: 1h\n")
    path.write_text(text, encoding="utf-8")
    result = run_check(root)
    assert result.exit_code == 1
    assert "[schema]" in result.stdout and "move at_sla_share into clock" in result.stdout
