"""Answers the service serialises once per index generation (decision record 0004).

``GET /api/diagnose`` without ``q`` depends only on the generation, the category and the
priority, so its JSON bytes are kept here and served again, by the route and, before routing, by
the ``DiagnoseFastPath`` middleware; the category list likewise. The cache belongs to the
generation's lifetime: when a reload drops a generation, its answers go with it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from ..content.models import PriorityId
from ..index import Generation
from .schemas import CategoriesOut

DiagnoseKey = tuple[str, PriorityId | None]  # (category id, priority id or none)


@dataclass
class Answers:
    """One generation's serialised answers."""

    diagnose: dict[DiagnoseKey, bytes] = field(default_factory=dict)
    categories: CategoriesOut | None = None


_by_generation: weakref.WeakKeyDictionary[Generation, Answers] = weakref.WeakKeyDictionary()


def answers_for(gen: Generation) -> Answers:
    """The answer cache of ``gen`` (made on first use)."""
    found = _by_generation.get(gen)
    if found is None:
        found = _by_generation.setdefault(gen, Answers())
    return found
