"""Messages filled from a finished walk (search/render/messages.py) and the template-placeholder rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search.checks import run_checks
from search.content.models import PLACEHOLDER, PLACEHOLDERS, QuestionNode
from search.content.repository import load_repository
from search.workflow.messages import MessageError, messages_for
from search.workflow.transcript import transcript_text
from search.workflow.walk import walk
from support import ROOT

TICKET = {"ticket_id": "ZD-48213", "requester": "Priya Natarajan", "technician": "Tom Okafor"}
GATHERED_NOTE = "laptop LT-0042, office 3rd floor"


def gathered_for(guide) -> dict[str, str]:
    return {item.id: GATHERED_NOTE if i == 0 else "" for i, item in enumerate(guide.meta.gather)}


def assert_filled(message: dict) -> None:
    for part in ("subject", "body"):
        text = message[part] or ""
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
            assert TICKET["requester"] in message["body"]
            assert TICKET["technician"] in message["body"]
        resolution = messages["resolution"]
        assert leaf.text in resolution["body"]
        if leaf.user_note:
            assert leaf.user_note in resolution["body"]
        assert TICKET["ticket_id"] in resolution["subject"]
        assert route.guide.meta.title in resolution["subject"]
        assert TICKET["ticket_id"] in messages["closure"]["subject"]


def test_every_escalation_leaf_gives_the_handoff_note_with_the_transcript(repo, escalation_routes) -> None:
    for route in escalation_routes:
        state = walk(route.guide, route.answers)
        leaf = state.outcome
        gathered = gathered_for(route.guide)
        messages = messages_for(state, repo, "P2", gathered, TICKET)
        assert set(messages) == {"escalation"}, route
        note = messages["escalation"]
        assert_filled(note)
        transcript = transcript_text(state, repo, "P2", gathered)
        assert transcript.rstrip("\n") in note["body"]
        if gathered:
            assert GATHERED_NOTE in note["body"]
        step = repo.escalation.steps[leaf.step]
        assert step.team in note["subject"] and "P2" in note["subject"] and TICKET["ticket_id"] in note["subject"]
        assert leaf.text in note["body"]
        for item in [*step.handoff, *leaf.handoff]:
            assert f"- {item}" in note["body"]


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
