"""Accessibility of a walk and of search results: axe-core and the visible-focus check of
support.a11y, in both schemes at both widths, on a guide at its start, mid-walk and at an
escalation leaf (the shipped guide with the longest route to one), and on open search results
on a phone (the pages loaded from a URL are in test_site_a11y.py and
test_site_a11y_reference.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.workflow.walk import choices, walk
from support.a11y import axe_pass, escalation_walk
from support.site import search

pytestmark = pytest.mark.browser


def test_no_serious_violation_and_focus_always_visible_along_a_walk_and_in_search(shipped_url: str, browser, axe_script: Path) -> None:
    guide, answers = escalation_walk()
    with axe_pass(browser, axe_script, shipped_url, states=4) as run:
        page = run.page
        page.goto(f"{shipped_url}guides/{guide.id}/")  # type: ignore[attr-defined]
        run.check("guide at its start")
        walked = walk(guide, [])
        for number, answer in enumerate(answers):
            page.locator('[data-kbg="choices"] .kbg-choice').nth(choices(walked.node).index(answer)).click()  # type: ignore[attr-defined]
            walked = walk(guide, [*[v.choice for v in walked.path], answer])
            if number == 0:
                run.check("guide mid-walk")
        page.select_option('[data-kbg="priority"]', "P1")  # type: ignore[attr-defined]
        run.check("guide at an escalation leaf")

        page.set_viewport_size({"width": 390, "height": 900})  # type: ignore[attr-defined]  # on a phone the search box opens from the header's icon
        page.locator('label.md-header__button[for="__search"]').click()  # type: ignore[attr-defined]
        search(page, "vpn")
        assert page.locator('.md-search[role="dialog"]').get_attribute("aria-label") == "Search", "the search dialog has an accessible name"  # type: ignore[attr-defined]
        run.check("search results")
