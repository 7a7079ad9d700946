"""A decision tree as an SVG diagram, laid out in layers at build time (no script, no CDN).

Layout (Sugiyama style, kept small): edges that close a cycle are set aside as back edges;
every node goes to the layer after its deepest parent; edges spanning several layers get
invisible bend points, one per layer; a few barycentre sweeps order each layer to cut
crossings; nodes are then pulled towards the mean position of their neighbours without
overlapping. Colours come from CSS classes, so the diagram follows the site's light/dark scheme.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..content.models import ActionNode, EscalationNode, LinkNode, QuestionNode, ResolutionNode, Tree
from .markup import plain, text

NODE_W = 200
NODE_H = 64
DUMMY_W = 12
GAP_X = 28
GAP_Y = 62
MARGIN = 16
BACK_EDGE_ROOM = 56
CHARS_PER_LINE = 28
LINES = 3
LABEL_CHARS = 22
TYPE_NAMES = {"question": "Question", "action": "Action", "resolution": "Resolved", "escalation": "Escalate", "link": "Other guide"}


@dataclass
class _Vertex:
    key: str
    layer: int = 0
    order: float = 0.0
    x: float = 0.0
    dummy: bool = False
    preds: list[str] = field(default_factory=list)
    succs: list[str] = field(default_factory=list)
    width: float = field(init=False, default=NODE_W)

    def __post_init__(self) -> None:
        self.width = DUMMY_W if self.dummy else NODE_W


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass
class Layout:
    """Positions of real nodes (top-left corners), edge polylines and the canvas size."""

    nodes: dict[str, tuple[float, float]]
    edges: list[tuple[Edge, list[tuple[float, float]]]]
    back_edges: list[Edge]
    width: float
    height: float


def edges_of(tree: Tree) -> list[Edge]:
    """Every edge between existing nodes, in file order (answers in the order written)."""
    found = []
    for node_id, node in tree.nodes.items():
        if isinstance(node, QuestionNode):
            found += [Edge(node_id, target, label) for label, target in node.answers.items() if target in tree.nodes]
        elif isinstance(node, ActionNode) and node.next in tree.nodes:
            found.append(Edge(node_id, node.next, ""))
    return found


def _order_nodes(tree: Tree, numbers: Mapping[str, int]) -> list[str]:
    return sorted(tree.nodes, key=lambda n: numbers.get(n, math.inf))


def _split_back_edges(nodes: list[str], edges: list[Edge]) -> tuple[list[Edge], list[Edge]]:
    out: dict[str, list[Edge]] = {n: [] for n in nodes}
    for edge in edges:
        out[edge.source].append(edge)
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 finished
    back: set[Edge] = set()
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
            elif state.get(step.target) == 1:
                back.add(step)
            elif step.target not in state:
                state[step.target] = 1
                stack.append((step.target, iter(out[step.target])))
    return [e for e in edges if e not in back], [e for e in edges if e in back]


def _layers(nodes: list[str], forward: list[Edge]) -> dict[str, int]:
    indegree = {n: 0 for n in nodes}
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for edge in forward:
        indegree[edge.target] += 1
        out[edge.source].append(edge.target)
    layer = {n: 0 for n in nodes}
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        node = ready.pop(0)
        for target in out[node]:
            layer[target] = max(layer[target], layer[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return layer


def _crossings(upper: list[_Vertex], lower_pos: Mapping[str, float]) -> int:
    segments = [(u.order, lower_pos[s]) for u in upper for s in u.succs if s in lower_pos]
    return sum(1 for i, (a1, b1) in enumerate(segments) for a2, b2 in segments[i + 1 :] if (a1 - a2) * (b1 - b2) < 0)


def layout(tree: Tree, numbers: Mapping[str, int]) -> Layout:
    """Place every node of ``tree``; ``numbers`` (step numbers) fixes the initial left-to-right order."""
    nodes = _order_nodes(tree, numbers)
    edges = edges_of(tree)
    forward, back = _split_back_edges(nodes, edges)
    layer_of = _layers(nodes, forward)
    vertices = {n: _Vertex(n, layer_of[n]) for n in nodes}
    chains: list[tuple[Edge, list[str]]] = []
    for index, edge in enumerate(forward):
        chain = [edge.source]
        for layer in range(layer_of[edge.source] + 1, layer_of[edge.target]):
            key = f"\0{index}:{layer}"
            vertices[key] = _Vertex(key, layer, dummy=True)
            chain.append(key)
        chain.append(edge.target)
        for a, b in zip(chain, chain[1:]):
            vertices[a].succs.append(b)
            vertices[b].preds.append(a)
        chains.append((edge, chain))

    depth = max((v.layer for v in vertices.values()), default=0) + 1
    layers: list[list[_Vertex]] = [[] for _ in range(depth)]
    seen: set[str] = set()

    def place(key: str) -> None:
        if key not in seen:
            seen.add(key)
            layers[vertices[key].layer].append(vertices[key])

    for node in nodes:
        place(node)
        for edge, chain in chains:
            if edge.source == node:
                for key in chain[1:-1]:
                    place(key)
    for row in layers:
        for i, v in enumerate(row):
            v.order = i

    _reduce_crossings(layers, vertices)
    _assign_x(layers, vertices)

    span = max((v.x + v.width for v in vertices.values()), default=0)
    width = span + MARGIN * 2 + (BACK_EDGE_ROOM if back else 0)
    height = depth * (NODE_H + GAP_Y) - GAP_Y + MARGIN * 2

    def top(v: _Vertex) -> float:
        return MARGIN + v.layer * (NODE_H + GAP_Y)

    positions = {n: (MARGIN + vertices[n].x, top(vertices[n])) for n in nodes}
    polylines = []
    for edge, chain in chains:
        points = [(MARGIN + vertices[edge.source].x + NODE_W / 2, top(vertices[edge.source]) + NODE_H)]
        points += [(MARGIN + vertices[k].x + DUMMY_W / 2, top(vertices[k]) + NODE_H / 2) for k in chain[1:-1]]
        points.append((MARGIN + vertices[edge.target].x + NODE_W / 2, top(vertices[edge.target])))
        polylines.append((edge, points))
    return Layout(positions, polylines, back, width, height)


def _reduce_crossings(layers: list[list[_Vertex]], vertices: Mapping[str, _Vertex]) -> None:
    def total() -> int:
        count = 0
        for upper, lower in zip(layers, layers[1:]):
            count += _crossings(upper, {v.key: v.order for v in lower})
        return count

    best = [[v.key for v in row] for row in layers]
    best_count = total()
    for sweep in range(8):
        rows = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for r in rows:
            row = layers[r]
            for v in row:
                near = v.preds if sweep % 2 == 0 else v.succs
                if near:
                    v.order = sum(vertices[k].order for k in near) / len(near)
            row.sort(key=lambda v: v.order)
            for i, v in enumerate(row):
                v.order = i
        count = total()
        if count < best_count:
            best, best_count = [[v.key for v in row] for row in layers], count
        if best_count == 0:
            break
    for r, keys in enumerate(best):
        layers[r] = [vertices[k] for k in keys]
        for i, v in enumerate(layers[r]):
            v.order = i


def _pack(row: list[_Vertex], wanted: list[float]) -> list[float]:
    """Positions as close to ``wanted`` as the left-to-right order and the gaps allow."""
    return _pack_widths([v.width for v in row], wanted)


def _pack_widths(widths: list[float], wanted: list[float]) -> list[float]:
    """``_pack`` given the row's widths (the layout's inner loop: plain comparisons, no max/min calls)."""
    n = len(widths)
    left = [0.0] * n
    edge = -math.inf
    for i in range(n):
        a = wanted[i]
        if a < edge:  # noqa: PLR1730  # max(wanted, edge) without the call, keeping its choice on ties
            a = edge
        left[i] = a
        edge = a + widths[i] + GAP_X
    mixed = [0.0] * n
    edge = math.inf
    for i in range(n - 1, -1, -1):
        b = edge - widths[i]
        w = wanted[i]
        if not b < w:  # min(wanted, edge - width), keeping min's choice on ties
            b = w
        mixed[i] = (left[i] + b) / 2
        edge = b - GAP_X
    edge = -math.inf
    for i in range(n):  # averaging can reintroduce overlaps: push right once more
        m = mixed[i]
        if m < edge:
            m = mixed[i] = edge
        edge = m + widths[i] + GAP_X
    return mixed


def _assign_x(layers: list[list[_Vertex]], vertices: Mapping[str, _Vertex]) -> None:
    for row in layers:
        x = 0.0
        for v in row:
            v.x = x
            x += v.width + GAP_X
    widest = max((row[-1].x + row[-1].width for row in layers if row), default=0)
    for row in layers:  # start with every layer centred
        if row:
            shift = (widest - (row[-1].x + row[-1].width)) / 2
            for v in row:
                v.x += shift

    # per layer, once: the widths and each vertex's neighbours (the sweeps only move x)
    rows = [(row, [v.width for v in row], [[vertices[k] for k in (*v.preds, *v.succs)] for v in row]) for row in layers]
    for sweep in range(4):
        order = rows if sweep % 2 == 0 else rows[::-1]
        moved = 0.0
        for row, widths, nears in order:
            wanted = []
            for v, near in zip(row, nears):
                wanted.append(sum([u.x + u.width / 2 for u in near]) / len(near) - v.width / 2 if near else v.x)
            for v, x in zip(row, _pack_widths(widths, wanted)):
                moved = max(moved, abs(v.x - x))
                v.x = x
        if moved < 1:
            break
    low = min((v.x for v in vertices.values()), default=0)
    for v in vertices.values():
        v.x -= low


def wrap(value: str, width: int = CHARS_PER_LINE, lines: int = LINES) -> list[str]:
    """Greedy word wrap into at most ``lines`` lines; an ellipsis marks cut text."""
    words = value.split()
    one_line = " ".join(words)
    if len(one_line) <= width and lines >= 1:  # fits: what the loop below would give, without it
        return [one_line] if one_line else []
    out: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                out.append(current)
                current = ""
            out.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        out[-1] = (last[: width - 1].rstrip() if len(last) >= width else last) + "…"
    return out


def _curve(points: list[tuple[float, float]]) -> str:
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{x0:.1f},{y0:.1f}"]
    for x1, y1 in rest:
        bend = (y1 - y0) / 2
        d.append(f"C{x0:.1f},{y0 + bend:.1f} {x1:.1f},{y1 - bend:.1f} {x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    return "".join(d)


def _bezier_point(p0: tuple[float, float], p1: tuple[float, float], t: float) -> tuple[float, float]:
    bend = (p1[1] - p0[1]) / 2
    c0, c1 = (p0[0], p0[1] + bend), (p1[0], p1[1] - bend)
    u = 1 - t
    x = u**3 * p0[0] + 3 * u * u * t * c0[0] + 3 * u * t * t * c1[0] + t**3 * p1[0]
    y = u**3 * p0[1] + 3 * u * u * t * c0[1] + 3 * u * t * t * c1[1] + t**3 * p1[1]
    return x, y


def _label(value: str) -> str:
    return value if len(value) <= LABEL_CHARS else value[: LABEL_CHARS - 1] + "…"


def node_caption(tree: Tree, node_id: str, numbers: Mapping[str, int], link_titles: Mapping[str, str], team_names: Mapping[str, str]) -> tuple[str, str]:
    """(small caption, main text) of a node in the diagram, both plain text."""
    node = tree.nodes[node_id]
    caption = f"{numbers.get(node_id, '?')} · {TYPE_NAMES[node.type]}"
    if isinstance(node, LinkNode):
        return caption, link_titles.get(node.guide, node.guide)
    if isinstance(node, EscalationNode):
        return f"{caption}: {team_names.get(node.step, node.step)}", plain(node.text)
    assert isinstance(node, (QuestionNode, ActionNode, ResolutionNode))
    return caption, plain(node.text)


def tree_svg(
    tree: Tree,
    numbers: Mapping[str, int],
    *,
    title: str,
    link_titles: Mapping[str, str] | None = None,
    team_names: Mapping[str, str] | None = None,
    anchor_prefix: str = "node-",
) -> str:
    """The whole tree as one inline ``<svg>`` element; each node links to ``#<anchor_prefix><id>``."""
    link_titles = link_titles or {}
    team_names = team_names or {}
    box = layout(tree, numbers)
    w, h = math.ceil(box.width), math.ceil(box.height)
    out = [
        f'<svg class="kbg-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true" focusable="false">',
        f"<title>{text(title)}</title>",
        '<defs><marker id="kbg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0L10,5L0,10z" class="kbg-d-arrow"/></marker></defs>',
        '<g class="kbg-d-edges">',
    ]
    labels = []
    for edge, points in box.edges:
        out.append(f'<path class="kbg-d-edge" data-from="{text(edge.source)}" data-to="{text(edge.target)}" d="{_curve(points)}" marker-end="url(#kbg-arrow)"/>')
        if edge.label:
            x, y = _bezier_point(points[0], points[1], 0.35)
            labels.append(f'<text class="kbg-d-label" x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{text(_label(edge.label))}<title>{text(edge.label)}</title></text>')
    for edge in box.back_edges:
        sx, sy = box.nodes[edge.source]
        tx, ty = box.nodes[edge.target]
        x0, y0, x1, y1 = sx + NODE_W, sy + NODE_H * 0.6, tx + NODE_W, ty + NODE_H * 0.4
        reach = max(x0, x1) + BACK_EDGE_ROOM - 8
        out.append(
            f'<path class="kbg-d-edge kbg-d-back" data-from="{text(edge.source)}" data-to="{text(edge.target)}" '
            f'd="M{x0:.1f},{y0:.1f}C{reach:.1f},{y0:.1f} {reach:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" marker-end="url(#kbg-arrow)"/>'
        )
        if edge.label:
            labels.append(f'<text class="kbg-d-label" x="{reach - 4:.1f}" y="{(y0 + y1) / 2 + 4:.1f}" text-anchor="end">{text(_label(edge.label))}<title>{text(edge.label)}</title></text>')
    out.append("</g>")
    out.append('<g class="kbg-d-nodes">')
    for node_id, (x, y) in box.nodes.items():
        kind = tree.nodes[node_id].type
        caption, body = node_caption(tree, node_id, numbers, link_titles, team_names)
        lines = wrap(body)
        text_x = f"{x + 10:.1f}"
        tspans = "".join(f'<tspan x="{text_x}" dy="{15 if i else 0}">{text(line)}</tspan>' for i, line in enumerate(lines))
        out.append(
            f'<a href="#{text(anchor_prefix + node_id)}" tabindex="-1" class="kbg-d-node kbg-d-{kind}" data-node="{text(node_id)}">'
            f"<title>{text(caption)}: {text(body)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="{12 if kind == "question" else 4}"/>'
            f'<text class="kbg-d-caption" x="{text_x}" y="{y + 14:.1f}">{text(wrap(caption, CHARS_PER_LINE + 4, 1)[0] if caption else "")}</text>'
            f'<text class="kbg-d-text" x="{text_x}" y="{y + 31:.1f}">{tspans}</text>'
            "</a>"
        )
    out.append("</g>")
    out.append('<g class="kbg-d-labels">' + "".join(labels) + "</g>")
    out.append("</svg>")
    return "".join(out)
