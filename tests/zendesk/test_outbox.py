"""The outbox itself, on both backends (a SQLite file and a real PostgreSQL database): duplicate
deliveries queue one job, a lease is held by one worker among several outboxes racing for it, a
worker that lost its lease changes nothing, the uncertain marker and the schedule persist across
a re-open, jobs die after their attempts; PostgreSQL-only: no password shown, concurrent first
starts, a foreign ``jobs`` table refused, a database restart survived."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import psycopg
import pytest

from search.integrations.zendesk.outbox import LeaseLost, Outbox, OutboxError, OutboxUnavailable
from support.postgres import PASSWORD, Cluster

T = TypeVar("T")


@pytest.fixture
def opened(outbox_location: str) -> Iterator[Callable[[], Outbox]]:
    """Open the test's outbox (as many times as a test wants: each is another process's view); all closed at the end."""
    outboxes: list[Outbox] = []

    def open_one() -> Outbox:
        outboxes.append(Outbox(outbox_location))
        return outboxes[-1]

    yield open_one
    for outbox in outboxes:
        outbox.close()


def together(count: int, work: Callable[[int], T]) -> list[T]:
    """``work(0..count-1)`` on ``count`` threads released at the same moment."""
    gate = threading.Barrier(count)

    def run(n: int) -> T:
        gate.wait()
        return work(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_a_key_or_a_signature_seen_before_is_the_same_job_even_after_a_reopen(opened: Callable[[], Outbox]) -> None:
    outbox = opened()
    job, created = outbox.enqueue("delivery-1", "diagnosis", 42, "{}", None, "sig-A")
    assert created and job > 0
    assert outbox.enqueue("delivery-1", "diagnosis", 42, "{}", None, "sig-B") == (job, False)  # Zendesk's retry, signed anew
    assert outbox.enqueue("delivery-2", "diagnosis", 42, "{}", None, "sig-A") == (job, False)  # a replay with another invocation id
    again = opened()
    assert again.enqueue("delivery-1", "diagnosis", 42, "{}") == (job, False)
    assert again.enqueue("delivery-3", "diagnosis", 42, "{}", None, "sig-A") == (job, False)
    other, created = again.enqueue("delivery-4", "escalation", 43, "{}", '{"calls": []}')
    assert created and other != job
    assert again.counts() == {"pending": 2, "sent": 0, "dead": 0}


def test_racing_duplicates_from_several_outboxes_queue_one_job(opened: Callable[[], Outbox]) -> None:
    """Eight deliveries of one signature (each with another invocation id) and eight of one key,
    at the same moment through four outboxes (four processes or hosts): one job each."""
    outboxes = [opened() for _ in range(4)]
    by_signature = together(8, lambda n: outboxes[n % 4].enqueue(f"invocation-{n}", "diagnosis", 7, "{}", None, "one-signature"))
    assert len({job for job, _ in by_signature}) == 1 and sum(created for _, created in by_signature) == 1
    by_key = together(8, lambda n: outboxes[n % 4].enqueue("one-key", "diagnosis", 8, "{}", None, f"signature-{n}"))
    assert len({job for job, _ in by_key}) == 1 and sum(created for _, created in by_key) == 1
    assert outboxes[0].counts()["pending"] == 2


def test_each_due_job_is_claimed_by_exactly_one_of_many_workers(opened: Callable[[], Outbox]) -> None:
    outboxes = [opened() for _ in range(3)]
    for n in range(60):
        outboxes[0].enqueue(f"job-{n}", "diagnosis", n + 1, "{}")

    def drain(n: int) -> list[int]:
        mine = []
        while (job := outboxes[n % 3].claim(f"worker-{n}", 30)) is not None:
            mine.append(job.id)
        return mine

    claimed = [job for jobs in together(9, drain) for job in jobs]
    assert len(claimed) == 60 and len(set(claimed)) == 60  # every job once, none twice
    assert outboxes[1].claim("late", 30) is None  # live leases are never taken


def test_an_expired_lease_is_taken_over_and_the_old_worker_changes_nothing(opened: Callable[[], Outbox]) -> None:
    first, second = opened(), opened()
    first.enqueue("k", "diagnosis", 1, "ticket text")
    stale = first.claim("crashed", 0.2)
    assert stale is not None and stale.attempts == 1 and not stale.uncertain
    first.mark_uncertain(stale)  # the call may have left when the worker stalled
    assert second.claim("other", 30) is None
    time.sleep(0.3)
    taken = second.claim("other", 30)
    assert taken is not None and taken.id == stale.id and taken.attempts == 2
    assert taken.uncertain  # the next worker knows to look for the note first
    for late in (lambda: first.advance(stale, 2), lambda: first.save_plan(stale, "{}"), lambda: first.give_up(stale, "x")):
        with pytest.raises(LeaseLost):
            late()
    assert first.retry(taken, time.time(), "e", uncertain=False, max_attempts=5) == "pending"  # the holder may
    row = second.jobs()[0]
    assert (row.state, row.step, row.attempts) == ("pending", 0, 2)


def test_progress_the_schedule_and_the_marker_survive_a_reopen(opened: Callable[[], Outbox]) -> None:
    outbox = opened()
    outbox.enqueue("k", "diagnosis", 5, "ticket text")
    job = outbox.claim("w", 30)
    assert job is not None
    job = outbox.save_plan(job, '{"calls": 2}')
    job = outbox.advance(job, 2)  # the tags went out
    outbox.mark_uncertain(job)  # the note is in flight ...
    at = time.time() + 0.5
    assert outbox.retry(job, at, "Zendesk answered 503", uncertain=True, max_attempts=5) == "pending"
    outbox.close()
    reopened = opened()
    due = reopened.next_due()
    assert due is not None and abs(due - at) < 0.01
    assert reopened.claim("w2", 30) is None  # not before next_at
    time.sleep(max(0.0, at - time.time()) + 0.05)
    again = reopened.claim("w2", 30)
    assert again is not None
    assert (again.step, again.uncertain, again.plan, again.input, again.attempts) == (1, True, '{"calls": 2}', "", 2)
    done = reopened.advance(again, 2)
    assert done.step == 2 and not done.uncertain
    assert reopened.counts() == {"pending": 0, "sent": 1, "dead": 0}
    (row,) = reopened.jobs("sent")
    assert row.sent_at is not None and row.last_error is None and reopened.next_due() is None


def test_jobs_die_after_their_attempts_or_at_once_when_refused(opened: Callable[[], Outbox]) -> None:
    outbox = opened()
    outbox.enqueue("a", "diagnosis", 1, "{}")
    outbox.enqueue("b", "diagnosis", 2, "{}")
    states = []
    for _ in range(2):
        job = outbox.claim("w", 30)
        assert job is not None and job.ticket_id == 1
        states.append(outbox.retry(job, time.time() - 60, "Zendesk answered 500", uncertain=False, max_attempts=2))
    assert states == ["pending", "dead"]
    refused = outbox.claim("w", 30)
    assert refused is not None and refused.ticket_id == 2
    outbox.give_up(refused, "Zendesk answered 422" + "x" * 5000)
    dead = outbox.jobs("dead")
    assert [r.ticket_id for r in dead] == [2, 1]  # newest first
    assert dead[0].last_error is not None and len(dead[0].last_error) == 2000
    assert outbox.counts() == {"pending": 0, "sent": 0, "dead": 2} and outbox.claim("w", 30) is None


def test_next_due_waits_for_a_live_lease(opened: Callable[[], Outbox]) -> None:
    outbox = opened()
    assert outbox.next_due() is None
    outbox.enqueue("k", "diagnosis", 1, "{}")
    job = outbox.claim("w", 5)
    assert job is not None
    due = outbox.next_due()
    assert due is not None and due > time.time() + 4  # the lease's end, not the past next_at


# PostgreSQL only


def test_postgres_outbox_never_shows_the_password(postgres: Cluster) -> None:
    url = postgres.new_database()
    outbox = Outbox(url)
    try:
        assert PASSWORD in url and PASSWORD not in outbox.where
        assert outbox.where == f"postgresql://kb@127.0.0.1:{postgres.port}/postgres"  # no query either: it may hold password=
    finally:
        outbox.close()
    with pytest.raises(OutboxUnavailable, match='password authentication failed for user "kb"') as refused:
        Outbox(url.replace(PASSWORD, "wrong-password"), wait=1)
    assert "wrong-password" not in str(refused.value) and PASSWORD not in str(refused.value) and "\n" not in str(refused.value)


def test_postgres_first_start_of_several_replicas_at_once_creates_the_tables_once(postgres: Cluster) -> None:
    url = postgres.new_database()
    outboxes = together(6, lambda n: Outbox(url))
    try:
        assert {o.counts()["pending"] for o in outboxes} == {0}
    finally:
        for outbox in outboxes:
            outbox.close()


def test_postgres_a_foreign_jobs_table_is_refused_with_a_clear_error(postgres: Cluster) -> None:
    url = postgres.new_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE jobs (id serial PRIMARY KEY, payload json)")
    with pytest.raises(OutboxError, match=r"not the outbox's .*give the outbox a database or schema of its own") as refused:
        Outbox(url)
    assert "\n" not in str(refused.value) and PASSWORD not in str(refused.value)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda url: url.replace("/postgres?", "/no_such_db?"), OutboxUnavailable, 'database "no_such_db" does not exist'),
        (lambda url: url + "&sslmode=sometimes", OutboxUnavailable, "invalid sslmode value"),
        (lambda url: url.replace(PASSWORD, PASSWORD + "%zz"), OutboxError, "is not a PostgreSQL connection URL"),
    ],
    ids=["no such database", "bad option", "bad percent-encoding"],
)
def test_postgres_unusable_urls_say_why_in_one_line_without_the_password(
    postgres: Cluster, change: Callable[[str], str], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as refused:
        Outbox(change(postgres.new_database()), wait=1)
    assert "\n" not in str(refused.value) and PASSWORD not in str(refused.value)


def test_postgres_restart_is_survived_and_a_stopped_database_is_unavailable_not_a_crash(postgres: Cluster) -> None:
    outbox = Outbox(postgres.new_database(), wait=2)
    try:
        job, _ = outbox.enqueue("before", "diagnosis", 1, "{}")
        postgres.restart()  # the pool's connections are broken now
        assert outbox.enqueue("before", "diagnosis", 1, "{}") == (job, False)
        postgres.stop()
        with pytest.raises(OutboxUnavailable, match="is unavailable"):
            outbox.enqueue("during", "diagnosis", 2, "{}")
    finally:
        postgres.restart()  # running again for the next tests
        outbox.close()
