"""The step-through comes first: on every shipped guide page the first answer is on the first
screen, below Material's header, at 1280x900 and at 390x844 (headless chromium)."""

from __future__ import annotations

import pytest

from search.content.repository import load_repository
from support import ROOT

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_first_answer_is_visible_without_scrolling(shipped_url: str, open_page, viewport: str) -> None:
    width, height = VIEWPORTS[viewport]
    guides = sorted(load_repository(ROOT).guide_by_id)
    page = open_page(shipped_url, viewport={"width": width, "height": height})
    header = page.locator(".md-header").bounding_box()
    assert header is not None
    late = {}
    for guide_id in guides:
        page.goto(f"{shipped_url}guides/{guide_id}/")
        box = page.locator('[data-kbg="choices"] .kbg-choice').first.bounding_box()
        assert box is not None, guide_id
        assert page.evaluate("window.scrollY") == 0
        if not (box["y"] >= header["y"] + header["height"] and box["y"] + box["height"] <= height):
            late[guide_id] = box
    assert late == {}, f"first answer not on the first {width}x{height} screen: {late}"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_after_each_answer_the_walk_bar_and_the_step_are_below_the_header(shipped_url: str, open_page, viewport: str) -> None:
    """Answering moves focus (and the page) to the new step; on a desktop the bar with the priority,
    Back and Restart sits above the step and must not end up under Material's sticky header."""
    width, height = VIEWPORTS[viewport]
    page = open_page(f"{shipped_url}guides/password-reset/", viewport={"width": width, "height": height})
    header = page.locator(".md-header").bounding_box()
    assert header is not None
    below = header["y"] + header["height"]
    for step in range(8):  # to the leaf, checked after every answer (the leaf is where the page scrolls)
        if page.locator('[data-kbg="choices"] .kbg-choice').count() == 0:
            break
        page.locator('[data-kbg="choices"] .kbg-choice').first.click()
        title = page.locator('[data-kbg="current"]').bounding_box()
        assert title is not None and title["y"] >= below - 1, (step, title, below)
        if viewport == "desktop":
            bar = page.locator(".kbg-walk-bar").bounding_box()
            assert bar is not None and bar["y"] >= below - 1, (step, bar, below)
