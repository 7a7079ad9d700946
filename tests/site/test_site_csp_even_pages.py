"""The shipped content raises no Content-Security-Policy violation, served by a real ``kb serve``:
the pages at even positions of the sorted page list (the odd ones, the 404 page and the API docs
are in test_site_csp_odd_pages.py; two files so both xdist workers share the pages)."""

from __future__ import annotations

import pytest

from support.site import assert_no_csp_violation, built_pages

pytestmark = pytest.mark.browser


def test_shipped_pages_at_even_positions_raise_no_csp_violation(shipped_served, recording_page) -> None:
    root, base = shipped_served
    pages = built_pages(root / "site")
    assert len(pages) > 40
    assert_no_csp_violation(recording_page, base, pages[0::2])
