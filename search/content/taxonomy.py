"""Category lookups over the taxonomy: parents, children, ticket-tool names and guide fallback."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

from .models import Category, Taxonomy


def parent_ids(category_id: str) -> list[str]:
    """Ancestors of a hierarchical id, nearest first: ``a/b/c`` -> ``["a/b", "a"]``."""
    parts = category_id.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def is_within(category_id: str, ancestor: str) -> bool:
    """True when ``category_id`` is ``ancestor`` or one of its descendants."""
    return category_id == ancestor or category_id.startswith(ancestor + "/")


class CategoryIndex:
    """Categories by id and by ticket-tool tag, with their parents and children."""

    def __init__(self, taxonomy: Taxonomy | None) -> None:
        self.by_id: dict[str, Category] = {}
        self.by_tag: dict[str, str] = {}  # ticket-tool tag (lowercase) -> category id
        for category in taxonomy.categories if taxonomy else []:
            self.by_id.setdefault(category.id, category)
            for tag in category.zendesk_tags:
                self.by_tag.setdefault(tag.lower(), category.id)

    def lineage(self, category_id: str) -> list[Category]:
        """The category and its known parents, nearest first."""
        return [self.by_id[c] for c in [category_id, *parent_ids(category_id)] if c in self.by_id]

    def children(self, category_id: str) -> list[Category]:
        return [c for c in self.by_id.values() if c.id != category_id and is_within(c.id, category_id)]


def resolve_category(name: str, ids: Collection[str], tags: Mapping[str, str]) -> str | None:
    """A category id from an id or a ticket-tool tag (case-insensitive), or None."""
    key = name.strip().strip("/").lower()
    return key if key in ids else tags.get(key)


def suggest_categories(name: str, ids: Collection[str], tags: Mapping[str, str], n: int = 3) -> list[str]:
    """Category ids closest to an unknown name, best first: by the whole id, its last part or a tag."""
    key = name.strip().strip("/").lower()
    tail = key.rsplit("/", 1)[-1]

    def similarity(category_id: str) -> float:
        names = [category_id, category_id.rsplit("/", 1)[-1], *(t for t, c in tags.items() if c == category_id)]
        return max(difflib.SequenceMatcher(None, probe, candidate).ratio() for candidate in names for probe in (key, tail))

    scored = sorted(((similarity(c), c) for c in ids), key=lambda pair: (-pair[0], pair[1]))
    return [c for score, c in scored if score >= 0.6][:n]
