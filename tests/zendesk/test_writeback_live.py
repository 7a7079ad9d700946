"""The write-back, service process against a stand-in Zendesk: the exact requests, retries on 429
(honouring Retry-After) and 500, a restart between two retries, a crash while a note is in flight,
duplicate deliveries, two service processes on one outbox, dead jobs, and the escalation route;
each time nothing is posted twice. The tests marked ``@both_backends`` run on a SQLite outbox and
on a PostgreSQL one (a real server, tests/support/postgres.py)."""

from __future__ import annotations

import base64
import email.utils
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.postgres import PASSWORD, Cluster
from support.servers import TOKEN, LiveServer, create_api_key, start_server
from support.zendesk import API_TOKEN, EMAIL, Scripted, StandIn, service_env, signed_headers

from .conftest import GROUP_ID, both_backends

WEBHOOK = "/api/integrations/zendesk/webhook"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
BASIC = "Basic " + base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
NOTE = """Knowledge base: VPN and remote access (network/vpn), from tag vpn.
Priority: P2 High

Guide: VPN will not connect
https://kb.example.com/guides/vpn-no-connect/

Information to gather:
- The user's location and network
- The exact error message

First steps:
1. Ask: Can the user open a public website? If yes go to step 2; if no go to step 8.
2. Ask: Can the user sign in to webmail with the same password? If yes go to step 3; if no go to step 7.
3. Do: Restart the laptop and try the VPN again. Then go to step 4.
4. Ask: Does the VPN connect now? If yes go to step 5; if no go to step 6.
5. Resolved: A stale VPN session was cleared by restarting.
(and 3 more steps in the guide)

Related articles:
- Reinstall the VPN client: https://kb.example.com/articles/vpn-reinstall/

Escalation path:
- L1 Service Desk, queue Service Desk: Every new ticket. Contact: Phone ext. 4000.
    hand over: Ticket categorised and prioritised
- L2 Network Operations, queue NetOps: The VPN guide ends in escalation. Time alone escalates after 4h (50%). Contact: Zendesk group "NetOps".
    hand over: What L1 already tried
- management IT Duty Manager, queue Major Incidents: Every P1 at once; a P2 at 80% of its resolution target. Time alone escalates after 6h24m (80%). Contact: Phone ext. 4500.

SLA targets:
P2 High: first response within 1h, resolution within 8h

[kb-guides """


class Servers(list[LiveServer]):
    """The services a test started (all stopped at its end), with a directory for their logs and keys."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.dir = directory


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Servers]:
    servers = Servers(tmp_path)
    yield servers
    for server in servers:
        server.stop()


def start(servers: Servers, content: Path, stand_in: StandIn, outbox_at: str, **env: str) -> LiveServer:
    """A service process with the write-back on, its outbox at ``outbox_at`` (a file or a PostgreSQL URL)."""
    server = start_server(content, servers.dir / f"server-{len(servers)}.log", **service_env(stand_in, outbox_at, **env))
    servers.append(server)
    return server


def deliver(server: LiveServer, ticket_id: int, invocation: str, **ticket: str) -> httpx.Response:
    fields = {"id": str(ticket_id), "subject": "VPN", "description": "", "priority": "High", "tags": "vpn other", **ticket}
    body = json.dumps({"ticket": fields}).encode()
    return httpx.post(server.url + WEBHOOK, content=body, headers=signed_headers(body, invocation=invocation), timeout=10)


def outbox(server: LiveServer) -> dict[str, object]:
    answer: dict[str, object] = httpx.get(server.url + "/api/admin/zendesk/outbox", headers=ADMIN, timeout=10).json()
    return answer


def wait_state(server: LiveServer, state: str, count: int = 1, timeout: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = outbox(server)
        if answer[state] == count:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"outbox never had {count} {state}: {outbox(server)}")


@both_backends
def test_note_and_tags_are_the_exact_requests(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    server = start(serve, content, stand_in, outbox_at)
    assert deliver(server, 101, "a").status_code == 202
    wait_state(server, "sent")
    tags, note = stand_in.requests
    for request in (tags, note):
        assert request.method == "PUT"
        assert request.headers["authorization"] == BASIC
        assert request.headers["content-type"] == "application/json"
        assert request.headers["accept"] == "application/json"
    assert tags.path == "/api/v2/tickets/101/tags.json"
    assert tags.json == {"tags": ["kb_category_network_vpn", "kb_guide_vpn-no-connect"]}
    assert note.path == "/api/v2/tickets/101.json"
    assert isinstance(note.json, dict) and set(note.json) == {"ticket"} and set(note.json["ticket"]) == {"comment"}
    comment = note.json["ticket"]["comment"]
    assert comment["public"] is False and set(comment) == {"body", "public"}
    assert comment["body"].startswith(NOTE) and comment["body"].endswith("]") and len(comment["body"]) == len(NOTE) + 17
    assert stand_in.tickets[101].tags == ["kb_category_network_vpn", "kb_guide_vpn-no-connect"]


def test_ticket_text_never_becomes_markup_or_a_request_elsewhere(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    server = start(serve, content, stand_in, outbox_at)
    # hostile markup around a plain VPN ticket, so triage is confident and its note quotes the text
    evil = "<script>alert(1)</script> VPN will not connect, the vpn client says connection failed [x](javascript:alert(1)) {{ticket.requester.email}}"
    assert deliver(server, 102, "b", subject=evil, description=evil, tags="").status_code == 202
    wait_state(server, "sent")
    body = stand_in.of("PUT", r"/tickets/102\.json")[0].json["ticket"]["comment"]["body"]  # type: ignore[index]
    assert "<script>" not in body and "javascript:" not in body and "html_body" not in json.dumps(stand_in.requests[-1].json)
    assert "from triage of subject and description (confidence " in body and "vpn" in body.split("matched: ", 1)[1]


def test_an_unsure_triage_leaves_the_ticket_uncategorised(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    server = start(serve, content, stand_in, outbox_at)
    assert deliver(server, 110, "u", subject="zzqx wobble frobnicate", description="lorem ipsum dolor", tags="").status_code == 202
    wait_state(server, "sent")
    body = stand_in.of("PUT", r"/tickets/110\.json")[0].json["ticket"]["comment"]["body"]  # type: ignore[index]
    assert body.startswith("Knowledge base: no category matched this ticket.")
    assert stand_in.of("PUT", r"/tickets/110/tags\.json")[0].json == {"tags": ["kb_no_guide"]}


@both_backends
@pytest.mark.parametrize("retry_after", ["2", "date"])
def test_429_waits_for_retry_after_then_posts_once(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers, retry_after: str) -> None:
    server = start(serve, content, stand_in, outbox_at)
    value = "2" if retry_after == "2" else email.utils.formatdate(time.time() + 4, usegmt=True)  # whole seconds: 3-4 s from now
    stand_in.script.append(Scripted("PUT", r"/tickets/103\.json$", 429, {"Retry-After": value}))
    deliver(server, 103, "c")
    wait_state(server, "sent", timeout=20)
    first, second = stand_in.of("PUT", r"/tickets/103\.json")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= (1.95 if retry_after == "2" else 2.5)  # Retry-After is honoured, not the 0.2 s backoff
    assert not stand_in.of("GET", r"/comments")  # a 429 is not applied: no need to look for the note
    assert len(stand_in.tickets[103].comments) == 1


@both_backends
@pytest.mark.parametrize("applied", [False, True], ids=["500-not-applied", "500-but-applied"])
def test_500_is_retried_and_a_landed_note_is_not_sent_again(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers, applied: bool) -> None:
    stand_in.script.append(Scripted("PUT", r"/tickets/104\.json$", 500, apply=applied))
    server = start(serve, content, stand_in, outbox_at)
    deliver(server, 104, "d")
    wait_state(server, "sent")
    assert [r.status for r in stand_in.of("GET", r"/tickets/104/comments\.json\?sort_order=desc")] == [200]
    assert [r.status for r in stand_in.of("PUT", r"/tickets/104\.json")] == ([500] if applied else [500, 200])
    assert len(stand_in.tickets[104].comments) == 1


@both_backends
def test_restart_between_two_retries_posts_once(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    stand_in.script.append(Scripted("PUT", r"/tickets/105\.json$", 503, {"Retry-After": "3"}))
    server = start(serve, content, stand_in, outbox_at)
    deliver(server, 105, "e")
    stand_in.wait_for("PUT", r"/tickets/105\.json")
    server.process.kill()  # SIGKILL: nothing is flushed or finished
    server.process.wait(5)
    again = start(serve, content, stand_in, outbox_at)
    answer = wait_state(again, "sent", timeout=30)
    assert answer["dead"] == 0 and answer["pending"] == 0
    puts = stand_in.of("PUT", r"/tickets/105\.json")
    assert [r.status for r in puts] == [503, 200]
    assert puts[1].at - puts[0].at >= 2.9  # the persisted next attempt time survived the restart
    assert len(stand_in.tickets[105].comments) == 1
    assert deliver(again, 105, "e").json()["status"] == "duplicate"  # the dedupe survived it too


@both_backends
def test_crash_while_the_note_is_in_flight_does_not_post_it_twice(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    stand_in.hold_updates.set()
    server = start(serve, content, stand_in, outbox_at)
    deliver(server, 106, "f")
    assert stand_in.held.wait(20)  # Zendesk applied the note; its answer has not left yet
    server.process.kill()
    server.process.wait(5)
    stand_in.hold_updates.clear()
    stand_in.release.set()
    again = start(serve, content, stand_in, outbox_at)
    wait_state(again, "sent", timeout=30)  # after the dead worker's lease ran out
    assert len(stand_in.of("PUT", r"/tickets/106\.json")) == 1
    assert len(stand_in.of("GET", r"/tickets/106/comments")) == 1
    assert len(stand_in.tickets[106].comments) == 1


def test_refused_and_exhausted_jobs_are_dead_with_the_reason(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    stand_in.script.append(Scripted("PUT", r"/tickets/107/tags\.json$", 422))
    stand_in.script += [Scripted("PUT", r"/tickets/108/tags\.json$", 500), Scripted("PUT", r"/tickets/108/tags\.json$", 502)]
    server = start(serve, content, stand_in, outbox_at, KB_ZENDESK_MAX_ATTEMPTS="2")
    deliver(server, 107, "g")
    deliver(server, 108, "h")
    answer = wait_state(server, "dead", count=2)
    reasons = {job["ticket_id"]: job["last_error"] for job in answer["dead_jobs"]}  # type: ignore[attr-defined]
    assert reasons[107].startswith("Zendesk answered 422 to PUT /api/v2/tickets/107/tags.json")
    assert reasons[108].startswith("Zendesk answered 502")
    assert not stand_in.of("PUT", r"/tickets/10[78]\.json")  # the note never followed the failed tags


def test_wrong_api_token_is_dead_not_retried(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    server = start(serve, content, stand_in, outbox_at, KB_ZENDESK_API_TOKEN="wrong-token")
    deliver(server, 109, "i")
    answer = wait_state(server, "dead")
    assert "Zendesk answered 401" in answer["dead_jobs"][0]["last_error"]  # type: ignore[index]
    assert len(stand_in.requests) == 1


def escalating_server(serve: Servers, content: Path, stand_in: StandIn, outbox_at: str) -> tuple[LiveServer, dict[str, str]]:
    """A service with an API key (an escalation changes a ticket, so it always needs one) and that key's header."""
    keys = serve.dir / "api-keys.sqlite3"
    key = create_api_key(keys, "zendesk-app")
    return start(serve, content, stand_in, outbox_at, KB_API_KEYS_FILE=str(keys)), {"Authorization": f"Bearer {key}"}


@both_backends
def test_escalation_routes_to_the_group_once(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    server, key = escalating_server(serve, content, stand_in, outbox_at)
    url = server.url + "/api/integrations/zendesk/tickets/201/escalate"
    walk = {"guide_id": "vpn-no-connect", "answers": ["yes", "yes", "done", "no"], "priority": "P2", "gathered": ["Home, fibre", "Error 809"]}
    assert httpx.post(url, json=walk, timeout=10).status_code == 401
    assert httpx.post(url, json=walk, headers=ADMIN, timeout=10).status_code == 401  # the admin token is no API key
    r = httpx.post(url, json=walk, headers=key, timeout=10)
    assert r.status_code == 202, r.text
    assert r.json() == {"status": "queued", "job": r.json()["job"], "ticket_id": 201, "step": "network-l2", "group_id": GROUP_ID}
    wait_state(server, "sent")
    again = httpx.post(url, json=walk, headers=key, timeout=10)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    tags, note = stand_in.requests
    assert tags.path == "/api/v2/tickets/201/tags.json"
    assert tags.json == {"tags": ["kb_category_network_vpn", "kb_escalated", "kb_guide_vpn-no-connect"]}
    assert note.path == "/api/v2/tickets/201.json"
    change = note.json["ticket"]  # type: ignore[index]
    assert change["group_id"] == GROUP_ID and change["comment"]["public"] is False
    body = change["comment"]["body"]
    assert "Network Operations" in body and "Error 809" in body and "Does the VPN connect now?" in body
    assert stand_in.tickets[201].group_id == GROUP_ID and len(stand_in.tickets[201].comments) == 1
    time.sleep(0.5)
    assert len(stand_in.requests) == 2


def test_escalation_of_a_walk_that_does_not_escalate_is_409(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    server, key = escalating_server(serve, content, stand_in, outbox_at)
    url = server.url + "/api/integrations/zendesk/tickets/202/escalate"
    for answers, kind in ((["yes", "yes", "done", "yes"], "not-an-escalation"), (["maybe"], "answer-not-offered")):
        r = httpx.post(url, json={"guide_id": "vpn-no-connect", "answers": answers}, headers=key, timeout=10)
        assert r.status_code == 409 and r.json()["type"] == f"urn:kb-guides:problem:{kind}"
    assert httpx.post(url, json={"guide_id": "nope", "answers": []}, headers=key, timeout=10).status_code == 404
    assert outbox(server)["pending"] == 0 and not stand_in.requests


@both_backends
def test_duplicate_deliveries_post_one_note(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    server = start(serve, content, stand_in, outbox_at)
    body = json.dumps({"ticket": {"id": "110", "subject": "VPN", "description": "", "priority": "High", "tags": "vpn"}}).encode()
    first = signed_headers(body, invocation="dup")
    assert httpx.post(server.url + WEBHOOK, content=body, headers=first, timeout=10).status_code == 202
    for headers in (first, signed_headers(body, invocation="dup"), {**first, "X-Zendesk-Webhook-Invocation-Id": "dup-altered"}):
        again = httpx.post(server.url + WEBHOOK, content=body, headers=headers, timeout=10)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
    wait_state(server, "sent")
    time.sleep(0.5)
    assert len(stand_in.of("PUT", r"/tickets/110\.json")) == 1 and len(stand_in.tickets[110].comments) == 1


@both_backends
def test_two_service_processes_on_one_outbox_never_post_twice(content: Path, stand_in: StandIn, outbox_at: str, serve: Servers) -> None:
    """Two replicas (one worker thread each) share the outbox; every delivery reaches both (as
    behind a load balancer retrying), some notes fail once, one replica dies holding a note in flight."""
    one = start(serve, content, stand_in, outbox_at, KB_ZENDESK_WORKERS="1")
    two = start(serve, content, stand_in, outbox_at, KB_ZENDESK_WORKERS="1")
    tickets = range(300, 330)
    stand_in.script += [Scripted("PUT", rf"/tickets/{t}\.json$", 500, apply=t % 6 == 0) for t in tickets if t % 3 == 0]
    for t in tickets:
        answers = {deliver(server, t, f"inv-{t}").status_code for server in ((one, two) if t % 2 else (two, one))}
        assert answers == {202, 200}  # one replica queued it, the other saw the duplicate
    counts = wait_state(two, "sent", count=len(tickets), timeout=60)
    assert outbox(one)["sent"] == len(tickets) and counts["dead"] == 0  # one outbox: each replica sees every job
    for t in tickets:
        assert len(stand_in.tickets[t].comments) == 1, t
        assert [r.status for r in stand_in.of("PUT", rf"/tickets/{t}\.json")] == ([500] if t % 6 == 0 else [500, 200] if t % 3 == 0 else [200])
    # a replica dies with a note in flight; another, started while the lease is live, waits it out,
    # takes the job over, finds the note on the ticket and does not post it again
    two.stop()
    stand_in.hold_updates.set()
    deliver(one, 400, "inv-400")
    assert stand_in.held.wait(20)
    three = start(serve, content, stand_in, outbox_at, KB_ZENDESK_WORKERS="1")
    one.process.kill()
    one.process.wait(5)
    stand_in.hold_updates.clear()
    stand_in.release.set()
    wait_state(three, "sent", count=len(tickets) + 1, timeout=30)
    assert len(stand_in.of("PUT", r"/tickets/400\.json")) == 1 and len(stand_in.tickets[400].comments) == 1
    assert len(stand_in.of("GET", r"/tickets/400/comments")) == 1


def test_postgres_down_is_a_503_zendesk_retries_and_the_password_never_shows(content: Path, stand_in: StandIn, postgres: Cluster, serve: Servers) -> None:
    server = start(serve, content, stand_in, postgres.new_database())
    status = outbox(server)
    assert status["path"] == f"postgresql://kb@127.0.0.1:{postgres.port}/postgres"
    postgres.stop()
    try:
        started = time.monotonic()
        r = deliver(server, 120, "while-down")
        assert time.monotonic() - started < 9  # still within Zendesk's 10 s: it retries, its circuit breaker stays closed
        assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"] == "10"
        assert r.json()["type"] == "urn:kb-guides:problem:outbox-unavailable"
    finally:
        postgres.restart()
    assert deliver(server, 120, "while-down").status_code == 202  # Zendesk's retry, once the database is back
    wait_state(server, "sent")
    assert len(stand_in.tickets[120].comments) == 1
    server.stop()
    assert PASSWORD not in (serve.dir / "server-0.log").read_text()
