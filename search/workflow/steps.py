"""A decision tree as numbered steps a technician reads top to bottom.

``1. Ask: Can the user browse the web? If yes go to step 2; if no go to step 5.``

Numbering is a depth-first walk from the start node that follows each question's answers in
the order written, so the first answer's branch comes right after its question. A node reached
by several branches keeps the number of its first visit; nodes no path reaches (an invalid tree)
are numbered after the rest, in file order, so every node appears exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..content.models import BLOCKED, FAILED, ActionNode, EscalationNode, LinkNode, QuestionNode, ResolutionNode, Tree
from ..content.prose import one_line

IF_NOT = {FAILED: "If it did not help", BLOCKED: "If it could not be done"}
KIND_VERB = {"question": "Ask", "action": "Do", "resolution": "Resolved", "escalation": "Escalate", "link": "Continue"}


@dataclass(frozen=True)
class Branch:
    """One way out of a step: the answer (``done`` after an action) and where it leads."""

    label: str
    node: str
    goto: int | None  # None when the target node does not exist (invalid tree)


@dataclass(frozen=True)
class Step:
    """One numbered step; ``line`` is the human-readable sentence."""

    number: int
    node: str
    kind: str
    text: str
    help: str | None = None
    branches: tuple[Branch, ...] = ()
    escalation_step: str | None = None
    guide: str | None = None
    follow_up: tuple[str, ...] = ()
    user_note: str | None = None
    handoff: tuple[str, ...] = ()
    line: str = field(default="", compare=False)


def _one_line(text: str | None) -> str:
    return one_line(text or "")


def step_numbers(tree: Tree) -> dict[str, int]:
    """Node id -> step number (depth-first from the start, answers in written order)."""
    numbers: dict[str, int] = {}
    stack = [tree.start_id]
    while stack:
        node_id = stack.pop()
        if node_id in numbers or node_id not in tree.nodes:
            continue
        numbers[node_id] = len(numbers) + 1
        stack.extend(target for _, target in reversed(tree.nodes[node_id].out_edges()))
    for node_id in tree.nodes:
        numbers.setdefault(node_id, len(numbers) + 1)
    return numbers


def _goto(number: int | None, node: str) -> str:
    return f"go to step {number}" if number is not None else f'go to unknown node "{node}"'


def linearise(tree: Tree, teams: Mapping[str, str] | None = None) -> list[Step]:
    """The tree as numbered steps. ``teams`` maps escalation step ids to team names for the text."""
    numbers = step_numbers(tree)
    steps: list[Step] = []
    for node_id, number in sorted(numbers.items(), key=lambda item: item[1]):
        node = tree.nodes[node_id]
        branches = tuple(Branch(label, target, numbers.get(target)) for label, target in node.out_edges())
        text = _one_line(getattr(node, "text", None))
        prefix = f"{number}. {KIND_VERB[node.type]}"
        extra: dict[str, Any] = {}
        if isinstance(node, QuestionNode):
            choices = "; ".join(f"if {b.label} {_goto(b.goto, b.node)}" for b in branches)
            line = f"{prefix}: {text} {choices[:1].upper()}{choices[1:]}." if choices else f"{prefix}: {text}"
        elif isinstance(node, ActionNode):
            then = f" Then {_goto(branches[0].goto, branches[0].node)}." if branches else " Then stop."
            then += "".join(f" {IF_NOT[b.label]}, {_goto(b.goto, b.node)}." for b in branches if b.label in IF_NOT and b.node != node.next)
            line = f"{prefix}: {text}{then}"
        elif isinstance(node, ResolutionNode):
            line = f"{prefix}: {text}"
            if node.follow_up:
                line += " Before closing: " + "; ".join(_one_line(c) for c in node.follow_up) + "."
            if node.user_note:
                line += f" Tell the user: {_one_line(node.user_note)}"
            extra = {"follow_up": tuple(_one_line(c) for c in node.follow_up), "user_note": _one_line(node.user_note) or None}
        elif isinstance(node, EscalationNode):
            team = (teams or {}).get(node.step)
            target = f"{team} ({node.step})" if team else node.step
            line = f"{number}. Escalate to {target}: {text}"
            if node.handoff:
                line += " Hand over: " + "; ".join(_one_line(h) for h in node.handoff) + "."
            extra = {"escalation_step": node.step, "handoff": tuple(_one_line(h) for h in node.handoff)}
        else:
            assert isinstance(node, LinkNode)
            line = f'{number}. Continue with guide "{node.guide}"' + (f": {text}" if text else ".")
            extra = {"guide": node.guide}
        steps.append(Step(number, node_id, node.type, text, _one_line(getattr(node, "help", None)) or None, branches, line=line, **extra))
    return steps


def steps_text(steps: list[Step]) -> str:
    """All step sentences, one per line."""
    return "\n".join(step.line for step in steps) + ("\n" if steps else "")
