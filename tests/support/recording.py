"""What a recorded walk printed: the step times a transcript shows, read back as step records.

``kb walk`` stamps each answer with the local time when it was given; a test cannot set that
clock, so it reads the stamps back from the printed transcript (checking they fall within the
run) and gives the same times to the API and the site, which must then print the same text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from search.content.repository import Guide
from search.workflow.walk import StepRecord, WalkState, walk

STAMP = re.compile(r"^(\d+)\. \[(?:(\d{4}-\d\d-\d\d) )?(\d\d):(\d\d)\] ", re.M)


def printed_times(text: str, day: dt.date, tz: dt.tzinfo) -> dict[int, dt.datetime]:
    """Step index -> the time its ``[HH:MM]`` stamp shows, on ``day`` in ``tz`` (a stamp's own date wins)."""
    times = {}
    for match in STAMP.finditer(text):
        date = dt.date.fromisoformat(match.group(2)) if match.group(2) else day
        times[int(match.group(1)) - 1] = dt.datetime(date.year, date.month, date.day, int(match.group(3)), int(match.group(4)), tzinfo=tz)
    return times


def records_from(text: str, steps: int, day: dt.date, tz: dt.tzinfo, notes: Mapping[int, str] | None = None) -> list[StepRecord]:
    """One record per step: the printed time (if any) and ``notes[i]``."""
    times = printed_times(text, day, tz)
    return [StepRecord((notes or {}).get(i, ""), times.get(i)) for i in range(steps)]


def assert_within(records: list[StepRecord], start: dt.datetime, end: dt.datetime) -> None:
    """Every record has a time, and it is a minute the run went through (the clock was really read)."""
    first = start.replace(second=0, microsecond=0)
    assert records and all(r.at is not None and first <= r.at <= end for r in records), (records, start, end)


def page_records(records: list[dict[str, str]]) -> list[StepRecord]:
    """The step records a page keeps (``kbGuides.state().records``) as the engine takes them."""
    return [StepRecord(r.get("note", ""), dt.datetime.fromisoformat(r["at"]) if r.get("at") else None) for r in records]


def page_walk(page: object, guide: Guide, answers: Sequence[str], before: int | None = None) -> WalkState:
    """The engine's walk of ``answers`` with what the page recorded on it (``kbGuides.state()``):
    the time and note of each step, and at the leaf the checks confirmed and hand-off values.
    ``before``: an earlier guide of the walk (``state.before[i]``), which ended at a link node."""
    state = page.evaluate("kbGuides.state()")  # type: ignore[attr-defined]
    if before is not None:
        return walk(guide, answers, records=page_records(state["before"][before]["records"]))
    leaf = state["leaf"]
    return walk(guide, answers, records=page_records(state["records"]), confirmed=frozenset(leaf["confirmed"]), handoff=leaf["handoff"])
