"""SLA targets as a technician reads them: per priority, first response, resolution and the
time-based escalation triggers that apply to a ticket of a category. A request category is
measured against the request targets (resolution = fulfilment), an incident category against
the incident levels."""

from __future__ import annotations

from dataclasses import dataclass

from ..content.escalation import sla_targets, steps_for
from ..content.models import Kind
from ..content.repository import Repository
from ..content.taxonomy import CategoryIndex


@dataclass(frozen=True)
class Trigger:
    """Time alone escalates to ``team`` after ``minutes`` (``share`` of the resolution target)."""

    step_id: str
    team: str
    minutes: int
    share: float


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


def category_kind(repo: Repository, category_id: str | None) -> Kind:
    return CategoryIndex(repo.taxonomy).kind_of(category_id)


def sla_rows(repo: Repository, category_id: str | None) -> list[SlaRow]:
    """One row per priority level with the time-based triggers of the steps serving ``category_id``."""
    if repo.priorities is None:
        return []
    kind = category_kind(repo, category_id)
    rows = []
    for pid in repo.priorities.levels:
        targets = sla_targets(repo.priorities, pid, kind)
        if targets is None:
            continue
        triggers: tuple[Trigger, ...] = ()
        if repo.escalation is not None:
            triggers = tuple(
                Trigger(a.id, a.step.team, a.escalate_after_minutes, a.step.at_sla_share or 0)
                for a in steps_for(repo.escalation, repo.priorities, category_id, pid, kind)
                if a.escalate_after_minutes is not None
            )
        rows.append(SlaRow(pid, targets.name, targets.first_response, targets.resolution, triggers, targets.kind))
    return rows


def step_trigger_minutes(repo: Repository, step_id: str) -> dict[str, int | None]:
    """Priority -> minutes after which time alone escalates to ``step_id`` (None: no time trigger there)."""
    if repo.priorities is None or repo.escalation is None or step_id not in repo.escalation.steps:
        return {}
    step = repo.escalation.steps[step_id]
    category = step.categories[0] if step.categories else None
    kind = category_kind(repo, category)
    found: dict[str, int | None] = {}
    for pid in repo.priorities.levels:
        applied = next((a for a in steps_for(repo.escalation, repo.priorities, category, pid, kind) if a.id == step_id), None)
        found[pid] = applied.escalate_after_minutes if applied else None
    return found
