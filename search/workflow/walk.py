"""Stateless step-through of a decision tree: the answers so far in, the current state out.

Every surface (site, API, ``kb walk``) walks with this one engine, so the same answers give the
same path everywhere. An action node offers one choice, :data:`DONE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..content.models import DONE, ActionNode, EscalationNode, LinkNode, QuestionNode, ResolutionNode
from ..content.repository import Guide

__all__ = ["DONE"]  # re-exported: the action node's one choice
Leaf = ResolutionNode | EscalationNode | LinkNode


class WalkError(ValueError):
    """A walk that cannot continue: an answer the node does not offer, or a stale revision."""


class AnswerNotOffered(WalkError):
    def __init__(self, node_id: str, answer: str, offered: list[str], index: int) -> None:
        self.node_id, self.answer, self.offered, self.index = node_id, answer, offered, index
        super().__init__(f'answer {index + 1} "{answer}" is not offered at node "{node_id}"; choose one of: {", ".join(offered)}')


class StaleRevision(WalkError):
    def __init__(self, given: str, current: str) -> None:
        self.given, self.current = given, current
        super().__init__(f'the answers were recorded against revision "{given}" of this guide; the current revision is "{current}": restart the walk')


class WalkPastLeaf(WalkError):
    def __init__(self, node_id: str, extra: int) -> None:
        self.node_id, self.extra = node_id, extra
        super().__init__(f'the walk already ended at "{node_id}"; {extra} answer(s) too many')


@dataclass(frozen=True)
class Visit:
    """One visited non-leaf node and the choice made there."""

    node_id: str
    choice: str


@dataclass
class WalkState:
    guide: Guide
    path: list[Visit] = field(default_factory=list)
    current: str = ""

    @property
    def node(self) -> QuestionNode | ActionNode | Leaf:
        return self.guide.tree.nodes[self.current]

    @property
    def outcome(self) -> Leaf | None:
        node = self.node
        return node if isinstance(node, (ResolutionNode, EscalationNode, LinkNode)) else None

    @property
    def choices(self) -> list[str]:
        return choices(self.node)


def choices(node: object) -> list[str]:
    """The choices a node offers, in order."""
    if isinstance(node, QuestionNode):
        return list(node.answers)
    if isinstance(node, ActionNode):
        return [DONE]
    return []


def walk(guide: Guide, answers: Sequence[str], revision: str | None = None) -> WalkState:
    """Follow ``answers`` from the start node. Raises :class:`WalkError` subclasses on bad input."""
    if revision is not None and revision != guide.revision:
        raise StaleRevision(revision, guide.revision)
    state = WalkState(guide=guide, current=guide.tree.start_id)
    for index, answer in enumerate(answers):
        offered = state.choices
        if not offered:
            raise WalkPastLeaf(state.current, len(answers) - index)
        match = _offered(offered, answer)
        if match is None:
            raise AnswerNotOffered(state.current, answer, offered, index)
        _step(state, match)
    return state


def replay(guide: Guide, answers: Sequence[str]) -> WalkState:
    """Follow ``answers`` from the start node as far as each is still offered: the answers of a
    walk recorded against another revision that still apply (``len(state.path)`` of them).
    The site's script replays resume links the same way (``replayAnswers``)."""
    state = WalkState(guide=guide, current=guide.tree.start_id)
    for answer in answers:
        match = _offered(state.choices, answer)
        if match is None:
            break
        _step(state, match)
    return state


def _offered(offered: list[str], answer: str) -> str | None:
    """The offered choice ``answer`` names: the same text, else the same ignoring case and spacing."""
    return answer if answer in offered else next((o for o in offered if o.casefold() == answer.strip().casefold()), None)


def _step(state: WalkState, choice: str) -> None:
    state.path.append(Visit(state.current, choice))
    state.current = dict(state.node.out_edges())[choice]
