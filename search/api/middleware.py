"""Pure ASGI middleware (no per-request task hopping, unlike ``BaseHTTPMiddleware``)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..content.escalation import normalize_priority
from ..content.models import PRIORITY_SPELLINGS
from .answers import Cached, answers_for, matches
from .problems import PROBLEM_TYPE
from .state import IndexState


class BodySizeLimit:
    """Answer 413 (problem+json) for request bodies over ``limit`` bytes, declared or streamed.

    A declared ``Content-Length`` over the limit is refused before reading (uvicorn delivers no
    more than the declared length). A chunked upload is read here, at most ``limit`` bytes,
    before the app runs, and handed on in one message: an error raised from inside the app's body reading would be turned into a
    400 "error parsing the body" by FastAPI, so the size is settled before FastAPI sees it.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        streamed = False
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await self._reject(scope, send)
                    return
            elif name == b"transfer-encoding":
                streamed = True
        if not streamed:  # no body, or one of a declared size within the limit (the server holds it to that)
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.limit:
                await self._reject(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive), send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"request body over {self.limit} bytes",
            "instance": scope.get("path", ""),
        }
        data = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", PROBLEM_TYPE.encode()), (b"content-length", str(len(data)).encode()), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": data})


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that returns ``messages`` first, then waits on the real one (for disconnects)."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, with a rejected preflight answered as problem+json (it answers text/plain)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        detail = bytes(response.body).decode() + "; the allowed origins are set with KB_CORS_ORIGINS, the methods are GET and POST"
        body = json.dumps({"type": "urn:kb-guides:problem:cors-rejected", "title": "CORS preflight rejected", "status": 400, "detail": detail}).encode()
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")}
        return Response(body, status_code=400, headers=headers, media_type=PROBLEM_TYPE)


class DiagnoseFastPath:
    """Serve precomputed ``GET /api/diagnose?category=..&priority=..`` answers before FastAPI routing.

    FastAPI's parameter handling costs ~50 us per request, as much as the rest of the request:
    with it the busiest route reaches a third of a bare FastAPI app's throughput. This layer
    answers only requests whose answer is already cached byte for byte by the route itself
    (same generation, known category, valid priority, no ``q``), with its ``ETag`` (``304`` to a
    matching ``If-None-Match``); anything else, including every error, falls through to the
    route, which validates and answers with problems as usual.
    """

    PATH = "/api/diagnose"

    def __init__(self, app: ASGIApp, state: IndexState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.PATH and scope["method"] == "GET":
            cached = self._cached(scope.get("query_string", b""))
            if cached is not None:
                for name, value in scope["headers"]:
                    if name == b"if-none-match" and matches(value.decode("latin-1"), cached.etag):
                        await send({"type": "http.response.start", "status": 304, "headers": cached.validators})
                        await send({"type": "http.response.body", "body": b""})
                        return
                await send({"type": "http.response.start", "status": 200, "headers": cached.headers})
                await send({"type": "http.response.body", "body": cached.body})
                return
        await self.app(scope, receive, send)

    def _cached(self, query: bytes) -> Cached | None:
        gen = self.state.current
        if gen is None or not query:
            return None
        try:
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, strict_parsing=True)
        except ValueError:
            return None
        params = dict(pairs)
        if len(params) != len(pairs) or not params.keys() <= {"category", "priority"}:
            return None
        category = params.get("category")
        priority = params.get("priority")
        if not category or len(category) > 200 or (priority is not None and priority not in PRIORITY_SPELLINGS):
            return None
        cid = gen.resolve_category(category)
        if cid is None:
            return None
        pid = normalize_priority(priority) if priority else None
        return answers_for(gen).diagnose.get((cid, pid))
