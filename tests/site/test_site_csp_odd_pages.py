"""The shipped content raises no Content-Security-Policy violation, served by a real ``kb serve``:
the pages at odd positions of the sorted page list, the 404 page and the API docs (the even
positions are in test_site_csp_even_pages.py)."""

from __future__ import annotations

import pytest

from support.site import assert_no_csp_violation, built_pages

pytestmark = pytest.mark.browser


def test_shipped_pages_at_odd_positions_raise_no_csp_violation(shipped_served, recording_page) -> None:
    root, base = shipped_served
    pages = built_pages(root / "site")
    assert len(pages) > 40
    assert_no_csp_violation(recording_page, base, pages[1::2])


def test_the_404_page_and_the_api_docs_raise_no_csp_violation(shipped_served, recording_page) -> None:
    """Swagger UI has its own policy."""
    _, base = shipped_served
    page = recording_page(base + "no/such/page/")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__csp") == []
    docs = recording_page(base + "api/docs")
    docs.wait_for_load_state("load")
    docs.locator(".swagger-ui .info .title").wait_for()
    assert docs.evaluate("window.__csp") == []
