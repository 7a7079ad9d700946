"""Accessibility of the shipped site's reference pages (escalation, priorities, triage, review,
What changed, 404): axe-core and the visible-focus check of support.a11y, in both schemes at both
widths (the list pages are in test_site_a11y.py, a walk and search results in
test_site_a11y_walk.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.a11y import axe_pass, page_groups

pytestmark = pytest.mark.browser


def test_no_serious_violation_and_focus_always_visible_on_the_reference_pages(shipped_site: Path, shipped_url: str, browser, axe_script: Path) -> None:
    pages = page_groups(shipped_site)["reference"]
    with axe_pass(browser, axe_script, shipped_url, states=len(pages)) as run:
        for state, path in pages.items():
            run.page.goto(shipped_url + path)  # type: ignore[attr-defined]
            run.check(state)
