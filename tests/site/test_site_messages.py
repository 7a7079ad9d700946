"""The messages at a walk's leaf on the shipped site (templates/messages.html, scripts/40-messages.js):
each copy button gives exactly the text the walk API returns for the same walk, priority, notes,
ticket fields and records (a note and the time of each step, the check confirmed or hand-off
value filled in at the leaf: the escalation note's transcript is the recorded one); the user's
messages carry no Markdown marks. With the ticket fields blank, partly filled (whitespace, runs of
spaces) and filled, the site, the API and ``kb walk`` leave out the same optional phrases."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from search.content.repository import Guide, Repository
from search.workflow.walk import choices, walk
from support.site import route_to
from support.walkpaths import menu_lines, piped_walk

pytestmark = pytest.mark.browser

TICKET = {"ticket_id": "ZD-48213", "requester": "Priya Natarajan", "technician": "Tom Okafor"}
CLOCK = dt.datetime(2026, 12, 2, 14, 2, tzinfo=dt.UTC)  # the page's clock: every step is stamped [14:02] (the browser runs in UTC)
MARKS = re.compile(r"\*\*|`|\]\(")


def walk_in_page(page, guide: Guide, answers: list[str], priority: str, gathered: dict[str, str], step_note: str = "") -> None:
    """Answer in the browser; ``step_note`` is typed into the first step's note field first."""
    for item_id, note in gathered.items():
        page.fill(f'[data-gather-id="{item_id}"]', note)
    if priority:
        page.select_option('[data-kbg="priority"]', priority)
    state = walk(guide, [])
    for step, answer in enumerate(answers):
        if step == 0 and step_note:
            page.fill('[data-kbg="step-note"]', step_note)
        page.locator('[data-kbg="choices"] .kbg-choice').nth(choices(state.node).index(answer)).click()
        state = walk(guide, [*[v.choice for v in state.path], answer])


def recorded(page) -> dict[str, object]:
    """What the page recorded (kbGuides.state()) as the walk API's records, confirmed and handoff."""
    state = page.evaluate("kbGuides.state()")
    return {"records": state["records"], "confirmed": state["leaf"]["confirmed"], "handoff": state["leaf"]["handoff"]}


def copied(page, kind: str) -> str:
    section = page.locator(f'[data-kbg="current"] .kbg-message[data-kind="{kind}"]')
    button = section.locator("[data-kbg-copy-message]")
    button.evaluate("b => { b.textContent = 'Copy'; }")  # a copy before this one left "Copied"
    button.click()
    page.wait_for_function(
        f"""document.querySelector('[data-kbg="current"] .kbg-message[data-kind="{kind}"] [data-kbg-copy-message]').textContent !== 'Copy'"""
    )
    assert button.text_content() == "Copied"
    return page.evaluate("navigator.clipboard.readText()")


@pytest.mark.parametrize(("leaf_type", "priority"), [("escalation", "P1"), ("resolution", ""), ("escalation", "")])
def test_copy_buttons_give_the_api_messages_exactly(
    shipped_repo: Repository, shipped_url: str, open_page, shipped_api: httpx.Client, leaf_type: str, priority: str
) -> None:
    guide, answers = next((g, r) for g in sorted(shipped_repo.guides, key=lambda g: g.id) if (r := route_to(g, leaf_type)) and g.meta.gather)
    gathered = {item.id: f"note {i}: **as typed**" for i, item in enumerate(guide.meta.gather) if i != 1}
    page = open_page(f"{shipped_url}guides/{guide.id}/", clock_at=CLOCK, timezone_id="UTC", permissions=["clipboard-read", "clipboard-write"])
    walk_in_page(page, guide, answers, priority, gathered, step_note="cable **reseated**")
    leaf = page.locator('[data-kbg="current"]')
    if leaf_type == "escalation":
        leaf.locator("[data-handoff-id]").first.fill("LT-0042, 3rd floor")
    else:
        leaf.locator("[data-check-id]").first.check()
    for name, value in TICKET.items():
        page.fill(f'[data-kbg="current"] [data-kbg-ticket="{name}"]', value)

    record = recorded(page)
    assert record["records"][0]["note"] == "cable **reseated**" and record["records"][0]["at"], record
    assert record["handoff"] if leaf_type == "escalation" else record["confirmed"], record
    body = {"answers": answers, "gathered": gathered, "ticket": TICKET, **record, **({"priority": priority} if priority else {})}
    response = shipped_api.post(f"/api/guides/{guide.id}/walk", json=body)
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    if leaf_type == "escalation":  # the note's transcript is the recorded one: the step's time and note, the hand-off value
        note = messages["escalation"]["body"]
        assert f"1. [{CLOCK.strftime('%H:%M')}] " in note and "   Note: cable **reseated**" in note and ": LT-0042, 3rd floor" in note, note
    assert set(messages) == ({"escalation", "escalation_notice"} if leaf_type == "escalation" else {"resolution", "closure"})
    for kind, message in messages.items():
        section = page.locator(f'[data-kbg="current"] .kbg-message[data-kind="{kind}"]')
        assert section.get_attribute("data-audience") == message["audience"]
        assert section.locator('[data-kbg-message-part="subject"]').text_content() == message["subject"]
        assert copied(page, kind) == message["body"]
        if message["audience"] == "user":
            assert MARKS.search(message["body"]) is None, message["body"]
    if leaf_type == "escalation":
        assert "note 0: **as typed**" in messages["escalation"]["body"]  # the internal note keeps what was typed
        assert ("- IT Duty Manager: at once" in messages["escalation"]["body"]) == (priority == "P1")


def test_messages_follow_a_priority_changed_at_the_leaf_and_all_steps_keep_their_slots(
    shipped_repo: Repository, shipped_url: str, open_page, shipped_api: httpx.Client
) -> None:
    guide, answers = next((g, r) for g in sorted(shipped_repo.guides, key=lambda g: g.id) if (r := route_to(g, "escalation")))
    page = open_page(f"{shipped_url}guides/{guide.id}/", permissions=["clipboard-read", "clipboard-write"])
    walk_in_page(page, guide, answers, "", {})
    page.select_option('[data-kbg="priority"]', "P2")
    expected = shipped_api.post(f"/api/guides/{guide.id}/walk", json={"answers": answers, "priority": "P2"}).json()["messages"]
    assert copied(page, "escalation_notice") == expected["escalation_notice"]["body"]
    assert guide.meta.category.startswith("requests/")  # the first guide in order is a request: its fulfilment target, not the incident's 8h
    assert "within 2d" in expected["escalation_notice"]["body"]
    static = page.locator('.kbg-tree .kbg-message[data-kind="escalation_notice"]').first
    assert "{requester}" in static.locator('[data-kbg-message-part="body"]').text_content()
    assert static.locator("[data-kbg-copy-message]").is_hidden()


TICKET_STATES = {
    "blank": {"ticket_id": "", "requester": "", "technician": ""},
    "partly filled": {"ticket_id": "ZD-48213", "requester": " \t ", "technician": "  Tom   Okafor "},
    "filled": TICKET,
}


def kb_walk_messages(guide: Guide, answers: list[str], ticket: dict[str, str]) -> str:
    """``kb walk`` (piped answers, no times: --no-record) with the ticket fields as options; its output."""
    fields = [f"--{'ticket' if k == 'ticket_id' else k}={v}" for k, v in ticket.items()]
    result = piped_walk(guide.id, "--no-record", *fields, lines=menu_lines(guide, answers), tz="UTC")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("leaf_type", ["resolution", "escalation"])
def test_blank_partly_filled_and_filled_ticket_fields_give_the_same_texts_on_the_site_in_the_api_and_kb_walk(
    shipped_repo: Repository, shipped_url: str, open_page, shipped_api: httpx.Client, leaf_type: str
) -> None:
    guide, answers = next((g, r) for g in sorted(shipped_repo.guides, key=lambda g: g.id) if (r := route_to(g, leaf_type)))
    page = open_page(f"{shipped_url}guides/{guide.id}/", clock_at=CLOCK, timezone_id="UTC", permissions=["clipboard-read", "clipboard-write"])
    walk_in_page(page, guide, answers, "P2", {})
    record = recorded(page)
    for state, ticket in TICKET_STATES.items():
        for name, value in ticket.items():
            page.fill(f'[data-kbg="current"] [data-kbg-ticket="{name}"]', value)
        body = {"answers": answers, "priority": "P2", "ticket": ticket}
        expected = shipped_api.post(f"/api/guides/{guide.id}/walk", json={**body, **record}).json()["messages"]
        for kind, message in expected.items():
            section = page.locator(f'[data-kbg="current"] .kbg-message[data-kind="{kind}"]')
            assert section.locator('[data-kbg-message-part="subject"]').text_content() == message["subject"], state
            assert copied(page, kind) == message["body"], state
            assert "Hello ," not in message["body"] and "()" not in message["subject"] and "  " not in message["subject"]
        greeting = {"blank": "Hello,\n", "partly filled": "Hello,\n", "filled": f"Hello {TICKET['requester']},\n"}[state]
        user = next(m for m in expected.values() if m["audience"] == "user")
        assert user["body"].startswith(greeting) and ("Tom Okafor, IT Service Desk" in user["body"]) == (state != "blank"), user["body"]
        printed = kb_walk_messages(guide, answers, ticket)
        for kind, message in shipped_api.post(f"/api/guides/{guide.id}/walk", json=body).json()["messages"].items():
            assert f"({kind}) ---\nSubject: {message['subject']}\n\n{message['body'].rstrip()}\n" in printed, (state, kind, printed)
