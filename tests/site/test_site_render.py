"""The pure render functions behind the site: embedding, sanitizing, guide pages."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from search.content.repository import load_repository
from search.render import markup, mdpage
from search.render.embed import json_script, script_json
from search.render.guide_page import GuidePage, guide_page
from search.render.offline import external_loads
from search.workflow.sla import format_minutes
from support.site import FIXTURES

HOSTILE = "</script><script>window.__xss=1</script> <img src=x onerror=window.__xss=1> <!-- \u2028\u2029 & </SCRIPT >"


def test_script_json_cannot_end_the_script_element() -> None:
    embedded = script_json({"text": HOSTILE, HOSTILE: [HOSTILE]})
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in embedded
    assert json.loads(embedded) == {"text": HOSTILE, HOSTILE: [HOSTILE]}
    element = json_script({"a": HOSTILE}, "data")
    assert element.count("<") == 2 and element.endswith("</script>")


def test_markdown_in_content_is_sanitized_and_raw_html_shown_literally() -> None:
    out = markup.block(f"**Bold** {HOSTILE} [x](javascript:alert(1)) ![i](https://example.com/a.png)", "guides/a.md", "guides/a.md")
    assert "<strong>Bold</strong>" in out
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in out
    assert "&lt;/script&gt;&lt;script&gt;" in out
    assert "<script" not in out and "<img" not in out and "javascript:" not in out
    assert "\n" not in out


def test_relative_links_are_rewritten_for_the_page_shown_on() -> None:
    # written in escalation.yml (resolved against escalation.md), shown on a guide page
    out = markup.inline("see [rules](articles/x.md#why) and [home](index.md)", "escalation.md", "guides/vpn.md")
    assert 'href="../../articles/x/#why"' in out and 'href="../../"' in out
    assert markup.href("categories/network/vpn.md", "categories/network.md") == "../"
    assert markup.href("guides/a.md", "guides/a.md", "node-x") == "#node-x"


def test_format_minutes() -> None:
    assert [format_minutes(m) for m in (15, 60, 90, 120, 2880, 2160, 192)] == ["15m", "1h", "1h30m", "2h", "2d", "1d12h", "3h12m"]


def test_guide_page_lists_every_node_and_answer() -> None:
    repo = load_repository(FIXTURES / "basic")
    guide = repo.guide_by_id["vpn"]
    source, render_late = guide_page(guide, repo)
    late = render_late()
    steps = late.unindexed()[mdpage.slot("steps")]
    sections = {s.anchor: s for s in late.sections}  # the steps reach the search index as text
    for node_id in guide.tree.nodes:
        assert f'id="node-{node_id}"' in steps and f"node-{node_id}" in sections
        assert f"node-{node_id}" in late.anchors
    assert sections["node-restart-client"].title.endswith("Action: Restart the laptop and try the VPN again.")
    assert "VPN client log file" in " ".join(s.text for s in late.sections)
    assert steps.count('class="kbg-answers"') == 4  # three questions and one action
    assert 'href="#node-password-valid"' in steps
    for placeholder in late.indexed:
        assert source.count(placeholder) == 1
    filled = mdpage.fill(source, late.indexed)
    for placeholder in late.unindexed():
        assert filled.count(placeholder) == 1
    widget = "".join(late.unindexed().values())
    data = re.search(r'<script type="application/json" id="kbg-data-vpn">(.*?)</script>', widget).group(1)
    parsed = json.loads(data)
    assert parsed["start"] == "internet-works"
    assert parsed["nodes"]["restart-client"]["answers"] == [["done", "connects"], ["failed", "connects"], ["blocked", "connects"]]
    assert parsed["labels"] == {"done": "Done", "failed": "Didn't help", "blocked": "Couldn't do"}
    assert parsed["transcript"]["header"][0].startswith("Guide: VPN will not connect (vpn, revision 1.2+")
    # what the script draws the diagram from: the escalation's team, the linked guide's title
    assert parsed["title"] == "VPN will not connect"
    assert parsed["nodes"]["escalate"]["team"] == "Network Operations"
    assert parsed["nodes"]["reset-password"]["target"] == repo.guide_by_id["password-reset"].meta.title
    assert parsed["nodes"]["reset-password"]["title"] == "Reset the password first."
    diagram = late.unindexed()[mdpage.slot("diagram")]
    assert 'data-kbg="diagram"></div>' in diagram and " hidden " in diagram and 'href="#all-steps"' in diagram
    assert "<svg" not in widget and "<script" not in source


def test_guide_page_escalation_shows_team_queue_contact_and_sla() -> None:
    repo = load_repository(FIXTURES / "basic")
    page = GuidePage(repo.guide_by_id["vpn"], repo)
    html = re.search(r'<section [^>]*data-node="escalate">.*?</section>', page.all_steps()).group(0)
    assert "Network Operations" in html and "NetOps" in html
    assert 'href="../../priorities/"' in html  # the contact's link, written for escalation.md
    # The leaf escalates to network-l2 now, so its own 50% timer is not listed; the duty manager
    # is called at once for a P1 (as the protocol says) and at 80% of the target otherwise.
    assert (
        '<tr data-priority="P1"><td>P1 Critical</td><td>15m</td><td>4h</td><td><ul class="kbg-triggers"><li data-step="duty-manager">IT Duty Manager at once</li></ul></td></tr>'
        in html
    )
    assert (
        '<tr data-priority="P2"><td>P2 High</td><td>1h</td><td>8h</td><td><ul class="kbg-triggers"><li data-step="duty-manager">IT Duty Manager after 6h24m (80%)</li></ul></td></tr>'
        in html
    )
    assert 'data-step="network-l2"' not in html
    assert "VPN client log file" in html and "Device name and IP address" in html


def test_offline_guard_finds_foreign_loads() -> None:
    html = '<img src="https://cdn.example.com/x.png"><script src="//unpkg.com/m.js"></script><link rel="stylesheet" href="https://fonts.googleapis.com/css"><a href="https://ok.example.com">ok</a><img src="../x.png">'
    assert external_loads(html) == ["https://cdn.example.com/x.png", "//unpkg.com/m.js", "https://fonts.googleapis.com/css"]


def test_generated_front_matter_title_is_escaped() -> None:
    repo = load_repository(FIXTURES / "basic")
    guide = repo.guide_by_id["vpn"]
    guide.meta = guide.meta.model_copy(update={"title": HOSTILE})
    source, _ = guide_page(guide, repo)
    front = source.split("\n---\n", 1)[0]
    assert "<" not in front.replace("&lt;", "")


def test_plain_lines_skip_markdown_but_render_the_same() -> None:
    renderer = markup.renderer()
    samples = ["Hello world.", 'It said "Connection failed" (code 5).', "50% of users; e.g. this", "ünïcode — dash", "a\u2028b", "x\xa0y", "1) not a list"]
    samples += ["1. list", "- list", "# heading", "**bold**", "a & b", "&amp;", "<b>", "a\nb", " lead", "trail ", "> quote", "`code`"]
    for sample in samples:
        assert markup.block(sample, "a.md", "a.md", True) == renderer.render_markdown(sample, "a.md", "a.md", True), sample
        assert markup.plain(sample) == " ".join(html.unescape(re.sub("<[^>]*>", " ", renderer.render_markdown(sample, "a.md", "a.md", True))).split())


def test_assets_are_shipped_in_the_package() -> None:
    import tomllib
    from importlib.resources import files

    package = files("search.docsite")
    assert package.joinpath("assets/kb-guides.css").is_file()
    assert {p.name for p in package.joinpath("scripts").iterdir()} >= {"00-core.js", "10-diagram.js", "20-walk.js", "30-triage.js", "90-init.js"}
    # and the wheel takes them: package data covers every script and style under search/
    config = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"**/*.js", "**/*.css"} <= set(config["tool"]["setuptools"]["package-data"]["search"])
