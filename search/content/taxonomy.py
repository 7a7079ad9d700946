"""Category lookups over the taxonomy: parents, children, ticket-tool names and guide fallback."""

from __future__ import annotations

from collections.abc import Iterator

from .models import Category, Taxonomy
from .problems import did_you_mean


def parent_ids(category_id: str) -> list[str]:
    """Ancestors of a hierarchical id, nearest first: ``a/b/c`` -> ``["a/b", "a"]``."""
    parts = category_id.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def is_within(category_id: str, ancestor: str) -> bool:
    """True when ``category_id`` is ``ancestor`` or one of its descendants."""
    return category_id == ancestor or category_id.startswith(ancestor + "/")


class CategoryIndex:
    """Fast lookups of categories by id, by ticket-tool tag and with did-you-mean."""

    def __init__(self, taxonomy: Taxonomy | None) -> None:
        self.by_id: dict[str, Category] = {}
        self.by_tag: dict[str, str] = {}
        for category in taxonomy.categories if taxonomy else []:
            self.by_id.setdefault(category.id, category)
            for tag in category.zendesk_tags:
                self.by_tag.setdefault(tag.lower(), category.id)

    def resolve(self, name: str) -> str | None:
        """A category id from an id or a ticket-tool tag (case-insensitive), or None."""
        key = name.strip().strip("/").lower()
        if key in self.by_id:
            return key
        return self.by_tag.get(key)

    def suggestions(self, name: str) -> list[str]:
        """Close category ids for an unknown name (for 404s and CLI errors)."""
        import difflib

        key = name.strip().lower()
        ids = list(self.by_id)
        close = difflib.get_close_matches(key, ids, n=3, cutoff=0.5)
        tails = {c.rsplit("/", 1)[-1]: c for c in ids}
        close += [tails[t] for t in difflib.get_close_matches(key.rsplit("/", 1)[-1], list(tails), n=3, cutoff=0.6) if tails[t] not in close]
        return close[:3]

    def hint(self, name: str) -> str:
        return did_you_mean(name, self.by_id)

    def lineage(self, category_id: str) -> list[Category]:
        """The category and its known parents, nearest first."""
        return [self.by_id[c] for c in [category_id, *parent_ids(category_id)] if c in self.by_id]

    def children(self, category_id: str) -> list[Category]:
        return [c for c in self.by_id.values() if c.id != category_id and is_within(c.id, category_id)]

    def __iter__(self) -> Iterator[Category]:
        return iter(self.by_id.values())
