"""Fill the message templates of ``guides/templates.yml`` from a finished walk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..content.models import PLACEHOLDER, PLACEHOLDERS, EscalationNode, MessageTemplate, ResolutionNode
from ..content.repository import Repository
from .transcript import NOTHING_GATHERED, Gathered, transcript_text
from .walk import WalkState

TICKET_FIELDS = ("ticket_id", "requester", "technician")


class MessageError(ValueError):
    """The walk has not reached the leaf a template needs, or there are no templates."""


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def values_for(state: WalkState, repo: Repository, priority: str | None, gathered: Gathered, ticket: Mapping[str, str]) -> dict[str, str]:
    """Every placeholder value a walk provides (empty where it does not apply)."""
    guide = state.guide
    values = {name: "" for names in PLACEHOLDERS.values() for name in names}
    values.update({k: str(v) for k, v in ticket.items() if k in TICKET_FIELDS})
    values.update(
        guide_title=guide.meta.title,
        guide_id=guide.id,
        revision=guide.revision,
        category=guide.meta.category or "",
        priority=priority or "",
        transcript=transcript_text(state, repo, priority, gathered).rstrip("\n"),
    )
    leaf = state.outcome
    if isinstance(leaf, ResolutionNode):
        values.update(resolution=leaf.text, follow_up=_bullets(leaf.follow_up), user_note=leaf.user_note or "")
    elif isinstance(leaf, EscalationNode) and repo.escalation and leaf.step in repo.escalation.steps:
        step = repo.escalation.steps[leaf.step]
        values.update(
            team=step.team, tier=step.tier, queue=step.queue, contact=step.contact, handoff=_bullets([*step.handoff, *leaf.handoff]), reason=leaf.text
        )
    return values


def fill(template: MessageTemplate, values: Mapping[str, str]) -> dict[str, str | None]:
    def sub(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    return {"subject": sub(template.subject) if template.subject else None, "body": sub(template.body)}


def messages_for(
    state: WalkState, repo: Repository, priority: str | None = None, gathered: Gathered = NOTHING_GATHERED, ticket: Mapping[str, str] | None = None
) -> dict[str, dict[str, str | None]]:
    """The messages that apply to where the walk ended: resolution + closure, or escalation."""
    if repo.templates is None:
        raise MessageError("no message templates: add guides/templates.yml")
    leaf = state.outcome
    values = values_for(state, repo, priority, gathered, ticket or {})
    if isinstance(leaf, ResolutionNode):
        return {"resolution": fill(repo.templates.resolution, values), "closure": fill(repo.templates.closure, values)}
    if isinstance(leaf, EscalationNode):
        return {"escalation": fill(repo.templates.escalation, values)}
    raise MessageError("messages are filled at a resolution or escalation leaf; finish the walk first")
