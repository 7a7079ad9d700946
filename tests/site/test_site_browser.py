"""The shipped site in headless chromium: walking guides, the copied transcript, keyboard use,
no-JS reading, printing, search. Any request to another host or script error fails the test."""

from __future__ import annotations

import re

import pytest

from search.content.repository import Guide, Repository
from search.workflow.transcript import transcript_text
from search.workflow.walk import choices, walk
from support import ROOT
from support.recording import page_walk
from support.site import route_to, search

pytestmark = pytest.mark.browser


def _pick(repo: Repository, node_type: str, avoid: str | None = None) -> tuple[Guide, list[str]]:
    """A guide with the longest shortest route to a ``node_type`` leaf (more steps exercise more)."""
    found = [(g, r) for g in repo.guides if (r := route_to(g, node_type)) and g.id != avoid]
    assert found, f"no shipped guide reaches a {node_type} leaf"
    return max(found, key=lambda pair: (len(pair[1]), pair[0].id))


def _url(base: str, guide: Guide) -> str:
    return f"{base}guides/{guide.id}/"


def _click_through(page, guide: Guide, answers: list[str]) -> None:
    state = walk(guide, [])
    for answer in answers:
        index = choices(state.node).index(answer)
        page.locator('[data-kbg="choices"] .kbg-choice').nth(index).click()
        state = walk(guide, [*[v.choice for v in state.path], answer])
        assert page.evaluate("kbGuides.state().current") == state.current


def _transcript(page) -> str:
    return page.locator('[data-kbg="transcript"]').input_value()


def test_walk_to_resolution_copies_the_exact_transcript(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    guide, answers = _pick(shipped_repo, "resolution")
    page = open_page(_url(shipped_url, guide), permissions=["clipboard-read", "clipboard-write"])
    notes = ["Hotel  Wi-Fi,\n room 12 ", "", "  "]
    gathered = {item.id: note for item, note in zip(guide.meta.gather, notes, strict=False)}
    for item in guide.meta.gather[: len(notes)]:
        page.fill(f'[data-gather-id="{item.id}"]', gathered[item.id])
    page.select_option('[data-kbg="priority"]', "P2")
    _click_through(page, guide, answers)

    leaf = guide.tree.nodes[walk(guide, answers).current]
    current = page.locator('[data-kbg="current"]')
    for item in leaf.follow_up:
        assert " ".join(item.split()) in " ".join(current.inner_text().split())
    assert page.locator('[data-kbg="choices"] .kbg-choice').count() == 0

    page.click('[data-kbg="copy"]')
    expected = transcript_text(page_walk(page, guide, answers), shipped_repo, "P2", gathered)
    assert _transcript(page) == expected
    page.wait_for_function("document.querySelector('[data-kbg=status]').textContent !== ''")
    assert "Copied" in page.locator('[data-kbg="status"]').inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == expected


def test_walk_to_escalation_shows_team_and_sla_for_the_priority(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    resolution_guide, _ = _pick(shipped_repo, "resolution")
    guide, answers = _pick(shipped_repo, "escalation", avoid=resolution_guide.id)
    page = open_page(_url(shipped_url, guide))
    _click_through(page, guide, answers)
    page.select_option('[data-kbg="priority"]', "P1")

    leaf = guide.tree.nodes[walk(guide, answers).current]
    step = shipped_repo.escalation.steps[leaf.step]
    current = page.locator('[data-kbg="current"]')
    text = current.inner_text()
    assert step.team in text and step.queue in text
    rows = current.locator("tr[data-priority]")
    visible = [rows.nth(i).get_attribute("data-priority") for i in range(rows.count()) if rows.nth(i).is_visible()]
    assert visible == ["P1"]
    p1 = shipped_repo.priorities.levels["P1"]
    assert p1.first_response in rows.first.inner_text() and p1.resolution in rows.first.inner_text()

    page.click(".kbg-copy-end")  # the copy button shown at the end of the walk
    assert _transcript(page) == transcript_text(page_walk(page, guide, answers), shipped_repo, "P1")
    page.wait_for_function("document.querySelector('.kbg-copy-end').textContent !== 'Copy for the ticket'")  # the clipboard answers asynchronously
    assert page.locator(".kbg-copy-end").inner_text() in ("Copied", "Copy failed: use the transcript below")


def test_back_restart_and_path_links(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    guide, answers = _pick(shipped_repo, "escalation")
    assert len(answers) >= 2
    page = open_page(_url(shipped_url, guide))
    _click_through(page, guide, answers)
    assert page.locator('[data-kbg="path"] .kbg-path-step').count() == len(answers)

    page.click('[data-kbg="back"]')
    state = walk(guide, answers[:-1])
    assert page.evaluate("kbGuides.state().current") == state.current
    assert _transcript(page) == transcript_text(page_walk(page, guide, answers[:-1]), shipped_repo)

    page.locator('[data-kbg="path"] .kbg-path-step').first.click()  # jump back to step 1
    assert page.evaluate("kbGuides.state().path") == []

    _click_through(page, guide, answers)
    page.click('[data-kbg="restart"]')
    assert page.evaluate("kbGuides.state()")["current"] == guide.tree.start_id
    assert _transcript(page) == transcript_text(walk(guide, []), shipped_repo)
    assert page.locator('[data-kbg="back"]').is_disabled()


def test_keyboard_operation(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    guide, answers = _pick(shipped_repo, "escalation")
    page = open_page(_url(shipped_url, guide))
    page.focus('[data-kbg="current"]')
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('kbg-choice')")
    first = walk(guide, []).node
    page.keyboard.press("Enter")  # the first answer
    assert page.evaluate("kbGuides.state().path") == [[guide.tree.start_id, choices(first)[0]]]
    assert page.evaluate("document.activeElement.getAttribute('data-kbg')") == "current"  # focus follows the step

    page.keyboard.press("Backspace")
    assert page.evaluate("kbGuides.state().path") == []
    for answer in answers:  # digits choose the n-th answer
        node = walk(guide, page.evaluate("kbGuides.state().path.map(p => p[1])")).node
        page.keyboard.press(str(choices(node).index(answer) + 1))
    assert page.evaluate("kbGuides.state().current") == walk(guide, answers).current

    page.focus('[data-kbg="priority"]')
    page.keyboard.press("ArrowDown")  # the native select is keyboard operable
    assert page.evaluate("kbGuides.state().priority") == "P1"
    assert _transcript(page) == transcript_text(page_walk(page, guide, answers), shipped_repo, "P1")


def test_without_javascript_the_whole_tree_is_readable(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    guide, _ = _pick(shipped_repo, "escalation")
    page = open_page(_url(shipped_url, guide), java_script_enabled=False)
    assert not page.locator(".kbg-walk").is_visible()
    sections = page.locator(".kbg-tree .kbg-node")
    assert sections.count() == len(guide.tree.nodes)
    for node_id, node in guide.tree.nodes.items():
        assert page.locator(f"#node-{node_id}").is_visible()
        for target in getattr(node, "answers", {}).values():
            assert page.locator(f'section[data-node="{node_id}"] a[href="#node-{target}"]').count() == 1
    # the script draws the diagram: without it no empty box, a note points to the step list
    assert not page.locator(".kbg-diagram").is_visible()
    note = page.locator("h2#diagram + .kbg-diagram + noscript .kbg-noscript")
    assert note.is_visible() and note.locator('a[href="#all-steps"]').count() == 1


def test_printing_gives_the_checklist(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    guide, _ = _pick(shipped_repo, "resolution")
    page = open_page(_url(shipped_url, guide))
    assert page.locator(".kbg-diagram svg .kbg-d-node").first.is_visible()  # on screen, drawn by the script
    page.emulate_media(media="print")
    assert page.locator(".kbg-tree").is_visible()
    assert not page.locator(".kbg-walk").is_visible()
    assert not page.locator(".kbg-diagram").is_visible()
    assert not page.locator("h2#diagram").is_visible() and not page.locator("h2#step-through").is_visible()
    assert page.locator("h2#all-steps").is_visible()


@pytest.mark.parametrize(
    "path", ["", "categories/", "categories/network/vpn/", "escalation/", "priorities/", "review/", "tags/", "articles/vpn-client-reinstall/"]
)
def test_reference_pages_render_offline(shipped_url: str, open_page, path: str) -> None:
    page = open_page(shipped_url + path)
    assert page.locator("article h1").count() == 1
    page.wait_for_load_state("networkidle")


def test_search_finds_guides_and_articles(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    page = open_page(shipped_url)
    results = search(page, "VPN")
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("/guides/" in h for h in hrefs), hrefs
    assert any("/articles/" in h for h in hrefs), hrefs
    # a step's own words find the step: the result links to its anchor in the guide
    results = search(page, "dscacheutil")
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(re.sub(r"\?h=[^#]*", "", h).endswith("guides/no-internet-connection/#node-flush-dns") for h in hrefs), hrefs


def test_copied_text_equals_the_api_transcript_for_the_same_path(shipped_repo: Repository, shipped_url: str, open_page, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from search.api import Settings, create_app
    from search.checks import checked
    from search.index import build_generation

    guide, answers = _pick(shipped_repo, "escalation")
    notes = ["Laptop LT-0042", "since Monday"]
    gathered = {item.id: note for item, note in zip(guide.meta.gather, notes, strict=False)}
    page = open_page(_url(shipped_url, guide))
    for item in guide.meta.gather[: len(notes)]:
        page.fill(f'[data-gather-id="{item.id}"]', gathered[item.id])
    assert page.evaluate("kbGuides.state().gathered") == {item.id: gathered.get(item.id, "") for item in guide.meta.gather}
    page.select_option('[data-kbg="priority"]', "P1")
    _click_through(page, guide, answers)
    page.click('[data-kbg="copy"]')
    records = page.evaluate("kbGuides.state().records")  # the local time of each answer, as the page recorded it

    build_generation(checked(shipped_repo), tmp_path / "index")
    with TestClient(create_app(Settings(root=ROOT, index_dir=tmp_path / "index", site_dir=tmp_path / "no-site"))) as client:
        api = client.post(f"/api/guides/{guide.id}/walk", json={"answers": answers, "priority": "urgent", "gathered": gathered, "records": records}).json()
    assert api["finished"] is True
    assert _transcript(page) == api["transcript"]
