"""Review state of guides and articles: the SOP's annual review, by owner.

A document's review interval is its own ``review_every_days``, else that of its category or the
nearest parent category that sets one, else :data:`DEFAULT_INTERVAL_DAYS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from ..content.models import DocumentMeta, Taxonomy
from ..content.repository import Guide, Repository
from ..content.taxonomy import parent_ids

DEFAULT_INTERVAL_DAYS = 365
DEFAULT_WINDOW_DAYS = 30
ReviewState = Literal["overdue", "due-soon", "ok"]


def review_due(reviewed: dt.date, every_days: int) -> dt.date:
    """The date a document reviewed on ``reviewed`` must be reviewed again."""
    return reviewed + dt.timedelta(days=every_days)


_last_intervals: list[tuple[Taxonomy, dict[str, int]]] = []  # the categories' intervals of the taxonomy last asked about


def _category_intervals(taxonomy: Taxonomy) -> dict[str, int]:
    """Category id -> its own review interval, worked out once per taxonomy (not per document:
    ``kb check`` asks for every one of thousands)."""
    if not _last_intervals or _last_intervals[0][0] is not taxonomy:
        _last_intervals[:] = [(taxonomy, {c.id: c.review_every_days for c in taxonomy.categories if c.review_every_days is not None})]
    return _last_intervals[0][1]


def review_interval(meta: DocumentMeta, taxonomy: Taxonomy | None) -> int:
    """Days between reviews of a document (see the module docstring for the order)."""
    if meta.review_every_days is not None:
        return meta.review_every_days
    if meta.category and taxonomy is not None:
        intervals = _category_intervals(taxonomy)
        for category in (meta.category, *parent_ids(meta.category)):
            if category in intervals:
                return intervals[category]
    return DEFAULT_INTERVAL_DAYS


def overdue_since(meta: DocumentMeta, taxonomy: Taxonomy | None, today: dt.date) -> dt.date | None:
    """The date a document's review fell due when that is before ``today``, else None; retired
    content is never due. One rule for ``kb check`` (review-overdue) and the site's banner."""
    if meta.status.value == "retired":
        return None
    due = review_due(meta.reviewed, review_interval(meta, taxonomy))
    return due if due < today else None


@dataclass(frozen=True)
class ReviewItem:
    """One guide or article with its review dates, as ``kb review`` and the site list it."""

    kind: Literal["guide", "article"]
    id: str
    title: str
    owner: str
    path: str
    status: str  # lifecycle: draft, published, retired
    reviewed: dt.date
    reviewed_by: str | None
    interval_days: int
    due: dt.date
    days_left: int
    state: ReviewState


def review_items(repo: Repository, today: dt.date, within_days: int = DEFAULT_WINDOW_DAYS) -> list[ReviewItem]:
    """Every guide and article that is not retired, by due date (overdue first)."""
    items = []
    for doc in repo.documents:
        meta = doc.meta
        if meta.status.value == "retired":
            continue
        interval = review_interval(meta, repo.taxonomy)
        due = review_due(meta.reviewed, interval)
        left = (due - today).days
        state: ReviewState = "overdue" if left < 0 else "due-soon" if left <= within_days else "ok"
        kind: Literal["guide", "article"] = "guide" if isinstance(doc, Guide) else "article"
        items.append(ReviewItem(kind, doc.id, meta.title, meta.owner, doc.path, meta.status.value, meta.reviewed, meta.reviewed_by, interval, due, left, state))
    return sorted(items, key=lambda i: (i.due, i.title.casefold()))
