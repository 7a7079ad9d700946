"""The throughput ceiling for bench/api_bench.py: a bare FastAPI app answering a constant JSON body.

The body has the size of a real /api/diagnose answer (``CEILING_BYTES``), pre-serialized, so the
only work per request is the framework's and the server's. Run it as
``python -m uvicorn --app-dir bench --factory ceiling_app:create_app``.
"""

from __future__ import annotations

import json
import os

from fastapi import FastAPI
from starlette.responses import Response


def create_app() -> FastAPI:
    size = int(os.environ.get("CEILING_BYTES", "4096"))
    filler = "x" * max(0, size - len(json.dumps({"filler": ""})))
    body = json.dumps({"filler": filler}).encode()
    app = FastAPI()

    @app.get("/api/diagnose")
    async def diagnose() -> Response:
        return Response(body, media_type="application/json")

    return app
