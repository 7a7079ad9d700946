"""Which step of a guide a search hit is about: the step whose text and help share the most query terms.

Search ranks whole documents; a technician who searched for what a step says (its ``help:``
included) wants that step, so the API names it and the site opens the step-through there.
"""

from __future__ import annotations

from functools import lru_cache

from ..workflow.steps import Step
from .answers.models import GuideEntry
from .engine.schema import analyze


@lru_cache(maxsize=20_000)
def _terms(text: str) -> frozenset[str]:
    return frozenset(analyze(text))


def best_step(guide: GuideEntry, terms: set[str]) -> Step | None:
    """The step matching most of ``terms`` (a search's positive index terms), the earliest on a tie;
    None when no step's text or help has any of them."""
    best: Step | None = None
    most = 0
    for step in guide.steps:
        found = len(terms & _terms(f"{step.text}\n{step.help or ''}"))
        if found > most:
            best, most = step, found
    return best
