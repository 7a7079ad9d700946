"""Decision-tree rules: every path must lead somewhere a technician can finish."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Iterable, Iterator

from ..content.models import (
    ACTION_OUTCOMES,
    BLOCKED,
    CHOICE_LABELS,
    DONE,
    FAILED,
    SLUG_RE,
    UNSURE,
    ActionNode,
    LinkNode,
    QuestionNode,
    ResolutionNode,
    gather_id,
)
from ..content.problems import did_you_mean, suggestion_hint
from ..content.repository import Guide, Repository
from . import Finding, rule

MAX_NODES = 1000
TERMINAL = ("resolution", "escalation", "link")


def _field(node: object, choice: str) -> tuple[str, ...]:
    """Where the tree file says where ``choice`` leads: an answer, ``unsure``, ``if_failed``/``if_blocked`` or ``next``."""
    if isinstance(node, QuestionNode):
        return ("answers", choice) if choice in node.answers else ("unsure",)
    own = {FAILED: "if_failed", BLOCKED: "if_blocked"}.get(choice)
    return (own,) if own and getattr(node, own) else ("next",)


def edges(guide: Guide) -> Iterator[tuple[str, tuple[str | int, ...], str]]:
    """(from node, path of the reference in the tree file, target node) for every reference, once each."""
    for node_id, node in guide.tree.nodes.items():
        seen: set[tuple[str, ...]] = set()
        for choice, target in node.out_edges():
            where = _field(node, choice)
            if where not in seen:
                seen.add(where)
                yield node_id, ("nodes", node_id, *where), target


def _graph(guide: Guide) -> dict[str, list[str]]:
    """Node -> the nodes it leads to; a node left out for a schema problem is in it with the
    references it has in the file, so what it leads to is not also reported as unreachable."""
    graph: dict[str, list[str]] = {n: [] for n in [*guide.tree.nodes, *guide.cut_nodes]}
    for src, _, target in edges(guide):
        if target in graph:
            graph[src].append(target)
    for node_id in guide.cut_nodes:
        raw = _raw_node(guide, node_id)
        answers = raw.get("answers")
        targets = [*(answers.values() if isinstance(answers, dict) else ()), *(raw.get(name) for name in ("next", "unsure", "if_failed", "if_blocked"))]
        graph[node_id] = [t for t in targets if isinstance(t, str) and t in graph]
    return graph


def _raw_node(guide: Guide, node_id: str) -> dict[object, object]:
    """A node as the tree file has it (for a node left out for its schema problem)."""
    nodes = guide.tree_doc.data.get("nodes") if isinstance(guide.tree_doc.data, dict) else None
    raw = nodes.get(node_id) if isinstance(nodes, dict) else None
    return raw if isinstance(raw, dict) else {}


def _reachable(graph: dict[str, list[str]], starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = [s for s in starts if s in graph]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    return seen


@rule("unknown-node", "An answer, a next or the start points to a node id the tree does not define.", per_file=True)
def unknown_node(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        known = guide.tree.nodes
        if guide.tree.start and _unknown(guide.tree.start, guide):
            line, col = guide.tree_doc.pos(("start",))
            yield Finding(guide.tree_path, line, col, f'start points to unknown node "{guide.tree.start}"{_hint(guide.tree.start, known)}')
        for src, path, target in edges(guide):
            if _unknown(target, guide):
                line, col = guide.tree_doc.pos(path)
                yield Finding(guide.tree_path, line, col, f'node "{src}" points to unknown node "{target}"{_hint(target, known)}')


def _unknown(target: str, guide: Guide) -> bool:
    """A reference to no node, and not to (a near spelling of) a node left out for its schema problem."""
    return target not in guide.tree.nodes and _meant(target, [*guide.tree.nodes, *guide.cut_nodes]) not in guide.cut_nodes


def _start(guide: Guide) -> str:
    """The start node: ``start``, else the first node in the file (which may be one left out for its schema problem)."""
    nodes = guide.tree_doc.data.get("nodes") if isinstance(guide.tree_doc.data, dict) else None
    first = next(iter(nodes), None) if isinstance(nodes, dict) and not guide.tree.start else None
    return first if isinstance(first, str) and first in guide.cut_nodes else guide.tree.start_id


@rule("unknown-guide", "A link node names a guide id that does not exist.")
def unknown_guide(repo: Repository, today: dt.date) -> Iterator[Finding]:
    guides = repo.guide_by_id
    exist = {i for u in repo.unloaded if u.kind == "guide" for i in u.ids}  # failed to load; reported in their own files
    for guide in repo.guides:
        for node_id, node in guide.tree.nodes.items():
            if isinstance(node, LinkNode) and node.guide not in guides and node.guide not in exist:
                line, col = guide.tree_doc.pos(("nodes", node_id, "guide"))
                yield Finding(guide.tree_path, line, col, f'node "{node_id}" links to unknown guide "{node.guide}"{did_you_mean(node.guide, guides)}')


@rule("unreachable-node", "No path from the start node reaches this node; link it in or delete it.", per_file=True)
def unreachable_node(repo: Repository, today: dt.date) -> Iterator[Finding]:
    """One problem per cut-off part of a tree, not per node: only a node nothing else points to is
    named (the nodes after it follow from it), and not when a mistyped reference already named it
    as the node it meant (unknown-node's did-you-mean: fixing the reference fixes both)."""
    for guide in repo.guides:
        graph = _graph(guide)
        start = _start(guide)
        if start not in graph:
            continue  # reported as unknown-node
        seen = _reachable(graph, [start])
        if any(n in seen and not graph[n] and _raw_node(guide, n).get("type") not in TERMINAL for n in guide.cut_nodes):
            continue  # a faulty node on the way whose answers or next are unreadable: what it leads to is unknown until it is fixed
        cut_off = [n for n in graph if n not in seen]
        pointed_at = {target for node_id in cut_off for target in graph[node_id] if target != node_id}
        meant = {_meant(target, graph) for _, _, target in edges(guide) if target not in graph}
        covered: set[str] = set()
        # entries: nodes nothing points to, then (for loops nothing leads into) the first uncovered one in file order
        for node_id in [*(n for n in cut_off if n not in pointed_at), *cut_off]:
            if node_id in covered:
                continue
            covered |= _reachable(graph, [node_id])
            if node_id in meant:
                continue
            line, col = guide.tree_doc.key_pos(("nodes", node_id))
            yield Finding(
                guide.tree_path,
                line,
                col,
                f'node "{node_id}" is unreachable from the start node "{start}"; point an answer or next at it, or delete it',
            )


def _meant(target: str, known: Collection[str]) -> str | None:
    """The node id a mistyped reference most likely meant (unknown-node's did-you-mean)."""
    found = difflib.get_close_matches(target, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def _hint(target: str, known: Collection[str]) -> str:
    meant = _meant(target, known)
    return suggestion_hint([meant] if meant else [])


@rule("dead-end", "A question without answers or an action without next: the path ends in neither a resolution nor an escalation.", per_file=True)
def dead_end(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        for node_id, node in guide.tree.nodes.items():
            if isinstance(node, QuestionNode) and not node.answers:
                line, col = guide.tree_doc.pos(("nodes", node_id, "answers"))
                yield Finding(guide.tree_path, line, col, f'question "{node_id}" has no answers; add answers leading on to a resolution or escalation')
            elif isinstance(node, ActionNode) and not node.next:
                line, col = guide.tree_doc.key_pos(("nodes", node_id))
                yield Finding(
                    guide.tree_path, line, col, f'action "{node_id}" has no "next", so the path ends without a resolution or escalation; add next: <node id>'
                )


@rule("cycle", "A loop of nodes from which no resolution, escalation or link can be reached.", per_file=True)
def cycle(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        graph = _graph(guide)
        reverse: dict[str, list[str]] = {n: [] for n in graph}
        for src, targets in graph.items():
            for target in targets:
                reverse[target].append(src)
        exits = [*(n for n, node in guide.tree.nodes.items() if node.type in TERMINAL), *guide.cut_nodes]  # a faulty node may be a leaf
        can_finish = _reachable(reverse, exits)
        trapped = {n for n in graph if n not in can_finish}
        reported: set[str] = set()
        for node_id in graph:
            if node_id in reported or node_id not in trapped:
                continue
            loop = _loop_from(node_id, graph, trapped)
            if loop:
                reported.update(loop)
                line, col = guide.tree_doc.key_pos(("nodes", loop[0]))
                yield Finding(
                    guide.tree_path,
                    line,
                    col,
                    f"nodes {' -> '.join([*loop, loop[0]])} form a loop with no way out; add an answer that leads to a resolution or escalation",
                )


def _loop_from(start: str, graph: dict[str, list[str]], allowed: set[str]) -> list[str]:
    """A cycle through ``start`` inside ``allowed`` (depth-first), or []."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for target in graph[node]:
            if target == start:
                return path
            if target in allowed and target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return []


@rule("tree-too-large", f"A tree with more than {MAX_NODES} nodes; split it into linked guides.", per_file=True)
def tree_too_large(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        if len(guide.tree.nodes) > MAX_NODES:
            line, col = guide.tree_doc.key_pos(("nodes",))
            yield Finding(
                guide.tree_path, line, col, f"tree has {len(guide.tree.nodes)} nodes, over the limit of {MAX_NODES}; split it into guides joined by link nodes"
            )


@rule(
    "gather-id",
    "A guide's information-to-gather items need distinct kebab-case ids (explicit `id:`, or the slug of a plain-text item): "
    "what a technician noted is keyed by them.",
    per_file=True,
)
def gather_ids(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        first: dict[str, int] = {}
        for n, item in enumerate(guide.meta.gather):
            explicit = guide.doc.has(("gather", n, "id"))
            line, col = guide.doc.pos(("gather", n, "id") if explicit else ("gather", n))
            if not explicit and not gather_id(item.text):
                yield Finding(
                    guide.path,
                    line,
                    col,
                    f'gather item {n + 1} has no letters or digits to make an id from; write it as "- id: <kebab-case-id>" with "text: ..."',
                )
                continue
            if not re.fullmatch(SLUG_RE, item.id):
                fix = gather_id(item.id) or "os-version"
                yield Finding(guide.path, line, col, f'gather id "{item.id[:80]}" is not kebab-case; use lower-case letters, digits and hyphens, e.g. "{fix}"')
            elif item.id in first:
                how, fix = ("", "give this one another id") if explicit else (f' (the slug of "{item.text[:60]}")', 'give one of them an explicit "id:"')
                yield Finding(
                    guide.path,
                    line,
                    col,
                    f'gather id "{item.id}"{how} is already used by item {first[item.id] + 1} (line {_line(guide, first[item.id])}); {fix}',
                )
            else:
                first[item.id] = n


def _line(guide: Guide, n: int) -> int:
    return guide.doc.pos(("gather", n))[0]


@rule(
    "action-outcome",
    "An action's `outcomes` names an outcome other than done, failed or blocked, repeats one or leaves out done, "
    "or an `if_failed`/`if_blocked` is given for an outcome the action does not offer.",
    per_file=True,
)
def action_outcome(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        for node_id, node in guide.tree.nodes.items():
            if not isinstance(node, ActionNode):
                continue
            if node.outcomes is None:
                continue  # the default offers only what has a way on
            seen: set[str] = set()
            for n, outcome in enumerate(node.outcomes):
                line, col = guide.tree_doc.pos(("nodes", node_id, "outcomes", n))
                if outcome not in ACTION_OUTCOMES:
                    yield Finding(
                        guide.tree_path,
                        line,
                        col,
                        f'action "{node_id}" offers unknown outcome "{outcome}"{did_you_mean(outcome, ACTION_OUTCOMES)}; '
                        f"the outcomes are {', '.join(ACTION_OUTCOMES)}",
                    )
                elif outcome in seen:
                    yield Finding(guide.tree_path, line, col, f'action "{node_id}" lists outcome "{outcome}" twice; list each once')
                seen.add(outcome)
            if DONE not in node.outcomes:
                line, col = guide.tree_doc.pos(("nodes", node_id, "outcomes"))
                yield Finding(guide.tree_path, line, col, f'action "{node_id}" does not offer "done"; add done to its outcomes (it leads to next)')
            for outcome, field in ((FAILED, "if_failed"), (BLOCKED, "if_blocked")):
                if getattr(node, field) and outcome not in node.outcomes:
                    line, col = guide.tree_doc.pos(("nodes", node_id, field))
                    yield Finding(
                        guide.tree_path,
                        line,
                        col,
                        f'action "{node_id}" has {field} but does not offer "{outcome}"; add {outcome} to its outcomes or remove {field}',
                    )


@rule(
    "no-way-on",
    'An action offers "didn\'t help" or "couldn\'t do" but that answer leads straight to a resolution: the walk would close a ticket '
    "whose fix failed. Give it its own target (`if_failed:` / `if_blocked:`) or narrow `outcomes`.",
    per_file=True,
)
def no_way_on(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        nodes = guide.tree.nodes
        for node_id, node in nodes.items():
            if not isinstance(node, ActionNode):
                continue
            for outcome, field in ((FAILED, "if_failed"), (BLOCKED, "if_blocked")):
                target = node.target(outcome)
                if outcome in (node.outcomes or ()) and target is not None and isinstance(nodes.get(target), ResolutionNode):
                    where = ("nodes", node_id, field) if getattr(node, field) else ("nodes", node_id, "next")
                    line, col = guide.tree_doc.pos(where)
                    yield Finding(
                        guide.tree_path,
                        line,
                        col,
                        f'after "{CHOICE_LABELS[outcome]}" at action "{node_id}" the walk goes to the resolution "{target}"; '
                        f"add {field}: <node id> (e.g. an escalation) or leave {outcome} out of its outcomes",
                    )


@rule("unsure-answer", f'A question with `unsure:` also has an answer labelled "{UNSURE}": the two would be one button; drop one.', per_file=True)
def unsure_answer(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        for node_id, node in guide.tree.nodes.items():
            if isinstance(node, QuestionNode) and node.unsure:
                clash = next((label for label in node.answers if label.casefold() == UNSURE.casefold()), None)
                if clash is not None:
                    line, col = guide.tree_doc.pos(("nodes", node_id, "unsure"))
                    yield Finding(
                        guide.tree_path, line, col, f'question "{node_id}" has unsure: and an answer "{clash}"; remove the answer (unsure: adds "{UNSURE}")'
                    )
