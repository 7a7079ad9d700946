"""The write-back outbox: one SQLite row per job, so a restart, a crash or a second worker never
loses a note or sends one twice (docs/adr/0011-zendesk-outbox.md).

A job's ``key`` is unique (a webhook delivery's identity, or an escalation's), which makes a
duplicate delivery a no-op. Workers *claim* a due job with a lease (``BEGIN IMMEDIATE``, so two
workers or processes on one file never claim the same row); ``step`` counts the calls already
done; ``uncertain`` is set, and committed, before a call that is not idempotent goes out and
cleared when its outcome is known, so whoever works on the job next knows it must look for the
note before sending it again. ``next_at`` persists the backoff, so a restart keeps the schedule.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

JobKind = Literal["diagnosis", "escalation"]
JobState = Literal["pending", "sent", "dead"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    ticket_id INTEGER NOT NULL,
    input TEXT NOT NULL,
    plan TEXT,
    step INTEGER NOT NULL DEFAULT 0,
    uncertain INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    lease_owner TEXT,
    lease_until REAL,
    last_error TEXT,
    created_at REAL NOT NULL,
    sent_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, next_at);
CREATE TABLE IF NOT EXISTS deliveries (
    signature TEXT PRIMARY KEY,
    job_id INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_at ON deliveries (at);
"""
SIGNATURES_KEPT_SECONDS = 7200.0  # longer than any replay window


@dataclass(frozen=True)
class Job:
    id: int
    key: str
    kind: JobKind
    ticket_id: int
    input: str
    plan: str | None
    step: int
    uncertain: bool
    attempts: int
    owner: str


@dataclass(frozen=True)
class JobRow:
    """A job as the admin route and the tests see it."""

    id: int
    key: str
    kind: str
    ticket_id: int
    state: str
    step: int
    attempts: int
    next_at: float
    last_error: str | None
    created_at: float
    sent_at: float | None


class LeaseLost(RuntimeError):
    """Another worker took the job over (this one overran its lease); stop working on it."""


class Outbox:
    """The outbox file; safe to share between threads (one connection per thread)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write = threading.Lock()
        self._db().executescript(SCHEMA)  # CREATE ... IF NOT EXISTS: several processes may start at once

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a committed "sent" survives a power cut, not only a crash
            db.execute("PRAGMA busy_timeout=10000")
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction. Threads of this process queue on a mutex first: SQLite's own busy
        handler polls with sleeps of up to 100 ms, which put webhook answers at hundreds of ms
        behind the workers' commits; other processes on the file still meet that handler."""
        db = self._db()
        with self._write:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()

    def enqueue(self, key: str, kind: JobKind, ticket_id: int, input: str, plan: str | None = None, signature: str | None = None) -> tuple[int, bool]:
        """Add a job unless one with ``key`` exists, or ``signature`` was seen (the headers naming a
        delivery are not signed, so a replay with another invocation id is caught by its signature);
        returns (job id, whether it is new)."""
        now = time.time()
        with self._tx() as db:
            if signature is not None:
                seen = db.execute("SELECT job_id FROM deliveries WHERE signature = ?", (signature,)).fetchone()
                if seen is not None:
                    return int(seen[0]), False
            cursor = db.execute(
                "INSERT INTO jobs (key, kind, ticket_id, input, plan, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (key, kind, ticket_id, input, plan, now, now),
            )
            created = cursor.rowcount == 1
            job_id = int(cursor.lastrowid or 0) if created else int(db.execute("SELECT id FROM jobs WHERE key = ?", (key,)).fetchone()[0])
            if signature is not None:
                db.execute("INSERT INTO deliveries (signature, job_id, at) VALUES (?, ?, ?)", (signature, job_id, now))
                if job_id % 100 == 0:
                    db.execute("DELETE FROM deliveries WHERE at < ?", (now - SIGNATURES_KEPT_SECONDS,))
            return job_id, created

    def claim(self, owner: str, lease_seconds: float) -> Job | None:
        """The most overdue pending job nobody holds a live lease on, now leased to ``owner``."""
        now = time.time()
        with self._tx() as db:
            row = db.execute(
                "SELECT id, key, kind, ticket_id, input, plan, step, uncertain, attempts FROM jobs"
                " WHERE state = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_at, id LIMIT 1",
                (now, now),
            ).fetchone()
            if row is None:
                return None
            job_id, key, kind, ticket_id, input_, plan, step, uncertain, attempts = row
            # A live lease is never taken; an expired one means its worker died or stalled, and
            # ``uncertain`` (committed before its call left) says whether that call may have landed.
            db.execute("UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?", (owner, now + lease_seconds, job_id))
        return Job(job_id, key, kind, ticket_id, input_, plan, step, bool(uncertain), attempts + 1, owner)

    def _owned(self, db: sqlite3.Connection, job: Job) -> None:
        row = db.execute("SELECT lease_owner FROM jobs WHERE id = ?", (job.id,)).fetchone()
        if row is None or row[0] != job.owner:
            raise LeaseLost(f"job {job.id} is no longer leased to this worker")

    def save_plan(self, job: Job, plan: str) -> Job:
        """Store the composed calls (and drop the ticket text they were composed from)."""
        with self._tx() as db:
            self._owned(db, job)
            db.execute("UPDATE jobs SET plan = ?, input = '' WHERE id = ?", (plan, job.id))
        return Job(job.id, job.key, job.kind, job.ticket_id, "", plan, job.step, job.uncertain, job.attempts, job.owner)

    def mark_uncertain(self, job: Job) -> None:
        """Committed before a call that is not idempotent leaves: from now on it may have happened."""
        with self._tx() as db:
            self._owned(db, job)
            db.execute("UPDATE jobs SET uncertain = 1 WHERE id = ?", (job.id,))

    def advance(self, job: Job, calls: int) -> Job:
        """The current call is done; the job is sent when all ``calls`` are."""
        step = job.step + 1
        with self._tx() as db:
            self._owned(db, job)
            if step >= calls:
                db.execute(
                    "UPDATE jobs SET step = ?, uncertain = 0, state = 'sent', sent_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = ?",
                    (step, time.time(), job.id),
                )
            else:
                db.execute("UPDATE jobs SET step = ?, uncertain = 0 WHERE id = ?", (step, job.id))
        return Job(job.id, job.key, job.kind, job.ticket_id, job.input, job.plan, step, False, job.attempts, job.owner)

    def retry(self, job: Job, at: float, error: str, *, uncertain: bool, max_attempts: int) -> JobState:
        """Try again at ``at`` (epoch seconds), or give up (``dead``) after ``max_attempts``."""
        state: JobState = "dead" if job.attempts >= max_attempts else "pending"
        with self._tx() as db:
            self._owned(db, job)
            db.execute(
                "UPDATE jobs SET state = ?, next_at = ?, last_error = ?, uncertain = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                (state, at, error[:2000], int(uncertain), job.id),
            )
        return state

    def give_up(self, job: Job, error: str) -> None:
        """A failure no retry can fix (Zendesk refused the request): the job is dead."""
        with self._tx() as db:
            self._owned(db, job)
            db.execute("UPDATE jobs SET state = 'dead', last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?", (error[:2000], job.id))

    def next_due(self) -> float | None:
        """When the next pending job is due (epoch seconds), for the workers' sleep."""
        row = self._db().execute("SELECT MIN(MAX(next_at, COALESCE(lease_until, 0))) FROM jobs WHERE state = 'pending'").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def counts(self) -> dict[str, int]:
        found = dict(self._db().execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall())
        return {state: int(found.get(state, 0)) for state in ("pending", "sent", "dead")}

    def jobs(self, state: str | None = None, limit: int = 50) -> list[JobRow]:
        query = "SELECT id, key, kind, ticket_id, state, step, attempts, next_at, last_error, created_at, sent_at FROM jobs"
        args: tuple[object, ...] = ()
        if state is not None:
            query += " WHERE state = ?"
            args = (state,)
        rows = self._db().execute(query + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [JobRow(*row) for row in rows]
