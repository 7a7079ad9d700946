"""The SOP's annual review: content past its review interval is reported to its owner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..content.problems import Severity
from ..content.repository import Repository
from ..workflow.review import review_due
from . import Finding, rule


@rule("review-overdue", "A guide or article was last reviewed longer ago than its review interval (365 days by default).", Severity.WARNING)
def review_overdue(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for item in repo.documents:
        if item.meta.status.value == "retired":
            continue
        due = review_due(item.meta.reviewed, item.meta.review_every_days)
        if due < today:
            line, col = item.doc.pos(("reviewed",))
            yield Finding(
                item.path,
                line,
                col,
                f'last reviewed {item.meta.reviewed.isoformat()}, review was due {due.isoformat()} ({(today - due).days} days ago); owner "{item.meta.owner}" should review it and update "reviewed"',
            )
