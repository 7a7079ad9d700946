"""Progress of long commands (import, check, index, build): the one place that draws it.

Lower layers call a :class:`search.content.progress.Progress` (stage, done, total). On a terminal
this shows a live ``rich`` bar per stage (done/total, rate, time left) on stderr. Elsewhere (CI
logs, pipes) it prints plain lines, once a stage has run ``QUIET_FOR_S`` seconds (short runs stay
quiet): then at every further tenth, at least every ``PLAIN_EVERY_S`` seconds, and at the end.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

PLAIN_EVERY_S = 10.0
QUIET_FOR_S = 2.0  # plain lines: a stage that ends sooner prints nothing (no noise in short runs)


class ProgressDisplay:
    """A context manager that is also a ``Progress`` callback."""

    def __init__(self, what: str, stream: IO[str] | None = None, *, live: bool | None = None, quiet_for: float = QUIET_FOR_S) -> None:
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.quiet_for = quiet_for
        self._bar: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._started: dict[str, float] = {}
        self._printed: dict[str, tuple[float, int]] = {}  # stage -> (when last printed, tenth printed)

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
            )
            self._bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        started = self._started.setdefault(stage, now)
        elapsed = now - started
        rate = done / elapsed if elapsed > 0 else 0.0
        if self._bar is not None:
            if stage not in self._tasks:
                self._tasks[stage] = self._bar.add_task(f"{self.what}: {stage}", total=total, rate="")
            self._bar.update(self._tasks[stage], completed=done, total=total, rate=f"{rate:,.0f}/s" if done and elapsed > 0 else "")
            return
        tenth = done * 10 // total if total else 10
        last = self._printed.get(stage)
        if last is None:
            if elapsed < self.quiet_for:
                return
        elif done < total and tenth <= last[1] and now - last[0] < PLAIN_EVERY_S:
            return
        elif last[1] > 10:
            return  # the end was printed already
        left = f", about {(total - done) / rate:,.0f} s left" if rate and done < total else ""
        ended = f" in {elapsed:,.1f} s" if done >= total else ""
        self._print(f"{self.what}: {stage} {done:,}/{total:,} ({done * 100 // max(total, 1)}%), {rate:,.0f}/s{left}{ended}")
        self._printed[stage] = (now, 11 if done >= total else tenth)

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)
