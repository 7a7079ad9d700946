"""One recorded walk, three surfaces, one text: the site (headless chromium, the shipped site),
the walk API and ``kb walk`` (the real command, piped input) give byte-identical transcripts
with the guide's content version (as git names it), notes, times, action outcomes, "Not sure",
confirmed follow-up checks and hand-off values.

``kb walk`` reads the real clock, so it walks first (in Berlin time); the site's clock is then
set to the same minutes (Playwright's clock, in a Berlin browser) and the API gets the same
times. The site-only tests pin the clock to minutes around midnight to check the date stamp.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.checks import checked
from search.content.models import ActionNode, QuestionNode, ResolutionNode, item_ids
from search.content.repository import Guide, Repository
from search.index import build_generation
from search.workflow.transcript import handoff_texts, transcript_text
from search.workflow.walk import StepRecord, walk
from support import ROOT
from support.recording import assert_within, page_walk, records_from
from support.walkpaths import piped_walk, routes_to, shortest_routes

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
MARKER = "--- Transcript for the ticket (internal note) ---\n"


@pytest.fixture(scope="module")
def api(shipped_repo: Repository, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    index_dir = tmp_path_factory.mktemp("index")
    build_generation(checked(shipped_repo), index_dir)
    with TestClient(create_app(Settings(root=ROOT, index_dir=index_dir, site_dir=Path("/nonexistent")))) as client:
        yield client


def _resolution_walk(repo: Repository) -> tuple[Guide, list[str]]:
    """A walk to a resolution with two or more follow-up checks through an action answered
    "Didn't help" (which goes on to the action's next step)."""
    for route in routes_to(repo, ResolutionNode):
        leaf = walk(route.guide, route.answers).outcome
        if not isinstance(leaf, ResolutionNode) or len(leaf.follow_up) < 2 or len(route.answers) < 3:
            continue
        for step, visit in enumerate(walk(route.guide, route.answers).path):
            node = route.guide.tree.nodes[visit.node_id]
            if isinstance(node, ActionNode) and "failed" in node.offered and node.target("failed") == node.next:
                return route.guide, [*route.answers[:step], "failed", *route.answers[step + 1 :]]
    raise AssertionError("no shipped walk to a resolution with checks passes an action whose didn't-help goes on")


def _unsure_escalation_walk(repo: Repository) -> tuple[Guide, list[str]]:
    """A walk that answers "Not sure", then "Couldn't do" at an action, and ends at an escalation
    with two or more hand-off items."""
    for guide in repo.guides:
        for node_id, answers in shortest_routes(guide).items():
            node = guide.tree.nodes[node_id]
            if not (isinstance(node, QuestionNode) and node.unsure):
                continue
            path = [*answers, "Not sure"]
            state = walk(guide, path)
            while state.outcome is None:
                here = state.node
                path.append("blocked" if isinstance(here, ActionNode) and "blocked" in here.offered else state.choices[0])
                state = walk(guide, path)
            if "blocked" in path and state.outcome.type == "escalation" and len(handoff_texts(state, repo)) >= 2:
                return guide, path
    raise AssertionError('no shipped walk goes through "Not sure" and "Couldn\'t do" to an escalation')


def _kb_walk(guide: Guide, lines: list[str]) -> tuple[str, dt.datetime]:
    """``kb walk`` in Berlin time with piped input; the transcript and when it started."""
    started = dt.datetime.now(BERLIN)
    result = piped_walk(guide.id, lines=lines, tz="Europe/Berlin")
    assert result.returncode == 0, result.stderr
    return result.stdout.split(MARKER, 1)[1], started


def _cli_lines(guide: Guide, answers: list[str], notes: dict[int, str]) -> list[str]:
    lines = []
    for step, answer in enumerate(answers):
        if step in notes:
            lines += ["n", notes[step]]
        lines.append(str(walk(guide, answers[:step]).choices.index(answer) + 1))
    return lines


def _site_walk(page, guide: Guide, answers: list[str], notes: dict[int, str], times: list[dt.datetime] | None = None) -> None:
    """Answer in the browser (at the given times), typing each note into the step's note field first."""
    for step, answer in enumerate(answers):
        if times:
            page.clock.set_fixed_time(times[step])
        if step in notes:
            page.fill('[data-kbg="step-note"]', notes[step])
        index = walk(guide, answers[:step]).choices.index(answer)
        page.locator('[data-kbg="choices"] .kbg-choice').nth(index).click()


def _git_version(guide: Guide) -> str:
    """The guide's version as git itself names it: the last commit touching its page or tree, and its date."""
    files = [guide.path, guide.tree_path]
    sha, date = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%H %aI", "--", *files], capture_output=True, text=True, check=True
    ).stdout.split()
    changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", *files], capture_output=True, text=True, check=True).stdout
    return f"commit {sha[:10]} of {date[:10]}" + (" with local changes" if changed.strip() else "")


def _transcript(page) -> str:
    return page.locator('[data-kbg="transcript"]').input_value()


def test_a_resolution_walk_is_the_same_text_on_the_site_in_the_api_and_in_kb_walk(shipped_repo, api, shipped_url, open_page) -> None:
    guide, answers = _resolution_walk(shipped_repo)
    leaf = walk(guide, answers).outcome
    checks = item_ids(list(leaf.follow_up))  # type: ignore[union-attr]
    notes = {0: "user on  hotel Wi-Fi", answers.index("failed"): "same error\tafter the restart"}

    cli, started = _kb_walk(guide, [*_cli_lines(guide, answers, notes), *("y" if i == checks[1] else "" for i in checks)])
    now = dt.datetime.now(BERLIN)
    records = records_from(cli, len(answers), now.date(), BERLIN, notes)
    assert_within(records, started, now)

    page = open_page(f"{shipped_url}guides/{guide.id}/", timezone_id="Europe/Berlin")
    page.select_option('[data-kbg="priority"]', "P2")
    _site_walk(page, guide, answers, notes, [r.at for r in records])  # type: ignore[misc]
    page.check(f'[data-check-id="{checks[1]}"]')
    site = _transcript(page)

    body = {
        "answers": answers,
        "priority": "high",  # Zendesk's name for P2
        "records": [{"note": r.note, "at": r.at.isoformat()} for r in records],  # type: ignore[union-attr]
        "confirmed": [checks[1]],
    }
    response = api.post(f"/api/guides/{guide.id}/walk", json=body)
    assert response.status_code == 200, response.text

    assert site == cli == response.json()["transcript"]
    assert cli.splitlines()[1] == f"Version: {_git_version(guide)}"
    assert "Didn't help: " in cli and "   Note: same error after the restart\n" in cli
    assert f"- [ ] {leaf.follow_up[0]}\n- [x] {leaf.follow_up[1]}\n" in cli  # type: ignore[union-attr]
    assert cli == transcript_text(walk(guide, answers, records=records, confirmed=frozenset({checks[1]})), shipped_repo, "P2")


def test_an_escalation_walk_with_not_sure_couldnt_do_and_hand_off_values_is_the_same_text_everywhere(shipped_repo, api, shipped_url, open_page) -> None:
    guide, answers = _unsure_escalation_walk(shipped_repo)
    texts = handoff_texts(walk(guide, answers), shipped_repo)
    ids = item_ids(texts)
    values = {ids[0]: "laptop LT-0042", ids[-1]: "  called back  at 14:10 "}
    notes = {answers.index("Not sure"): "user cannot remember"}

    cli, started = _kb_walk(guide, [*_cli_lines(guide, answers, notes), *(values.get(i, "") for i in ids)])
    now = dt.datetime.now(BERLIN)
    records = records_from(cli, len(answers), now.date(), BERLIN, notes)
    assert_within(records, started, now)

    page = open_page(f"{shipped_url}guides/{guide.id}/", timezone_id="Europe/Berlin")
    page.select_option('[data-kbg="priority"]', "P2")
    _site_walk(page, guide, answers, notes, [r.at for r in records])  # type: ignore[misc]
    for item_id, value in values.items():
        page.fill(f'[data-handoff-id="{item_id}"]', value)
    site = _transcript(page)

    body = {
        "answers": answers,
        "priority": "P2",
        "records": [{"note": r.note, "at": r.at.isoformat()} for r in records],  # type: ignore[union-attr]
        "handoff": {k: v.strip() for k, v in values.items()},
    }
    response = api.post(f"/api/guides/{guide.id}/walk", json=body)
    assert response.status_code == 200, response.text

    assert site == cli == response.json()["transcript"]
    assert "Answer: Not sure\n   Note: user cannot remember\n" in cli and "Couldn't do: " in cli
    assert f"- {texts[0]}: laptop LT-0042\n" in cli and f"- {texts[-1]}: called back at 14:10\n" in cli


def test_the_site_stamps_local_time_and_the_date_when_the_day_changes(shipped_repo, api, shipped_url, open_page) -> None:
    guide, answers = _resolution_walk(shipped_repo)
    tokyo = ZoneInfo("Asia/Tokyo")
    times = [dt.datetime(2025, 12, 31, 23, 58, tzinfo=tokyo) + dt.timedelta(minutes=i) for i in range(len(answers))]
    page = open_page(f"{shipped_url}guides/{guide.id}/", clock_at=times[0], timezone_id="Asia/Tokyo")
    _site_walk(page, guide, answers, {1: "across midnight"}, times)
    site = _transcript(page)
    assert "1. [23:58] " in site and "2. [23:59] " in site and "3. [2026-01-01 00:00] " in site
    records = [StepRecord("across midnight" if i == 1 else "", t) for i, t in enumerate(times)]
    body = {"answers": answers, "records": [{"note": r.note, "at": r.at.isoformat()} for r in records]}  # type: ignore[union-attr]
    assert site == api.post(f"/api/guides/{guide.id}/walk", json=body).json()["transcript"]


def test_notes_times_and_confirmations_survive_a_reload(shipped_repo, shipped_url, open_page) -> None:
    guide, answers = _resolution_walk(shipped_repo)
    leaf = walk(guide, answers).outcome
    checks = item_ids(list(leaf.follow_up))  # type: ignore[union-attr]
    page = open_page(f"{shipped_url}guides/{guide.id}/")
    _site_walk(page, guide, answers, {0: "first note"})
    page.check(f'[data-check-id="{checks[0]}"]')
    before = _transcript(page)
    page.reload()
    assert _transcript(page) == before
    assert page.locator(f'[data-check-id="{checks[0]}"]').is_checked()
    assert before == transcript_text(page_walk(page, guide, answers), shipped_repo)
    assert "   Note: first note\n" in before and f"- [x] {leaf.follow_up[0]}\n" in before  # type: ignore[union-attr]


def test_outcome_and_not_sure_buttons_show_their_labels(shipped_repo, shipped_url, open_page) -> None:
    guide, answers = _unsure_escalation_walk(shipped_repo)
    page = open_page(f"{shipped_url}guides/{guide.id}/")
    unsure_at = answers.index("Not sure")
    for step, answer in enumerate(answers):
        state = walk(guide, answers[:step])
        labels = page.locator('[data-kbg="choices"] .kbg-choice-label').all_inner_texts()
        if step == unsure_at:
            assert labels[-1] == "Not sure"
        if isinstance(state.node, ActionNode):
            assert labels == [{"done": "Done", "failed": "Didn't help", "blocked": "Couldn't do"}[o] for o in state.choices]
        page.keyboard.press(str(state.choices.index(answer) + 1))  # keys work for the new answers too
    assert page.evaluate("kbGuides.state().current") == walk(guide, answers).current
    path = page.locator('[data-kbg="path"] .kbg-path-a').all_inner_texts()
    assert "Not sure" in path and "Couldn't do" in path


def test_the_diagram_names_the_edges_of_didnt_help_and_couldnt_do(shipped_repo, shipped_url, open_page) -> None:
    guide = next(
        g
        for g in shipped_repo.guides
        for n in g.tree.nodes.values()
        if isinstance(n, ActionNode) and n.if_failed and n.if_blocked and n.if_failed != n.if_blocked
    )
    page = open_page(f"{shipped_url}guides/{guide.id}/")
    labels = page.locator(".kbg-diagram .kbg-d-label title").all_text_contents()
    assert labels.count("Didn't help") == 1 and labels.count("Couldn't do") == 1  # node's own targets; "done" stays unlabelled
    assert "Done" not in labels and "done" not in labels
