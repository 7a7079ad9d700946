"""Which escalation steps apply to a ticket of a category and priority, and when time alone
escalates to each: the one escalation clock (:func:`clock_of`) behind the guide pages, the
escalation page, the API, ``kb walk``, transcripts and messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .models import (
    PRIORITY_IDS,
    ZENDESK_TO_PRIORITY,
    ClockTrigger,
    Escalation,
    EscalationStep,
    Kind,
    Priorities,
    PriorityId,
    TriggerKind,
    duration_minutes,
)
from .taxonomy import is_within

TIER_ORDER = {"L1": 0, "L2": 1, "L3": 2, "vendor": 3, "management": 4}
ClockKind = Literal[TriggerKind, "manual"]


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


@dataclass(frozen=True)
class Clock:
    """When time alone escalates to a step for one ticket. ``kind`` manual: no timer runs (the
    step's prose trigger decides); ``minutes`` is 0 for immediate, None when it cannot be known
    (a share of the resolution target for a ticket without a priority). ``share`` is set for
    ``sla_share`` timers."""

    kind: ClockKind
    minutes: int | None = None
    share: float | None = None

    def due(self, opened_at: dt.datetime | None) -> dt.datetime | None:
        """The deadline for a ticket opened at ``opened_at`` (None: no timer, or not known)."""
        return opened_at + dt.timedelta(minutes=self.minutes) if opened_at is not None and self.minutes is not None else None


MANUAL = Clock("manual")


def timer_for(step: EscalationStep, priority: str | None) -> ClockTrigger | None:
    """The step's timer that runs for ``priority`` (``kb check`` reports a priority with two)."""
    return next((t for t in step.timers if t.covers(priority)), None)


def clock_of(step: EscalationStep, priorities: Priorities | None, priority: str | None, kind: Kind = "incident") -> Clock:
    """The one computation of a step's deadline for a ticket of ``priority`` and ``kind``: a share
    is of that kind's resolution target (a request's fulfilment target, see :func:`sla_targets`)."""
    timer = timer_for(step, priority)
    if timer is None:
        return MANUAL
    if timer.immediately:
        return Clock("immediate", 0)
    if timer.after is not None:
        return Clock("after", duration_minutes(timer.after))
    targets = sla_targets(priorities, priority, kind)
    share = timer.at_sla_share
    return Clock("sla_share", round(duration_minutes(targets.resolution) * share) if targets and share else None, share)


@dataclass(frozen=True)
class AppliedStep:
    """An escalation step as it applies to one ticket, with its clock."""

    id: str
    step: EscalationStep
    clock: Clock


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
    trigger_kind: ClockKind = Field(
        "manual",
        description="How time escalates here for this ticket: immediate (at once), after (a fixed time), sla_share (a share of the "
        "resolution target) or manual (no timer: the trigger text decides).",
    )
    escalate_after_minutes: int | None = Field(
        None, description="Time alone escalates here this many minutes after the ticket was opened (0: at once); null without a timer."
    )
    due_at: dt.datetime | None = Field(None, description="When that is, if the ticket's opened time was given (opened_at).")

    @classmethod
    def of(cls, applied: AppliedStep, opened_at: dt.datetime | None = None) -> ProtocolStep:
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
            trigger_kind=applied.clock.kind,
            escalate_after_minutes=applied.clock.minutes,
            due_at=applied.clock.due(opened_at),
        )


def with_due(step: ProtocolStep, opened_at: dt.datetime | None) -> ProtocolStep:
    """A precomputed step (the catalog's) with its deadline for a ticket opened at ``opened_at``."""
    due = Clock(step.trigger_kind, step.escalate_after_minutes).due(opened_at)
    return step.model_copy(update={"due_at": due}) if due is not None else step


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
    Shares of the resolution target are of the target of the ticket's ``kind`` (fulfilment for a request)."""
    applied = [
        AppliedStep(sid, step, clock_of(step, priorities, priority, kind))
        for sid, step in escalation.steps.items()
        if step_applies(step, category_id, priority)
    ]
    applied.sort(key=lambda a: (a.step.kind == "hierarchical", TIER_ORDER[a.step.tier]))
    return applied


def applied_step(
    escalation: Escalation | None, priorities: Priorities | None, step_id: str, priority: str | None, kind: Kind = "incident"
) -> AppliedStep | None:
    """One step (a walk's escalation leaf names it) with its clock for ``priority``; None when it is not defined."""
    step = escalation.steps.get(step_id) if escalation else None
    return AppliedStep(step_id, step, clock_of(step, priorities, priority, kind)) if step else None


def priority_for(priorities: Priorities, impact: str, urgency: str) -> PriorityId | None:
    """Priority from the impact x urgency matrix, or None when either level is unknown."""
    return priorities.matrix.get(impact, {}).get(urgency)
