"""One escalation clock: for every escalation leaf of every shipped guide and every priority, the
leaf's table on the guide page, the walk and diagnose APIs (over real HTTP), the messages and
``kb walk`` give the same timers and deadlines, and they say what the protocol says (the duty
manager at once for a P1, security at once, the leaf's own step not listed again)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from zoneinfo import ZoneInfo

import httpx
import pytest

from search.content.models import EscalationNode, item_ids
from search.content.repository import Guide, Repository
from search.render.guide_page import GuidePage
from search.render.pages import Pages
from search.workflow.sla import format_minutes
from search.workflow.transcript import handoff_texts
from search.workflow.walk import walk
from support import KB, ROOT
from support.recording import assert_within, records_from
from support.walkpaths import shortest_routes

OPENED = "2026-12-02T09:00:00+01:00"
OPENED_AT = dt.datetime.fromisoformat(OPENED)
TICKET = {"ticket_id": "ZD-7001", "requester": "Ann Lee", "technician": "Sam Ortiz"}
PRIORITIES = ("P1", "P2", "P3", "P4")
BERLIN = ZoneInfo("Europe/Berlin")  # kb walk stamps answers in the machine's zone; the test sets it


def escalation_leaves(shipped_repo: Repository) -> list[tuple[Guide, str, tuple[str, ...]]]:
    found = []
    for guide in shipped_repo.guides:
        for node_id, answers in shortest_routes(guide).items():
            if isinstance(guide.tree.nodes[node_id], EscalationNode):
                found.append((guide, node_id, answers))
    assert found
    return found


def page_row(guide: Guide, shipped_repo: Repository, node_id: str, priority: str) -> list[tuple[str, str]]:
    """(step id, text) of each timer the leaf's SLA table lists for ``priority``."""
    html = GuidePage(guide, shipped_repo).all_steps()
    section = re.search(rf'<section [^>]*data-node="{node_id}">.*?</section>', html, re.S).group(0)
    row = re.search(rf'<tr data-priority="{priority}">.*?</tr>', section, re.S).group(0)
    return re.findall(r'<li data-step="([^"]+)">([^<]*)</li>', row)


def when(step: dict) -> str:
    """What a timer of the API's protocol step says, in the page's words."""
    if step["trigger_kind"] == "immediate":
        return "at once"
    return f"after {format_minutes(step['escalate_after_minutes'])}"


def test_every_escalation_leaf_shows_the_same_clock_on_the_page_the_api_and_in_the_note(shipped_repo: Repository, shipped_api: httpx.Client) -> None:
    checked_rows = 0
    for guide, node_id, answers in escalation_leaves(shipped_repo):
        leaf = guide.tree.nodes[node_id]
        for pid in PRIORITIES:
            diagnose = shipped_api.get("/api/diagnose", params={"category": guide.meta.category, "priority": pid, "opened_at": OPENED})
            assert diagnose.status_code == 200, diagnose.text
            steps = diagnose.json()["escalation"][0]["steps"]
            timed = [s for s in steps if s["trigger_kind"] != "manual" and s["id"] != leaf.step]
            row = page_row(guide, shipped_repo, node_id, pid)
            assert [sid for sid, _ in row] == [s["id"] for s in timed], (guide.id, node_id, pid)
            for (_, text), step in zip(row, timed, strict=True):
                assert text.startswith(f"{step['team']} {when(step)}"), (text, step)
                due = dt.datetime.fromisoformat(step["due_at"])
                assert due == OPENED_AT + dt.timedelta(minutes=step["escalate_after_minutes"])
            walked = shipped_api.post(
                f"/api/guides/{guide.id}/walk", json={"answers": list(answers), "priority": pid, "opened_at": OPENED, "ticket": TICKET}
            ).json()
            own = walked["outcome"]["escalation"]
            listed = next((s for s in steps if s["id"] == leaf.step), None)
            if listed is None:  # a leaf may escalate out of its category (a locked account that looks like an attack)
                home = shipped_repo.escalation.steps[leaf.step].categories[0]
                other = shipped_api.get("/api/diagnose", params={"category": home, "priority": pid, "opened_at": OPENED}).json()
                listed = next(s for s in other["escalation"][0]["steps"] if s["id"] == leaf.step)
            assert {k: own[k] for k in ("trigger_kind", "escalate_after_minutes", "due_at")} == {
                k: listed[k] for k in ("trigger_kind", "escalate_after_minutes", "due_at")
            }
            note = walked["messages"]["escalation"]["body"]
            clock = note.split("Escalation clock from here:\n", 1)[1].split("\n\n", 1)[0].splitlines()
            expected = [f"- {s['team']}: {when(s)}" for s in timed]
            assert [line.split(",")[0].split(" (")[0] for line in clock] == expected or (not timed and clock == ["- No timer runs for this ticket."])
            for line, step in zip(clock, timed, strict=False):
                due = dt.datetime.fromisoformat(step["due_at"])
                assert line.endswith(f"due by {due.strftime('%H:%M') if due.date() == OPENED_AT.date() else due.strftime('%Y-%m-%d %H:%M')}")
            checked_rows += 1
    assert checked_rows >= 4 * 10


def test_the_protocol_is_followed_to_the_letter(shipped_repo: Repository, shipped_api: httpx.Client) -> None:
    """The issue's cases: the duty manager at once for every P1 (not after 3h12m), security at once
    for every priority, and a leaf to Network Operations not listing Network Operations again."""
    p1 = shipped_api.get("/api/diagnose", params={"category": "network/vpn", "priority": "P1", "opened_at": OPENED}).json()["escalation"][0]["steps"]
    duty = next(s for s in p1 if s["id"] == "duty-manager")
    assert (duty["trigger_kind"], duty["escalate_after_minutes"], duty["due_at"]) == ("immediate", 0, "2026-12-02T09:00:00+01:00")
    p2 = shipped_api.get("/api/diagnose", params={"category": "network/vpn", "priority": "P2"}).json()["escalation"][0]["steps"]
    duty = next(s for s in p2 if s["id"] == "duty-manager")
    assert (duty["trigger_kind"], duty["escalate_after_minutes"], duty["due_at"]) == ("sla_share", 384, None)  # 80% of 8h, no opened_at: no time

    for pid in PRIORITIES:
        security = shipped_api.get("/api/diagnose", params={"category": "security", "priority": pid}).json()["escalation"][0]["steps"]
        assert next(s for s in security if s["id"] == "security-l2")["trigger_kind"] == "immediate"

    vpn = shipped_repo.guide_by_id["vpn-cannot-connect"]
    leaf = next(n for n, node in vpn.tree.nodes.items() if isinstance(node, EscalationNode) and node.step == "network-l2")
    assert page_row(vpn, shipped_repo, leaf, "P1") == [
        ("engineering-l3", "Infrastructure Engineering after 3h12m (80%)"),
        ("duty-manager", "IT Duty Manager at once"),
    ]

    page = Pages(shipped_repo).escalation_page()
    table = page.split("## Time-based escalation", 1)[1].split("</table>", 1)[0]
    duty_row = re.search(r'<a href="#step-duty-manager">.*?</tr>', table, re.S).group(0)
    assert re.findall(r"<td>([^<]*)</td>", duty_row) == ["at once", "6h24m", "2d9h36m", "8d"]
    security_row = re.search(r'<a href="#step-security-l2">.*?</tr>', table, re.S).group(0)
    assert re.findall(r"<td>([^<]*)</td>", security_row) == ["at once"] * 4
    assert "<dt>Time-based</dt><dd>P1: at once; P2, P3, P4: at 80% of the resolution target</dd>" in page


@pytest.mark.parametrize("where", ["/api/diagnose", "walk"])
@pytest.mark.parametrize("value", ["2026-12-02T09:00:00", "yesterday", "2026-13-02T09:00Z", "7.13670246662877e-70", "1764662400"])
def test_an_opened_time_without_offset_or_not_iso_is_a_422_problem(shipped_api: httpx.Client, where: str, value: str) -> None:
    if where == "walk":
        response = shipped_api.post("/api/guides/vpn-cannot-connect/walk", json={"answers": [], "opened_at": value})
    else:
        response = shipped_api.get("/api/diagnose", params={"category": "network", "opened_at": value})
    assert response.status_code == 422, response.text  # the API's validation problem, as for every other parameter
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["loc"][-1] == "opened_at"


def test_kb_walk_prints_the_same_messages_as_the_api(shipped_repo: Repository, shipped_api: httpx.Client) -> None:
    """With what ``kb walk`` recorded (each answer's time, a hand-off value typed at the end), its
    messages equal the API's for the same records: the note's transcript is the recorded one."""
    guide, _, answers = next((g, n, a) for g, n, a in escalation_leaves(shipped_repo) if g.tree.nodes[n].step == "security-l2")
    texts = handoff_texts(walk(guide, answers), shipped_repo)
    values = ["LT-0042, disconnected at 09:10", *[""] * (len(texts) - 1)]
    lines = ["" for _ in guide.meta.gather] + list(answers) + values
    started = dt.datetime.now(BERLIN)
    result = subprocess.run(
        [str(KB), "walk", guide.id, "--priority", "P2", "--opened-at", OPENED, "--root", str(ROOT)]
        + [f"--{'ticket' if k == 'ticket_id' else k}={v}" for k, v in TICKET.items()],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TZ": "Europe/Berlin"},
    )
    assert result.returncode == 0, result.stderr
    transcript = result.stdout.split("--- Transcript for the ticket (internal note) ---\n", 1)[1]
    records = records_from(transcript, len(answers), started.date(), BERLIN)
    assert_within(records, started, dt.datetime.now(BERLIN))
    body = {
        "answers": list(answers),
        "priority": "P2",
        "opened_at": OPENED,
        "ticket": TICKET,
        "records": [{"note": r.note, "at": r.at.isoformat() if r.at else None} for r in records],
        "handoff": dict(zip(item_ids(texts), values, strict=True)),
    }
    walked = shipped_api.post(f"/api/guides/{guide.id}/walk", json=body).json()
    assert set(walked["messages"]) == {"escalation", "escalation_notice"}
    for kind, message in walked["messages"].items():
        assert f"({kind}) ---\nSubject: {message['subject']}\n\n{message['body'].rstrip()}\n" in result.stdout
    assert f": {values[0]}" in walked["messages"]["escalation"]["body"]  # the hand-off value typed at the end of kb walk
    assert "We aim to resolve it by 2026-12-02 17:00." in walked["messages"]["escalation_notice"]["body"]  # P2: 8h from 09:00+01:00


@pytest.mark.parametrize("value", ["7.13670246662877e-70", "1764662400", 1764662400])
def test_a_step_time_that_is_a_number_is_a_422_problem(shipped_repo: Repository, shipped_api: httpx.Client, value: object) -> None:
    """A number is not read as seconds since 1970: a step's time is ISO 8601 text, as opened_at."""
    first = walk(shipped_repo.guide_by_id["vpn-cannot-connect"], []).choices[0]
    response = shipped_api.post("/api/guides/vpn-cannot-connect/walk", json={"answers": [first], "records": [{"at": value}]})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"][-1] == "at"


@pytest.mark.parametrize("value", ["2026-12-02T09:00", "tomorrow"])
def test_kb_walk_refuses_an_opened_time_without_offset(value: str) -> None:
    result = subprocess.run(
        [str(KB), "walk", "vpn-cannot-connect", "--opened-at", value, "--root", str(ROOT)], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 2
    assert "--opened-at" in result.stderr and "Traceback" not in result.stderr


def test_a_request_runs_on_its_fulfilment_target(shipped_repo: Repository, shipped_api: httpx.Client) -> None:
    """A share of the target is of the ticket's own kind: for a request category, the fulfilment
    target (P3: 5d), in the API, on the guide page, in the notice to the user and on the escalation page."""
    steps = shipped_api.get("/api/diagnose", params={"category": "requests/access", "priority": "P3", "opened_at": OPENED}).json()["escalation"][0]["steps"]
    clocks = {s["id"]: (s["trigger_kind"], s["escalate_after_minutes"]) for s in steps}
    assert clocks["identity-l2"] == ("sla_share", 3600) and clocks["duty-manager"] == ("sla_share", 5760)  # 50% and 80% of 5 days
    incident = shipped_api.get("/api/diagnose", params={"category": "accounts", "priority": "P3"}).json()["escalation"][0]["steps"]
    assert next(s["escalate_after_minutes"] for s in incident if s["id"] == "identity-l2") == 2160  # 50% of 3 days

    guide = shipped_repo.guide_by_id["access-request"]
    node_id, answers = next((n, a) for g, n, a in escalation_leaves(shipped_repo) if g is guide)
    assert page_row(guide, shipped_repo, node_id, "P3") == [
        ("engineering-l3", "Infrastructure Engineering after 4d (80%)"),
        ("duty-manager", "IT Duty Manager after 4d (80%)"),
    ]
    walked = shipped_api.post(f"/api/guides/{guide.id}/walk", json={"answers": list(answers), "priority": "P3", "opened_at": OPENED, "ticket": TICKET}).json()
    assert "by 2026-12-07 09:00" in walked["messages"]["escalation_notice"]["body"]  # fulfilment in 5 days, not the incident's 3

    table = Pages(shipped_repo).escalation_page().split("## Time-based escalation", 1)[1].split("</table>", 1)[0]
    rows = {
        re.sub(r"<[^>]+>", "", m.group(1)).strip(): re.findall(r"<td>([^<]*)</td>", m.group(0))
        for m in re.finditer(r"<tr><td>(.*?)<small>.*?</tr>", table, re.S)
    }
    assert rows["Identity and Access (incidents)"] == ["2h", "4h", "1d12h", "5d"]
    assert rows["Identity and Access (requests)"] == ["12h", "1d", "2d12h", "5d"]
    assert rows["Network Operations"] == ["2h", "4h", "1d12h", "5d"]  # serves incidents only: one row, unlabelled
