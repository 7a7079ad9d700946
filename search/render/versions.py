"""A document's content version as its page shows it (``content.history.ContentVersion``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..content.history import ContentVersion


@dataclass(frozen=True)
class ShownVersion:
    """``token`` changes whenever the content does; the page script keeps the last one seen per ``doc``."""

    doc: str
    token: str
    short: str
    label: str
    date: str | None
    day: str | None
    modified: bool

    @classmethod
    def of(cls, doc: str, version: ContentVersion) -> ShownVersion:
        return cls(
            doc,
            version.token,
            version.commit[:10] if version.commit else version.digest[:12],
            version.label,
            version.date.isoformat() if version.date else None,
            version.date.date().isoformat() if version.date else None,
            version.modified,
        )
