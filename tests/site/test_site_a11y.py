"""Accessibility of the shipped site: axe-core (pinned, installed by tests/ensure-axe.sh) run in
Debian's chromium on every page type, in the light and the dark scheme, at 1280 px and 390 px,
failing on any serious or critical WCAG 2.1 AA violation. The same pass tabs through each page
and fails on a focused element without a visible outline, and checks that tables wider than a
phone scroll in a focusable, named region with a visible cue.

One browser and one built site for the session; one context per scheme and width, reused for
all its pages; axe is injected as an init script (no network, no CSP in the way)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from search.content.repository import Guide, load_repository
from search.workflow.walk import choices, walk
from support import ROOT
from support.site import route_to, search

pytestmark = pytest.mark.browser

AXE = ROOT / ".node-test" / "node_modules" / "axe-core"
AXE_VERSION = re.search(r"^AXE_VERSION=(\S+)$", (ROOT / "tests" / "ensure-axe.sh").read_text(encoding="utf-8"), re.M).group(1)  # type: ignore[union-attr]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = ["light", "dark"]
SCHEME_ATTRIBUTE = {"light": "default", "dark": "slate"}  # Material's data-md-color-scheme
WIDTHS = [1280, 390]

# No finite CSS transition or animation still running (resizing and the palette switch start some).
TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
SETTLED = """() => document.getAnimations().every(a => a.playState !== "running" || a.effect.getComputedTiming().endTime === Infinity)"""
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""

# Every element in the tab order, focused as the keyboard focuses it (``:focus-visible``), shows
# an outline of at least 2 px: returns those that do not. One call per page, not one per Tab.
UNSHOWN_FOCUS = """() => {
  const missing = [];
  for (const e of document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")) {
    if (e.tabIndex < 0 || e.disabled || !e.checkVisibility({visibilityProperty: true})) continue;
    e.focus({focusVisible: true});
    if (document.activeElement !== e) continue;
    const s = getComputedStyle(e);
    if (s.outlineStyle === "none" || parseFloat(s.outlineWidth) < 2) {
      missing.push(e.tagName.toLowerCase() + "." + String(e.className).trim().replace(/\\s+/g, ".") + " " + (e.textContent || "").trim().slice(0, 40));
    }
  }
  document.activeElement.blur();
  return missing;
}"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    script = AXE / "axe.min.js"
    if not script.exists() or json.loads((AXE / "package.json").read_text(encoding="utf-8"))["version"] != AXE_VERSION:
        pytest.fail(f"axe-core {AXE_VERSION} is not installed: run bash tests/ensure-axe.sh (make test does)")
    return script


def _escalation_walk() -> tuple[Guide, list[str]]:
    """The shipped guide with the longest route to an escalation leaf (SLA table, team, links)."""
    repo = load_repository(ROOT)
    found = [(g, r) for g in repo.guides if (r := route_to(g, "escalation"))]
    assert found, "no shipped guide reaches an escalation leaf"
    return max(found, key=lambda pair: (len(pair[1]), pair[0].id))


def _first_article(site: Path) -> str:
    return sorted(p.name for p in (site / "articles").iterdir() if (p / "index.html").exists())[0]


def _first_category(site: Path) -> str:
    return sorted(p.name for p in (site / "categories").iterdir() if (p / "index.html").exists())[0]


def test_no_serious_violation_and_focus_always_visible(shipped_site: Path, shipped_url: str, browser, axe_script: Path) -> None:
    """Each page state is loaded once and checked four times: the scheme switched with Material's
    palette toggle, the width by resizing (the system's ``prefers-color-scheme`` picks the
    scheme of the first page)."""
    guide, answers = _escalation_walk()
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, color_scheme="dark")
    context.add_init_script(path=str(axe_script))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    violations: dict[str, object] = {}
    unfocused: dict[str, list[str]] = {}
    checked: list[str] = []

    def use(scheme: str) -> None:
        """Switch with Material's palette toggle in the header, as a user does (it is remembered).
        Clicked by event: an open search dialog covers the header on a phone."""
        wanted = SCHEME_ATTRIBUTE[scheme]
        if page.get_attribute("body", "data-md-color-scheme") != wanted:
            page.locator('[data-md-component="palette"] label:not([hidden])').dispatch_event("click")
            page.wait_for_function("(s) => document.body.getAttribute('data-md-color-scheme') === s", arg=wanted)

    def check(state: str) -> None:
        for scheme in SCHEMES:
            use(scheme)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                label = f"{state} ({scheme}, {width} px)"
                page.evaluate(TWO_FRAMES)  # let what the resize or switch starts begin
                page.wait_for_function(SETTLED)  # colours mid-fade (Material's header title) are not the page's
                found = page.evaluate(RUN_AXE, TAGS)
                if found:
                    violations[label] = found
                missing = page.evaluate(UNSHOWN_FOCUS)
                if missing:
                    unfocused[label] = missing
                checked.append(label)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})

    try:
        reference = {
            "home": "",
            "category": f"categories/{_first_category(shipped_site)}/",
            "categories": "categories/",
            "all guides, filtered": "guides/?category=network",
            "article": f"articles/{_first_article(shipped_site)}/",
            "escalation": "escalation/",
            "priorities": "priorities/",
            "triage": "triage/",
            "review": "review/",
            "changelog": "changes/",
            "tags": "tags/",
            "404": "404.html",
        }
        page.goto(shipped_url)  # nothing chosen yet: the system's preference picks the scheme
        assert page.get_attribute("body", "data-md-color-scheme") == SCHEME_ATTRIBUTE["dark"]
        for state, path in reference.items():
            page.goto(shipped_url + path)
            check(state)

        page.goto(f"{shipped_url}guides/{guide.id}/")
        check("guide at its start")
        walked = walk(guide, [])
        for number, answer in enumerate(answers):
            page.locator('[data-kbg="choices"] .kbg-choice').nth(choices(walked.node).index(answer)).click()
            walked = walk(guide, [*[v.choice for v in walked.path], answer])
            if number == 0:
                check("guide mid-walk")
        page.select_option('[data-kbg="priority"]', "P1")
        check("guide at an escalation leaf")

        page.set_viewport_size({"width": 390, "height": 900})  # on a phone the search box opens from the header's icon
        page.locator('label.md-header__button[for="__search"]').click()
        search(page, "vpn")
        assert page.locator('.md-search[role="dialog"]').get_attribute("aria-label") == "Search", "the search dialog has an accessible name"
        check("search results")
    finally:
        context.close()

    assert errors == [], f"script errors: {errors}"
    assert len(checked) == 16 * len(SCHEMES) * len(WIDTHS)
    assert violations == {}, f"axe-core {AXE_VERSION}:\n" + json.dumps(violations, indent=1)
    assert unfocused == {}, f"focus not visible: {unfocused}"


def test_wide_tables_scroll_in_a_named_focusable_region_with_a_cue(shipped_url: str, browser) -> None:
    """On a phone the SLA targets and time-based escalation tables are wider than the screen:
    their scrolling box takes keyboard focus, is named after the table's heading, scrolls with
    the arrow keys and shows a cue (a line and a fade) until the last column is in view; at
    desktop width the same tables are plain (no extra tab stop, no cue)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        for path, heading in (("priorities/", "SLA targets"), ("escalation/", None)):
            page.goto(shipped_url + path)
            wide = page.locator(".md-typeset__scrollwrap[tabindex='0']")
            assert wide.count() >= 1, path
            region = wide.last
            assert region.get_attribute("role") == "region"
            name = region.get_attribute("aria-label") or ""
            assert name.endswith("(table, scrolls sideways)"), name
            if heading is not None:
                assert page.locator(f".md-typeset__scrollwrap[aria-label='{heading} (table, scrolls sideways)']").count() == 1
            hint = region.locator("xpath=preceding-sibling::*[1]")
            assert hint.get_attribute("class") == "kbg-scroll-hint" and hint.is_visible()
            assert "kbg-more-right" in (region.get_attribute("class") or "")
            region.focus()
            for _ in range(40):
                page.keyboard.press("ArrowRight")
            page.wait_for_function("(el) => el.scrollLeft > 0 && !el.classList.contains('kbg-more-right')", arg=region.element_handle())
            assert "kbg-more-left" in (region.get_attribute("class") or "")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(shipped_url + "priorities/")
        assert page.locator(".md-typeset__scrollwrap[tabindex]").count() == 0
        assert page.locator(".kbg-scroll-hint:visible").count() == 0
        assert page.locator(".md-typeset__scrollwrap[role='region'][aria-label$='(table)']").count() >= 1
    finally:
        context.close()


def test_the_focus_check_sees_a_hidden_outline(shipped_url: str, browser) -> None:
    """The focus check above is not vacuous: with outlines removed it names the elements."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(shipped_url)
        assert page.evaluate(UNSHOWN_FOCUS) == []
        page.add_style_tag(content=":focus-visible { outline: none !important; }")
        missing = page.evaluate(UNSHOWN_FOCUS)
        assert any(entry.startswith("a.") for entry in missing), missing
    finally:
        context.close()
