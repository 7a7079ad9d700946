"""The freshness banner of a guide or article page: its review is overdue on the day the site is
built (``today``, the plugin's ``today`` option, else the build date). Retired pages have their
own banner (``_parts.html`` status_banner) and are never due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..content.models import DocumentMeta, Taxonomy
from ..workflow.review import overdue_since


@dataclass(frozen=True)
class OverdueReview:
    """What the banner says: when the page was last reviewed, when it fell due, by how many days
    as of which build date, and who owns it."""

    reviewed: str
    due: str
    days: int
    as_of: str
    owner: str


def overdue_review(meta: DocumentMeta, taxonomy: Taxonomy | None, today: dt.date | None) -> OverdueReview | None:
    """The banner's facts, or None when the review is not overdue (or no build date is given:
    a page rendered on its own, in a test)."""
    due = overdue_since(meta, taxonomy, today) if today is not None else None
    if due is None or today is None:
        return None
    return OverdueReview(meta.reviewed.isoformat(), due.isoformat(), (today - due).days, today.isoformat(), meta.owner)
