"""Category lookups over the taxonomy: parents, children, ticket-tool names and guide fallback."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

from .models import Category, Kind, Taxonomy


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

    def kind_of(self, category_id: str | None) -> Kind:
        """The category's kind: its own, else the nearest parent's that sets one, else incident."""
        for category in self.lineage(category_id) if category_id else []:
            if category.kind is not None:
                return category.kind
        return "incident"

    def children(self, category_id: str) -> list[Category]:
        return [c for c in self.by_id.values() if c.id != category_id and is_within(c.id, category_id)]


def resolve_category(name: str, ids: Collection[str], tags: Mapping[str, str]) -> str | None:
    """A category id from an id or a ticket-tool tag (case-insensitive), or None."""
    key = name.strip().strip("/").lower()
    return key if key in ids else tags.get(key)


def suggest_categories(name: str, ids: Collection[str], tags: Mapping[str, str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Category ids closest to an unknown name, best first: those whose id, last part or a tag starts
    with it (``net`` finds ``network``), then close spellings of the whole id, its last part or a tag.

    Bounded per call: the probe is cut to 200 characters, tags are grouped once, and a candidate
    gets the full ratio only when difflib's cheap upper bounds reach the cutoff.
    """
    key = name.strip().strip("/").lower()[:200]
    tail = key.rsplit("/", 1)[-1]
    tags_of: dict[str, list[str]] = {}
    for tag, category_id in tags.items():
        tags_of.setdefault(category_id, []).append(tag)
    matchers = []
    for probe in dict.fromkeys((key, tail)):
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(probe)
        matchers.append(matcher)

    def similarity(category_id: str) -> float:
        best = 0.0
        for candidate in (category_id, category_id.rsplit("/", 1)[-1], *tags_of.get(category_id, ())):
            for matcher in matchers:
                matcher.set_seq1(candidate)
                if matcher.real_quick_ratio() > max(best, cutoff - 1e-9) and matcher.quick_ratio() > max(best, cutoff - 1e-9):
                    best = max(best, matcher.ratio())
        return best

    scored = sorted(((similarity(c), c) for c in ids), key=lambda pair: (-pair[0], pair[1]))
    close = [c for score, c in scored if score >= cutoff]
    prefixed = sorted((c for c in ids if key and any(name.startswith(key) for name in (c, c.rsplit("/", 1)[-1], *tags_of.get(c, ())))), key=len)
    return list(dict.fromkeys([*prefixed, *close]))[:n]
