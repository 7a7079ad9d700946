"""SLA targets as a technician reads them: per priority, first response, resolution and the
escalation clock (at once, after a time, at a share of the resolution target) of the steps that
apply to a ticket of a category. A request category is measured against the request targets
(resolution = fulfilment), an incident category against the incident levels; a share of the
target is of the ticket's own kind. Every wording of the clock is made here, from
:func:`content.escalation.clock_of`, so the guide pages, the escalation page, messages and the
ticket-tool notes say the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..content.escalation import AppliedStep, Clock, Targets, applied_step, clock_of, sla_targets, steps_for
from ..content.models import ClockTrigger, EscalationStep, Kind, duration_minutes
from ..content.repository import Repository
from ..content.taxonomy import CategoryIndex, is_within


@dataclass(frozen=True)
class Trigger:
    """Time alone escalates to ``team`` as ``clock`` says."""

    step_id: str
    team: str
    clock: Clock

    def text(self, opened_at: dt.datetime | None = None) -> str:
        return f"{self.team} {when_text(self.clock, opened_at)}"


@dataclass(frozen=True)
class SlaRow:
    priority: str
    name: str
    first_response: str
    resolution: str  # the fulfilment target when ``kind`` is request
    triggers: tuple[Trigger, ...]
    kind: Kind = "incident"


def format_minutes(minutes: int) -> str:
    """``90`` -> ``1h30m``, ``2880`` -> ``2d``, in the units the content files use."""
    if minutes <= 0:
        return "0m"
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return "".join(f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (mins, "m")) if value)


def share_text(share: float) -> str:
    return f"{share * 100:g}%"


def format_due(due: dt.datetime, opened_at: dt.datetime) -> str:
    """``14:30``, with the date when the deadline falls on another day than the opening."""
    return due.strftime("%H:%M") if due.date() == opened_at.date() else due.strftime("%Y-%m-%d %H:%M")


def when_text(clock: Clock, opened_at: dt.datetime | None = None) -> str:
    """``at once``, ``after 2h``, ``after 3h12m (80%)``; with ``opened_at`` also ``(due by 14:30)``."""
    if clock.kind == "manual":
        return "when the trigger applies (no timer)"
    if clock.kind == "immediate":
        text = "at once"
    elif clock.minutes is None:
        text = f"at {share_text(clock.share or 0)} of the resolution target"
    else:
        text = f"after {format_minutes(clock.minutes)}" + (f" ({share_text(clock.share)})" if clock.share is not None else "")
    due = clock.due(opened_at)
    return f"{text}, due by {format_due(due, opened_at)}" if due is not None and opened_at is not None else text


def clock_lines(applied: list[AppliedStep], opened_at: dt.datetime | None = None) -> list[str]:
    """One line per timed step, in escalation order: what a note or a message lists as the clock."""
    return [f"{a.step.team}: {when_text(a.clock, opened_at)}" for a in applied if a.clock.kind != "manual"]


def category_kind(repo: Repository, category_id: str | None) -> Kind:
    """incident or request: which targets a ticket of the category runs on (the clock's shares too)."""
    return CategoryIndex(repo.taxonomy).kind_of(category_id)


def ticket_targets(repo: Repository, category_id: str | None, priority: str | None) -> Targets | None:
    """The targets a ticket of ``category_id`` at ``priority`` is measured against (its category's kind)."""
    return sla_targets(repo.priorities, priority, category_kind(repo, category_id))


def applied_leaf(repo: Repository, step_id: str, category_id: str | None, priority: str | None) -> AppliedStep | None:
    """The step a walk's escalation leaf names, with its clock for a ticket of ``category_id`` and ``priority``."""
    return applied_step(repo.escalation, repo.priorities, step_id, priority, category_kind(repo, category_id))


def timed_steps(repo: Repository, category_id: str | None, priority: str | None, leaf_step: str | None = None) -> list[AppliedStep]:
    """The steps whose timer runs for a ticket, in escalation order; ``leaf_step``, the step a walk
    escalates to, is left out (the ticket is going there now, not after a time)."""
    if repo.escalation is None:
        return []
    applied = steps_for(repo.escalation, repo.priorities, category_id, priority, category_kind(repo, category_id))
    return [a for a in applied if a.id != leaf_step and a.clock.kind != "manual"]


def sla_rows(repo: Repository, category_id: str | None, leaf_step: str | None = None) -> list[SlaRow]:
    """One row per priority level with the timers of the steps serving ``category_id`` (but ``leaf_step``)."""
    if repo.priorities is None:
        return []
    kind = category_kind(repo, category_id)
    rows = []
    for pid in repo.priorities.levels:
        targets = sla_targets(repo.priorities, pid, kind)
        if targets is not None:
            triggers = tuple(Trigger(a.id, a.step.team, a.clock) for a in timed_steps(repo, category_id, pid, leaf_step))
            rows.append(SlaRow(pid, targets.name, targets.first_response, targets.resolution, triggers, targets.kind))
    return rows


def step_clocks(repo: Repository, step: EscalationStep, kind: Kind = "incident") -> dict[str, Clock | None]:
    """Priority -> the step's clock for a ticket of ``kind`` at that priority (None: the step does not apply to it)."""
    if repo.priorities is None:
        return {}
    return {pid: clock_of(step, repo.priorities, pid, kind) if not step.priorities or pid in step.priorities else None for pid in repo.priorities.levels}


def step_kinds(repo: Repository, step: EscalationStep) -> list[Kind]:
    """The kinds of ticket a step serves (incident first): those of its categories and their
    sub-categories, or of the whole taxonomy when it serves every category."""
    if repo.taxonomy is None:
        return ["incident"]
    categories = CategoryIndex(repo.taxonomy)
    served = [c.id for c in repo.taxonomy.categories if not step.categories or any(is_within(c.id, s) for s in step.categories)]
    kinds = {categories.kind_of(c) for c in served} or {"incident"}
    return [k for k in ("incident", "request") if k in kinds]


def clock_summary(step: EscalationStep, kind: Kind = "incident") -> str:
    """The step's timers in words, for the escalation page: ``P1: at once; P2, P3, P4: at 80% of the
    resolution target`` (of the fulfilment target for requests)."""
    return "; ".join((f"{', '.join(t.priorities)}: " if t.priorities else "") + _timer_text(t, kind) for t in step.timers) or "no timer"


def _timer_text(timer: ClockTrigger, kind: Kind) -> str:
    if timer.immediately:
        return "at once"
    if timer.after is not None:
        return f"after {format_minutes(duration_minutes(timer.after))}"
    return f"at {share_text(timer.at_sla_share or 0)} of the {'fulfilment' if kind == 'request' else 'resolution'} target"
