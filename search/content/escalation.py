"""Which escalation steps apply to a ticket of a category and priority, with time-based triggers."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from .models import PRIORITY_IDS, ZENDESK_TO_PRIORITY, Escalation, EscalationStep, Kind, Priorities, PriorityId, duration_minutes
from .taxonomy import is_within

TIER_ORDER = {"L1": 0, "L2": 1, "L3": 2, "vendor": 3, "management": 4}


@dataclass(frozen=True)
class AppliedStep:
    """An escalation step as it applies to one ticket: ``escalate_after_minutes`` is set for time-based steps."""

    id: str
    step: EscalationStep
    escalate_after_minutes: int | None


@dataclass(frozen=True)
class Targets:
    """The SLA targets of one priority for one kind of ticket: for a request, ``resolution`` is
    the fulfilment target. ``kind`` says which table they came from (``request`` falls back to
    the incident levels when priorities.yml has no ``requests`` section; kb check warns then)."""

    kind: Kind
    name: str
    first_response: str
    resolution: str
    description: str | None


def sla_targets(priorities: Priorities | None, priority: str | None, kind: Kind = "incident") -> Targets | None:
    """The targets a ticket of ``kind`` at ``priority`` is measured against, or None when unknown."""
    if priorities is None or priority not in PRIORITY_IDS:
        return None
    level = priorities.levels.get(priority)
    if level is None:
        return None
    request = priorities.requests.get(priority) if kind == "request" and priorities.requests else None
    if request is not None:
        return Targets("request", level.name, request.first_response, request.fulfilment, request.description or level.description)
    return Targets("incident", level.name, level.first_response, level.resolution, level.description)


class ProtocolStep(BaseModel):
    """An escalation step as it applies to a ticket: the one shape of the escalation protocol
    wherever it appears (the catalog, /api/escalation, diagnose answers, walk outcomes)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Step id in guides/escalation.yml.")
    tier: str = Field(description="L1, L2, L3, vendor or management.")
    kind: str = Field(description="functional or hierarchical.")
    team: str
    queue: str = Field(description="Ticket-tool group or queue, e.g. the Zendesk group name.")
    contact: str = Field(description="How to reach the team: channel, phone, on-call rota.")
    trigger: str = Field(description="When to escalate to this step.")
    handoff: list[str] = Field(description="What the next level must receive.")
    escalate_after_minutes: int | None = Field(None, description="Time alone escalates here after this many minutes (a share of the resolution target).")

    @classmethod
    def of(cls, applied: AppliedStep) -> ProtocolStep:
        step = applied.step
        return cls(
            id=applied.id,
            tier=step.tier,
            kind=step.kind,
            team=step.team,
            queue=step.queue,
            contact=step.contact,
            trigger=step.trigger,
            handoff=list(step.handoff),
            escalate_after_minutes=applied.escalate_after_minutes,
        )


def normalize_priority(value: str) -> PriorityId | None:
    """``P1``..``P4`` from ``p1``, ``P1`` or a Zendesk priority (urgent/high/normal/low)."""
    key = value.strip()
    upper = key.upper()
    for pid in PRIORITY_IDS:
        if upper == pid:
            return pid
    return ZENDESK_TO_PRIORITY.get(key.lower())


def step_applies(step: EscalationStep, category_id: str | None, priority: str | None) -> bool:
    in_category = not step.categories or (category_id is not None and any(is_within(category_id, c) for c in step.categories))
    in_priority = not step.priorities or priority is None or priority in step.priorities
    return in_category and in_priority


def steps_for(
    escalation: Escalation, priorities: Priorities | None, category_id: str | None, priority: str | None, kind: Kind = "incident"
) -> list[AppliedStep]:
    """The protocol for one ticket, in escalation order (functional tiers, then hierarchical).
    Time-based triggers are shares of the resolution target of the ticket's ``kind``."""
    targets = sla_targets(priorities, priority, kind)
    applied = [AppliedStep(sid, step, _after(step, targets)) for sid, step in escalation.steps.items() if step_applies(step, category_id, priority)]
    applied.sort(key=lambda a: (a.step.kind == "hierarchical", TIER_ORDER[a.step.tier]))
    return applied


def applied_step(
    escalation: Escalation | None, priorities: Priorities | None, step_id: str, priority: str | None, kind: Kind = "incident"
) -> AppliedStep | None:
    """One step (a walk's escalation leaf names it) with its time trigger for ``priority``; None when it is not defined."""
    step = escalation.steps.get(step_id) if escalation else None
    return AppliedStep(step_id, step, _after(step, sla_targets(priorities, priority, kind))) if step else None


def _after(step: EscalationStep, targets: Targets | None) -> int | None:
    if step.at_sla_share is None or targets is None:
        return None
    return round(duration_minutes(targets.resolution) * step.at_sla_share)


def priority_for(priorities: Priorities, impact: str, urgency: str) -> PriorityId | None:
    """Priority from the impact x urgency matrix, or None when either level is unknown."""
    return priorities.matrix.get(impact, {}).get(urgency)
