"""A stand-in for Zendesk's ticket API, run by the tests on a local port.

It speaks the parts of the protocol the write-back uses: basic auth ``{email}/token:{token}``
(401 otherwise), ``PUT /api/v2/tickets/{id}.json`` (adds the comment and answers the ticket),
``PUT /api/v2/tickets/{id}/tags.json`` (Add Tags) and ``GET /api/v2/tickets/{id}/comments.json``.
Every request is recorded. A test can script answers (a 429 with ``Retry-After``, a 500) and can
hold a ticket update after applying it, to kill the service while the request is in flight; and
it can sign webhook bodies as Zendesk does.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EMAIL = "agent@example.com"
API_TOKEN = "zendesk-api-token-0123456789"
SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="  # Zendesk signing secrets look like this; the text is the key
TICKET = re.compile(r"^/api/v2/tickets/(\d+)\.json$")
TAGS = re.compile(r"^/api/v2/tickets/(\d+)/tags\.json$")
COMMENTS = re.compile(r"^/api/v2/tickets/(\d+)/comments\.json$")


@dataclass
class Recorded:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int
    at: float

    @property
    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class Scripted:
    """Answer the next request matching ``method`` and ``path_re`` with ``status``; ``apply`` the change anyway."""

    method: str
    path_re: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    apply: bool = False


@dataclass
class Ticket:
    id: int
    tags: list[str] = field(default_factory=list)
    comments: list[dict[str, object]] = field(default_factory=list)
    group_id: int | None = None


class StandIn:
    """``with StandIn() as zd: ... zd.url ...``; ``zd.requests`` lists what was received."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: list[Scripted] = []
        self.tickets: dict[int, Ticket] = {}
        self.hold_updates = threading.Event()  # set: a ticket update is applied, then its answer waits for release
        self.release = threading.Event()
        self.held = threading.Event()  # set once an update is being held
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: without this, delayed ACKs add 40 ms per call

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, answer, hold = stand_in.answer(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                if hold:
                    stand_in.held.set()
                    stand_in.release.wait(30)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    for name, value in {"Content-Type": "application/json; charset=utf-8", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client went away (the test killed it)

            do_GET = do_PUT = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], object, bool]:
        with self.lock:
            status, extra, answer, hold = self._answer(method, path, headers, body)
            self.requests.append(Recorded(method, path, headers, body, status, time.time()))
            return status, extra, answer, hold

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], object, bool]:
        expected = "Basic " + base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
        if headers.get("authorization") != expected:
            return 401, {}, {"error": "Couldn't authenticate you"}, False
        route = path.split("?", 1)[0]
        scripted = next((s for s in self.script if s.method == method and re.search(s.path_re, route)), None)
        if scripted is not None:
            self.script.remove(scripted)
            if scripted.apply:
                self._apply(method, route, body)
            return scripted.status, scripted.headers, {"error": "scripted", "description": f"stand-in answer {scripted.status}"}, False
        if method == "GET" and (m := COMMENTS.match(route)):
            ticket = self.tickets.get(int(m.group(1)), Ticket(int(m.group(1))))
            return 200, {}, {"comments": list(reversed(ticket.comments)), "next_page": None, "count": len(ticket.comments)}, False
        if method == "PUT" and (TICKET.match(route) or TAGS.match(route)):
            if headers.get("content-type", "").split(";")[0] != "application/json":
                return 400, {}, {"error": "Content-Type must be application/json"}, False
            answer = self._apply(method, route, body)
            return 200, {}, answer, bool(TICKET.match(route) and self.hold_updates.is_set())
        return 404, {}, {"error": "InvalidEndpoint"}, False

    def _apply(self, method: str, route: str, body: bytes) -> object:
        data = json.loads(body)
        if m := TAGS.match(route):
            ticket = self.tickets.setdefault(int(m.group(1)), Ticket(int(m.group(1))))
            ticket.tags += [t for t in data["tags"] if t not in ticket.tags]
            return {"tags": ticket.tags}
        m = TICKET.match(route)
        assert m is not None
        ticket = self.tickets.setdefault(int(m.group(1)), Ticket(int(m.group(1))))
        change = data["ticket"]
        if "comment" in change:
            comment = change["comment"]
            ticket.comments.append({"id": len(ticket.comments) + 1, "body": comment["body"], "plain_body": comment["body"], "public": comment["public"]})
        if "group_id" in change:
            ticket.group_id = change["group_id"]
        return {"ticket": {"id": ticket.id, "tags": ticket.tags, "group_id": ticket.group_id, "status": "open"}}

    def of(self, method: str, pattern: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    def wait_for(self, method: str, pattern: str, count: int = 1, timeout: float = 20) -> list[Recorded]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method, pattern)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{count} x {method} {pattern} not received in {timeout} s; received: {[(r.method, r.path, r.status) for r in self.requests]}")


def timestamp(at: dt.datetime | None = None) -> str:
    """Zendesk's signature timestamp: ISO-8601 UTC with a Z, to the second."""
    return (at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_headers(
    body: bytes, *, secret: str = SECRET, at: str | None = None, webhook_id: str = "01F1KRFQ6BG29CNWFR60NK5FNY", invocation: str = "8350205582"
) -> dict[str, str]:
    """The headers Zendesk sends with a webhook body (signature computed here, independently of the service)."""
    ts = at or timestamp()
    signature = base64.b64encode(hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
    return {
        "Content-Type": "application/json",
        "X-Zendesk-Account-Id": "123456",
        "X-Zendesk-Webhook-Id": webhook_id,
        "X-Zendesk-Webhook-Invocation-Id": invocation,
        "X-Zendesk-Webhook-Signature": signature,
        "X-Zendesk-Webhook-Signature-Timestamp": ts,
    }


def service_env(stand_in: StandIn | str, outbox: str, **extra: str) -> dict[str, str]:
    """Settings pointing a service at the stand-in (or its URL), with fast retries for tests."""
    return {
        "KB_ZENDESK_WEBHOOK_SECRET": SECRET,
        "KB_ZENDESK_BASE_URL": stand_in if isinstance(stand_in, str) else stand_in.url,
        "KB_ZENDESK_EMAIL": EMAIL,
        "KB_ZENDESK_API_TOKEN": API_TOKEN,
        "KB_ZENDESK_OUTBOX": outbox,
        "KB_ZENDESK_RETRY_BASE_SECONDS": "0.2",
        "KB_ZENDESK_TIMEOUT_SECONDS": "2",
        "KB_ZENDESK_LEASE_SECONDS": "3",
        "KB_SITE_URL": "https://kb.example.com/",
        **extra,
    }
