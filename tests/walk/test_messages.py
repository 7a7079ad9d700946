"""Messages filled from a finished walk (search/workflow/messages.py): plain text for the user,
the hand-off checklist once and the escalation clock in the internal note; and the template rules."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from search.checks import run_checks
from search.content.models import PLACEHOLDER, PLACEHOLDERS, QuestionNode
from search.content.repository import load_repository
from search.content.taxonomy import CategoryIndex
from search.workflow.messages import FilledMessage, MessageError, messages_for
from search.workflow.plaintext import to_plain
from search.workflow.transcript import transcript_text
from search.workflow.walk import walk
from support import ROOT

TICKET = {"ticket_id": "ZD-48213", "requester": "Priya Natarajan", "technician": "Tom Okafor"}
GATHERED_NOTE = "laptop LT-0042, office 3rd floor"


def gathered_for(guide) -> dict[str, str]:
    return {item.id: GATHERED_NOTE if i == 0 else "" for i, item in enumerate(guide.meta.gather)}


def assert_filled(message: FilledMessage) -> None:
    for part in ("subject", "body"):
        text = getattr(message, part) or ""
        leftover = PLACEHOLDER.search(text)
        assert leftover is None, f"unfilled placeholder {leftover.group(0)!r} in {part}:\n{text}"
        assert not any(f"{{{name}}}" in text for names in PLACEHOLDERS.values() for name in names)


def test_templates_are_shipped(repo) -> None:
    assert repo.templates is not None, "guides/templates.yml is missing or invalid"


def test_every_resolution_leaf_gives_resolution_and_closure(repo, resolution_routes) -> None:
    for route in resolution_routes:
        state = walk(route.guide, route.answers)
        leaf = state.outcome
        messages = messages_for(state, repo, "P3", gathered_for(route.guide), TICKET)
        assert set(messages) == {"resolution", "closure"}, route
        for message in messages.values():
            assert_filled(message)
            assert message.audience == "user"
            assert TICKET["requester"] in message.body
            assert TICKET["technician"] in message.body
        resolution = messages["resolution"]
        assert to_plain(leaf.text) in resolution.body
        if leaf.user_note:
            assert to_plain(leaf.user_note) in resolution.body
        assert TICKET["ticket_id"] in resolution.subject
        assert route.guide.meta.title in resolution.subject
        assert TICKET["ticket_id"] in messages["closure"].subject


def test_every_escalation_leaf_gives_the_handoff_note_with_the_transcript(repo, escalation_routes) -> None:
    for route in escalation_routes:
        state = walk(route.guide, route.answers)
        leaf = state.outcome
        gathered = gathered_for(route.guide)
        messages = messages_for(state, repo, "P2", gathered, TICKET)
        assert set(messages) == {"escalation", "escalation_notice"}, route
        note = messages["escalation"]
        assert_filled(note)
        assert note.audience == "internal"
        transcript = transcript_text(state, repo, "P2", gathered)
        assert transcript.rstrip("\n") in note.body
        if gathered:
            assert GATHERED_NOTE in note.body
        step = repo.escalation.steps[leaf.step]
        assert step.team in note.subject and "P2" in note.subject and TICKET["ticket_id"] in note.subject
        assert leaf.text in note.body  # the internal note keeps the author's Markdown
        for item in [*step.handoff, *leaf.handoff]:
            assert note.body.count(f"- {item}\n") + note.body.endswith(f"- {item}") == 1, f"hand-off item not exactly once: {item}"
        notice = messages["escalation_notice"]
        assert_filled(notice)
        assert notice.audience == "user"
        # P2: the 8h resolution target of an incident, the 2d fulfilment target of a request
        target = "within 2d" if CategoryIndex(repo.taxonomy).kind_of(route.guide.meta.category) == "request" else "within 8h"
        assert step.team in notice.body and TICKET["requester"] in notice.body and target in notice.body, route


MARKS = re.compile(r"\*\*|__|`|\]\(|<https?:|^#+ ", re.MULTILINE)


@pytest.mark.parametrize("priority", [None, "P1", "P4"])
def test_no_markdown_marks_in_any_user_message_of_any_shipped_leaf(repo, resolution_routes, escalation_routes, priority) -> None:
    marked = 0
    for route in [*resolution_routes, *escalation_routes]:
        state = walk(route.guide, route.answers)
        leaf = state.outcome
        marked += bool(MARKS.search(f"{leaf.text} {getattr(leaf, 'user_note', '') or ''}"))
        for kind, message in messages_for(state, repo, priority, gathered_for(route.guide), TICKET).items():
            if message.audience == "user":
                found = MARKS.search(f"{message.subject}\n{message.body}")
                assert found is None, f"{route.guide.id} {kind}: Markdown mark {found.group(0)!r} in\n{message.body}"
    assert marked, "no shipped leaf text has Markdown marks: the test would prove nothing"


def test_user_note_markdown_becomes_plain_text(repo, resolution_routes) -> None:
    route = next(r for r in resolution_routes if "**Sign in another way**" in (walk(r.guide, r.answers).outcome.user_note or ""))
    body = messages_for(walk(route.guide, route.answers), repo, "P3", ticket=TICKET)["resolution"].body
    assert "choose Sign in another way and use the code from the app." in body


def network_escalation(repo, escalation_routes):
    return next(r for r in escalation_routes if walk(r.guide, r.answers).outcome.step == "network-l2")


def test_escalation_note_lists_the_clock_of_the_other_steps(repo, escalation_routes) -> None:
    route = network_escalation(repo, escalation_routes)
    state = walk(route.guide, route.answers)
    p1 = messages_for(state, repo, "P1", ticket=TICKET)["escalation"].body
    assert "Escalation clock from here:\n- Infrastructure Engineering: after 3h12m (80%)\n- IT Duty Manager: at once\n" in p1
    assert "Network Operations: after" not in p1  # the step the ticket goes to now has no timer of its own here
    opened = dt.datetime(2026, 12, 2, 9, 5, tzinfo=dt.UTC)
    p2 = messages_for(state, repo, "P2", ticket=TICKET, opened_at=opened)
    assert "- Infrastructure Engineering: after 6h24m (80%), due by 15:29\n- IT Duty Manager: after 6h24m (80%), due by 15:29\n" in p2["escalation"].body
    assert "We aim to resolve it by 2026-12-02 17:05." in p2["escalation_notice"].body
    unset = messages_for(state, repo, None, ticket=TICKET)["escalation"].body
    assert "Escalation clock from here:\n- Infrastructure Engineering: at 80% of the resolution target\n\n" in unset  # no priority: no minutes, no P1 timer


def test_messages_need_a_finished_walk(repo, resolution_routes) -> None:
    route = resolution_routes[0]
    with pytest.raises(MessageError, match="finish the walk"):
        messages_for(walk(route.guide, route.answers[:-1]), repo)


def test_missing_ticket_fields_leave_no_braces(repo, resolution_routes) -> None:
    route = resolution_routes[0]
    messages = messages_for(walk(route.guide, route.answers), repo)
    for message in messages.values():
        assert_filled(message)


# --- the template-placeholder rule ---------------------------------------------------------


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    for folder in ("guides", "kb"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def position_of(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``text``."""
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def placeholder_problems(root: Path) -> list[str]:
    return [p.format() for p in run_checks(load_repository(root)) if p.rule == "template-placeholder"]


def test_shipped_templates_pass(repo) -> None:
    assert [p for p in run_checks(repo) if p.rule == "template-placeholder"] == []


def edit_body_line(path: Path, kind: str, occurrence: int, suffix: str) -> str:
    """Append ``suffix`` to the ``occurrence``-th non-blank line of template ``kind``'s body; returns the new text."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"{kind}:\n")
    body = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("body:"))
    index = [i for i in range(body + 1, len(lines)) if lines[i].strip()][occurrence]
    assert lines[index].startswith("    "), "expected a block-scalar body indented under the template"
    lines[index] = lines[index].rstrip("\n") + suffix + "\n"
    text = "".join(lines)
    path.write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize("kind", ["resolution", "escalation", "closure"])
@pytest.mark.parametrize("occurrence", [0, 1])
def test_unknown_placeholder_in_body_is_reported_at_its_position(repo_copy: Path, kind: str, occurrence: int) -> None:
    text = edit_body_line(repo_copy / "guides" / "templates.yml", kind, occurrence, " See {unknown_thing} too.")
    line, col = position_of(text, "{unknown_thing}")
    problems = placeholder_problems(repo_copy)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"guides/templates.yml:{line}:{col}: error [template-placeholder] ")
    assert f'template "{kind}" uses unknown placeholder "{{unknown_thing}}"' in problems[0]
    assert all(name in problems[0] for name in PLACEHOLDERS[kind])


def test_unknown_placeholder_in_a_quoted_subject_and_did_you_mean(repo_copy: Path) -> None:
    path = repo_copy / "guides" / "templates.yml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = lines.index("escalation:\n")
    index = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("subject:"))
    lines[index] = '  subject: "Hand-off {ticketid} to {team}"\n'
    text = "".join(lines)
    path.write_text(text, encoding="utf-8")
    line, col = position_of(text, "{ticketid}")
    problems = placeholder_problems(repo_copy)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"guides/templates.yml:{line}:{col}: error [template-placeholder] ")
    assert 'did you mean "ticket_id"' in problems[0]


def test_placeholder_allowed_elsewhere_is_still_an_error(repo_copy: Path) -> None:
    """{team} belongs to escalation notes; a closure message to the user cannot fill it."""
    text = edit_body_line(repo_copy / "guides" / "templates.yml", "closure", 0, " ({team})")
    line, col = position_of(text, "({team})")
    problems = placeholder_problems(repo_copy)
    assert [p.split(" error ")[0] for p in problems] == [f"guides/templates.yml:{line}:{col + 1}:"]
    assert 'template "closure" uses unknown placeholder "{team}"' in problems[0]


def test_a_question_node_is_never_a_message_leaf(repo) -> None:
    for guide in repo.guides:
        state = walk(guide, [])
        if isinstance(state.node, QuestionNode):
            with pytest.raises(MessageError):
                messages_for(state, repo)
            return
    pytest.skip("no guide starts with a question")
