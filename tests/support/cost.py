"""Complexity guards: a block's cost in this thread's CPU time, not in wall time.

Tests here do not measure speed (bench/ does, with figures); they catch a blow-up (quadratic
did-you-mean, a regular expression backtracking, an alias bomb) whose cost is many times the
bound. Thread CPU time leaves out the waits of a loaded machine and of parallel test workers,
which made wall-clock bounds fail when nothing had regressed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def at_most_cpu(seconds: float, what: str = "the block") -> Iterator[None]:
    """Fail when the block used ``seconds`` or more of this thread's CPU time."""
    started = time.thread_time()
    yield
    used = time.thread_time() - started
    assert used < seconds, f"{what} used {used:.3f} s of CPU, the bound is {seconds} s"
