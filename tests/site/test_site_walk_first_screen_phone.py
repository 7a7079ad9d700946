"""The step-through comes first on a phone: on every shipped guide page the first answer is on the
first 390x844 screen, below Material's header (the desktop case and the rest of the walk's layout:
test_site_walk_first_screen.py; two files so both xdist workers share the guides)."""

from __future__ import annotations

import pytest

from support.site import assert_the_first_answer_is_on_the_first_screen

pytestmark = pytest.mark.browser


def test_the_first_answer_is_visible_without_scrolling_on_a_phone(shipped_url: str, open_page) -> None:
    assert_the_first_answer_is_on_the_first_screen(shipped_url, open_page, "phone")
