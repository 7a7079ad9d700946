"""Review state of a guide or article: when its next review is due (the SOP's annual review)."""

from __future__ import annotations

import datetime as dt


def review_due(reviewed: dt.date, every_days: int) -> dt.date:
    """The date a document reviewed on ``reviewed`` must be reviewed again."""
    return reviewed + dt.timedelta(days=every_days)
