"""Stateless step-through of a decision tree: the answers so far in, the current state out.

Every surface (site, API, ``kb walk``) walks with this one engine, so the same answers give the
same path everywhere. A question offers its answers (and "Not sure" where the author allows
it), an action its outcomes: done, failed ("didn't help"), blocked ("couldn't do"). What the
technician recorded on the way (a note and a time per step, the follow-up checks confirmed and
the hand-off items filled in at the leaf) rides on the state, so every transcript has it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..content.models import ACTION_OUTCOMES, DONE, ActionNode, EscalationNode, LinkNode, QuestionNode, ResolutionNode
from ..content.repository import Guide

__all__ = ["DONE"]  # re-exported: an action node's first choice
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


class RecordTooLong(WalkError):
    def __init__(self, records: int, answers: int) -> None:
        self.records, self.answers = records, answers
        super().__init__(f"{records} step records for {answers} answer(s); send at most one record per answer, in the same order")


@dataclass(frozen=True)
class StepRecord:
    """What the technician recorded when answering a step: a note, and when (wall-clock time as
    the recording surface saw it, with its own UTC offset; printed as given, never converted)."""

    note: str = ""
    at: dt.datetime | None = None


NO_RECORD = StepRecord()


@dataclass(frozen=True)
class Visit:
    """One visited non-leaf node, the choice made there and what was recorded with it."""

    node_id: str
    choice: str
    record: StepRecord = NO_RECORD


@dataclass
class WalkState:
    guide: Guide
    path: list[Visit] = field(default_factory=list)
    current: str = ""
    confirmed: frozenset[str] = frozenset()  # ids of the resolution's follow-up checks confirmed
    handoff: Mapping[str, str] = field(default_factory=dict)  # escalation hand-off item id -> value noted

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
        return [label for label, _ in node.out_edges()]
    if isinstance(node, ActionNode):
        return [o for o in node.offered if o in ACTION_OUTCOMES]
    return []


def walk(
    guide: Guide,
    answers: Sequence[str],
    revision: str | None = None,
    records: Sequence[StepRecord] = (),
    confirmed: frozenset[str] = frozenset(),
    handoff: Mapping[str, str] | None = None,
) -> WalkState:
    """Follow ``answers`` from the start node; ``records[i]`` goes with ``answers[i]``. ``confirmed``
    and ``handoff`` are what was recorded at the leaf (ids checked by ``transcript.check_leaf_record``).
    Raises :class:`WalkError` subclasses on bad input."""
    if revision is not None and revision != guide.revision:
        raise StaleRevision(revision, guide.revision)
    if len(records) > len(answers):
        raise RecordTooLong(len(records), len(answers))
    state = WalkState(guide=guide, current=guide.tree.start_id, confirmed=confirmed, handoff=dict(handoff or {}))
    for index, answer in enumerate(answers):
        offered = state.choices
        if not offered:
            raise WalkPastLeaf(state.current, len(answers) - index)
        match = _offered(offered, answer)
        if match is None:
            raise AnswerNotOffered(state.current, answer, offered, index)
        _step(state, match, records[index] if index < len(records) else NO_RECORD)
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


def _step(state: WalkState, choice: str, record: StepRecord = NO_RECORD) -> None:
    state.path.append(Visit(state.current, choice, record))
    state.current = dict(state.node.out_edges())[choice]
