"""Per-client rate limiting of ``/api/...``: ``429`` problem+json with ``Retry-After`` past the limit.

Two token buckets per client. Every API request takes a token from the first (``rate_limit_per_minute``
refilled steadily, up to ``rate_limit_burst`` at once; a triage request takes ``COSTS`` tokens):
generous enough that a technician, or a
desk behind one proxy, never meets it, while one client cannot monopolise the service. Every
admin request that ends in 401 or 403 takes a token from the second (``admin_failures_per_minute``,
no burst beyond that), and an empty one refuses further admin requests from that client, so the
token cannot be guessed at speed. The API-key check (``auth.py``) spends and honours the same
budget for wrong keys, so a key cannot be guessed at speed either. The static site is not limited
(a page load fetches dozens of files that cost nothing).

The client is the TCP peer address. Behind a reverse proxy every request would come from the
proxy, so ``X-Forwarded-For`` is read only when the peer is one of ``trusted_proxies``; then the
client is the right-most address in that header that is not itself a trusted proxy (the left part
of the header is whatever the client chose to send). Memory is bounded: at most ``MAX_CLIENTS``
buckets are kept, the least recently seen dropped first (a dropped client starts again full).
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import PROBLEM_TYPE

MAX_CLIENTS = 10_000
API_PREFIX = "/api/"
ADMIN_PREFIX = "/api/admin/"
# Tokens a request takes, by path: scoring a ticket costs up to ~10x a search, and a technician
# triages a ticket a minute, so triage counts 10 (120 a minute sustained at the default rate).
COSTS = {"/api/triage": 10}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass
class Bucket:
    tokens: float
    stamp: float


class Buckets:
    """Token buckets keyed by client, refilled at ``per_minute / 60`` tokens a second up to ``burst``."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def _refilled(self, client: str, now: float) -> Bucket:
        bucket = self._buckets.pop(client, None)
        if bucket is None:
            bucket = Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        self._buckets[client] = bucket  # most recently seen last
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return bucket

    def wait(self, client: str, now: float) -> float:
        """Seconds until ``client`` has a token (0 when it has one now); takes nothing."""
        tokens = self._refilled(client, now).tokens
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def take(self, client: str, now: float, cost: int = 1) -> float:
        """Take ``cost`` tokens: 0 when granted, else the seconds to wait for them."""
        bucket = self._refilled(client, now)
        need = min(cost, self.burst)
        if bucket.tokens >= need:
            bucket.tokens -= need
            return 0.0
        return (need - bucket.tokens) / self.rate


TOO_MANY_FAILURES = "too many failed admin-token or API-key attempts from this client; wait before trying again"


def failure_budget(per_minute: int) -> Buckets | None:
    """Failed credential attempts a client may make per minute (no burst beyond that)."""
    return Buckets(per_minute, per_minute) if per_minute > 0 else None


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Addresses or networks (``10.0.0.0/8``); raises ValueError naming a bad one."""
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values]


class ClientAddress:
    """The client of a request: the peer address, or, behind a trusted proxy, what it forwarded."""

    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        self.trusted = parse_networks(trusted_proxies)

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def __call__(self, scope: Scope) -> str:
        """The client address (see the module docstring for X-Forwarded-For)."""
        peer = scope.get("client")
        address = peer[0] if peer else "unknown"
        if not self.trusted or not self._trusted(address):
            return address
        hops = [h.strip() for name, value in scope.get("headers", ()) if name == b"x-forwarded-for" for h in value.decode("latin-1").split(",")]
        for hop in reversed(hops):
            if not self._trusted(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return address  # a malformed hop: the proxy did not write it, so trust nothing after it
        return address


class RateLimit:
    """Pure ASGI middleware; ``per_minute == 0`` turns the general limit off (the admin one stays)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_minute: int,
        burst: int,
        admin_failures_per_minute: int,
        trusted_proxies: Iterable[str] = (),
        failures: Buckets | None = None,
    ) -> None:
        """``failures``: the failure budget, when shared with the API-key check; else one of ``admin_failures_per_minute``."""
        self.app = app
        self.requests = Buckets(per_minute, burst) if per_minute > 0 else None
        self.admin_failures = failures if failures is not None else failure_budget(admin_failures_per_minute)
        self.clients = ClientAddress(trusted_proxies)

    def client(self, scope: Scope) -> str:
        return self.clients(scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")):
            await self.app(scope, receive, send)
            return
        client = self.client(scope)
        now = time.monotonic()
        failures = self.admin_failures if path.startswith(ADMIN_PREFIX) else None
        if failures is not None and (wait := failures.wait(client, now)):
            await too_many(send, path, wait, TOO_MANY_FAILURES)
            return
        if self.requests is not None and (wait := self.requests.take(client, now, COSTS.get(path, 1))):
            await too_many(send, path, wait, "too many requests from this client; slow down and retry after the delay in Retry-After")
            return
        if failures is None:
            await self.app(scope, receive, send)
            return
        admin_failures = failures

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (401, 403):
                admin_failures.take(client, time.monotonic())
            await send(message)

        await self.app(scope, receive, counting_send)


async def too_many(send: Send, path: str, wait: float, detail: str) -> None:
    """The 429 problem with ``Retry-After``."""
    seconds = max(1, math.ceil(wait))
    body = json.dumps(
        {
            "type": "urn:kb-guides:problem:rate-limited",
            "title": "Too Many Requests",
            "status": 429,
            "detail": detail,
            "instance": path[:1000],
            "retry_after": seconds,
        }
    ).encode()
    headers = [(b"content-type", PROBLEM_TYPE.encode()), (b"content-length", str(len(body)).encode()), (b"retry-after", str(seconds).encode())]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
