"""POST /api/guides/{id}/walk and POST /api/triage over real HTTP and in-process, on the shipped content.

The transcript the API returns must equal the one implementation's text byte for byte, for a
walk to every leaf of every shipped guide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.checks import checked
from search.content.models import EscalationNode, ResolutionNode
from search.content.repository import Repository
from search.index import build_generation
from search.workflow.transcript import transcript_text
from search.workflow.walk import walk
from support import ROOT
from support.walkpaths import shortest_routes

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(shipped_repo: Repository, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Rate limiting off: this module walks every leaf of every shipped guide, hundreds of requests
    from one client (tests/api/test_ratelimit.py tests the limit)."""
    index_dir = tmp_path_factory.mktemp("index")
    build_generation(checked(shipped_repo), index_dir)
    with TestClient(
        create_app(Settings(root=ROOT, index_dir=index_dir, site_dir=Path("/nonexistent"), rate_limit_per_minute=0)), raise_server_exceptions=False
    ) as test_client:
        yield test_client


def _leaf_walks(repo: Repository) -> list[tuple[str, tuple[str, ...], str]]:
    walks = []
    for guide in repo.guides:
        for node_id, answers in shortest_routes(guide).items():
            node = guide.tree.nodes[node_id]
            if isinstance(node, (ResolutionNode, EscalationNode)):
                walks.append((guide.id, answers, node.type))
    return walks


def test_every_leaf_walk_gives_the_same_transcript_as_the_engine(client: TestClient, shipped_repo: Repository) -> None:
    walks = _leaf_walks(shipped_repo)
    assert len({w[0] for w in walks}) == len(shipped_repo.guides)
    notes = ["first note", "", "third: with punctuation"]
    for guide_id, answers, kind in walks:
        guide = shipped_repo.guide_by_id[guide_id]
        gathered = {item.id: note for item, note in zip(guide.meta.gather, notes, strict=False)}
        response = client.post(
            f"/api/guides/{guide_id}/walk", json={"answers": list(answers), "priority": "urgent", "gathered": gathered, "revision": guide.revision}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        expected = transcript_text(walk(guide, answers), shipped_repo, "P1", gathered)
        assert body["transcript"] == expected
        assert body["finished"] is True and body["outcome"]["type"] == kind
        assert body["current"]["choices"] == []
        assert body["transcript_data"]["text"] == expected
        assert set(body["messages"]) == ({"resolution", "closure"} if kind == "resolution" else {"escalation", "escalation_notice"})


def test_mid_walk_returns_the_current_node_its_choices_and_the_path(client: TestClient, shipped_repo: Repository) -> None:
    guide = shipped_repo.guide_by_id["vpn-cannot-connect"]
    first = guide.tree.nodes[guide.tree.start_id]
    answer = next(iter(first.answers))  # type: ignore[union-attr]
    body = client.post("/api/guides/vpn-cannot-connect/walk", json={"answers": [answer]}).json()
    state = walk(guide, [answer])
    assert body["finished"] is False
    assert body["current"]["id"] == state.current
    assert body["current"]["choices"] == state.choices
    assert body["path"] == [{"node": guide.tree.start_id, "type": "question", "text": first.text, "choice": answer, "note": "", "at": None}]
    assert body["transcript"].endswith("Outcome: In progress (walk not finished).\n")


def test_messages_are_filled_from_the_ticket(client: TestClient, shipped_repo: Repository) -> None:
    guide_id, answers, _ = next(w for w in _leaf_walks(shipped_repo) if w[2] == "resolution")
    body = client.post(
        f"/api/guides/{guide_id}/walk", json={"answers": list(answers), "ticket": {"ticket_id": "4711", "requester": "Dana", "technician": "Sam"}}
    ).json()
    note = body["messages"]["resolution"]
    assert "4711" in (note["subject"] or "") and note["body"].startswith("Hello Dana,") and "Sam" in note["body"]
    assert "{" not in note["body"]


@pytest.mark.parametrize(
    ("payload", "status", "kind"),
    [
        ({"answers": ["definitely-not-an-answer"]}, 409, "answer-not-offered"),
        ({"revision": "0.0+00000000"}, 409, "stale-revision"),
        ({"answers": "yes"}, 422, "validation"),
        ({"priority": "P9"}, 422, "validation"),
        ({"answers": ["x"] * 1001}, 422, "validation"),
    ],
)
def test_bad_walks_are_problems_naming_what_to_do(client: TestClient, shipped_repo: Repository, payload: dict[str, object], status: int, kind: str) -> None:
    response = client.post("/api/guides/vpn-cannot-connect/walk", json=payload)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"] == f"urn:kb-guides:problem:{kind}"
    if kind in ("answer-not-offered", "stale-revision"):
        assert problem["current_revision"] == shipped_repo.guide_by_id["vpn-cannot-connect"].revision
    if kind == "answer-not-offered":
        assert problem["offered"] == walk(shipped_repo.guide_by_id["vpn-cannot-connect"], []).choices


def test_answers_past_a_leaf_are_a_problem(client: TestClient, shipped_repo: Repository) -> None:
    guide_id, answers, _ = _leaf_walks(shipped_repo)[0]
    response = client.post(f"/api/guides/{guide_id}/walk", json={"answers": [*answers, "yes"]})
    assert response.status_code == 409 and response.json()["type"].endswith(":walk-finished")


def test_unknown_guide_is_404_with_suggestions(client: TestClient) -> None:
    response = client.post("/api/guides/vpn-cannot-conect/walk", json={})
    assert response.status_code == 404
    assert "vpn-cannot-connect" in response.json()["suggestions"]


def test_triage_ranks_categories_and_computes_the_priority(client: TestClient, shipped_repo: Repository) -> None:
    body = client.post(
        "/api/triage",
        json={"subject": "Pasword expired", "description": "I am locked out of my account since this morning", "impact": "minor", "urgency": "high"},
    ).json()
    assert body["categories"][0]["category"] == "accounts"
    assert any("~" in m for m in body["categories"][0]["matched"])  # the typo was corrected
    assert body["priority"]["id"] == shipped_repo.priorities.matrix["minor"]["high"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 422),
        ({"subject": "   "}, 422),
        ({"subject": "x", "description": "x" * 20_001}, 422),
        ({"subject": "x", "limit": 0}, 422),
        ({"subject": "x", "impact": "huge", "urgency": "high"}, 400),
        ({"subject": "x", "impact": "minor"}, 400),
    ],
)
def test_bad_triage_requests_are_problems(client: TestClient, payload: dict[str, object], status: int) -> None:
    response = client.post("/api/triage", json=payload)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    if status == 400:
        assert "impact" in response.json()["detail"] or "urgency" in response.json()["detail"]


def test_a_body_over_the_limit_is_413_problem(client: TestClient) -> None:
    response = client.post("/api/triage", json={"subject": "x", "description": "y" * 70_000})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)


def test_walk_over_real_http(live_shipped: str, shipped_repo: Repository) -> None:
    guide_id, answers, _ = next(w for w in _leaf_walks(shipped_repo) if w[2] == "escalation")
    response = httpx.post(f"{live_shipped}/api/guides/{guide_id}/walk", json={"answers": list(answers), "priority": "P2"}, timeout=10)
    assert response.status_code == 200
    assert response.json()["transcript"] == transcript_text(walk(shipped_repo.guide_by_id[guide_id], answers), shipped_repo, "P2")


def test_api_docs_load_nothing_from_a_cdn(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    links = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert links and all(link.startswith("/api/") for link in links), links
    script = client.get("/api/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000


def test_a_body_that_is_not_json_is_a_problem_that_says_so(client: TestClient) -> None:
    response = client.post("/api/guides/vpn-cannot-connect/walk", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "not valid JSON" in response.json()["detail"]


def test_gathered_notes_are_keyed_by_item_id_and_the_old_list_still_works(client: TestClient, shipped_repo: Repository) -> None:
    guide = next(g for g in shipped_repo.guides if len(g.meta.gather) >= 2)
    first, second = guide.meta.gather[:2]
    by_id = {second.id: "second note", first.id: "  first  note "}  # any order: the guide's order is kept
    body = client.post(f"/api/guides/{guide.id}/walk", json={"answers": [], "gathered": by_id}).json()
    assert body["transcript_data"]["gathered"] == [
        {"id": first.id, "item": first.text, "value": "  first  note "},
        {"id": second.id, "item": second.text, "value": "second note"},
    ]
    assert f"- {first.text}: first note\n- {second.text}: second note\n" in body["transcript"]
    positional = [by_id.get(item.id, "") for item in guide.meta.gather]  # deprecated, accepted until the next major version
    old = client.post(f"/api/guides/{guide.id}/walk", json={"answers": [], "gathered": positional}).json()
    assert old["transcript"] == body["transcript"] and old["transcript_data"] == body["transcript_data"]
    guide_answer = client.get(f"/api/guides/{guide.id}").json()
    assert guide_answer["gather_items"][:2] == [{"id": first.id, "text": first.text}, {"id": second.id, "text": second.text}]
    assert guide_answer["gather"] == [item.text for item in guide.meta.gather]  # deprecated texts, same order


def test_a_gather_id_the_guide_does_not_have_is_a_409_naming_its_ids(client: TestClient, shipped_repo: Repository) -> None:
    guide = next(g for g in shipped_repo.guides if g.meta.gather)
    response = client.post(f"/api/guides/{guide.id}/walk", json={"answers": [], "gathered": {"renamed-item": "x"}})
    assert response.status_code == 409 and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:kb-guides:problem:unknown-gather-item"
    assert problem["offered"] == [item.id for item in guide.meta.gather] and problem["current_revision"] == guide.revision
    assert '"renamed-item"' in problem["detail"]
