"""Security headers on every response of the service: pages, static files, API answers, problems.

The Content-Security-Policy is the second fence behind the content sanitizer
(``search.render.markup.sanitize``): scripts only from this origin and never inline, so an
event handler or ``javascript:`` URL that slipped through still cannot run, and nothing loads
from another host. The API's Swagger UI page has one inline script of its own: the policy of
that page allows exactly that script, by hash. The headers are set outside every other layer,
the handler of unexpected errors included, so a 500 carries them too.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI: its bootstrap script (allowed by hash, added per response) and inline styles.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def script_hashes(page: bytes) -> str:
    """CSP source expressions (``'sha256-...'``) of the inline scripts of ``page``."""
    digests = (base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() for m in _INLINE_SCRIPT.finditer(page))
    return " ".join(f"'sha256-{d}'" for d in digests)


class SecurityHeaders:
    """Pure ASGI middleware adding :data:`HEADERS` and the CSP to every HTTP response."""

    def __init__(self, app: ASGIApp, docs_path: str | None) -> None:
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") == self.docs_path:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _set(message, SITE_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold the (small) docs page until its body is complete, to hash its inline script."""
        start: Message | None = None
        body: list[bytes] = []

        async def send_hashed(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                whole = b"".join(body)
                _set(start, DOCS_POLICY.format(hashes=script_hashes(whole)))
                await send(start)
                start = None
                await send({"type": "http.response.body", "body": whole})
                return
            await send(message)

        await self.app(scope, receive, send_hashed)


def _set(start: Message, policy: str) -> None:
    headers = MutableHeaders(scope=start)
    headers["Content-Security-Policy"] = policy
    for name, value in HEADERS.items():
        headers[name] = value


def install(app: FastAPI, docs_path: str | None) -> None:
    """Wrap ``app``'s whole middleware stack (Starlette's error handler included) in
    :class:`SecurityHeaders`; ``docs_path`` is the Swagger UI page (fastapi-offline's own route)."""
    build: Callable[[], ASGIApp] = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build(), docs_path)

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
