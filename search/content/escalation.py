"""Which escalation steps apply to a ticket of a category and priority, with time-based triggers."""

from __future__ import annotations

from dataclasses import dataclass

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
    applied: list[AppliedStep] = []
    for step_id, step in escalation.steps.items():
        if not step_applies(step, category_id, priority):
            continue
        after = None
        if step.at_sla_share is not None and targets is not None:
            after = round(duration_minutes(targets.resolution) * step.at_sla_share)
        applied.append(AppliedStep(step_id, step, after))
    applied.sort(key=lambda a: (a.step.kind == "hierarchical", TIER_ORDER[a.step.tier]))
    return applied


def priority_for(priorities: Priorities, impact: str, urgency: str) -> PriorityId | None:
    """Priority from the impact x urgency matrix, or None when either level is unknown."""
    return priorities.matrix.get(impact, {}).get(urgency)
