"""The escalation protocol must not contradict itself: every category climbs the functional tiers
without a gap, each priority has at most one timer per step, and every timer can fire before the
resolution target is breached (the clock itself is computed in content/escalation.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..content.escalation import step_applies
from ..content.models import PRIORITY_IDS, ClockTrigger, EscalationStep, duration_minutes
from ..content.problems import Severity
from ..content.repository import Repository
from ..workflow.sla import format_minutes
from . import Finding, rule

REL = "guides/escalation.yml"
CHAIN = ("L1", "L2", "L3")  # the functional tiers a ticket climbs one at a time


@rule(
    "escalation-tier-gap",
    "A category's functional chain skips a tier for some priorities (L1 -> L3 with no L2 serving them); no L2 at all is category-without-l2.",
    Severity.WARNING,
)
def escalation_tier_gap(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.taxonomy is None or repo.escalation is None:
        return  # a missing or invalid file is reported once, where it is
    functional = [(sid, s) for sid, s in repo.escalation.steps.items() if s.kind == "functional" and s.tier in CHAIN]
    doc = repo.config_docs["guides/categories.yml"]
    for i, category in enumerate(repo.taxonomy.categories):
        no_l2 = not any(step_applies(step, category.id, None) for _, step in functional if step.tier == "L2")  # category-without-l2's case
        gaps: dict[tuple[str, str, str], list[str]] = {}  # (missing tier, next tier's step, its team) -> priorities
        for pid in PRIORITY_IDS:
            tiers: dict[str, tuple[str, str]] = {}
            for sid, step in functional:
                if step_applies(step, category.id, pid):
                    tiers.setdefault(step.tier, (sid, step.team))
            for n, missing in enumerate(CHAIN):
                above = next((tiers[t] for t in CHAIN[n + 1 :] if t in tiers), None)
                if missing not in tiers and above is not None and any(t in tiers for t in CHAIN[:n]):
                    gaps.setdefault((missing, *above), []).append(pid)
        for (missing, sid, team), pids in gaps.items():
            if missing == "L2" and no_l2:
                continue  # no L2 for any priority: category-without-l2 (checks/requests.py) reports it, once
            line, col = doc.pos(("categories", i, "id"))
            which = "" if len(pids) == len(PRIORITY_IDS) else f" for {', '.join(pids)}"
            yield Finding(
                "guides/categories.yml",
                line,
                col,
                f'category "{category.id}" reaches {team} ({sid}) with no {missing} step serving it{which}; add "{category.id}" '
                f"(or a parent) to the categories of a step of tier {missing} in {REL}, or narrow the categories of {sid}",
            )


def _entries(sid: str, step: EscalationStep) -> Iterator[tuple[ClockTrigger, tuple[str | int, ...]]]:
    """Each timer with its path in escalation.yml (the older at_sla_share is the step's own key)."""
    if step.clock:
        for i, timer in enumerate(step.clock):
            yield timer, ("steps", sid, "clock", i)
    else:
        for timer in step.timers:
            yield timer, ("steps", sid)


def _says(timer: ClockTrigger) -> str:
    if timer.immediately:
        return "at once"
    if timer.after is not None:
        return f"after {timer.after}"
    return f"at {timer.at_sla_share:.0%} of the resolution target"


@rule("escalation-trigger-conflict", "A step has two timers for the same priority (e.g. at once and after a delay).")
def escalation_trigger_conflict(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.escalation is None:
        return
    doc = repo.config_docs[REL]
    for sid, step in repo.escalation.steps.items():
        entries = list(_entries(sid, step))
        for j, (timer, path) in enumerate(entries):
            for earlier, earlier_path in entries[:j]:
                shared = [p for p in PRIORITY_IDS if timer.covers(p) and earlier.covers(p) and (not step.priorities or p in step.priorities)]
                if shared:
                    line, col = doc.pos(path)
                    first = doc.pos(earlier_path)[0]
                    yield Finding(
                        REL,
                        line,
                        col,
                        f'step "{sid}" escalates {", ".join(shared)} {_says(earlier)} (line {first}) and also {_says(timer)}; '
                        "give each priority one timer: list the priorities of each clock entry so they do not overlap",
                    )


@rule(
    "escalation-trigger-never-fires",
    "A timer can never fire before the target is breached: no priority it names applies, a share of 1, or a time past the resolution target.",
    Severity.WARNING,
)
def escalation_trigger_never_fires(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.escalation is None:
        return
    doc = repo.config_docs[REL]
    levels = repo.priorities.levels if repo.priorities else {}
    for sid, step in repo.escalation.steps.items():
        for timer, path in _entries(sid, step):
            outside = [p for p in timer.priorities if step.priorities and p not in step.priorities]
            if outside:
                line, col = doc.pos((*path, "priorities"))
                none = len(outside) == len(timer.priorities)
                yield Finding(
                    REL,
                    line,
                    col,
                    f'this timer {"only " if none else ""}names {", ".join(outside)}, but step "{sid}" applies only to {", ".join(step.priorities)}; '
                    f"{'it never fires: ' if none else ''}name priorities of the step, or widen the step's priorities",
                )
            covered = [p for p in PRIORITY_IDS if timer.covers(p) and (not step.priorities or p in step.priorities) and p in levels]
            if timer.at_sla_share is not None and timer.at_sla_share >= 1:
                line, col = doc.pos((*path, "at_sla_share"))
                yield Finding(
                    REL,
                    line,
                    col,
                    f'at {timer.at_sla_share:.0%} the resolution target has passed: the ticket is breached before step "{sid}" is called; '
                    "use a share below 1 (0.8 = 80%), or immediately: true",
                )
            if timer.after is not None:
                minutes = duration_minutes(timer.after)
                late = [p for p in covered if minutes >= duration_minutes(levels[p].resolution)]
                if late:
                    line, col = doc.pos((*path, "after"))
                    targets = ", ".join(f"{p} ({format_minutes(duration_minutes(levels[p].resolution))})" for p in late)
                    yield Finding(
                        REL,
                        line,
                        col,
                        f'after {timer.after} is at or past the resolution target of {targets}: those tickets are breached before step "{sid}" '
                        "is called; use a shorter time, at_sla_share, or list only the priorities it fits",
                    )
