"""The step-through comes first: on every shipped guide page the first answer is on the first
screen, below Material's header, at 1280x900 and at 390x844 (headless chromium; the phone case in
test_site_walk_first_screen_phone.py). On a phone every
field and button of a walk (information to gather, priority, step note, follow-up checks, hand-off
values, ticket fields, copy buttons) is labelled and at least 44 px tall to tap (WCAG 2.5.5; 2.5.8
asks 24)."""

from __future__ import annotations

import pytest

from search.content.repository import load_repository
from search.workflow.walk import walk
from support import ROOT
from support.site import VIEWPORTS, assert_the_first_answer_is_on_the_first_screen, route_to

pytestmark = pytest.mark.browser


def test_the_first_answer_is_visible_without_scrolling_on_a_desktop(shipped_url: str, open_page) -> None:
    """(On a phone: test_site_walk_first_screen_phone.py, so both xdist workers share the guides.)"""
    assert_the_first_answer_is_on_the_first_screen(shipped_url, open_page, "desktop")


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


TAP = 44  # px: WCAG 2.5.5's target size; 2.5.8 (AA) asks 24
# Every visible field and button of the walk (the static "All steps" copy aside): what it is, the
# height of its tap target (a checkbox's is its label) and its accessible name.
CONTROLS = """() => Array.from(document.querySelectorAll('.kbg-gather input, .kbg-walk input, .kbg-walk select, .kbg-walk textarea, .kbg-walk button'))
  .filter(c => c.getClientRects().length && !c.closest('.kbg-tree'))
  .map(c => {
    const target = (c.type === 'checkbox' && c.closest('label')) || c;
    const name = c.tagName === 'BUTTON' ? c.textContent.trim()
      : (c.labels && c.labels.length ? c.labels[0].textContent.trim() : c.getAttribute('aria-label') || '');
    const key = ['data-kbg', 'data-kbg-ticket', 'data-handoff-id', 'data-check-id', 'data-gather-id', 'data-kbg-copy-message']
      .filter(a => c.hasAttribute(a)).map(a => a + '=' + c.getAttribute(a)).join(' ') || c.className;
    return {what: c.tagName.toLowerCase() + ' ' + key, height: target.getBoundingClientRect().height, name};
  })"""
MEASURED = (
    "data-gather-id",
    "data-kbg=priority",
    "data-kbg=step-note",
    "data-kbg-ticket=ticket_id",
    "data-kbg-ticket=requester",
    "data-kbg-ticket=technician",
    "data-handoff-id",
    "data-check-id",
    "data-kbg-copy-message",
    "data-kbg=transcript",
)


def test_every_walk_field_is_labelled_and_comfortable_to_tap_on_a_phone(shipped_url: str, open_page) -> None:
    guides = sorted(load_repository(ROOT).guides, key=lambda g: g.id)
    escalation = next((g, r) for g in guides if g.meta.gather and (r := route_to(g, "escalation")))
    resolution = next((g, r) for g in guides if (r := route_to(g, "resolution")) and getattr(walk(g, r).outcome, "follow_up", None))
    page = open_page(shipped_url, viewport={"width": 390, "height": 844})
    seen: dict[str, dict[str, object]] = {}
    for leaf, (guide, answers) in {"escalation": escalation, "resolution": resolution}.items():
        page.goto(f"{shipped_url}guides/{guide.id}/")
        seen.update({f"{guide.id} at the start: {c['what']}": c for c in page.evaluate(CONTROLS)})
        for step, answer in enumerate(answers):
            page.locator('[data-kbg="choices"] .kbg-choice').nth(walk(guide, answers[:step]).choices.index(answer)).click()
        seen.update({f"{guide.id} at the {leaf}: {c['what']}": c for c in page.evaluate(CONTROLS)})
    assert [m for m in MEASURED if not any(m in key for key in seen)] == [], list(seen)
    small = {key: round(float(c["height"])) for key, c in seen.items() if float(c["height"]) < TAP}  # type: ignore[arg-type]
    assert small == {}, f"shorter than {TAP} px at 390 px width: {small}"
    assert [key for key, c in seen.items() if not c["name"]] == [], "without a label"
