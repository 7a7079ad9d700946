"""The one transcript format: what a technician pastes into the ticket as an internal note.

The text is built only from *fragments* computed here (one per step choice and per outcome);
assembling is plain concatenation. The site embeds the fragments and its script joins them the
way :func:`assemble` does, so the copied text equals the API's and ``kb walk``'s byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..content.models import ActionNode, EscalationNode, LinkNode, QuestionNode, ResolutionNode
from ..content.prose import one_line
from ..content.repository import Guide, Repository
from ..content.taxonomy import CategoryIndex
from .walk import DONE, WalkState


def fragments(guide: Guide, repo: Repository) -> dict[str, Any]:
    """Every piece of transcript text for one guide, keyed for assembly."""
    category = CategoryIndex(repo.taxonomy).by_id.get(guide.meta.category or "")
    header = [
        f"Guide: {one_line(guide.meta.title)} ({guide.id}, revision {guide.revision})",
        f"Category: {guide.meta.category} ({one_line(category.title)})" if category else f"Category: {guide.meta.category or 'none'}",
    ]
    levels = repo.priorities.levels if repo.priorities else {}
    priorities = {pid: f"Priority: {pid} {level.name} (first response {level.first_response}, resolution {level.resolution})" for pid, level in levels.items()}
    steps: dict[str, dict[str, str]] = {}
    outcomes: dict[str, list[str]] = {}
    steps_by_id = repo.escalation.steps if repo.escalation else {}
    guides = repo.guide_by_id
    for node_id, node in guide.tree.nodes.items():
        if isinstance(node, QuestionNode):
            steps[node_id] = {label: f"Asked: {one_line(node.text)} Answer: {label}" for label in node.answers}
        elif isinstance(node, ActionNode):
            steps[node_id] = {DONE: f"Done: {one_line(node.text)}"}
        elif isinstance(node, ResolutionNode):
            lines = [f"Outcome: Resolved. {one_line(node.text)}"]
            if node.follow_up:
                lines += ["Follow-up checks:", *(f"- {one_line(c)}" for c in node.follow_up)]
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
                *(f"- {one_line(item)}" for item in [*step.handoff, *node.handoff]),
            ]
        elif isinstance(node, LinkNode):
            target = guides.get(node.guide)
            title = one_line(target.meta.title) if target else node.guide
            reason = f" {one_line(node.text)}" if node.text else ""
            outcomes[node_id] = [f"Outcome: Continue with guide {title} ({node.guide}).{reason}"]
    return {
        "header": header,
        "priorities": priorities,
        "gather": [one_line(item) for item in guide.meta.gather],
        "steps": steps,
        "outcomes": outcomes,
    }


def assemble(parts: Mapping[str, Any], path: Sequence[tuple[str, str]], current: str, priority: str | None = None, gathered: Sequence[str] = ()) -> str:
    """Join fragments for a walk: ``path`` is (node id, choice) pairs, ``current`` the node reached.

    ``gathered`` holds the technician's notes aligned with the guide's ``gather`` items (blank =
    not gathered). Mirrored line for line by ``assembleTranscript`` in the site's script.
    """
    lines = list(parts["header"])
    if priority and priority in parts["priorities"]:
        lines.append(parts["priorities"][priority])
    notes = [(item, one_line(value)) for item, value in zip(parts["gather"], gathered, strict=False) if value and value.strip()]
    if notes:
        lines.append("Information gathered:")
        lines += [f"- {item}: {value}" for item, value in notes]
    if path:
        lines.append("Steps:")
        lines += [f"{n}. {parts['steps'][node_id][choice]}" for n, (node_id, choice) in enumerate(path, 1)]
    lines += parts["outcomes"].get(current, ["Outcome: In progress (walk not finished)."])
    return "\n".join(lines) + "\n"


def transcript_text(state: WalkState, repo: Repository, priority: str | None = None, gathered: Sequence[str] = ()) -> str:
    """The plain-text transcript of a walk."""
    return assemble(fragments(state.guide, repo), [(v.node_id, v.choice) for v in state.path], state.current, priority, gathered)


def transcript_json(state: WalkState, repo: Repository, priority: str | None = None, gathered: Sequence[str] = ()) -> dict[str, Any]:
    """The same transcript as structured data (for ticket tools)."""
    guide = state.guide
    nodes = guide.tree.nodes
    outcome: dict[str, Any] | None = None
    leaf = state.outcome
    if isinstance(leaf, ResolutionNode):
        outcome = {"type": "resolution", "node": state.current, "text": leaf.text, "follow_up": leaf.follow_up, "user_note": leaf.user_note}
    elif isinstance(leaf, EscalationNode):
        step = repo.escalation.steps.get(leaf.step) if repo.escalation else None
        outcome = {
            "type": "escalation",
            "node": state.current,
            "text": leaf.text,
            "step": leaf.step,
            "team": step.team if step else None,
            "tier": step.tier if step else None,
            "queue": step.queue if step else None,
            "contact": step.contact if step else None,
            "handoff": [*(step.handoff if step else []), *leaf.handoff],
        }
    elif isinstance(leaf, LinkNode):
        outcome = {"type": "link", "node": state.current, "guide": leaf.guide, "text": leaf.text}
    return {
        "guide": {"id": guide.id, "title": guide.meta.title, "version": guide.meta.version, "revision": guide.revision},
        "category": guide.meta.category,
        "priority": priority,
        "gathered": [{"item": item, "value": value} for item, value in zip(guide.meta.gather, gathered, strict=False) if value and value.strip()],
        "steps": [{"node": v.node_id, "type": nodes[v.node_id].type, "text": nodes[v.node_id].text, "choice": v.choice} for v in state.path],
        "outcome": outcome,
        "text": transcript_text(state, repo, priority, gathered),
    }
