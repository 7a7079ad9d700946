"""What a walk records, through the walk API on the shipped content: a note and a time per step,
action outcomes (done, didn't help, couldn't do), "Not sure", follow-up checks confirmed and
hand-off items filled in, all in the one transcript format.

The expected text is written out here line by line from the tree's own words, so a change of
format is a deliberate change of these tests, not something the engine agrees with itself on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.checks import checked
from search.content.models import ActionNode, EscalationNode, QuestionNode, ResolutionNode, item_ids
from search.content.prose import one_line
from search.content.repository import Repository
from search.index import build_generation
from search.workflow.transcript import handoff_texts, transcript_text
from search.workflow.walk import StepRecord, walk
from support import ROOT
from support.walkpaths import Route, routes_to, shortest_routes


@pytest.fixture(scope="module")
def client(shipped_repo: Repository, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    index_dir = tmp_path_factory.mktemp("index")
    build_generation(checked(shipped_repo), index_dir)
    with TestClient(create_app(Settings(root=ROOT, index_dir=index_dir, site_dir=Path("/nonexistent"))), raise_server_exceptions=False) as test_client:
        yield test_client


VERBS = {"done": "Done", "failed": "Didn't help"}


def _with_failed_action(repo: Repository, kind: type) -> tuple[Route, list[str]]:
    """A route to a ``kind`` leaf through an action whose "didn't help" goes on to the same next
    step, with the first such action answered "failed" (the walk records it and continues)."""
    for route in routes_to(repo, kind):
        leaf = route.guide.tree.nodes[walk(route.guide, route.answers).current]
        if isinstance(leaf, ResolutionNode) and len(leaf.follow_up) < 2:
            continue
        answers = list(route.answers)
        if len(answers) < 4:
            continue
        for step, visit in enumerate(walk(route.guide, answers).path):
            node = route.guide.tree.nodes[visit.node_id]
            if isinstance(node, ActionNode) and "failed" in node.offered and node.target("failed") == node.next:
                answers[step] = "failed"
                return route, answers
    raise AssertionError(f"no shipped route to a {kind.__name__} passes an action whose didn't-help continues")


def _texts(route: Route, answers: list[str]) -> list[str]:
    return [one_line(route.guide.tree.nodes[v.node_id].text) for v in walk(route.guide, answers).path]  # type: ignore[union-attr]


def test_notes_times_outcomes_and_confirmed_checks_in_the_transcript(client: TestClient, shipped_repo: Repository) -> None:
    route, answers = _with_failed_action(shipped_repo, ResolutionNode)
    guide = route.guide
    state = walk(guide, answers)
    leaf = guide.tree.nodes[state.current]
    assert isinstance(leaf, ResolutionNode)
    checks = item_ids(list(leaf.follow_up))
    records = [
        {"note": "  user on  hotel\nWi-Fi ", "at": "2026-12-02T14:02:31+01:00"},
        {},
        {"note": "", "at": "2026-12-02T14:07:00+01:00"},
        {"note": "came back next morning", "at": "2026-12-03T09:15:00+01:00"},
    ]
    body = client.post(
        f"/api/guides/{guide.id}/walk", json={"answers": answers, "records": records, "confirmed": [checks[1]], "revision": guide.revision}
    ).json()

    texts = _texts(route, answers)
    steps = []
    for n, (visit, text) in enumerate(zip(state.path, texts, strict=True)):
        stamp = {0: "[14:02] ", 2: "[14:07] ", 3: "[2026-12-03 09:15] "}.get(n, "")
        node = guide.tree.nodes[visit.node_id]
        if isinstance(node, QuestionNode):
            steps.append(f"{n + 1}. {stamp}Asked: {text} Answer: {visit.choice}")
        else:
            steps.append(f"{n + 1}. {stamp}{VERBS[visit.choice]}: {text}")
        if n == 0:
            steps.append("   Note: user on hotel Wi-Fi")
        if n == 3:
            steps.append("   Note: came back next morning")
    follow = [f"- [{'x' if i == 1 else ' '}] {one_line(c)}" for i, c in enumerate(leaf.follow_up)]
    text = body["transcript"]
    assert "\n".join(["Steps:", *steps]) + "\n" in text
    assert "Didn't help: " in text
    assert "\n".join(["Follow-up checks:", *follow]) + "\n" in text
    assert body["transcript_data"]["text"] == text

    data = body["transcript_data"]
    assert [(s["note"], s["at"]) for s in data["steps"][:4]] == [
        ("  user on  hotel\nWi-Fi ", "2026-12-02T14:02:31+01:00"),
        ("", None),
        ("", "2026-12-02T14:07:00+01:00"),
        ("came back next morning", "2026-12-03T09:15:00+01:00"),
    ]
    assert [c["confirmed"] for c in body["outcome"]["checks"]] == [i == 1 for i in range(len(leaf.follow_up))]
    assert [c["id"] for c in body["outcome"]["checks"]] == checks


def test_times_print_as_recorded_never_converted(client: TestClient, shipped_repo: Repository) -> None:
    route = routes_to(shipped_repo, ResolutionNode)[0]
    records = [{"at": "2026-12-02T23:30:00-05:00"}, {"at": "2026-12-03T08:05:00"}]  # New York evening; then a time without offset
    body = client.post(f"/api/guides/{route.guide.id}/walk", json={"answers": list(route.answers), "records": records}).json()
    lines = body["transcript"].split("\n")
    first = lines.index("Steps:") + 1
    assert lines[first].startswith("1. [23:30] ") and lines[first + 1].startswith("2. [2026-12-03 08:05] ")


def test_hand_off_items_are_filled_in_by_id_in_any_order(client: TestClient, shipped_repo: Repository) -> None:
    route, answers = _with_failed_action(shipped_repo, EscalationNode)
    state = walk(route.guide, answers)
    texts = handoff_texts(state, shipped_repo)
    ids = item_ids(texts)
    assert len(ids) >= 2
    values = {ids[-1]: "  last  one ", ids[0]: "first value"}
    body = client.post(f"/api/guides/{route.guide.id}/walk", json={"answers": answers, "handoff": values}).json()
    expected = [
        f"- {one_line(t)}: first value" if i == 0 else f"- {one_line(t)}: last one" if i == len(ids) - 1 else f"- {one_line(t)}" for i, t in enumerate(texts)
    ]
    assert "\n".join(["Hand-off checklist:", *expected]) + "\n" in body["transcript"]
    assert [(h["id"], h["value"]) for h in body["outcome"]["handoff_items"]] == [(i, values.get(i, "")) for i in ids]


def test_not_sure_follows_the_authors_unsure_target(client: TestClient, shipped_repo: Repository) -> None:
    guide, node_id = next((g, n) for g in shipped_repo.guides for n, node in g.tree.nodes.items() if isinstance(node, QuestionNode) and node.unsure)
    node = guide.tree.nodes[node_id]
    assert isinstance(node, QuestionNode)
    prefix = list(next(a for n, a in shortest_routes(guide).items() if n == node_id))
    body = client.post(f"/api/guides/{guide.id}/walk", json={"answers": [*prefix, "not sure"]}).json()
    assert body["path"][-1]["choice"] == "Not sure"
    assert body["current"]["id"] == node.unsure
    assert f"Asked: {one_line(node.text)} Answer: Not sure\n" in body["transcript"]
    before = client.post(f"/api/guides/{guide.id}/walk", json={"answers": prefix}).json()
    assert before["current"]["choices"] == [*node.answers, "Not sure"]


def test_actions_offer_their_outcomes_and_narrowed_or_routed_ones(client: TestClient, shipped_repo: Repository) -> None:
    # by default: done, didn't help and couldn't do, each leading on
    guide, node_id = next(
        (g, n)
        for g in shipped_repo.guides
        for n, node in g.tree.nodes.items()
        if isinstance(node, ActionNode) and node.outcomes is None and len(node.offered) == 3
    )
    prefix = list(shortest_routes(guide)[node_id])
    assert client.post(f"/api/guides/{guide.id}/walk", json={"answers": prefix}).json()["current"]["choices"] == ["done", "failed", "blocked"]
    # an action whose next is a resolution offers only what has a way on
    licence = shipped_repo.guide_by_id["licence-activation-error"]
    body = client.post(f"/api/guides/{licence.id}/walk", json={"answers": list(shortest_routes(licence)["request-licence"])}).json()
    assert body["current"]["id"] == "request-licence" and body["current"]["choices"] == ["done"]
    # if_failed / if_blocked lead elsewhere than next
    outlook = shipped_repo.guide_by_id["outlook-not-syncing"]
    prefix = list(shortest_routes(outlook)["disable-addins"])
    assert client.post(f"/api/guides/{outlook.id}/walk", json={"answers": [*prefix, "failed"]}).json()["current"]["id"] == "new-profile"
    blocked = client.post(f"/api/guides/{outlook.id}/walk", json={"answers": [*prefix, "blocked"]}).json()
    assert blocked["current"]["id"] == "escalate-outlook"
    assert "Couldn't do: " in blocked["transcript"]


@pytest.mark.parametrize(
    ("payload", "status", "kind"),
    [
        ({"answers": [], "records": [{"note": "x"}]}, 400, "too-many-records"),
        ({"answers": ["yes"], "records": [{"at": "yesterday"}]}, 422, "validation"),
        ({"answers": ["yes"], "records": [{"note": "x" * 2001}]}, 422, "validation"),
        ({"answers": [], "confirmed": ["a-check"]}, 409, "unknown-checklist-item"),
        ({"answers": [], "handoff": {"an-item": "x"}}, 409, "unknown-checklist-item"),
        ({"answers": [], "handoff": {"x" * 101: "x"}}, 422, "validation"),
    ],
)
def test_bad_records_are_problems(client: TestClient, payload: dict[str, object], status: int, kind: str) -> None:
    response = client.post("/api/guides/vpn-cannot-connect/walk", json=payload)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:kb-guides:problem:{kind}"


def test_a_check_id_the_leaf_does_not_have_names_the_ids_it_has(client: TestClient, shipped_repo: Repository) -> None:
    route = next(r for r in routes_to(shipped_repo, ResolutionNode) if r.guide.tree.nodes[walk(r.guide, r.answers).current].follow_up)  # type: ignore[union-attr]
    response = client.post(f"/api/guides/{route.guide.id}/walk", json={"answers": list(route.answers), "confirmed": ["renamed-check"]})
    problem = response.json()
    assert response.status_code == 409 and problem["current_revision"] == route.guide.revision
    leaf = route.guide.tree.nodes[walk(route.guide, route.answers).current]
    assert problem["offered"] == item_ids(list(leaf.follow_up))  # type: ignore[union-attr]
    assert '"renamed-check"' in problem["detail"]


def test_recorded_walk_over_real_http_equals_the_engine(live_shipped: str, shipped_repo: Repository) -> None:
    route, answers = _with_failed_action(shipped_repo, EscalationNode)
    at = dt.datetime(2026, 12, 2, 14, 2, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    ids = item_ids(handoff_texts(walk(route.guide, answers), shipped_repo))
    payload = {"answers": answers, "priority": "P2", "records": [{"note": "n1", "at": at.isoformat()}], "handoff": {ids[0]: "v"}}
    response = httpx.post(f"{live_shipped}/api/guides/{route.guide.id}/walk", json=payload, timeout=10)
    assert response.status_code == 200
    state = walk(route.guide, answers, records=[StepRecord("n1", at)], handoff={ids[0]: "v"})
    assert response.json()["transcript"] == transcript_text(state, shipped_repo, "P2")
