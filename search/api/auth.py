"""API keys on the read routes: ``Authorization: Bearer <key>`` (decision record 0014).

``require_api_key`` decides when a key is needed: ``always``, ``never``, or ``auto`` (default):
when any key exists, and for every request from another machine. "Another machine" is judged
per request from what the connection shows, not from a listen address the app cannot see: the
client (the peer address, or behind a proxy listed in ``trusted_proxies`` the address it
forwarded) is not a loopback address. An in-process client or a Unix socket has no IP address
and is on this machine. So ``kb serve`` on localhost needs no key, and the same service bound to
``0.0.0.0`` refuses other machines until a key exists (or the setting says ``never``).

Open without a key: the service's health (load balancers cannot send keys), the OpenAPI document
and docs page (the contract is not content), the admin routes (their own token) and the Zendesk
webhook (its own signature). A pure ASGI middleware, so it also covers answers served before
routing (``DiagnoseFastPath``). A wrong key spends the rate limiter's failure budget (shared with
the admin token); a client that spent it gets 429 for any key until it refills.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .keys import KeyTable
from .problems import PROBLEM_TYPE, ProblemError
from .ratelimit import TOO_MANY_FAILURES, Buckets, ClientAddress, too_many

log = logging.getLogger("search.api")

RequireMode = Literal["auto", "always", "never"]
OPEN_PATHS = frozenset({"/api/health", "/api/openapi.json", "/api/integrations/zendesk/webhook"})
OPEN_PREFIXES = ("/api/docs", "/api/admin/")
SCHEME = "ApiKey"  # the OpenAPI security scheme's name


def is_open(path: str) -> bool:
    """True for the /api paths served without a key (see the module docstring)."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else ""
    return None


@functools.lru_cache(maxsize=4096)
def _on_this_machine(address: str) -> bool:
    """Whether a client address is loopback (cached: parsing costs ~5 us, a request to the fast path ~30 us)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return True  # no IP address: an in-process client or a Unix socket
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


class ApiKeyAuth:
    """401 problem+json with ``WWW-Authenticate: Bearer`` for a protected request without a valid key."""

    def __init__(self, app: ASGIApp, *, keys: KeyTable, mode: RequireMode, trusted_proxies: Iterable[str] = (), failures: Buckets | None = None) -> None:
        """``failures``: the rate limiter's failure budget, spent by wrong keys (shared with the admin token)."""
        self.app = app
        self.keys = keys
        self.mode = mode
        self.clients = ClientAddress(trusted_proxies)
        self.failures = failures
        self._warned = False

    def _local(self, scope: Scope) -> bool:
        return _on_this_machine(self.clients(scope))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if self.mode == "never" or not (path.startswith("/api/") or path == "/api") or is_open(path):
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        self.keys.refresh(now)
        if self.mode == "auto" and not self.keys.has_keys and self._local(scope):
            await self.app(scope, receive, send)
            return
        presented = _bearer(scope)
        if not presented:  # guesses nothing: not counted as a failure
            await self._refuse(scope, send, self._missing_detail(scope), "Bearer")
            return
        client = self.clients(scope)
        if self.failures is not None and (wait := self.failures.wait(client, now)):
            await too_many(send, path, wait, TOO_MANY_FAILURES)
            return
        name = self.keys.match(presented)
        if name is None:
            if self.failures is not None:
                self.failures.take(client, now)
            await self._refuse(
                scope, send, "the API key is unknown or revoked; ask for a key made with: kb api-key create NAME", 'Bearer error="invalid_token"'
            )
            return
        if self.keys.due_for_touch(name, now):
            asyncio.get_running_loop().run_in_executor(None, self.keys.store.touch, [name])
        await self.app(scope, receive, send)

    def _missing_detail(self, scope: Scope) -> str:
        if self.keys.error is not None:
            return f"{self.keys.error}; the service refuses reads until it is fixed"
        if self.keys.has_keys or self.mode == "always":
            return "this service requires an API key: send it as Authorization: Bearer <key>"
        if not self._warned:
            self._warned = True
            log.warning(
                "refused a request from %s: the service is reachable from other machines and has no API keys; "
                "create one with kb api-key create NAME, or set KB_REQUIRE_API_KEY=never to serve reads to anyone",
                self.clients(scope),
            )
        return (
            "this service is reachable from other machines and has no API keys yet: an administrator creates one with "
            "kb api-key create NAME (send it as Authorization: Bearer <key>), or sets KB_REQUIRE_API_KEY=never to serve reads without keys"
        )

    async def _refuse(self, scope: Scope, send: Send, detail: str, challenge: str) -> None:
        body = json.dumps(
            {
                "type": "urn:kb-guides:problem:unauthenticated",
                "title": "Unauthenticated",
                "status": 401,
                "detail": detail,
                "instance": scope.get("path", "")[:1000],
            }
        ).encode()
        headers = [
            (b"content-type", PROBLEM_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", challenge.encode()),
        ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})


async def require_named_key(request: Request) -> str:
    """The name of the API key a request carries, required whatever ``KB_REQUIRE_API_KEY`` says.

    For actions on a ticket (escalating it), which someone must answer for: a read may be open on
    localhost, a change made in a ticket tool names the key that asked for it, and a revoked key
    stops it within a second.
    """
    keys: KeyTable = request.app.state.api_keys
    keys.refresh()
    presented = _bearer(request.scope)
    name = keys.match(presented) if presented else None
    if name is None:
        detail = "this action needs an API key (kb api-key create NAME), sent as Authorization: Bearer <key>"
        raise ProblemError(
            401,
            detail if not presented else "the API key is unknown or revoked; " + detail,
            kind="unauthenticated",
            title="Unauthenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return name


def declare_security(app: FastAPI) -> None:
    """Declare the key in the OpenAPI document: an HTTP bearer scheme required by every protected operation."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
            schemes[SCHEME] = {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key made with `kb api-key create NAME`. Needed when the service has keys, "
                "or for requests from other machines (setting KB_REQUIRE_API_KEY).",
            }
            for path, operations in schema.get("paths", {}).items():
                if is_open(path):
                    continue
                for operation in operations.values():
                    operation["security"] = [{SCHEME: []}]
                    operation.setdefault("responses", {})["401"] = {
                        "description": "Unauthorized: no API key, or an unknown or revoked one",
                        "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                    }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
