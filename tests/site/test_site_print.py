"""Printing a guide page (PDF from headless chromium, read back with pypdf): without a walk, a
compact checklist with no mostly empty sheets; during a walk, the walked path, the notes and the
transcript on one sheet instead of the blank checklist."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from search.workflow.walk import choices, walk

pytestmark = pytest.mark.browser

GUIDE = "vpn-cannot-connect"  # 14 steps: 7 A4 sheets before the print styles


def _pdf_pages(page: object) -> list[str]:
    """The text of each A4 sheet the page prints to."""
    pdf = page.pdf(format="A4")  # type: ignore[attr-defined]
    return [" ".join((sheet.extract_text() or "").split()) for sheet in PdfReader(io.BytesIO(pdf)).pages]


def _assert_no_sparse_sheets(sheets: list[str]) -> None:
    """Every sheet but the last holds at least half as much text as the fullest one."""
    fullest = max(len(s) for s in sheets)
    assert all(len(s) >= fullest / 2 for s in sheets[:-1]), [len(s) for s in sheets]


@pytest.mark.parametrize("guide_id", [GUIDE, "onedrive-not-syncing"])  # the 14-step guide and the largest (39 steps)
def test_blank_checklist_is_compact(shipped_url, shipped_repo, open_page, guide_id) -> None:
    guide = shipped_repo.guide_by_id[guide_id]
    page = open_page(f"{shipped_url}guides/{guide_id}/")
    sheets = _pdf_pages(page)
    _assert_no_sparse_sheets(sheets)
    steps = len(guide.tree.nodes)
    assert len(sheets) <= 1 + steps // 6, f"{steps} steps print on {len(sheets)} sheets"
    if guide_id == GUIDE:
        assert len(sheets) <= 3
    text = " ".join(sheets)
    assert "All steps" in text and "Path so far" not in text
    assert text.count("First response") == 1  # the SLA table once, not at every escalation step
    assert text.count("☐") >= steps  # a box per step


def test_mid_walk_prints_path_notes_and_transcript(shipped_url, shipped_repo, open_page) -> None:
    guide = shipped_repo.guide_by_id[GUIDE]
    page = open_page(f"{shipped_url}guides/{GUIDE}/")
    note = "Hotel Wi-Fi in room 12"
    page.fill(f'[data-gather-id="{guide.meta.gather[0].id}"]', note)
    answers: list[str] = []
    for _ in range(2):
        state = walk(guide, answers)
        choice = choices(state.node)[0]
        page.locator('[data-kbg="choices"] .kbg-choice').nth(0).click()
        answers.append(choice)
    assert page.locator('[data-kbg="print"]').inner_text() == "Print this walk"
    transcript = page.evaluate("kbGuides.state().transcript")
    sheets = _pdf_pages(page)
    assert len(sheets) == 1, [len(s) for s in sheets]
    text = sheets[0]
    assert "Path so far" in text and note in text
    for line in transcript.splitlines():
        assert " ".join(line.split()) in text, line  # the whole transcript, not clipped to the text box's rows
    assert "All steps" not in text and "Background" not in text  # not the blank checklist

    # back at the start with no notes, print gives the checklist again
    page.fill(f'[data-gather-id="{guide.meta.gather[0].id}"]', "")
    page.click('[data-kbg="restart"]')
    assert page.locator('[data-kbg="print"]').inner_text() == "Print checklist"
    assert "All steps" in " ".join(_pdf_pages(page))
