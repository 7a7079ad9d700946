"""The app factory: ``create_app(settings)`` -> the FastAPI service (API under /api, site at /)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.routing import Match, Mount
from starlette.types import Scope

from .. import __version__
from . import headers
from .auth import ApiKeyAuth, declare_security
from .keys import KeyTable
from .middleware import BodySizeLimit, DiagnoseFastPath, ProblemCORSMiddleware
from .problems import install_problem_handlers
from .ratelimit import RateLimit, failure_budget
from .routes import admin, catalog, diagnose, health, search, triage, walk, zendesk
from .settings import Settings, settings_or_exit
from .site import site_app
from .state import IndexState

log = logging.getLogger("search.api")
API_PREFIX = "/api"


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI ``operationId`` when it sets none: its function name in camelCase.

    Generated clients name their methods after these, so they are part of the contract (pinned in
    tests/api/test_contract.py); the routes set theirs explicitly.
    """
    head, *rest = route.name.split("_")
    return head + "".join(part.title() for part in rest)


class SiteMount(Mount):
    """The static site at ``/``, never answering for ``/api/...`` (so the API's 404/405 stay problems)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return Match.NONE, {}
        return super().matches(scope)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service. Reads settings (env KB_*, KB_CONFIG file) only when none are given."""
    settings = settings if settings is not None else settings_or_exit()
    state = IndexState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.get_running_loop().run_in_executor(None, state.open)
        handled = False
        tasks: set[asyncio.Task[None]] = set()
        if settings.reload_on_sighup and threading.current_thread() is threading.main_thread():
            loop = asyncio.get_running_loop()

            def on_sighup() -> None:
                task = loop.create_task(state.reload_logged())
                tasks.add(task)
                task.add_done_callback(tasks.discard)

            try:
                loop.add_signal_handler(signal.SIGHUP, on_sighup)
                handled = True
            except (NotImplementedError, RuntimeError, ValueError):
                log.warning("SIGHUP reload is not available here; use POST /api/admin/reload")
        watcher = asyncio.create_task(state.watch()) if settings.watch_index else None
        zendesk.start(app, settings, state)
        try:
            yield
        finally:
            await asyncio.get_running_loop().run_in_executor(None, zendesk.stop, app)
            if watcher is not None:
                watcher.cancel()
            if handled:
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            state.close()

    # FastAPIOffline: the /api/docs page with Swagger UI shipped in the package, not from a CDN.
    app = FastAPIOffline(
        title="kb-guides search API",
        version=__version__,
        description="Troubleshooting guides, KB articles, categories and the escalation protocol for service-desk tools. Errors are RFC 9457 problem+json.",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        static_url=f"{API_PREFIX}/docs-assets",
        openapi_url=f"{API_PREFIX}/openapi.json",
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.index = state
    install_problem_handlers(app)
    for module in (diagnose, search, catalog, walk, triage, health, admin, zendesk):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(zendesk.webhook_router, prefix=API_PREFIX)  # signed by Zendesk: no API credentials
    site = settings.site_path
    if site.is_dir():
        app.router.routes.append(SiteMount("/", app=site_app(site), name="site"))
    app.add_middleware(DiagnoseFastPath, state=state)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    failures = failure_budget(settings.rate_limit_admin_failures)  # wrong admin tokens and wrong API keys spend one budget
    keys = app.state.api_keys = KeyTable(settings.api_keys_path)
    app.add_middleware(ApiKeyAuth, keys=keys, mode=settings.require_api_key, trusted_proxies=settings.trusted_proxies, failures=failures)
    app.add_middleware(
        RateLimit,
        per_minute=settings.rate_limit_per_minute,
        burst=settings.rate_limit_burst,
        admin_failures_per_minute=settings.rate_limit_admin_failures,
        trusted_proxies=settings.trusted_proxies,
        failures=failures,
    )
    if settings.cors_origins:
        app.add_middleware(
            ProblemCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    headers.install(app, docs_path=f"{API_PREFIX}/docs")
    declare_security(app)
    return app
