"""``kb walk --resume`` with resume links and tokens (piped input, the real ``kb``): the walk goes on
where the link left it, through link nodes into other guides, and a link recorded on another
revision says so and replays the answers that still apply or starts again. Transcripts equal
the Python engine's byte for byte; a damaged link is a usage error, not a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

import pytest

from search.content.models import LinkNode
from search.workflow.resume import Segment, chain_text, format_token, parse_resume
from search.workflow.transcript import transcript_text
from search.workflow.walk import replay, walk
from support.site import route_to
from support.walkpaths import Route, piped_walk

MARKER = "--- Transcript for the ticket (internal note) ---\n"


def kb_walk(*args: str, lines: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    return piped_walk(*args, "--no-record", lines=lines)


def printed(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.split(MARKER, 1)[1]


def test_a_site_link_goes_on_where_it_left(repo, resolution_routes: list[Route]) -> None:
    route = next(r for r in resolution_routes if len(r.answers) >= 2)
    guide, half = route.guide, route.answers[: len(route.answers) // 2]
    link = f"http://127.0.0.1:8000/guides/{guide.id}/?h=vpn&walk={format_token([Segment(guide.id, guide.revision, tuple(half))])}#node-x"
    rest = route.answers[len(half) :]
    result = kb_walk("--resume", link, lines=rest)
    assert printed(result) == transcript_text(walk(guide, route.answers), repo, "P2")


def test_a_walk_through_a_link_node_resumes_in_the_linked_guide(repo) -> None:
    first, answers = next((g, r) for g in repo.guides if (r := route_to(g, "link")) is not None)
    leaf = walk(first, answers).outcome
    assert isinstance(leaf, LinkNode)
    linked = repo.guide_by_id[leaf.guide]
    token = format_token([Segment(first.id, first.revision, tuple(answers)), Segment(linked.id, linked.revision, ())])
    then = [walk(linked, []).choices[0]]
    while walk(linked, then).outcome is None:
        then.append(walk(linked, then).choices[0])
    result = kb_walk("--resume", token, lines=["1"] * len(then) + ["n"])
    want = chain_text([transcript_text(walk(first, answers), repo, "P2"), transcript_text(walk(linked, then), repo, "P2")])
    assert printed(result) == want  # "n": the linked guide's own link leaf (if any) is not followed


@pytest.mark.parametrize("choice", ["r", "s"])
def test_an_older_revision_says_so_then_replays_or_starts_again(repo, resolution_routes: list[Route], choice: str) -> None:
    route = next(r for r in resolution_routes if len(r.answers) >= 3)
    guide = route.guide
    recorded = [route.answers[0], "an answer this revision no longer has", *route.answers[1:]]
    token = format_token([Segment(guide.id, "0.1+00000000", tuple(recorded))])
    applied = replay(guide, recorded)
    assert [v.choice for v in applied.path] == list(route.answers[:1])
    answers = route.answers[1:] if choice == "r" else route.answers
    result = kb_walk("--resume", token, lines=[choice, *answers])
    assert f"recorded on revision 0.1+00000000 of {guide.id}; it is now revision {guide.revision}" in result.stdout
    assert f"1 of the {len(recorded)} answers still apply" in result.stdout
    assert printed(result) == transcript_text(walk(guide, route.answers), repo, "P2")


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("http://host/guides/x/?h=1", "has no walk= part"),
        ("nope", "is not a walk segment"),
        ("no-such-guide@1.0:yes", 'guide "no-such-guide", which no longer exists'),
        ("vpn-cannot-connect@1.0%ZZ:yes", "is not a walk segment"),
    ],
)
def test_a_damaged_link_is_a_usage_error(link: str, message: str) -> None:
    result = kb_walk("--resume", link)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_answer_the_current_revision_does_not_offer_is_a_usage_error(repo) -> None:
    guide = repo.guide_by_id["vpn-cannot-connect"]
    result = kb_walk("--resume", format_token([Segment(guide.id, guide.revision, ("maybe",))]))
    assert result.returncode == 2
    assert 'answer 1 "maybe" is not offered' in result.stderr


def test_tokens_round_trip_through_text() -> None:
    segments = [Segment("a", "1.0+abc", ("yes", "No, broken / replaced", "50% @ 10:00", "")), Segment("b", "2", ())]
    token = format_token(segments)
    assert parse_resume(token) == segments
    assert parse_resume(f"https://kb.example/guides/b/?walk={token}&x=1#node-y") == segments
    assert "+" not in token and " " not in token
