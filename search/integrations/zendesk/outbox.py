"""The write-back outbox: one row per job, so a restart, a crash or a second worker never loses a
note or sends one twice (docs/adr/0011-zendesk-outbox.md, 0025-zendesk-outbox-on-postgresql.md).

A job's ``key`` is unique (a webhook delivery's identity, or an escalation's), which makes a
duplicate delivery a no-op. Workers *claim* a due job with a lease in one ``UPDATE ... RETURNING``
(on SQLite inside ``BEGIN IMMEDIATE``; on PostgreSQL its row is picked ``FOR UPDATE SKIP LOCKED``),
so two workers, processes or hosts never claim the same row; every later change names the lease
owner in its ``WHERE``, so a worker whose lease was taken over changes nothing. ``step`` counts
the calls already done; ``uncertain`` is set, and committed, before a call that is not idempotent
goes out and cleared when its outcome is known, so whoever works on the job next knows it must
look for the note before sending it again. ``next_at`` persists the backoff, so a restart keeps
the schedule.

The logic and its SQL are written once; the two backends (a SQLite file, or a PostgreSQL database
named by a ``postgresql://`` URL, for replicas on several hosts) differ only in how they connect,
open a transaction, spell an identity column and lock the row a claim picks.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:  # the driver is optional: imported at run time only for a PostgreSQL outbox
    import psycopg

JobKind = Literal["diagnosis", "escalation"]
JobState = Literal["pending", "sent", "dead"]

# The same statements on both backends ({id} is the backend's identity column). Run at every start:
# CREATE ... IF NOT EXISTS is the migration, serialised between processes starting at once.
TABLES = (
    "CREATE TABLE IF NOT EXISTS jobs (id {id}, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, ticket_id BIGINT NOT NULL, input TEXT NOT NULL,"
    " plan TEXT, step INTEGER NOT NULL DEFAULT 0, uncertain INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'pending',"
    " attempts INTEGER NOT NULL DEFAULT 0, next_at DOUBLE PRECISION NOT NULL, lease_owner TEXT, lease_until DOUBLE PRECISION,"
    " last_error TEXT, created_at DOUBLE PRECISION NOT NULL, sent_at DOUBLE PRECISION)",
    "CREATE TABLE IF NOT EXISTS deliveries (signature TEXT PRIMARY KEY, job_id BIGINT NOT NULL, at DOUBLE PRECISION NOT NULL)",
)
INDEXES = ("CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, next_at)", "CREATE INDEX IF NOT EXISTS deliveries_at ON deliveries (at)")
JOB_COLUMNS = "id, key, kind, ticket_id, input, plan, step, uncertain, attempts"
ROW_COLUMNS = "id, key, kind, ticket_id, state, step, attempts, next_at, last_error, created_at, sent_at"
SIGNATURES_KEPT_SECONDS = 7200.0  # longer than any replay window
POSTGRES_SCHEMES = ("postgresql", "postgres")


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


class OutboxUnavailable(RuntimeError):
    """The outbox's database cannot be reached or is busy now; nothing was changed (retry later)."""


class OutboxError(RuntimeError):
    """The outbox cannot be used as configured (a bad URL, a foreign ``jobs`` table, no driver)."""


def _line(exc: BaseException) -> str:
    """A driver's message on one line (PostgreSQL adds lines pointing into the statement)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def is_postgres_url(location: str | Path) -> bool:
    return isinstance(location, str) and urlsplit(location).scheme in POSTGRES_SCHEMES


class _Rows(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class _Db(Protocol):
    """What a transaction offers: statements with ``?`` placeholders."""

    def execute(self, sql: str, args: tuple[Any, ...] = (), /) -> _Rows: ...


class _Backend(Protocol):
    where: str  # for messages and the admin route: no password
    identity: str  # the id column's type
    skip_locked: str  # appended to the claim's row pick
    schema_lock: str  # run first in the schema transaction ("" when the transaction already serialises)
    unavailable: tuple[type[Exception], ...]  # errors meaning "the database cannot answer now"

    def transaction(self) -> AbstractContextManager[_Db]: ...
    def read(self) -> AbstractContextManager[_Db]: ...
    def close(self) -> None: ...


class _SQLite:
    """A file beside the index (WAL, ``synchronous=FULL``); one connection per thread."""

    identity = "INTEGER PRIMARY KEY"
    skip_locked = ""  # BEGIN IMMEDIATE holds the file's write lock for the whole claim
    schema_lock = ""
    unavailable: tuple[type[Exception], ...] = (sqlite3.OperationalError,)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write = threading.Lock()

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
    def transaction(self) -> Iterator[_Db]:
        """Threads of this process queue on a mutex first: SQLite's own busy handler polls with sleeps
        of up to 100 ms, which put webhook answers at hundreds of ms behind the workers' commits;
        other processes on the file still meet that handler."""
        db = self._db()
        with self._write:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[_Db]:
        yield self._db()

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()


@functools.lru_cache(maxsize=64)
def _pyformat(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (the outbox's SQL has no literal ``?`` or ``%``)."""
    return sql.replace("?", "%s")


class _Postgres:
    """A PostgreSQL database shared by replicas on several hosts, through a small connection pool
    (psycopg 3, imported only here: the driver is the optional extra ``kb-guides[postgres]``)."""

    identity = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    skip_locked = " FOR UPDATE SKIP LOCKED"  # a row another claim holds is passed over, not waited for
    schema_lock = "SELECT pg_advisory_xact_lock(7305617411)"  # concurrent CREATE TABLE IF NOT EXISTS can fail in PostgreSQL

    def __init__(self, url: str, connections: int, wait: float) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise OutboxError("a postgresql:// outbox needs the PostgreSQL driver: pip install 'kb-guides[postgres]'") from None
        parts = urlsplit(url)
        user = parts.username or ""
        self.where = f"{parts.scheme}://{user + '@' if user else ''}{parts.netloc.rpartition('@')[2]}{parts.path}"
        self.unavailable: tuple[type[Exception], ...] = (psycopg.OperationalError,)
        secrets = [p for p in {parts.password, unquote(parts.password or "")} if p]

        def told(exc: Exception) -> str:  # the driver's message, which may quote parts of the URL
            text = _line(exc)
            for secret in secrets:
                text = text.replace(secret, "***")
            return text

        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=max(1, round(wait))):
                pass  # once directly: the driver's own reason (no such database, authentication failed) for the admin
        except psycopg.ProgrammingError as exc:
            raise OutboxError(f"the outbox URL {self.where} is not a PostgreSQL connection URL: {told(exc)}") from None
        except psycopg.OperationalError as exc:
            raise OutboxUnavailable(f"cannot connect to {self.where}: {told(exc)}") from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=connections,
            open=False,
            kwargs={"autocommit": True, "application_name": "kb-guides zendesk outbox"},
            check=ConnectionPool.check_connection,  # a connection broken by a database restart is replaced, not handed out
            timeout=wait,  # how long a request waits for a connection: a webhook must still answer within Zendesk's 10 s
            name="kb-zendesk-outbox",
        )
        try:
            self._pool.open(wait=True, timeout=wait)
        except psycopg.OperationalError as exc:
            self._pool.close()
            raise OutboxUnavailable(f"cannot connect to {self.where}: {told(exc)}") from None

    @contextmanager
    def transaction(self) -> Iterator[_Db]:
        with self._pool.connection() as conn, conn.transaction():
            yield _PostgresDb(conn)

    @contextmanager
    def read(self) -> Iterator[_Db]:
        with self._pool.connection() as conn:
            yield _PostgresDb(conn)

    def close(self) -> None:
        self._pool.close()


class _PostgresDb:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, args: tuple[Any, ...] = (), /) -> _Rows:
        return self._conn.execute(_pyformat(sql), args)


class Outbox:
    """The outbox at ``location``: a SQLite file (a path), or a ``postgresql://`` URL. Safe to share
    between threads; any number of processes (and, on PostgreSQL, hosts) may open one outbox.
    On PostgreSQL, ``connections`` bounds the pool and ``wait`` how long a call waits for one
    before :class:`OutboxUnavailable`."""

    def __init__(self, location: Path | str, *, connections: int = 8, wait: float = 5.0) -> None:
        self._backend: _Backend = _Postgres(str(location), connections, wait) if is_postgres_url(location) else _SQLite(Path(location))
        self.where = self._backend.where
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _migrate(self) -> None:
        with self._tx() as db:
            try:
                if self._backend.schema_lock:
                    db.execute(self._backend.schema_lock)
                for statement in TABLES:
                    db.execute(statement.format(id=self._backend.identity))
            except Exception as exc:  # the driver's own error classes, e.g. no right to create tables
                raise OutboxError(f"cannot create the outbox tables in {self.where}: {_line(exc)}") from None
            try:
                db.execute(f"SELECT {ROW_COLUMNS}, input, plan, uncertain, lease_owner, lease_until FROM jobs WHERE 0 = 1").fetchall()
                db.execute("SELECT signature, job_id, at FROM deliveries WHERE 0 = 1").fetchall()
            except Exception as exc:  # a "jobs" table of another program
                raise OutboxError(
                    f"{self.where} holds tables jobs/deliveries that are not the outbox's ({_line(exc)}); give the outbox a database or schema of its own"
                ) from None
            for statement in INDEXES:
                db.execute(statement)

    @contextmanager
    def _tx(self) -> Iterator[_Db]:
        try:
            with self._backend.transaction() as db:
                yield db
        except self._backend.unavailable as exc:
            raise OutboxUnavailable(f"the outbox {self.where} is unavailable: {_line(exc)}") from exc

    @contextmanager
    def _read(self) -> Iterator[_Db]:
        try:
            with self._backend.read() as db:
                yield db
        except self._backend.unavailable as exc:
            raise OutboxUnavailable(f"the outbox {self.where} is unavailable: {_line(exc)}") from exc

    def close(self) -> None:
        self._backend.close()

    def enqueue(self, key: str, kind: JobKind, ticket_id: int, input: str, plan: str | None = None, signature: str | None = None) -> tuple[int, bool]:
        """Add a job unless one with ``key`` exists, or ``signature`` was seen (the headers naming a
        delivery are not signed, so a replay with another invocation id is caught by its signature);
        returns (job id, whether it is new). The signature is claimed first, so two deliveries with
        one signature arriving at two hosts at once queue one job (the second waits on the first's row)."""
        now = time.time()
        with self._tx() as db:
            if signature is not None:
                fresh = db.execute("INSERT INTO deliveries (signature, job_id, at) VALUES (?, 0, ?) ON CONFLICT (signature) DO NOTHING", (signature, now))
                if fresh.rowcount == 0:
                    return int(db.execute("SELECT job_id FROM deliveries WHERE signature = ?", (signature,)).fetchone()[0]), False
            row = db.execute(
                "INSERT INTO jobs (key, kind, ticket_id, input, plan, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id",
                (key, kind, ticket_id, input, plan, now, now),
            ).fetchone()
            job_id = int(row[0]) if row is not None else int(db.execute("SELECT id FROM jobs WHERE key = ?", (key,)).fetchone()[0])
            if signature is not None:
                db.execute("UPDATE deliveries SET job_id = ? WHERE signature = ?", (job_id, signature))
                if job_id % 100 == 0:
                    db.execute("DELETE FROM deliveries WHERE at < ?", (now - SIGNATURES_KEPT_SECONDS,))
            return job_id, row is not None

    def claim(self, owner: str, lease_seconds: float) -> Job | None:
        """The most overdue pending job nobody holds a live lease on, now leased to ``owner``.

        A live lease is never taken; an expired one means its worker died or stalled, and
        ``uncertain`` (committed before its call left) says whether that call may have landed."""
        now = time.time()
        with self._tx() as db:
            row = db.execute(
                "UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ("
                "SELECT id FROM jobs WHERE state = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?)"
                f" ORDER BY next_at, id LIMIT 1{self._backend.skip_locked}) RETURNING {JOB_COLUMNS}",
                (owner, now + lease_seconds, now, now),
            ).fetchone()
        if row is None:
            return None
        job_id, key, kind, ticket_id, input_, plan, step, uncertain, attempts = row
        return Job(int(job_id), key, kind, int(ticket_id), input_, plan, int(step), bool(uncertain), int(attempts), owner)

    def _update(self, job: Job, assignments: str, args: tuple[Any, ...]) -> None:
        """One change to a job this worker holds: a no-op, and :class:`LeaseLost`, if another took it over."""
        with self._tx() as db:
            if db.execute(f"UPDATE jobs SET {assignments} WHERE id = ? AND lease_owner = ?", (*args, job.id, job.owner)).rowcount != 1:
                raise LeaseLost(f"job {job.id} is no longer leased to this worker")

    def save_plan(self, job: Job, plan: str) -> Job:
        """Store the composed calls (and drop the ticket text they were composed from)."""
        self._update(job, "plan = ?, input = ''", (plan,))
        return Job(job.id, job.key, job.kind, job.ticket_id, "", plan, job.step, job.uncertain, job.attempts, job.owner)

    def mark_uncertain(self, job: Job) -> None:
        """Committed before a call that is not idempotent leaves: from now on it may have happened."""
        self._update(job, "uncertain = 1", ())

    def advance(self, job: Job, calls: int) -> Job:
        """The current call is done; the job is sent when all ``calls`` are."""
        step = job.step + 1
        if step >= calls:
            done = "step = ?, uncertain = 0, state = 'sent', sent_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL"
            self._update(job, done, (step, time.time()))
        else:
            self._update(job, "step = ?, uncertain = 0", (step,))
        return Job(job.id, job.key, job.kind, job.ticket_id, job.input, job.plan, step, False, job.attempts, job.owner)

    def retry(self, job: Job, at: float, error: str, *, uncertain: bool, max_attempts: int) -> JobState:
        """Try again at ``at`` (epoch seconds), or give up (``dead``) after ``max_attempts``."""
        state: JobState = "dead" if job.attempts >= max_attempts else "pending"
        again = "state = ?, next_at = ?, last_error = ?, uncertain = ?, lease_owner = NULL, lease_until = NULL"
        self._update(job, again, (state, at, error[:2000], int(uncertain)))
        return state

    def give_up(self, job: Job, error: str) -> None:
        """A failure no retry can fix (Zendesk refused the request): the job is dead."""
        self._update(job, "state = 'dead', last_error = ?, lease_owner = NULL, lease_until = NULL", (error[:2000],))

    def next_due(self) -> float | None:
        """When the next pending job is due (epoch seconds), for the workers' sleep."""
        with self._read() as db:
            row = db.execute("SELECT MIN(CASE WHEN lease_until > next_at THEN lease_until ELSE next_at END) FROM jobs WHERE state = 'pending'").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def counts(self) -> dict[str, int]:
        with self._read() as db:
            found = {state: int(n) for state, n in db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall()}
        return {state: found.get(state, 0) for state in ("pending", "sent", "dead")}

    def jobs(self, state: str | None = None, limit: int = 50) -> list[JobRow]:
        where, args = (" WHERE state = ?", (state,)) if state is not None else ("", ())
        with self._read() as db:
            rows = db.execute(f"SELECT {ROW_COLUMNS} FROM jobs{where} ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [JobRow(*row) for row in rows]
