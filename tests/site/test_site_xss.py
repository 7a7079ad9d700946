"""Hostile text in every field of a guide shows literally and never runs.

``kb check`` rejects raw HTML in content, so this fixture is built with the plugin's
``check: false``: the page must be safe on its own, whatever reaches the renderer.
"""

from __future__ import annotations

import json

import pytest

from search.content.repository import Repository, load_repository
from search.docsite.build import build_site
from search.render import markup
from search.workflow.transcript import transcript_text
from support.recording import page_walk
from support.site import make_content, search

pytestmark = pytest.mark.browser

SCRIPT = "</script><script>window.__xss=1</script>"
IMG = "<img src=x onerror=window.__xss=1>"
COMMENT = "<!--"
SEPARATORS = "line\u2028separator\u2029paragraph"
ALL = f"{SCRIPT} {IMG} {COMMENT} {SEPARATORS}"


def _hostile_tree() -> dict:
    return {
        "start": "first",
        "nodes": {
            "first": {
                "type": "question",
                "text": f"Question {ALL}",
                "help": f"Help {IMG}",
                "answers": {SCRIPT: "restart-client", IMG: "fixed", COMMENT: "escalate"},
            },
            "restart-client": {"type": "action", "text": f"Action {SCRIPT}", "next": "second"},
            "second": {"type": "question", "text": f"Second {COMMENT} question", "answers": {SEPARATORS: "escalate", "no": "fixed"}},
            "fixed": {"type": "resolution", "text": f"Fixed {IMG}", "follow_up": [f"Check {SCRIPT}"], "user_note": f"Note {COMMENT} {IMG}"},
            "escalate": {"type": "escalation", "step": "network-l2", "text": f"Escalate {SCRIPT}", "handoff": [f"Hand over {IMG}"]},
        },
    }


def _front_matter(fields: dict) -> str:
    return "---\n" + "".join(f"{k}: {json.dumps(v)}\n" for k, v in fields.items()) + "---\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, serve) -> tuple[Repository, str]:
    root = make_content(tmp_path_factory.mktemp("xss") / "content", check=False)
    (root / "guides/vpn.yml").write_text(json.dumps(_hostile_tree(), indent=1), encoding="utf-8")
    guide = root / "guides/vpn.md"
    guide.write_text(
        _front_matter(
            {
                "id": "vpn",
                "title": f"Title {ALL}",
                "category": "network/vpn",
                "version": "1.0",
                "owner": f"Owner {IMG}",
                "reviewed": "2026-06-01",
                "summary": f"Summary {SCRIPT}",
                "symptoms": [f"Symptom {ALL}"],
                "gather": [f"Gather {SCRIPT}", f"Where {IMG}"],
                "articles": ["vpn-reinstall"],
            }
        )
        + "\nBody text.\n",
        encoding="utf-8",
    )
    categories = root / "guides/categories.yml"
    categories.write_text(
        categories.read_text(encoding="utf-8").replace("title: VPN and remote access", f"title: {json.dumps('VPN ' + SCRIPT)}"), encoding="utf-8"
    )
    repo = load_repository(root)
    assert not repo.problems, [p.format() for p in repo.problems]
    site = build_site(root, tmp_path_factory.mktemp("xss-site") / "site", strict=True)
    return repo, serve(site)


def test_hostile_text_shows_literally_and_never_runs(hostile, open_page) -> None:
    repo, base = hostile
    guide = repo.guide_by_id["vpn"]
    page = open_page(base + "guides/vpn/")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("article h1").text_content() == f"Title {ALL}"
    assert page.title().startswith(f"Title {SCRIPT} {IMG} {COMMENT}")
    labels = page.locator('[data-kbg="choices"] .kbg-choice-label').all_inner_texts()
    assert labels == [SCRIPT, IMG, COMMENT]
    body = page.locator("article").inner_text()
    for literal in (f"Help {IMG}", f"Gather {SCRIPT}", f"Summary {SCRIPT}", f"Owner {IMG}", f"Second {COMMENT} question"):
        assert literal in body

    # the diagram the script draws from the walk data: the same text, as text, wrapped and cut
    diagram = page.locator(".kbg-diagram svg.kbg-svg")
    first = diagram.locator('.kbg-d-node[data-node="first"]')
    assert first.locator("title").text_content() == f"1 · Question: {markup.plain(guide.tree.nodes['first'].text)}"
    assert first.locator(".kbg-d-caption").text_content() == "1 · Question"
    assert first.locator(".kbg-d-text tspan").all_text_contents() == ["Question", "</script><script>window.__x-", "ss=1</script> <img src=x…"]
    assert sorted(diagram.locator(".kbg-d-label title").all_text_contents()) == sorted([SCRIPT, IMG, COMMENT, SEPARATORS, "no"])
    assert diagram.locator(".kbg-d-label").first.evaluate("t => t.firstChild.data") == SCRIPT[:21] + "…"
    assert diagram.locator("title").first.text_content() == f"Decision tree of Title {ALL}"
    assert diagram.locator("img, script, foreignObject, [onerror]").count() == 0
    assert page.locator("img[src=x]").count() == 0

    # walk through the hostile answers; the transcript still matches Python byte for byte
    gathered = dict(zip([item.id for item in guide.meta.gather], [f"typed {SCRIPT}", f"{IMG}\u2028"], strict=True))
    for item_id, note in gathered.items():
        page.fill(f'[data-gather-id="{item_id}"]', note)
    page.select_option('[data-kbg="priority"]', "P3")
    answers = [SCRIPT, "done", SEPARATORS]
    for answer in answers:
        label = "Done" if answer == "done" else answer
        page.locator('[data-kbg="choices"] .kbg-choice', has=page.locator(".kbg-choice-label", has_text=label)).first.click()
    assert page.evaluate("kbGuides.state().current") == "escalate"
    page.click('[data-kbg="copy"]')
    assert page.locator('[data-kbg="transcript"]').input_value() == transcript_text(page_walk(page, guide, answers), repo, "P3", gathered)
    assert f"Hand over {IMG}" in page.locator('[data-kbg="current"]').inner_text()
    assert page.evaluate("typeof window.__xss") == "undefined"


@pytest.mark.parametrize("path", ["categories/", "categories/network/", "categories/network/vpn/", "articles/vpn-reinstall/", "review/", "tags/"])
def test_hostile_titles_on_other_pages(hostile, open_page, path: str) -> None:
    _, base = hostile
    page = open_page(base + path)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("script:not([src]):not([type])").evaluate_all("els => els.filter(e => e.textContent.includes('__xss')).length") == 0


def test_hostile_text_with_javascript_off(hostile, open_page) -> None:
    _, base = hostile
    page = open_page(base + "guides/vpn/", java_script_enabled=False)
    assert page.locator(".kbg-tree .kbg-node").count() == 5
    assert page.locator("img[src=x]").count() == 0
    assert f"Fixed {IMG}" in page.locator("#node-fixed").inner_text()


def test_hostile_text_in_search_results(hostile, open_page) -> None:
    _, base = hostile
    page = open_page(base)
    search(page, "Symptom")
    assert page.locator(".md-search-result img").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
