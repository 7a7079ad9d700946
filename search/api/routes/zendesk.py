"""Zendesk's HTTP edge: the trigger webhook, the escalation a sidebar asks for, the outbox status.

The logic is in :mod:`search.integrations.zendesk`; this module reads requests, answers problems
and starts/stops the outbox worker with the app (docs/adr/0009, 0011, 0012). The webhook
authenticates by its signature alone (Zendesk cannot send our API credentials), so it has a router
of its own; an escalation needs an API key (it changes a ticket, so a named key answers for it), and
the outbox's status is an admin route.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from ...index import Generation
from ...integrations.zendesk import signature
from ...integrations.zendesk.notes import NotAnEscalation, Plan, diagnosis_plan, escalation_plan
from ...integrations.zendesk.outbox import Job, Outbox, OutboxError, OutboxUnavailable
from ...integrations.zendesk.payload import PayloadError, Queued, Rules, decide, delivery_key, parse_body
from ...integrations.zendesk.worker import Connection, RetryPolicy, Worker
from .. import schemas, views
from ..auth import require_named_key
from ..deps import IndexDep
from ..problems import ProblemError, problem_doc
from ..settings import Settings
from ..state import IndexState
from .admin import require_admin

log = logging.getLogger("search.api")
PREFIX = "/integrations/zendesk"
WEBHOOK_PATH = PREFIX + "/webhook"
webhook_router = APIRouter(tags=["zendesk"])
router = APIRouter(tags=["zendesk"])


@dataclass
class Zendesk:
    """What the routes need, made by :func:`start` (``outbox`` None: write-back off, ``reason`` says why)."""

    settings: Settings
    rules: Rules
    outbox: Outbox | None = None
    worker: Worker | None = None
    reason: str = "the Zendesk write-back is not configured: set KB_ZENDESK_SUBDOMAIN, KB_ZENDESK_EMAIL and KB_ZENDESK_API_TOKEN"


def start(app: FastAPI, settings: Settings, state: IndexState) -> None:
    """Open the outbox and start its worker when the write-back is configured (app lifespan)."""
    rules = Rules(
        category_sources=tuple(settings.zendesk_category_sources),
        category_tag_prefix=settings.zendesk_category_tag_prefix,
        category_field_id=settings.zendesk_category_field_id,
        priority_field_id=settings.zendesk_priority_field_id,
    )
    zendesk = Zendesk(settings, rules)
    app.state.zendesk = zendesk
    origin, token = settings.zendesk_api_origin, settings.zendesk_api_token
    if origin is None or token is None or settings.zendesk_email is None:
        return
    location = settings.zendesk_outbox_location
    try:  # the search API keeps serving; the Zendesk routes say why they cannot
        outbox = Outbox(location, connections=settings.zendesk_workers + 4)
    except (OutboxError, OutboxUnavailable) as exc:  # these name the outbox (a URL without its password)
        zendesk.reason = f"the Zendesk outbox cannot be opened: {exc}"
        log.error("%s", zendesk.reason)
        return
    except (OSError, sqlite3.Error) as exc:
        zendesk.reason = f"the Zendesk outbox {location} cannot be opened: {exc}"
        log.error("%s", zendesk.reason)
        return

    def compose(job: Job) -> Plan:
        queued = Queued.model_validate_json(job.input)
        return diagnosis_plan(state.get(), queued.decision(), queued.subject, queued.description, job.key, rules.category_tag_prefix)

    policy = RetryPolicy(
        max_attempts=settings.zendesk_max_attempts,
        base_seconds=settings.zendesk_retry_base_seconds,
        max_seconds=settings.zendesk_retry_max_seconds,
        lease_seconds=settings.zendesk_lease_seconds,
    )
    connection = Connection(origin, settings.zendesk_email, token.get_secret_value(), settings.zendesk_timeout_seconds)
    zendesk.outbox = outbox
    zendesk.worker = Worker(outbox, connection, compose, policy, threads=settings.zendesk_workers)
    zendesk.worker.start()
    log.info("zendesk write-back to %s, outbox %s", origin, outbox.where)


def stop(app: FastAPI) -> None:
    zendesk: Zendesk | None = getattr(app.state, "zendesk", None)
    if zendesk is not None and zendesk.worker is not None:
        zendesk.worker.stop()
    if zendesk is not None and zendesk.outbox is not None:
        zendesk.outbox.close()


def _zendesk(request: Request) -> Zendesk:
    zendesk: Zendesk = request.app.state.zendesk
    return zendesk


@contextmanager
def _outbox_reachable() -> Iterator[None]:
    """A database that cannot answer now (PostgreSQL down or failing over, SQLite locked for long)
    is a 503 with ``Retry-After``: Zendesk retries the delivery, a caller its escalation."""
    try:
        yield
    except OutboxUnavailable as exc:
        log.error("%s", exc)
        raise ProblemError(
            503,
            "the Zendesk outbox cannot be reached now; nothing was queued, retry later",
            kind="outbox-unavailable",
            title="Zendesk outbox unavailable",
            headers={"Retry-After": "10"},
        ) from None


def _writeback(zendesk: Zendesk) -> tuple[Outbox, Worker]:
    if zendesk.outbox is None or zendesk.worker is None:
        raise ProblemError(404, zendesk.reason, kind="zendesk-disabled", title="Zendesk integration disabled")
    return zendesk.outbox, zendesk.worker


class Accepted(BaseModel):
    status: str = Field(description="queued: a new job; duplicate: this delivery or escalation was queued before (nothing is sent twice).")
    job: int
    ticket_id: int


class WebhookAccepted(Accepted):
    category: str | None = Field(description="Category read from the body; null: triage of subject and description decides after this answer.")
    source: str = Field(description="Where the category came from: a custom field, a tag, or triage.")
    priority: str | None


@webhook_router.post(
    WEBHOOK_PATH,
    operation_id="receiveZendeskWebhook",
    status_code=202,
    response_model=WebhookAccepted,
    responses={200: {"model": WebhookAccepted, "description": "A duplicate delivery (already queued)"}, **problem_doc(400, 401, 404, 413, 503)},
    summary="Zendesk trigger webhook: queue a diagnosis note for the ticket",
)
async def webhook(
    request: Request,
    x_zendesk_webhook_signature: Annotated[str | None, Header()] = None,
    x_zendesk_webhook_signature_timestamp: Annotated[str | None, Header()] = None,
    x_zendesk_webhook_id: Annotated[str | None, Header(max_length=200)] = None,
    x_zendesk_webhook_invocation_id: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Verifies the signature over the raw body (401/400 problems otherwise), reads the ticket and
    where its category and priority come from (422 naming the field when it cannot), and answers
    202 at once; the note is composed and posted by the outbox worker. A delivery seen before
    (same webhook invocation, or the same signature) answers 200 and queues nothing."""
    zendesk = _zendesk(request)
    secret = zendesk.settings.zendesk_webhook_secret
    if secret is None:
        raise ProblemError(
            404,
            "the Zendesk webhook is not configured: set KB_ZENDESK_WEBHOOK_SECRET to the webhook's signing secret",
            kind="zendesk-disabled",
            title="Zendesk integration disabled",
        )
    outbox, worker = _writeback(zendesk)
    body = await request.body()
    try:
        signature.verify(
            secret.get_secret_value(),
            body,
            x_zendesk_webhook_signature,
            x_zendesk_webhook_signature_timestamp,
            now=dt.datetime.now(dt.UTC),
            window_seconds=zendesk.settings.zendesk_replay_seconds,
        )
    except signature.SignatureError as exc:
        headers = {"WWW-Authenticate": 'Signature realm="zendesk-webhook"'} if exc.status == 401 else None
        raise ProblemError(exc.status, exc.detail, kind=exc.kind, title="Webhook not verified", headers=headers) from None
    gen: Generation = request.app.state.index.get()
    try:
        ticket = parse_body(body)
        decision = decide(ticket, zendesk.rules, gen.resolve_category)
    except PayloadError as exc:
        raise ProblemError(422, exc.detail, kind="webhook-body", title="Webhook body not usable", field=exc.field) from None
    key = delivery_key(x_zendesk_webhook_id, x_zendesk_webhook_invocation_id, ticket.id, body)
    with _outbox_reachable():
        job, created = await run_in_threadpool(
            outbox.enqueue, key, "diagnosis", ticket.id, Queued.of(ticket, decision).model_dump_json(), None, x_zendesk_webhook_signature
        )
    if created:
        worker.wake()
    answer = WebhookAccepted(
        status="queued" if created else "duplicate",
        job=job,
        ticket_id=ticket.id,
        category=decision.category,
        source=decision.source,
        priority=decision.priority,
    )
    return JSONResponse(answer.model_dump(), status_code=202 if created else 200)


class EscalateIn(schemas.WalkIn):
    """The walk that ended in escalation (as for ``POST /api/guides/{id}/walk``) and its guide."""

    guide_id: str = Field(min_length=1, max_length=200)


class EscalateAccepted(Accepted):
    step: str = Field(description="The escalation step the walk ended at.")
    group_id: int | None = Field(description="Zendesk group the ticket is routed to (the step's zendesk_group_id); null: the note asks to route it by hand.")


@router.post(
    PREFIX + "/tickets/{ticket_id}/escalate",
    operation_id="escalateZendeskTicket",
    status_code=202,
    response_model=EscalateAccepted,
    responses={200: {"model": EscalateAccepted, "description": "Already queued (nothing is sent twice)"}, **problem_doc(400, 401, 403, 404, 409, 413, 503)},
    summary="Route a ticket to the escalation step's Zendesk group with the walk's hand-off note",
    dependencies=[Depends(require_named_key)],
)
def escalate(
    request: Request,
    gen: IndexDep,
    ticket_id: Annotated[int, Path(gt=0, le=2**53)],
    body: EscalateIn,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Replays the walk (409 when it is stale or does not end in escalation) and queues one ticket
    update: ``group_id`` of the step and an internal note with the hand-off and transcript. The same
    walk for the same ticket (or the same ``Idempotency-Key``) is queued once."""
    outbox, worker = _writeback(_zendesk(request))
    guide = views.guide_or_404(gen, body.guide_id)
    priority = views.resolve_priority(body.priority)
    state = views.walk_or_409(guide, body.answers, body.revision)
    walked = "\x1f".join([guide.id, guide.revision, *body.answers])
    key = f"zendesk-escalate:{ticket_id}:" + (idempotency_key or hashlib.sha256(walked.encode()).hexdigest())
    prefix = _zendesk(request).rules.category_tag_prefix
    try:
        plan, step, group = escalation_plan(gen, state, ticket_id, priority, views.gathered_notes(guide, body.gathered), key, prefix)
    except NotAnEscalation as exc:
        raise ProblemError(409, str(exc), kind="not-an-escalation", title="Walk does not end in escalation", current_revision=guide.revision) from None
    with _outbox_reachable():
        job, created = outbox.enqueue(key, "escalation", ticket_id, body.model_dump_json(), plan.model_dump_json(exclude_none=True))
    if created:
        worker.wake()
    answer = EscalateAccepted(status="queued" if created else "duplicate", job=job, ticket_id=ticket_id, step=step, group_id=group)
    return JSONResponse(answer.model_dump(), status_code=202 if created else 200)


class OutboxJob(BaseModel):
    id: int
    kind: str
    ticket_id: int
    state: str
    step: int
    attempts: int
    next_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


class OutboxOut(BaseModel):
    path: str = Field(description="Where the outbox is: its SQLite file, or its PostgreSQL URL without the password.")
    pending: int
    sent: int
    dead: int
    dead_jobs: list[OutboxJob] = Field(description="The newest dead jobs (up to 50) with Zendesk's last answer.")
    recent: list[OutboxJob] = Field(description="The newest jobs (up to 50).")


def _when(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


@router.get(
    "/admin/zendesk/outbox",
    operation_id="getZendeskOutbox",
    response_model=OutboxOut,
    responses=problem_doc(401, 403, 404, 503),
    dependencies=[Depends(require_admin)],
    summary="Write-back outbox: counts, dead and recent jobs",
)
def outbox_status(request: Request) -> OutboxOut:
    outbox, _ = _writeback(_zendesk(request))

    def rows(state: str | None) -> list[OutboxJob]:
        return [
            OutboxJob(
                id=r.id,
                kind=r.kind,
                ticket_id=r.ticket_id,
                state=r.state,
                step=r.step,
                attempts=r.attempts,
                next_at=_when(r.next_at),
                last_error=r.last_error,
                created_at=_when(r.created_at),
                sent_at=_when(r.sent_at) if r.sent_at is not None else None,
            )
            for r in outbox.jobs(state)
        ]

    with _outbox_reachable():
        counts = outbox.counts()
        return OutboxOut(path=outbox.where, pending=counts["pending"], sent=counts["sent"], dead=counts["dead"], dead_jobs=rows("dead"), recent=rows(None))
