"""One error shape for every answer that is not a success: RFC 9457 ``application/problem+json``.

``type`` is ``about:blank`` for plain HTTP errors (then ``title`` is the status phrase) and a
``urn:kb-guides:problem:<slug>`` for our own kinds; extension members carry details such as
``suggestions`` or the validation ``errors``. Unexpected exceptions are logged with their
traceback and answered with a generic 500 that reveals nothing.
"""

from __future__ import annotations

import http
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("search.api")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = Field("about:blank", description="Problem kind (URI reference).")
    title: str = Field(description="Short summary of the problem kind.")
    status: int = Field(description="HTTP status code.")
    detail: str | None = Field(None, description="What went wrong this time, and how to fix it.")
    instance: str | None = Field(None, description="The request that failed.")


class ProblemError(Exception):
    """Raise to answer with a problem; ``extra`` becomes extension members."""

    def __init__(
        self, status: int, detail: str, *, kind: str | None = None, title: str | None = None, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.title = title
        self.headers = headers
        self.extra = extra


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _instance(request: Request) -> str:
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")


def problem_response(
    request: Request, status: int, detail: str | None, *, kind: str | None = None, title: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:kb-guides:problem:{kind}" if kind else "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
        "instance": _instance(request)[:1000],
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


async def _problem_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.detail, kind=exc.kind, title=exc.title, headers=exc.headers, **exc.extra)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _phrase(exc.status_code) else None
    if exc.status_code == 404 and detail is None:
        detail = f'nothing at "{request.url.path[:200]}"; the API is under /api (see /api/docs)'
    if exc.status_code == 405 and detail is None:
        detail = f"{request.method} is not allowed here" + (f"; use {exc.headers['Allow']}" if exc.headers and "Allow" in exc.headers else "")
    return problem_response(request, exc.status_code, detail, headers=dict(exc.headers) if exc.headers else None)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in exc.errors()][:20]
    if any(e["type"] == "json_invalid" for e in errors):
        detail = "the request body is not valid JSON; send a JSON object (Content-Type: application/json)"
    else:
        where = ", ".join(".".join(e["loc"][1:] or e["loc"]) for e in errors[:5])
        detail = f"invalid request parameters: {where}" if where else "invalid request"
    return problem_response(request, 422, detail, kind="validation", title="Invalid request", errors=errors)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "the server failed to answer this request; the error was logged")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)


def problem_doc(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem answers (422 and the rate limit's 429 everywhere)."""
    docs: dict[int | str, dict[str, Any]] = {}
    for status in (*statuses, 422, 429):
        docs[status] = {"model": Problem, "description": _phrase(status), "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return docs
