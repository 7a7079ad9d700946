"""The one transcript format: what a technician pastes into the ticket as an internal note.

The text is built only from *fragments* computed here (one per step choice and per outcome);
assembling is plain concatenation plus what the technician recorded: a time and a note per step,
the follow-up checks confirmed and the hand-off items filled in. The site embeds the fragments
and its script joins them the way :func:`assemble` does, so the copied text equals the API's
and ``kb walk``'s byte for byte.

A step's time prints as ``[14:02]``, the wall-clock time as recorded (never converted), with
the date ``[2026-12-03 09:15]`` when it differs from the previous timed step's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, Field

from ..content.escalation import ProtocolStep, sla_targets
from ..content.models import BLOCKED, DONE, FAILED, PRIORITY_IDS, ActionNode, EscalationNode, EscalationStep, LinkNode, QuestionNode, ResolutionNode, item_ids
from ..content.prose import one_line
from ..content.repository import Guide, Repository
from ..content.taxonomy import CategoryIndex
from .sla import applied_leaf
from .walk import WalkError, WalkState

ACTION_VERBS = {DONE: "Done", FAILED: "Didn't help", BLOCKED: "Couldn't do"}
CONFIRM, FILL = "confirm", "fill"  # checklist kinds: follow-up checks are confirmed, hand-off items filled in


class UnknownChecklistItem(WalkError):
    def __init__(self, what: str, item: str, offered: list[str]) -> None:
        self.what, self.item, self.offered = what, item, offered
        super().__init__(f'the walk\'s leaf has no {what} "{item[:100]}"; its ids are: {", ".join(offered) or "none (not at a leaf with that list)"}')


def checklist(texts: Sequence[str], kind: str) -> dict[str, Any]:
    """A leaf's list whose items the technician confirms or fills in, keyed by stable item ids."""
    return {"checklist": kind, "items": [{"id": i, "text": one_line(t)} for i, t in zip(item_ids(list(texts)), texts, strict=True)]}


def handoff_texts(state: WalkState, repo: Repository) -> list[str]:
    """The hand-off items at the walk's escalation leaf: the step's, then this case's."""
    leaf = state.outcome
    if not isinstance(leaf, EscalationNode):
        return []
    step = repo.escalation.steps.get(leaf.step) if repo.escalation else None
    return [*(step.handoff if step else []), *leaf.handoff]


def check_leaf_record(state: WalkState, repo: Repository) -> None:
    """Raise :class:`UnknownChecklistItem` for a confirmed check or hand-off value whose id the leaf does not have."""
    leaf = state.outcome
    checks = item_ids(list(leaf.follow_up)) if isinstance(leaf, ResolutionNode) else []
    for item in sorted(state.confirmed):
        if item not in checks:
            raise UnknownChecklistItem("follow-up check", item, checks)
    handoff = item_ids(handoff_texts(state, repo))
    for item in state.handoff:
        if item not in handoff:
            raise UnknownChecklistItem("hand-off item", item, handoff)


def fragments(guide: Guide, repo: Repository) -> dict[str, Any]:
    """Every piece of transcript text for one guide, keyed for assembly."""
    categories = CategoryIndex(repo.taxonomy)
    category = categories.by_id.get(guide.meta.category or "")
    header = [
        f"Guide: {one_line(guide.meta.title)} ({guide.id}, revision {guide.revision})",
        f"Version: {repo.version_of(guide).label}",
        f"Category: {guide.meta.category} ({one_line(category.title)})" if category else f"Category: {guide.meta.category or 'none'}",
    ]
    steps_by_id = repo.escalation.steps if repo.escalation else {}
    header += _request_lines(guide, steps_by_id)
    kind = categories.kind_of(guide.meta.category)
    priorities = {}
    for pid in PRIORITY_IDS:
        targets = sla_targets(repo.priorities, pid, kind)
        if targets is not None:
            clock = "fulfilment" if targets.kind == "request" else "resolution"
            priorities[pid] = f"Priority: {pid} {targets.name} (first response {targets.first_response}, {clock} {targets.resolution})"
    steps: dict[str, dict[str, str]] = {}
    outcomes: dict[str, list[str | dict[str, Any]]] = {}
    guides = repo.guide_by_id
    for node_id, node in guide.tree.nodes.items():
        if isinstance(node, QuestionNode):
            steps[node_id] = {label: f"Asked: {one_line(node.text)} Answer: {label}" for label, _ in node.out_edges()}
        elif isinstance(node, ActionNode):
            steps[node_id] = {o: f"{ACTION_VERBS.get(o, o)}: {one_line(node.text)}" for o in node.offered}
        elif isinstance(node, ResolutionNode):
            lines: list[str | dict[str, Any]] = [f"Outcome: Resolved. {one_line(node.text)}"]
            if node.follow_up:
                lines += ["Follow-up checks:", checklist(node.follow_up, CONFIRM)]
            if node.user_note:
                lines.append(f"Note for the user: {one_line(node.user_note)}")
            outcomes[node_id] = lines
        elif isinstance(node, EscalationNode):
            step = steps_by_id.get(node.step)
            if step is None:
                outcomes[node_id] = [f"Outcome: Escalate to {node.step}. {one_line(node.text)}"]
                continue
            outcomes[node_id] = [
                f"Outcome: Escalated to {step.team} ({step.tier}), queue {step.queue}. {one_line(node.text)}",
                f"Contact: {one_line(step.contact)}",
                "Hand-off checklist:",
                checklist([*step.handoff, *node.handoff], FILL),
            ]
        elif isinstance(node, LinkNode):
            target = guides.get(node.guide)
            title = one_line(target.meta.title) if target else node.guide
            reason = f" {one_line(node.text)}" if node.text else ""
            outcomes[node_id] = [f"Outcome: Continue with guide {title} ({node.guide}).{reason}"]
    return {
        "header": header,
        "priorities": priorities,
        "gather": [{"id": item.id, "text": one_line(item.text)} for item in guide.meta.gather],
        "steps": steps,
        "outcomes": outcomes,
    }


def _request_lines(guide: Guide, steps: Mapping[str, EscalationStep]) -> list[str]:
    """A fulfilment guide's approval and fulfilling team, so the ticket records both."""
    lines = []
    approval = guide.meta.approval
    if approval is not None:
        who = f"required from {one_line(approval.by)}" if approval.required and approval.by else "not required"
        lines.append(f"Approval: {who}. {one_line(approval.how)}")
    if guide.meta.fulfilled_by:
        step = steps.get(guide.meta.fulfilled_by)
        lines.append(f"Fulfilled by: {step.team} (queue {step.queue})" if step else f"Fulfilled by: {guide.meta.fulfilled_by}")
    return lines


Gathered = Mapping[str, str]  # gather item id -> what the technician noted (blank = not gathered)
NOTHING_GATHERED: Gathered = {}


class PathStep(NamedTuple):
    """One answered step as :func:`assemble` takes it (the site's script: ``[node, choice, {note, at}]``)."""

    node: str
    choice: str
    note: str = ""
    at: str | None = None  # ISO 8601 local time with its offset, as recorded


class LeafRecord(NamedTuple):
    """What was recorded at the leaf: follow-up check ids confirmed, hand-off item id -> value."""

    confirmed: frozenset[str] = frozenset()
    handoff: Mapping[str, str] = {}


NOTHING_AT_THE_LEAF = LeafRecord()


def _stamp(at: str | None, previous: str | None) -> str:
    """``[HH:MM] `` (``[YYYY-MM-DD HH:MM] `` on a new day) from an ISO time as written; "" without one."""
    if not at:
        return ""
    new_day = previous is not None and previous[:10] != at[:10]
    return f"[{at[:10]} {at[11:16]}] " if new_day else f"[{at[11:16]}] "


def _checklist_lines(entry: Mapping[str, Any], leaf: LeafRecord) -> list[str]:
    lines = []
    for item in entry["items"]:
        if entry["checklist"] == CONFIRM:
            lines.append(f"- [{'x' if item['id'] in leaf.confirmed else ' '}] {item['text']}")
        else:
            value = one_line(leaf.handoff.get(item["id"], ""))
            lines.append(f"- {item['text']}: {value}" if value else f"- {item['text']}")
    return lines


def assemble(
    parts: Mapping[str, Any],
    path: Sequence[PathStep],
    current: str,
    priority: str | None = None,
    gathered: Gathered = NOTHING_GATHERED,
    leaf: LeafRecord = NOTHING_AT_THE_LEAF,
) -> str:
    """Join fragments for a walk: ``path`` is the steps answered, ``current`` the node reached.

    ``gathered`` maps the guide's gather item ids to the technician's notes; they are listed in
    the guide's order. Mirrored line for line by ``assembleTranscript`` in the site's script.
    """
    lines = list(parts["header"])
    if priority and priority in parts["priorities"]:
        lines.append(parts["priorities"][priority])
    notes = [(item["text"], one_line(gathered[item["id"]])) for item in parts["gather"] if gathered.get(item["id"], "").strip()]
    if notes:
        lines.append("Information gathered:")
        lines += [f"- {item}: {value}" for item, value in notes]
    if path:
        lines.append("Steps:")
        previous: str | None = None
        for n, step in enumerate(path, 1):
            lines.append(f"{n}. {_stamp(step.at, previous)}{parts['steps'][step.node][step.choice]}")
            previous = step.at or previous
            if one_line(step.note):
                lines.append(f"   Note: {one_line(step.note)}")
    for entry in parts["outcomes"].get(current, ["Outcome: In progress (walk not finished)."]):
        lines += [entry] if isinstance(entry, str) else _checklist_lines(entry, leaf)
    return "\n".join(lines) + "\n"


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


def transcript_text(state: WalkState, repo: Repository, priority: str | None = None, gathered: Gathered = NOTHING_GATHERED) -> str:
    """The plain-text transcript of a walk, with what was recorded on the way."""
    path = [PathStep(v.node_id, v.choice, v.record.note, _iso(v.record.at)) for v in state.path]
    return assemble(fragments(state.guide, repo), path, state.current, priority, gathered, LeafRecord(state.confirmed, state.handoff))


class GuideRef(BaseModel):
    id: str
    title: str
    version: str
    revision: str = Field(description="Version plus tree hash; walks recorded against another revision are stale.")
    content_version: str = Field(
        description='The transcript\'s "Version:" line: the commit that last changed the guide and its date ("commit 1a2b3c4d5e of 2026-11-30"), or "content <hash>" without git.'
    )


class GatheredItem(BaseModel):
    id: str = Field(description="The gather item's id (the key of the walk request's gathered object).")
    item: str = Field(description="The guide's information-to-gather item.")
    value: str = Field(description="What the technician noted.")


class StepTaken(BaseModel):
    node: str
    type: str
    text: str
    choice: str = Field(description='The answer given (or "Not sure"), or after an action "done", "failed" (didn\'t help) or "blocked" (couldn\'t do).')
    note: str = Field("", description="The technician's note on this step (blank = none).")
    at: dt.datetime | None = Field(None, description="When the step was answered, as recorded (local time with its offset).")


class CheckItem(BaseModel):
    id: str = Field(description="Stable id of the follow-up check (the slug of its text); the walk request's confirmed lists these.")
    text: str
    confirmed: bool


class HandoffItem(BaseModel):
    id: str = Field(description="Stable id of the hand-off item (the slug of its text); the key of the walk request's handoff object.")
    text: str
    value: str = Field(description="What the technician filled in (blank = not yet).")


class ResolutionOutcome(BaseModel):
    type: Literal["resolution"]
    node: str
    text: str
    follow_up: list[str] = Field(description="Checks to do before closing.")
    checks: list[CheckItem] = Field(description="The same checks with their ids, each confirmed or not.")
    user_note: str | None = Field(description="Final instructions for the user.")


_FLAT = "Deprecated: the same as escalation's; removed in the next major version."


class EscalationOutcome(BaseModel):
    type: Literal["escalation"]
    node: str
    text: str
    step: str = Field(description="Step id in the escalation protocol.")
    escalation: ProtocolStep | None = Field(
        description="The step as /api/escalation shows it (escalate_after_minutes for the walk's priority); null if the protocol does not define it."
    )
    team: str | None = Field(description=_FLAT, json_schema_extra={"deprecated": True})
    tier: str | None = Field(description=_FLAT, json_schema_extra={"deprecated": True})
    queue: str | None = Field(description=_FLAT, json_schema_extra={"deprecated": True})
    contact: str | None = Field(description=_FLAT, json_schema_extra={"deprecated": True})
    handoff: list[str] = Field(description="The step's hand-off checklist, then this case's extra items.")
    handoff_items: list[HandoffItem] = Field(description="The same items with their ids and what was filled in.")


class LinkOutcome(BaseModel):
    type: Literal["link"]
    node: str
    guide: str = Field(description="The guide the walk continues in.")
    text: str | None


Outcome = Annotated[ResolutionOutcome | EscalationOutcome | LinkOutcome, Field(discriminator="type")]


class TranscriptData(BaseModel):
    """The transcript as structured data (for ticket tools); ``text`` is the same as the site's and ``kb walk``'s."""

    guide: GuideRef
    category: str | None
    priority: str | None
    gathered: list[GatheredItem]
    steps: list[StepTaken]
    outcome: Outcome | None = Field(description="At a leaf: the resolution, escalation (team, queue, contact, hand-off) or link.")
    text: str


def outcome_of(
    state: WalkState, repo: Repository, priority: str | None = None, opened_at: dt.datetime | None = None
) -> ResolutionOutcome | EscalationOutcome | LinkOutcome | None:
    """What the walk ended in, or None while it is in progress (``opened_at``: the escalation's ``due_at``)."""
    leaf = state.outcome
    if isinstance(leaf, ResolutionNode):
        checks = [CheckItem(id=i, text=t, confirmed=i in state.confirmed) for i, t in zip(item_ids(list(leaf.follow_up)), leaf.follow_up, strict=True)]
        return ResolutionOutcome(type="resolution", node=state.current, text=leaf.text, follow_up=list(leaf.follow_up), checks=checks, user_note=leaf.user_note)
    if isinstance(leaf, EscalationNode):
        applied = applied_leaf(repo, leaf.step, state.guide.meta.category, priority)
        step = ProtocolStep.of(applied, opened_at) if applied else None
        texts = handoff_texts(state, repo)
        return EscalationOutcome(
            type="escalation",
            node=state.current,
            text=leaf.text,
            step=leaf.step,
            escalation=step,
            team=step.team if step else None,
            tier=step.tier if step else None,
            queue=step.queue if step else None,
            contact=step.contact if step else None,
            handoff=[*(step.handoff if step else []), *leaf.handoff],
            handoff_items=[HandoffItem(id=i, text=t, value=state.handoff.get(i, "")) for i, t in zip(item_ids(texts), texts, strict=True)],
        )
    if isinstance(leaf, LinkNode):
        return LinkOutcome(type="link", node=state.current, guide=leaf.guide, text=leaf.text)
    return None


def transcript_json(
    state: WalkState, repo: Repository, priority: str | None = None, gathered: Gathered = NOTHING_GATHERED, opened_at: dt.datetime | None = None
) -> TranscriptData:
    """The same transcript as structured data (for ticket tools)."""
    guide = state.guide
    nodes = guide.tree.nodes
    return TranscriptData(
        guide=GuideRef(id=guide.id, title=guide.meta.title, version=guide.meta.version, revision=guide.revision, content_version=repo.version_of(guide).label),
        category=guide.meta.category,
        priority=priority,
        gathered=[GatheredItem(id=item.id, item=item.text, value=gathered[item.id]) for item in guide.meta.gather if gathered.get(item.id, "").strip()],
        steps=[
            StepTaken(node=v.node_id, type=nodes[v.node_id].type, text=_node_text(nodes[v.node_id]), choice=v.choice, note=v.record.note, at=v.record.at)
            for v in state.path
        ],
        outcome=outcome_of(state, repo, priority, opened_at),
        text=transcript_text(state, repo, priority, gathered),
    )


def _node_text(node: object) -> str:
    text = getattr(node, "text", None)
    return text if isinstance(text, str) else ""
