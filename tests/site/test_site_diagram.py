"""The decision-tree diagram the shipped script draws from a guide page's walk data, in headless
chromium: one box per step linking to it, one edge per answer, no overlaps, back edges, the
captions, and the step-through and size toggle working on it."""

from __future__ import annotations

import pytest

from search.content.models import ActionNode, QuestionNode, Tree
from search.content.repository import Repository, load_repository
from search.docsite.build import build_site
from search.workflow.steps import step_numbers
from support.site import make_content

pytestmark = pytest.mark.browser

# Everything the checks below need from the drawn <svg>, read in one call.
READ_DIAGRAM = """() => {
  const svg = document.querySelector('.kbg-diagram [data-kbg="diagram"] svg.kbg-svg');
  if (!svg) return null;
  const num = (el, name) => Number(el.getAttribute(name));
  return {
    viewBox: svg.getAttribute('viewBox').split(' ').map(Number),
    sectionHidden: svg.closest('.kbg-diagram').hidden,
    nodes: [...svg.querySelectorAll('.kbg-d-node')].map(a => {
      const rect = a.querySelector('rect');
      return {
        id: a.getAttribute('data-node'), href: a.getAttribute('href'), cls: a.getAttribute('class'),
        x: num(rect, 'x'), y: num(rect, 'y'), w: num(rect, 'width'), h: num(rect, 'height'),
        caption: a.querySelector('.kbg-d-caption').textContent,
        lines: [...a.querySelectorAll('.kbg-d-text tspan')].map(t => t.textContent),
        title: a.querySelector('title').textContent,
      };
    }),
    edges: [...svg.querySelectorAll('.kbg-d-edge')].map(p => {
      const box = p.getBBox();
      return {from: p.getAttribute('data-from'), to: p.getAttribute('data-to'), back: p.classList.contains('kbg-d-back'),
              marker: p.getAttribute('marker-end'), right: box.x + box.width, bottom: box.y + box.height};
    }),
    labels: [...svg.querySelectorAll('.kbg-d-label')].map(t => [t.firstChild.data, t.querySelector('title').textContent]),
    arrow: !!svg.querySelector('defs marker#kbg-arrow'),
  };
}"""


def _links(tree: Tree) -> list[tuple[str, str]]:
    """(from, to) of every answer (Not sure too) and of each step an action leads to, once, for existing nodes."""
    found = []
    for node_id, node in tree.nodes.items():
        if isinstance(node, QuestionNode):
            found += [(node_id, target) for _, target in node.out_edges() if target in tree.nodes]
        elif isinstance(node, ActionNode):
            found += [(node_id, target) for target in dict.fromkeys(t for _, t in node.out_edges()) if target in tree.nodes]
    return found


def _check_geometry(guide_id: str, drawn: dict) -> None:
    _, _, width, height = drawn["viewBox"]
    boxes = drawn["nodes"]
    for box in boxes:
        assert box["w"] > 0 and box["h"] > 0
        assert box["x"] >= 0 and box["x"] + box["w"] <= width and box["y"] >= 0 and box["y"] + box["h"] <= height, (
            f"{guide_id}: {box['id']} outside the viewBox"
        )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"]
            assert apart, f"{guide_id}: {a['id']} overlaps {b['id']}"
    for edge in drawn["edges"]:
        assert edge["right"] <= width + 0.5 and edge["bottom"] <= height + 0.5, f"{guide_id}: edge {edge} leaves the viewBox"


def _check_structure(repo: Repository, guide_id: str, drawn: dict) -> None:
    guide = repo.guide_by_id[guide_id]
    tree = guide.tree
    numbers = step_numbers(tree)
    assert drawn is not None and not drawn["sectionHidden"] and drawn["arrow"], guide_id
    by_id = {box["id"]: box for box in drawn["nodes"]}
    assert len(drawn["nodes"]) == len(by_id) == len(tree.nodes) and set(by_id) == set(tree.nodes), guide_id
    assert sorted((e["from"], e["to"]) for e in drawn["edges"]) == sorted(_links(tree)), guide_id
    assert all(e["marker"] == "url(#kbg-arrow)" for e in drawn["edges"])
    teams = {sid: s.team for sid, s in repo.escalation.steps.items()}
    for node_id, node in tree.nodes.items():
        box = by_id[node_id]
        assert box["href"] == f"#node-{node_id}" and f"kbg-d-{node.type}" in box["cls"].split()
        assert box["caption"].startswith(f"{numbers[node_id]} · ")
        assert 1 <= len(box["lines"]) <= 3 and all(len(line) <= 28 for line in box["lines"]) and len(box["caption"]) <= 32
        if node.type == "escalation":
            assert box["title"].startswith(f"{numbers[node_id]} · Escalate: {teams[node.step]}: ")
        elif node.type == "link":
            target = repo.guide_by_id[node.guide].meta.title
            assert box["title"] == f"{numbers[node_id]} · Other guide: {target}"
    start = by_id[tree.start_id]
    assert "kbg-d-current" in start["cls"].split()  # the step-through marks where it is


def test_every_shipped_guide_gets_its_diagram(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    page = open_page(f"{shipped_url}guides/{shipped_repo.guides[0].id}/")
    for guide in shipped_repo.guides:
        page.goto(f"{shipped_url}guides/{guide.id}/", wait_until="domcontentloaded")  # the script has run by then
        drawn = page.evaluate(READ_DIAGRAM)
        _check_structure(shipped_repo, guide.id, drawn)
        _check_geometry(guide.id, drawn)


@pytest.fixture(scope="module")
def looped(tmp_path_factory: pytest.TempPathFactory, serve) -> tuple[Repository, str]:
    """The basic fixture with a loop: "Does the VPN connect now?" -> "not yet" -> restart again."""
    root = make_content(tmp_path_factory.mktemp("loop") / "content")
    tree = root / "guides/vpn.yml"
    source = tree.read_text(encoding="utf-8")
    looped = source.replace(
        "      yes: resolved\n      no: escalate\n", "      yes: resolved\n      not yet, after a restart of the client: restart-client\n      no: escalate\n"
    )
    assert looped != source
    tree.write_text(looped, encoding="utf-8")
    repo = load_repository(root)
    assert not repo.problems, [p.format() for p in repo.problems]
    return repo, serve(build_site(root, tmp_path_factory.mktemp("loop-site") / "site", strict=True))


def test_a_loop_is_drawn_as_a_back_edge(looped, open_page) -> None:
    repo, base = looped
    page = open_page(base + "guides/vpn/")
    drawn = page.evaluate(READ_DIAGRAM)
    _check_structure(repo, "vpn", drawn)
    _check_geometry("vpn", drawn)
    assert [(e["from"], e["to"]) for e in drawn["edges"] if e["back"]] == [("connects", "restart-client")]
    label = "not yet, after a restart of the client"
    assert [label[:21] + "…", label] in drawn["labels"]  # cut at 22 characters, the whole label as its title
    assert ["yes", "yes"] in drawn["labels"]
    by_id = {box["id"]: box for box in drawn["nodes"]}
    numbers = step_numbers(repo.guide_by_id["vpn"].tree)
    assert by_id["escalate"]["caption"] == f"{numbers['escalate']} · Escalate: Network Operations"
    assert by_id["escalate"]["lines"] == ["The VPN fails for this user", "after the basic steps."]
    assert by_id["reset-password"]["lines"] == ["Reset a forgotten or expired", "password"]  # a link shows the guide it continues with
    assert by_id["reset-password"]["title"] == f"{numbers['reset-password']} · Other guide: {repo.guide_by_id['password-reset'].meta.title}"


def test_diagram_boxes_jump_to_their_step_and_follow_the_walk(looped, open_page) -> None:
    _, base = looped
    page = open_page(base + "guides/vpn/")
    page.locator('.kbg-d-node[data-node="escalate"]').click()
    assert page.evaluate("location.hash") == "#node-escalate"
    page.wait_for_function(
        "(() => { const r = document.getElementById('node-escalate').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()"
    )

    for answer in ("yes", "yes"):  # internet works, password valid -> restart the client
        page.locator('[data-kbg="choices"] .kbg-choice', has=page.locator(".kbg-choice-label", has_text=answer)).first.click()
    marked = page.evaluate(
        "[...document.querySelectorAll('.kbg-d-node')].map(n => [n.dataset.node, n.classList.contains('kbg-d-on-path'), n.classList.contains('kbg-d-current')])"
    )
    assert {n for n, on_path, _ in marked if on_path} == {"internet-works", "password-valid"}
    assert [n for n, _, current in marked if current] == ["restart-client"]

    fit = page.locator('[data-kbg="fit"]')
    svg = page.locator(".kbg-diagram svg")
    assert fit.is_visible() and fit.inner_text() == "Actual size"
    page.set_viewport_size({"width": 500, "height": 800})  # narrower than the diagram: fitted, it shrinks
    assert svg.bounding_box()["width"] < float(svg.get_attribute("width"))
    fit.click()
    assert fit.inner_text() == "Fit to width"
    assert svg.bounding_box()["width"] == pytest.approx(float(svg.get_attribute("width")))
