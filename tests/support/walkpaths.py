"""Paths through the shipped decision trees, for the walk tests.

Guides and paths are chosen by searching the shipped trees, so the tests follow the content
when it changes instead of hard-coding node ids.
"""

from __future__ import annotations

import os
import subprocess
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from search.content.repository import Guide, Repository
from search.workflow.walk import choices, walk

from . import KB, ROOT

__all__ = ["KB", "ROOT", "Route", "has_detour", "menu_lines", "piped_walk", "routes_to", "shortest_routes"]


def menu_lines(guide: Guide, answers: list[str] | tuple[str, ...]) -> list[str]:
    """The menu numbers a technician types in ``kb walk`` to give ``answers``."""
    return [str(walk(guide, answers[:step]).choices.index(answer) + 1) for step, answer in enumerate(answers)]


def piped_walk(*args: str, lines: Sequence[str] | None = None, root: Path = ROOT, tz: str | None = None) -> subprocess.CompletedProcess[str]:
    """``kb walk ARGS --no-gather --priority P2`` with ``lines`` piped in as typed (None: no
    input); ``tz`` is the machine's zone, which stamps the answers' times."""
    return subprocess.run(
        [str(KB), "walk", *args, "--no-gather", "--priority", "P2", "--root", str(root)],
        input=None if lines is None else "".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TZ": tz} if tz else None,
    )


@dataclass(frozen=True)
class Route:
    guide: Guide
    answers: tuple[str, ...]


def shortest_routes(guide: Guide) -> dict[str, tuple[str, ...]]:
    """Breadth-first: node id -> the shortest list of answers that reaches it from the start."""
    nodes = guide.tree.nodes
    found = {guide.tree.start_id: ()}
    queue = deque([guide.tree.start_id])
    while queue:
        node_id = queue.popleft()
        for choice in choices(nodes[node_id]):
            nxt = walk(guide, [*found[node_id], choice]).current
            if nxt not in found:
                found[nxt] = (*found[node_id], choice)
                queue.append(nxt)
    return found


def routes_to(repo: Repository, kind: type) -> list[Route]:
    """Every (guide, shortest answers) that ends at a leaf of ``kind``, longest walks first."""
    routes = []
    for guide in repo.guides:
        for node_id, answers in shortest_routes(guide).items():
            if isinstance(guide.tree.nodes[node_id], kind):
                routes.append(Route(guide, answers))
    return sorted(routes, key=lambda r: (-len(r.answers), r.guide.id, r.answers))


def has_detour(route: Route, step: int) -> str | None:
    """An answer other than the route's at ``step`` that leads to a non-leaf node (so "b" can undo it)."""
    state = walk(route.guide, route.answers[:step])
    for choice in state.choices:
        if choice != route.answers[step] and walk(route.guide, [*route.answers[:step], choice]).outcome is None:
            return choice
    return None
