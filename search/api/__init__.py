"""The search service (FastAPI). Nothing happens at import: call :func:`create_app`.

Run with ``kb serve`` or ``uvicorn --factory search.api:create_app`` (settings from ``KB_*``).
"""

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
