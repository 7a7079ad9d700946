"""Accessibility of the shipped site: axe-core (pinned, installed by tests/ensure-axe.sh) run in
Debian's chromium on every page type, in the light and the dark scheme, at 1280 px and 390 px,
failing on any serious or critical WCAG 2.1 AA violation. The same pass tabs through each page
and fails on a focused element without a visible outline, and checks that tables wider than a
phone scroll in a focusable, named region with a visible cue.

One browser and one built site for the session; one context per test, reused for all its pages;
axe is injected as an init script (no network, no CSP in the way). The pass is support.a11y's;
the page types are split over three files so both xdist workers share them: the list pages here,
the reference pages in test_site_a11y_reference.py, a walk and search results in
test_site_a11y_walk.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.a11y import UNSHOWN_FOCUS, axe_pass, page_groups

pytestmark = pytest.mark.browser


def test_no_serious_violation_and_focus_always_visible_on_the_list_pages(shipped_site: Path, shipped_url: str, browser, axe_script: Path) -> None:
    """Home, a category, the categories, all guides (filtered), an article and the tags: each page
    state is loaded once and checked four times (support.a11y.AxePass)."""
    pages = page_groups(shipped_site)["lists"]
    with axe_pass(browser, axe_script, shipped_url, states=len(pages)) as run:
        for state, path in pages.items():
            run.page.goto(shipped_url + path)  # type: ignore[attr-defined]
            run.check(state)


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
