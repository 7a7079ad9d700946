"""The webhook's signature check, against the real service process: a vector computed here with
hmac and base64 is accepted; forged, missing, malformed, stale and re-serialised deliveries are
refused with a 4xx problem and queue nothing; duplicate deliveries queue nothing new."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from search.integrations.zendesk import signature
from support.servers import TOKEN, LiveServer, start_server
from support.zendesk import SECRET, StandIn, service_env, signed_headers, timestamp

WEBHOOK = "/api/integrations/zendesk/webhook"
PROBLEM = "application/problem+json"
BODY = b'{"ticket": {"id": "4242", "subject": "VPN drops", "description": "", "priority": "Normal", "tags": "vpn"}}'


@pytest.fixture(scope="module")
def zendesk() -> Iterator[StandIn]:
    with StandIn() as zd:
        yield zd


@pytest.fixture(scope="module")
def live(content: Path, zendesk: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    logs = tmp_path_factory.mktemp("logs")
    server = start_server(content, logs / "server.log", **service_env(zendesk, str(logs / "outbox.sqlite")))
    yield server
    server.stop()


def outbox(live: LiveServer) -> dict[str, int]:
    answer = httpx.get(live.url + "/api/admin/zendesk/outbox", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
    return {state: answer[state] for state in ("pending", "sent", "dead")}


def jobs(live: LiveServer) -> int:
    return sum(outbox(live).values())


def test_known_vector_from_zendesk_docs_shape() -> None:
    """The documented construction, computed independently: base64(HMAC-SHA256(secret, timestamp + body))."""
    ts, body = "2021-03-25T05:09:27Z", b'{"ticket": {"id": "1"}}'
    expected = base64.b64encode(hmac.new(SECRET.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
    assert expected == "MmSkRE/+Cho3QifhtLvO8TueGuNjaS7t30iWDEKHWdg="  # pinned, computed with: openssl dgst -sha256 -hmac SECRET -binary | base64
    signature.verify(SECRET, body, expected, ts, now=dt.datetime(2021, 3, 25, 5, 10, tzinfo=dt.UTC), window_seconds=300)
    swapped = base64.b64encode(hmac.new(SECRET.encode(), body + ts.encode(), hashlib.sha256).digest()).decode()
    with pytest.raises(signature.SignatureError) as refused:
        signature.verify(SECRET, body, swapped, ts, now=dt.datetime(2021, 3, 25, 5, 10, tzinfo=dt.UTC), window_seconds=300)
    assert refused.value.status == 401


def test_signed_delivery_is_accepted_and_answered_fast(live: LiveServer) -> None:
    ts = timestamp()
    sig = base64.b64encode(hmac.new(SECRET.encode(), ts.encode() + BODY, hashlib.sha256).digest()).decode()
    headers = {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Id": "01HVECTOR",
        "X-Zendesk-Webhook-Invocation-Id": "1",
        "X-Zendesk-Webhook-Signature": sig,
        "X-Zendesk-Webhook-Signature-Timestamp": ts,
    }
    r = httpx.post(live.url + WEBHOOK, content=BODY, headers=headers, timeout=10)
    assert r.status_code == 202, r.text
    assert r.json() == {"status": "queued", "job": r.json()["job"], "ticket_id": 4242, "category": "network/vpn", "source": "tag vpn", "priority": "P3"}
    assert r.elapsed.total_seconds() < 1


def _old(minutes: int) -> str:
    return timestamp(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes))


def _refusals() -> dict[str, tuple[bytes, dict[str, str], int, str]]:
    """Built when a test runs (timestamps are fresh then), keyed by case."""
    good = signed_headers(BODY, invocation="refused")
    reserialised = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
    assert reserialised != BODY and json.loads(reserialised) == json.loads(BODY)
    ts = good["X-Zendesk-Webhook-Signature-Timestamp"]
    swapped = base64.b64encode(hmac.new(SECRET.encode(), BODY + ts.encode(), hashlib.sha256).digest()).decode()
    later = timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))

    def drop(name: str) -> dict[str, str]:
        return {k: v for k, v in good.items() if k != name}

    return {
        "forged with another secret": (BODY, signed_headers(BODY, secret="not-the-secret"), 401, "webhook-signature"),
        "signature missing": (BODY, drop("X-Zendesk-Webhook-Signature"), 401, "webhook-signature"),
        "timestamp missing": (BODY, drop("X-Zendesk-Webhook-Signature-Timestamp"), 401, "webhook-signature"),
        "signature not base64": (BODY, {**good, "X-Zendesk-Webhook-Signature": "not*base64!"}, 400, "webhook-signature"),
        "signature truncated base64": (BODY, {**good, "X-Zendesk-Webhook-Signature": good["X-Zendesk-Webhook-Signature"][:-3]}, 400, "webhook-signature"),
        "timestamp not ISO-8601": (BODY, {**good, "X-Zendesk-Webhook-Signature-Timestamp": "yesterday"}, 400, "webhook-timestamp"),
        "timestamp without zone": (BODY, {**good, "X-Zendesk-Webhook-Signature-Timestamp": ts.rstrip("Z")}, 400, "webhook-timestamp"),
        "stale timestamp (10 min old)": (BODY, signed_headers(BODY, at=_old(10)), 401, "webhook-stale"),
        "timestamp 10 min ahead": (BODY, signed_headers(BODY, at=_old(-10)), 401, "webhook-stale"),
        "re-serialised body, same JSON": (reserialised, good, 401, "webhook-signature"),
        "body and timestamp swapped": (BODY, {**good, "X-Zendesk-Webhook-Signature": swapped}, 401, "webhook-signature"),
        "signed timestamp replaced": (BODY, {**good, "X-Zendesk-Webhook-Signature-Timestamp": later}, 401, "webhook-signature"),
    }


@pytest.mark.parametrize("case", list(_refusals()))
def test_unverified_deliveries_are_refused_with_a_problem(live: LiveServer, case: str) -> None:
    body, headers, status, kind = _refusals()[case]
    before = jobs(live)
    r = httpx.post(live.url + WEBHOOK, content=body, headers=headers, timeout=10)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["type"] == f"urn:kb-guides:problem:{kind}"
    assert jobs(live) == before


def test_duplicate_deliveries_queue_one_job_and_post_one_note(live: LiveServer, zendesk: StandIn) -> None:
    body = b'{"ticket": {"id": "5151", "subject": "", "description": "", "priority": "-", "tags": "kb_category_network_vpn"}}'
    first = signed_headers(body, invocation="9001")
    r = httpx.post(live.url + WEBHOOK, content=body, headers=first, timeout=10)
    assert r.status_code == 202
    job = r.json()["job"]
    again = [
        first,  # the same request replayed byte for byte
        signed_headers(body, at=_old(1), invocation="9001"),  # Zendesk's retry: same invocation, signed anew
        {**first, "X-Zendesk-Webhook-Invocation-Id": "9002"},  # a replay with an altered (unsigned) invocation id
    ]
    for headers in again:
        dup = httpx.post(live.url + WEBHOOK, content=body, headers=headers, timeout=10)
        assert dup.status_code == 200 and dup.json()["status"] == "duplicate" and dup.json()["job"] == job
    zendesk.wait_for("PUT", r"/tickets/5151\.json")
    deadline_jobs = outbox(live)
    assert deadline_jobs["dead"] == 0
    assert len(zendesk.tickets[5151].comments) == 1


@pytest.mark.parametrize(
    ("ticket", "field"),
    [
        ({"subject": "no id"}, "ticket.id"),
        ({"id": "", "subject": "x"}, "ticket.id"),
        ({"id": "{{ticket.id}}", "subject": "x"}, "ticket.id"),
        ({"id": "7", "priority": "whenever", "subject": "VPN"}, "ticket.priority"),
        ({"id": "7", "subject": "", "description": "", "tags": ""}, "ticket.tags"),
        ({"id": "7", "custom_fields": "oops", "subject": "x"}, "ticket.custom_fields"),
    ],
)
def test_undecidable_bodies_are_422_naming_the_field(live: LiveServer, ticket: dict[str, object], field: str) -> None:
    body = json.dumps({"ticket": ticket}).encode()
    r = httpx.post(live.url + WEBHOOK, content=body, headers=signed_headers(body, invocation=f"bad-{field}-{len(body)}"), timeout=10)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["field"] == field and field in r.json()["detail"]


def test_not_json_is_422(live: LiveServer) -> None:
    body = b"ticket=1"
    r = httpx.post(live.url + WEBHOOK, content=body, headers=signed_headers(body, invocation="form"), timeout=10)
    assert r.status_code == 422 and r.json()["field"] == "body"


def test_lenient_placeholder_shapes_are_read(live: LiveServer) -> None:
    """Tags as one string, custom fields as Zendesk's list, display-case priority, empty strings."""
    body = json.dumps(
        {
            "ticket": {
                "id": 77,
                "subject": "",
                "description": "",
                "priority": "Urgent",
                "tags": "foo KB_CATEGORY_PRINTING",
                "custom_fields": [{"id": 1, "value": None}],
            }
        }
    ).encode()
    r = httpx.post(live.url + WEBHOOK, content=body, headers=signed_headers(body, invocation="lenient"), timeout=10)
    assert r.status_code == 202, r.text
    assert (r.json()["category"], r.json()["priority"]) == ("printing", "P1")


def test_webhook_without_a_secret_is_404_naming_the_setting(content: Path, tmp_path: Path, zendesk: StandIn) -> None:
    env = service_env(zendesk, str(tmp_path / "outbox.sqlite"))
    del env["KB_ZENDESK_WEBHOOK_SECRET"]
    server = start_server(content, tmp_path / "server.log", **env)
    try:
        r = httpx.post(server.url + WEBHOOK, content=BODY, headers=signed_headers(BODY), timeout=10)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
        assert r.json()["type"] == "urn:kb-guides:problem:zendesk-disabled"
        assert "KB_ZENDESK_WEBHOOK_SECRET" in r.json()["detail"]
    finally:
        server.stop()
