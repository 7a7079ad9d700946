"""The semantic tree diff on its own: each kind of change in meaning, and none for a mere reformat."""

from __future__ import annotations

from search.content.problems import Problem
from search.content.repository import parse_tree
from search.content.treediff import diff_trees

BEFORE = """
start: ask
nodes:
  ask:
    type: question
    text: Is it plugged in?
    answers:
      yes: fix
      no: plug
  plug:
    type: action
    text: Plug it in.
    next: fix
  fix:
    type: resolution
    text: Fixed.
  old:
    type: escalation
    step: desk-l2
    text: Not fixed.
"""


def tree(text: str):  # type: ignore[no-untyped-def]
    problems: list[Problem] = []
    _, loaded = parse_tree(text, "guides/t.yml", problems)
    assert loaded is not None, problems
    return loaded


def test_a_reformatted_tree_has_no_change_in_meaning() -> None:
    reformatted = BEFORE.replace("    answers:\n      yes: fix\n      no: plug\n", '    answers: {"yes": fix, "no": plug}\n') + "# a comment\n"
    assert diff_trees(tree(BEFORE), tree(reformatted)).empty


def test_every_kind_of_change() -> None:
    after = (
        BEFORE.replace("start: ask", "start: plug")
        .replace("      no: plug\n", "      maybe: plug\n")
        .replace("    next: fix", "    next: ask")
        .replace("    type: resolution\n    text: Fixed.", "    type: resolution\n    text: Fixed it.\n    follow_up: [Test]")
        .replace("  old:\n    type: escalation\n    step: desk-l2", "  new:\n    type: escalation\n    step: net-l2")
    )
    diff = diff_trees(tree(BEFORE), tree(after))
    assert (diff.added, diff.removed) == (["new"], ["old"])
    assert diff.start is not None and (diff.start.old, diff.start.new) == ("ask", "plug")
    assert [(c.item, c.field, c.old, c.new) for c in diff.reworded] == [("fix", "text", "Fixed.", "Fixed it."), ("fix", "follow_up", "", "Test")]
    assert [(a.node, a.answer, a.old, a.new) for a in diff.repointed] == [
        ("ask", "no", "plug", None),
        ("ask", "maybe", None, "plug"),
        ("plug", "done", "fix", "ask"),
        # an action whose next step is no longer a resolution gets "didn't help" and "couldn't
        # do" (they now have a way on): new answers, as the walk offers them
        ("plug", "failed", None, "ask"),
        ("plug", "blocked", None, "ask"),
    ]
    assert diff.escalations == []  # the escalation leaf is a new node, not a re-pointed one


def test_a_node_that_changes_type_and_an_escalation_that_changes_step() -> None:
    after = BEFORE.replace("  plug:\n    type: action\n    text: Plug it in.\n    next: fix", "  plug:\n    type: resolution\n    text: Plug it in.").replace(
        "step: desk-l2", "step: net-l2"
    )
    diff = diff_trees(tree(BEFORE), tree(after))
    assert [(c.item, c.old, c.new) for c in diff.retyped] == [("plug", "action", "resolution")]
    assert [(c.item, c.old, c.new) for c in diff.escalations] == [("old", "desk-l2", "net-l2")]
    assert [(a.node, a.answer, a.old, a.new) for a in diff.repointed] == [("plug", "done", "fix", None)]


def test_a_new_or_deleted_tree_lists_all_its_nodes() -> None:
    assert diff_trees(None, tree(BEFORE)).added == ["ask", "plug", "fix", "old"]
    assert diff_trees(tree(BEFORE), None).removed == ["ask", "plug", "fix", "old"]
