"""The accessibility pass of tests/site/test_site_a11y*.py: axe-core (pinned, installed by
tests/ensure-axe.sh) and the visible-focus check, run on each page state in the light and the dark
scheme at 1280 px and 390 px. Shared so the page states can be split over several test files
(both xdist workers share them); which states each file checks is in ``PAGE_GROUPS``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from search.content.repository import Guide, load_repository

from . import ROOT
from .site import route_to

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


def _first_article(site: Path) -> str:
    return sorted(p.name for p in (site / "articles").iterdir() if (p / "index.html").exists())[0]


def _first_category(site: Path) -> str:
    return sorted(p.name for p in (site / "categories").iterdir() if (p / "index.html").exists())[0]


def page_groups(site: Path) -> dict[str, dict[str, str]]:
    """The page types loaded from a URL, by test file: state label -> path under the site's URL.
    The walk states (a guide at its start, mid-walk, at an escalation leaf) and open search
    results are reached by clicking, in test_site_a11y_walk.py."""
    return {
        "lists": {
            "home": "",
            "category": f"categories/{_first_category(site)}/",
            "categories": "categories/",
            "all guides, filtered": "guides/?category=network",
            "article": f"articles/{_first_article(site)}/",
            "tags": "tags/",
        },
        "reference": {
            "escalation": "escalation/",
            "priorities": "priorities/",
            "triage": "triage/",
            "review": "review/",
            "changelog": "changes/",
            "404": "404.html",
        },
    }


def escalation_walk() -> tuple[Guide, list[str]]:
    """The shipped guide with the longest route to an escalation leaf (SLA table, team, links)."""
    repo = load_repository(ROOT)
    found = [(g, r) for g in repo.guides if (r := route_to(g, "escalation"))]
    assert found, "no shipped guide reaches an escalation leaf"
    return max(found, key=lambda pair: (len(pair[1]), pair[0].id))


@dataclass
class AxePass:
    """One page whose ``check(state)`` runs axe-core and the focus check four times: the scheme
    switched with Material's palette toggle, the width by resizing."""

    page: object
    violations: dict[str, object] = field(default_factory=dict)
    unfocused: dict[str, list[str]] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)

    def use(self, scheme: str) -> None:
        """Switch with Material's palette toggle in the header, as a user does (it is remembered).
        Clicked by event: an open search dialog covers the header on a phone."""
        page = self.page
        wanted = SCHEME_ATTRIBUTE[scheme]
        if page.get_attribute("body", "data-md-color-scheme") != wanted:  # type: ignore[attr-defined]
            page.locator('[data-md-component="palette"] label:not([hidden])').dispatch_event("click")  # type: ignore[attr-defined]
            page.wait_for_function("(s) => document.body.getAttribute('data-md-color-scheme') === s", arg=wanted)  # type: ignore[attr-defined]

    def check(self, state: str) -> None:
        page = self.page
        for scheme in SCHEMES:
            self.use(scheme)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
                label = f"{state} ({scheme}, {width} px)"
                page.evaluate(TWO_FRAMES)  # type: ignore[attr-defined]  # let what the resize or switch starts begin
                page.wait_for_function(SETTLED)  # type: ignore[attr-defined]  # colours mid-fade (Material's header title) are not the page's
                found = page.evaluate(RUN_AXE, TAGS)  # type: ignore[attr-defined]
                if found:
                    self.violations[label] = found
                missing = page.evaluate(UNSHOWN_FOCUS)  # type: ignore[attr-defined]
                if missing:
                    self.unfocused[label] = missing
                self.checked.append(label)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})  # type: ignore[attr-defined]


@contextmanager
def axe_pass(browser: object, axe_script: Path, base_url: str, states: int) -> Iterator[AxePass]:
    """An AxePass in a fresh context whose system scheme is dark, opened on the home page (nothing
    chosen yet: the system's preference picks the scheme). On leaving, ``states`` page states
    must have been checked, with no script error, no serious violation and focus always visible."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, color_scheme="dark")  # type: ignore[attr-defined]
    context.add_init_script(path=str(axe_script))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    run = AxePass(page)
    try:
        page.goto(base_url)
        assert page.get_attribute("body", "data-md-color-scheme") == SCHEME_ATTRIBUTE["dark"]
        yield run
    finally:
        context.close()
    assert errors == [], f"script errors: {errors}"
    assert len(run.checked) == states * len(SCHEMES) * len(WIDTHS), run.checked
    assert run.violations == {}, f"axe-core {AXE_VERSION}:\n" + json.dumps(run.violations, indent=1)
    assert run.unfocused == {}, f"focus not visible: {run.unfocused}"
