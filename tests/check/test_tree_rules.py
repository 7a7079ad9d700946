"""Decision-tree rules: every path from the start ends in a resolution, an escalation or a link."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.checks.tree import MAX_NODES

from .casekit import Case, assert_case, params


def _huge_tree(root: Path) -> None:
    """password-reset.yml with MAX_NODES + 1 nodes: a valid chain of actions ending in a resolution."""
    lines = ["nodes:"]
    for i in range(MAX_NODES):
        lines += [f"  step-{i}:", "    type: action", f"    text: Step {i}.", f"    next: step-{i + 1}"]
    lines += [f"  step-{MAX_NODES}:", "    type: resolution", "    text: Done."]
    (root / "guides" / "password-reset.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


CASES = [
    Case("unknown-node-answer", "guides/vpn-no-connect.yml:32:17 unknown-node", ('"escalte"', 'did you mean "escalate"?')),
    Case("unknown-node-next", "guides/vpn-no-connect.yml:36:11 unknown-node", ('"connnects"', 'did you mean "connects"?')),
    Case("unknown-node-start", "guides/password-reset.yml:1:8 unknown-node", ("start points to", 'did you mean "identity-verified"?')),
    Case("unknown-guide", "guides/vpn-no-connect.yml:20:12 unknown-guide", ('"password-rest"', 'did you mean "password-reset"?')),
    Case("unknown-escalation-step", "guides/vpn-no-connect.yml:37:11 unknown-escalation-step", ('"network-l3"', 'did you mean "network-l2"?')),
    Case("unreachable-node", "guides/password-reset.yml:15:3 unreachable-node", ('"reset-by-manager"',)),
    # one mistyped id, one problem: not also every node after it as unreachable (six more before)
    Case("unknown-node-mistyped-reference", "guides/vpn-no-connect.yml:7:12 unknown-node", ('"pasword-valid"', 'did you mean "password-valid"?')),
    Case("unknown-node-mistyped-key", "guides/vpn-no-connect.yml:7:12 unknown-node", ('"password-valid"', 'did you mean "password-vaild"?')),
    Case("unreachable-subtree", "guides/vpn-no-connect.yml:12:3 unreachable-node", ('"password-valid"',)),  # not reset-password after it
    Case("dead-end-action", "guides/vpn-no-connect.yml:33:3 dead-end", ('action "check-client" has no "next"',)),
    Case("question-without-answers", "guides/vpn-no-connect.yml:36:14 dead-end", ('question "ask-colleague" has no answers',)),
    Case("cycle-no-exit", "guides/vpn-no-connect.yml:33:3 cycle", ("check-logs -> ask-again -> check-logs",)),
    Case(
        "gather-id-duplicate",
        "guides/vpn-no-connect.md:14:5 gather-id",
        ('gather id "the-user-s-location" (the slug of "The user\'s location?") is already used by item 1 (line 11)', 'give one of them an explicit "id:"'),
    ),
    Case("gather-id-invalid", "guides/vpn-no-connect.md:12:9 gather-id", ('gather id "OS Version" is not kebab-case', 'e.g. "os-version"')),
    Case(
        "gather-id-no-words",
        "guides/vpn-no-connect.md:12:5 gather-id",
        ("gather item 2 has no letters or digits to make an id from", '"- id: <kebab-case-id>"'),
    ),
    Case("action-outcome-unknown", "guides/password-reset.yml:12:22 action-outcome", ('unknown outcome "faild"', 'did you mean "failed"?')),
    Case(
        "no-way-on",
        "guides/password-reset.yml:11:11 no-way-on",
        ('after "Didn\'t help" at action "reset" the walk goes to the resolution "done"', "if_failed:"),
    ),
    Case("unsure-answer", "guides/password-reset.yml:9:13 unsure-answer", ('question "identity-verified" has unsure: and an answer "not sure"',)),
    Case("tree-too-large", "guides/password-reset.yml:1:1 tree-too-large", (f"{MAX_NODES + 1} nodes",), generate=_huge_tree),
]


@pytest.mark.parametrize("case", params(CASES))
def test_tree_fault_reports_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)
