"""The outbox worker: threads that claim due jobs and send them to Zendesk with httpx.

Retries on 429, 409 (Zendesk's answer to concurrent updates of one ticket), 5xx and connection
errors, with exponential backoff and jitter, or exactly the delay a ``Retry-After`` asks for
(seconds or an HTTP date). Any other 4xx is final: the job is dead, with Zendesk's answer as the
reason. Before resending a note whose last attempt may have landed (a 5xx, a timeout, a crash)
the worker lists the ticket's newest comments and looks for the note's marker.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from pydantic import BaseModel, ValidationError

from ... import __version__
from .notes import Call, Plan, comments_path
from .outbox import Job, LeaseLost, Outbox

log = logging.getLogger("search.integrations.zendesk")
RETRYABLE = frozenset({409, 429, 500, 502, 503, 504})
IDLE_SECONDS = 5.0


@dataclass(frozen=True)
class Connection:
    """Where and as whom the write-back sends (settings ``zendesk_*``)."""

    origin: str
    email: str
    api_token: str
    timeout: float = 10.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 2.0
    max_seconds: float = 900.0
    lease_seconds: float = 60.0

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """``Retry-After`` when given, else base * 2^(attempts-1) capped, with half of it jittered."""
        if retry_after is not None:
            return retry_after
        full = min(self.max_seconds, self.base_seconds * 2.0 ** max(attempts - 1, 0))
        return full / 2 + random.uniform(0, full / 2)


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


class _Comment(BaseModel):
    body: str | None = None
    plain_body: str | None = None


class _Comments(BaseModel):
    comments: list[_Comment] = []


class _Failure(Exception):
    """A call that did not succeed: retry unless ``final``; ``uncertain`` if it may have landed."""

    def __init__(self, message: str, *, final: bool = False, uncertain: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.final = final
        self.uncertain = uncertain
        self.retry_after = retry_after


class Worker:
    """``threads`` threads working the outbox until :meth:`stop`; :meth:`wake` after an enqueue."""

    def __init__(self, outbox: Outbox, connection: Connection, compose: Callable[[Job], Plan], policy: RetryPolicy | None = None, threads: int = 2) -> None:
        self.outbox = outbox
        self.compose = compose
        self.policy = policy or RetryPolicy()
        self.owner = uuid.uuid4().hex
        self.client = httpx.Client(
            base_url=connection.origin,
            auth=(f"{connection.email}/token", connection.api_token),
            timeout=connection.timeout,
            headers={"Accept": "application/json", "User-Agent": f"kb-guides/{__version__}"},
            follow_redirects=False,
        )
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, name=f"zendesk-outbox-{n}", daemon=True) for n in range(threads)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Let each thread finish the call it is in (its job state stays consistent), then close."""
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))
        self.client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.work_once()
            except Exception:  # a worker thread has nobody to answer to: log, pause, go on
                log.exception("zendesk outbox worker failed; retrying in %s s", IDLE_SECONDS)
                self._stop.wait(IDLE_SECONDS)
                continue
            if not worked:
                due = self.outbox.next_due()
                wait = IDLE_SECONDS if due is None else min(IDLE_SECONDS, max(0.0, due - time.time()))
                if wait > 0 and self._wake.wait(wait):
                    self._wake.clear()

    def work_once(self) -> bool:
        """Claim one due job and take it as far as it goes now; False when nothing is due."""
        job = self.outbox.claim(self.owner, self.policy.lease_seconds)
        if job is None:
            return False
        try:
            self._work(job)
        except LeaseLost as exc:
            log.warning("%s", exc)
        return True

    def _work(self, job: Job) -> None:
        try:
            plan = Plan.model_validate_json(job.plan) if job.plan else None
        except ValidationError as exc:
            self.outbox.give_up(job, f"stored plan unreadable: {exc}")
            return
        if plan is None:
            try:
                plan = self.compose(job)
            except Exception as exc:  # e.g. no index generation yet: the note is composed later
                self._retry(job, _Failure(f"could not compose the note: {exc}"))
                return
            job = self.outbox.save_plan(job, plan.model_dump_json(exclude_none=True))
        while job.step < len(plan.calls):
            call = plan.calls[job.step]
            try:
                if call.once and job.uncertain and self._already_there(plan):
                    log.info("job %s: note already on ticket %s (found its marker); not sending it again", job.id, plan.ticket_id)
                else:
                    if call.once and not job.uncertain:
                        self.outbox.mark_uncertain(job)
                    self._send(call)
            except _Failure as failure:
                self._retry(job, failure, uncertain=call.once and (job.uncertain or failure.uncertain))
                return
            job = self.outbox.advance(job, len(plan.calls))
        log.info("job %s sent to ticket %s", job.id, plan.ticket_id)

    def _retry(self, job: Job, failure: _Failure, *, uncertain: bool = False) -> None:
        if failure.final:
            self.outbox.give_up(job, str(failure))
            log.error("job %s is dead: %s", job.id, failure)
            return
        delay = self.policy.delay(job.attempts, failure.retry_after)
        state = self.outbox.retry(job, time.time() + delay, str(failure), uncertain=uncertain, max_attempts=self.policy.max_attempts)
        if state == "dead":
            log.error("job %s is dead after %s attempts: %s", job.id, job.attempts, failure)
        else:
            log.warning("job %s: %s; retry in %.1f s", job.id, failure, delay)

    def _request(self, method: str, path: str, json: object = None) -> httpx.Response:
        try:
            response = self.client.request(method, path, json=json)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Failure(f"cannot reach Zendesk: {exc}") from None  # nothing was sent
        except httpx.HTTPError as exc:
            raise _Failure(f"no answer from Zendesk: {type(exc).__name__}: {exc}", uncertain=True) from None
        if response.is_success:
            return response
        detail = f"Zendesk answered {response.status_code} to {method} {path}: {response.text[:300]}"
        if response.status_code in RETRYABLE:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), time.time())
            raise _Failure(detail, uncertain=response.status_code >= 500, retry_after=retry_after)
        raise _Failure(detail, final=True)

    def _send(self, call: Call) -> None:
        self._request(call.method, call.path, call.body.model_dump(mode="json", exclude_none=True))

    def _already_there(self, plan: Plan) -> bool:
        response = self._request("GET", comments_path(plan.ticket_id))
        try:
            comments = _Comments.model_validate_json(response.content).comments
        except ValidationError:
            raise _Failure(f"unreadable comment list from Zendesk: {response.text[:200]}") from None
        return any(plan.marker in (c.body or c.plain_body or "") for c in comments)
