"""What changed in meaning between two revisions of a decision tree, of the escalation protocol
and of the priority matrix: not a text diff, but nodes added, removed and reworded, answers
re-pointed, escalation steps and priorities changed. Both sides are loaded models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from .models import Escalation, Priorities, Tree


class FieldChange(BaseModel):
    """One field of one item (a node, an escalation step, a priority level) that now reads differently."""

    item: str
    field: str
    old: str
    new: str


class AnswerChange(BaseModel):
    """An answer of a question node (or an action's ``next``) that leads elsewhere, or is new or gone."""

    node: str
    answer: str
    old: str | None = Field(description="Node the answer led to; null when the answer is new.")
    new: str | None = Field(description="Node it leads to now; null when the answer was removed.")


class TreeDiff(BaseModel):
    added: list[str] = Field(default_factory=list, description="Node ids added.")
    removed: list[str] = Field(default_factory=list, description="Node ids removed.")
    reworded: list[FieldChange] = Field(default_factory=list, description="Texts changed: text, help, follow_up, user_note, handoff.")
    repointed: list[AnswerChange] = Field(default_factory=list, description="Answers leading to another node, added or removed.")
    escalations: list[FieldChange] = Field(default_factory=list, description="Escalation leaves pointing at another protocol step.")
    retyped: list[FieldChange] = Field(default_factory=list, description="Nodes that became another type.")
    start: FieldChange | None = None

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.repointed or self.escalations or self.retyped or self.start)


class ProtocolDiff(BaseModel):
    """Escalation steps or priority levels added, removed or changed (field by field)."""

    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    changed: list[FieldChange] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


_WORDING = ("text", "help", "follow_up", "user_note", "handoff")


def diff_trees(old: Tree | None, new: Tree | None) -> TreeDiff:
    """The semantic difference of two trees (``None``: the tree did not exist on that side)."""
    before = old.nodes if old else {}
    after = new.nodes if new else {}
    diff = TreeDiff(added=[n for n in after if n not in before], removed=[n for n in before if n not in after])
    if old and new and old.start_id != new.start_id:
        diff.start = FieldChange(item="tree", field="start", old=old.start_id, new=new.start_id)
    for node_id in (n for n in after if n in before):
        a, b = before[node_id].model_dump(), after[node_id].model_dump()
        if a["type"] != b["type"]:
            diff.retyped.append(FieldChange(item=node_id, field="type", old=a["type"], new=b["type"]))
        for name in _WORDING:
            if name in a and name in b and a[name] != b[name]:
                diff.reworded.append(FieldChange(item=node_id, field=name, old=_text(a[name]), new=_text(b[name])))
        if a.get("step") != b.get("step") and "step" in b:
            diff.escalations.append(FieldChange(item=node_id, field="step", old=_text(a.get("step")), new=_text(b["step"])))
        old_edges, new_edges = dict(before[node_id].out_edges()), dict(after[node_id].out_edges())
        for label in [*old_edges, *(k for k in new_edges if k not in old_edges)]:
            if old_edges.get(label) != new_edges.get(label):
                diff.repointed.append(AnswerChange(node=node_id, answer=label, old=old_edges.get(label), new=new_edges.get(label)))
    return diff


def diff_escalation(old: Escalation | None, new: Escalation | None) -> ProtocolDiff:
    return _diff_items(old.steps if old else {}, new.steps if new else {})


def diff_priorities(old: Priorities | None, new: Priorities | None) -> ProtocolDiff:
    """Levels (SLA targets, Zendesk names) by id, and each impact x urgency cell as ``impact/urgency``."""
    diff = _diff_items({str(k): v for k, v in old.levels.items()} if old else {}, {str(k): v for k, v in new.levels.items()} if new else {})
    cells = _diff_items(_cells(old), _cells(new))
    diff.changed += cells.changed
    diff.added += cells.added
    diff.removed += cells.removed
    return diff


def _cells(priorities: Priorities | None) -> dict[str, str]:
    if priorities is None:
        return {}
    return {f"{impact}/{urgency}": p for impact, row in priorities.matrix.items() for urgency, p in row.items()}


def _diff_items(old: Mapping[str, Any], new: Mapping[str, Any]) -> ProtocolDiff:
    diff = ProtocolDiff(added=[k for k in new if k not in old], removed=[k for k in old if k not in new])
    for key in (k for k in new if k in old):
        a, b = _fields(old[key]), _fields(new[key])
        for name in [*a, *(n for n in b if n not in a)]:
            if a.get(name) != b.get(name):
                diff.changed.append(FieldChange(item=key, field=name, old=_text(a.get(name)), new=_text(b.get(name))))
    return diff


def _fields(value: Any) -> dict[str, Any]:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else {"priority": value}


def _text(value: Any) -> str:
    """A field value as one line of text for a summary."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return str(value)
