"""Which escalation steps apply to a ticket of a category and priority, with time-based triggers."""

from __future__ import annotations

from dataclasses import dataclass

from .models import PRIORITY_IDS, ZENDESK_TO_PRIORITY, Escalation, EscalationStep, Priorities, PriorityId, PriorityLevel, duration_minutes
from .taxonomy import is_within

TIER_ORDER = {"L1": 0, "L2": 1, "L3": 2, "vendor": 3, "management": 4}


@dataclass(frozen=True)
class AppliedStep:
    """An escalation step as it applies to one ticket: ``escalate_after_minutes`` is set for time-based steps."""

    id: str
    step: EscalationStep
    escalate_after_minutes: int | None


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


def steps_for(escalation: Escalation, priorities: Priorities | None, category_id: str | None, priority: str | None) -> list[AppliedStep]:
    """The protocol for one ticket, in escalation order (functional tiers, then hierarchical)."""
    level: PriorityLevel | None = priorities.levels.get(priority) if priorities and priority in PRIORITY_IDS else None
    applied: list[AppliedStep] = []
    for step_id, step in escalation.steps.items():
        if not step_applies(step, category_id, priority):
            continue
        after = None
        if step.at_sla_share is not None and level is not None:
            after = round(duration_minutes(level.resolution) * step.at_sla_share)
        applied.append(AppliedStep(step_id, step, after))
    applied.sort(key=lambda a: (a.step.kind == "hierarchical", TIER_ORDER[a.step.tier]))
    return applied


def priority_for(priorities: Priorities, impact: str, urgency: str) -> PriorityId | None:
    """Priority from the impact x urgency matrix, or None when either level is unknown."""
    return priorities.matrix.get(impact, {}).get(urgency)
