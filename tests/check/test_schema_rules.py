"""Schema rules: missing, unknown and mistyped fields, each mapped back to its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from .casekit import Case, assert_case, params

CASES = [
    Case("missing-field-front-matter", "kb/articles/password-rules.md:2:1 schema", ('missing required field "owner"',)),
    Case("missing-field-node", "guides/vpn-no-connect.yml:36:5 schema", ('missing required field "step"',)),
    Case("question-missing-answers", "guides/password-reset.yml:3:5 schema", ('missing required field "answers"',)),
    Case("link-without-guide", "guides/vpn-no-connect.yml:19:5 schema", ('missing required field "guide"',)),
    Case("unknown-field-front-matter", "guides/vpn-no-connect.md:9:1 schema", ('unknown field "sumary"', 'did you mean "summary"?')),
    Case("unknown-field-node", "guides/password-reset.yml:12:5 schema", ('unknown field "hepl"', 'did you mean "help"?')),
    Case("unknown-node-type", "guides/vpn-no-connect.yml:23:11 schema", ('unknown node type "acton"', 'did you mean "action"?')),
    Case("node-without-type", "guides/password-reset.yml:13:5 schema", ('node has no "type"',)),
    Case("base60-duration", "guides/priorities.yml:19:21 schema", ('"1:30" is not a duration',)),
    Case("invalid-date", "kb/articles/vpn-reinstall.md:6:11 schema", ("real date", "2024-02-30")),
    Case("bad-id-pattern", "kb/articles/password-rules.md:2:5 schema", ("Password_Rules", "kebab-case")),
    Case("tags-not-a-list", "kb/articles/vpn-reinstall.md:3:7 schema", ('"tags"', "valid list")),
    Case("version-number-is-text", "guides/vpn-no-connect.md:5:9 schema", ('"version" must be text',)),
    Case("empty-tree", "guides/password-reset.yml:1:1 schema", ("file is empty",)),
    Case("empty-nodes", "guides/vpn-no-connect.yml:2:8 schema", ('"nodes"', "at least 1 item")),
    Case("bad-enum", "guides/escalation.yml:19:11 schema", ("\"tier\" is 'L4'",)),
    Case("levels-missing-p4", "guides/priorities.yml:11:3 schema", ("add P4",)),
    Case("sla-share-out-of-range", "guides/escalation.yml:14:19 schema", ('"at_sla_share"', "50 (a number)")),
    Case("missing-front-matter", "kb/articles/password-rules.md:1:1 schema", ("missing front matter",)),
    Case("unclosed-front-matter", "kb/articles/password-rules.md:1:1 schema", ("front matter is not closed",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_schema_fault_reports_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)
