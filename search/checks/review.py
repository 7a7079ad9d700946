"""The SOP's annual review: content past its review interval is reported to its owner.

A warning, and one that ``--strict`` leaves a warning: it comes from the calendar, not from the
change being checked, so it must not block an unrelated pull request. ``kb check
--fail-on-overdue`` (the scheduled job) makes it fail (decision record 0021).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..content.problems import Severity
from ..content.repository import Repository
from ..workflow.review import overdue_since
from . import Finding, documents_at, file_facts, rule

REVIEW_OVERDUE = "review-overdue"


@rule(
    REVIEW_OVERDUE,
    "A guide or article was last reviewed longer ago than its review interval (365 days by default, or its category's); fails only with --fail-on-overdue.",
    Severity.WARNING,
)
def review_overdue(repo: Repository, today: dt.date) -> Iterator[Finding]:
    late = [(item, due) for item in repo.documents if "reviewed" not in item.cut and (due := overdue_since(item.meta, repo.taxonomy, today)) is not None]
    # where each late document's "reviewed:" is written: a fact of its file, cached by its content
    # (finding it parses the front matter a second time, for every overdue imported article)
    at = dict(file_facts(documents_at(repo, {item.path for item, _ in late}), "reviewed-at", _reviewed_at))
    for item, due in late:
        line, col = at[item.path]
        yield Finding(
            item.path,
            line,
            col,
            f'last reviewed {item.meta.reviewed.isoformat()}, review was due {due.isoformat()} ({(today - due).days} days ago); owner "{item.meta.owner}" should review it, then run: kb review --done {item.id} --by NAME',
        )


def _reviewed_at(repo: Repository) -> Iterator[tuple[str, tuple[int, int]]]:
    for item in repo.documents:
        yield item.path, item.doc.pos(("reviewed",))
