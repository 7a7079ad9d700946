"""Cross-file rules: ids, categories, the priority matrix, required files, templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from .casekit import Case, assert_case, params


def _guide_named_index(root: Path) -> None:
    """A second copy of a valid guide, under the id the list of all guides has."""
    page = (root / "guides/password-reset.md").read_text(encoding="utf-8").replace("id: password-reset", "id: index")
    (root / "guides/index.md").write_text(page, encoding="utf-8")
    (root / "guides/index.yml").write_text((root / "guides/password-reset.yml").read_text(encoding="utf-8"), encoding="utf-8")


CASES = [
    Case("duplicate-id-guide-article", "kb/articles/password-reset.md:2:5 duplicate-id", ('"password-reset" is already used by guides/password-reset.md:2',)),
    Case("duplicate-id-article", "kb/articles/windows-vpn-reinstall.md:2:5 duplicate-id", ("kb/articles/vpn-reinstall.md:2",)),
    Case("reserved-id", "guides/index.md:2:5 reserved-id", ('"index" is the site\'s page guides/index.md',), generate=_guide_named_index),
    Case("duplicate-category", "guides/categories.yml:7:9 duplicate-id", ('"accounts" is already defined at line 3',)),
    Case("unknown-category-guide", "guides/password-reset-by-phone.md:5:11 unknown-category", ('"acounts"', 'did you mean "accounts"?')),
    Case("unknown-category-article", "kb/articles/vpn-reinstall.md:4:11 unknown-category", ('"network/vpm"', 'did you mean "network/vpn"?')),
    Case("unknown-category-parent", "guides/categories.yml:7:9 unknown-category", ('no parent category "network"',)),
    Case("unknown-category-step", "guides/escalation.yml:24:18 unknown-category", ('"acount"', 'did you mean "accounts"?')),
    Case("missing-category", "guides/password-reset-by-phone.md:2:1 missing-category", ('"password-reset-by-phone" has no category',)),
    Case("category-without-guide", "guides/categories.yml:7:9 category-without-guide", ('"network/proxy" has no guide',)),
    Case("priority-matrix-gap", "guides/priorities.yml:9:3 priority-matrix", ('impact "low" has no priority for urgency low',)),
    Case("priority-matrix-unknown-urgency", "guides/priorities.yml:8:29 priority-matrix", ('unknown urgency "medium"',)),
    Case("priority-matrix-missing-row", "guides/priorities.yml:7:1 priority-matrix", ('no row for impact "low"',)),
    Case("orphan-tree", "guides/old-vpn-tree.yml:1:1 orphan-tree", ("no guide uses this tree",)),
    Case("guide-without-tree", "guides/printer-offline.md:2:1 missing-file", ('"guides/printer-offline.yml" not found',)),
    Case("missing-escalation", "guides/escalation.yml:1:1 missing-file", ("guides/escalation.yml is missing",), delete=("guides/escalation.yml",)),
    Case("missing-categories", "guides/categories.yml:1:1 missing-file", ("guides/categories.yml is missing",), delete=("guides/categories.yml",)),
    Case("missing-tree", "guides/password-reset.md:2:1 missing-file", ('"guides/password-reset.yml" not found',), delete=("guides/password-reset.yml",)),
    Case("template-placeholder", "guides/templates.yml:13:5 template-placeholder", ('"{handof}"', 'did you mean "handoff"?')),
]


@pytest.mark.parametrize("case", params(CASES))
def test_reference_fault_reports_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)
