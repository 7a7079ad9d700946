"""A service request is measured against the request targets, an incident against the incident
levels: in the SLA rows, the escalation protocol's time-based triggers, the transcript and the
API answers of a real server over HTTP (tests/fixtures/requests: identity-l2 serves both kinds,
at 50% of the target)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from search.checks import checked
from search.content.escalation import sla_targets, steps_for
from search.content.repository import Repository, load_repository
from search.content.taxonomy import CategoryIndex
from search.index import build_generation
from search.workflow.sla import sla_rows
from search.workflow.transcript import transcript_text
from search.workflow.walk import walk
from support.servers import LiveServer, start_server

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "requests"


@pytest.fixture(scope="module")
def repo() -> Repository:
    return load_repository(FIXTURE)


def test_kind_is_inherited_from_the_parent_and_incident_by_default(repo: Repository) -> None:
    categories = CategoryIndex(repo.taxonomy)
    assert [categories.kind_of(c) for c in ("accounts", "requests", "requests/access", None)] == ["incident", "request", "request", "incident"]


def test_a_request_uses_the_fulfilment_target_an_incident_the_resolution_target(repo: Repository) -> None:
    request = sla_targets(repo.priorities, "P3", "request")
    incident = sla_targets(repo.priorities, "P3", "incident")
    assert request is not None and (request.kind, request.first_response, request.resolution) == ("request", "1d", "5d")
    assert incident is not None and (incident.kind, incident.first_response, incident.resolution) == ("incident", "4h", "3d")
    assert request.description == "Normal request." and request.name == "Medium"  # the level's name, the request's own description


def test_time_based_escalation_is_a_share_of_the_fulfilment_target(repo: Repository) -> None:
    assert repo.escalation is not None
    [l2] = [a for a in steps_for(repo.escalation, repo.priorities, "requests/access", "P3", "request") if a.id == "identity-l2"]
    assert (l2.clock.kind, l2.clock.minutes) == ("sla_share", 5 * 1440 // 2)  # 50% of 5 days
    [l2] = [a for a in steps_for(repo.escalation, repo.priorities, "accounts", "P3") if a.id == "identity-l2"]
    assert (l2.clock.kind, l2.clock.minutes) == ("sla_share", 3 * 1440 // 2)  # 50% of 3 days


def test_sla_rows_follow_the_category_kind(repo: Repository) -> None:
    rows = {r.priority: r for r in sla_rows(repo, "requests/access")}
    assert [(r.kind, r.first_response, r.resolution) for r in rows.values()] == [
        ("request", "1h", "1d"),
        ("request", "4h", "2d"),
        ("request", "1d", "5d"),
        ("request", "2d", "10d"),
    ]
    assert [t.clock.minutes for t in rows["P1"].triggers] == [720]
    assert next((r.kind, r.resolution) for r in sla_rows(repo, "accounts")) == ("incident", "4h")


def test_without_request_targets_a_request_falls_back_to_the_incident_levels(repo: Repository) -> None:
    assert repo.priorities is not None
    bare = repo.priorities.model_copy(update={"requests": None})
    targets = sla_targets(bare, "P3", "request")
    assert targets is not None and (targets.kind, targets.resolution) == ("incident", "3d")  # kb check warns: request-sla-missing


def test_the_transcript_of_a_fulfilment_guide_records_approval_team_and_fulfilment_target(repo: Repository) -> None:
    guide = repo.guide_by_id["access-request"]
    text = transcript_text(walk(guide, ["yes"]), repo, "P3")
    assert "Approval: required from The folder's owner. The owner approves in the ticket.\n" in text
    assert "Fulfilled by: Identity and Access (queue IAM)\n" in text
    assert "Priority: P3 Medium (first response 1d, fulfilment 5d)\n" in text
    incident = transcript_text(walk(repo.guide_by_id["password-reset"], ["yes"]), repo, "P3")
    assert "Priority: P3 Medium (first response 4h, resolution 3d)\n" in incident and "Approval:" not in incident


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("requests") / "repo"
    shutil.copytree(FIXTURE, root)
    build_generation(checked(load_repository(root)), root / ".kb-index")
    server = start_server(root, root.parent / "server.log")
    try:
        yield server
    finally:
        server.stop()


def test_api_answers_a_request_category_with_request_targets(live: LiveServer) -> None:
    body = httpx.get(live.url + "/api/diagnose", params={"category": "access-request", "priority": "normal"}).json()
    assert body["category"]["id"] == "requests/access" and body["category"]["kind"] == "request"
    assert body["priority"]["sla"] == {
        "kind": "request",
        "first_response": "1d",
        "first_response_minutes": 1440,
        "resolution": "5d",
        "resolution_minutes": 7200,
    }
    [protocol] = body["escalation"]
    assert protocol["priority"]["sla"]["kind"] == "request"
    assert [(s["id"], s["escalate_after_minutes"]) for s in protocol["steps"]] == [("service-desk", None), ("identity-l2", 3600)]
    [guide] = body["guides"]
    assert guide["approval"] == {"required": True, "by": "The folder's owner", "how": "The owner approves in the ticket."}
    assert guide["fulfilled_by"] == "identity-l2"


def test_api_answers_an_incident_category_with_incident_targets(live: LiveServer) -> None:
    body = httpx.get(live.url + "/api/diagnose", params={"category": "accounts", "priority": "P3"}).json()
    assert body["category"]["kind"] == "incident"
    assert body["priority"]["sla"]["kind"] == "incident" and body["priority"]["sla"]["resolution"] == "3d"
    assert body["guides"][0]["approval"] is None and body["guides"][0]["fulfilled_by"] is None


def test_api_lists_every_category_with_its_kind(live: LiveServer) -> None:
    body = httpx.get(live.url + "/api/categories").json()
    assert {c["id"]: c["kind"] for c in body["categories"]} == {"accounts": "incident", "requests": "request", "requests/access": "request"}
    p3 = httpx.get(live.url + "/api/escalation", params={"category": "requests", "priority": "P3"}).json()["protocols"][0]
    assert p3["priority"]["sla"]["resolution"] == "5d"


def test_triage_suggestions_carry_the_kind(live: LiveServer) -> None:
    body = httpx.post(live.url + "/api/triage", json={"subject": "I need access to the finance folder, permission please"}).json()
    assert body["categories"][0]["category"] == "requests/access" and body["categories"][0]["kind"] == "request"
