"""Progress of long commands (import, check, index, build): the one place that draws it.

Lower layers call a :class:`search.content.progress.Progress` (stage, done, total). On a terminal
this shows a live ``rich`` bar per stage (done/total, rate, time left) on stderr; elsewhere (CI
logs, pipes) it prints plain lines: when a stage starts, at every further tenth, at most every
``PLAIN_EVERY_S`` seconds otherwise, and when it ends.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

PLAIN_EVERY_S = 10.0
PLAIN_TENTHS_FROM = 50  # fewer items: a line at the start and at the end only


class ProgressDisplay:
    """A context manager that is also a ``Progress`` callback."""

    def __init__(self, what: str, stream: IO[str] | None = None, *, live: bool | None = None) -> None:
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self._bar: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._plain: dict[str, tuple[float, float, int]] = {}  # stage -> (started, last printed, last tenth)

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is not None:
            self._live(stage, done, total)
        else:
            self._line(stage, done, total)

    def _live(self, stage: str, done: int, total: int) -> None:
        assert self._bar is not None
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(f"{self.what}: {stage}", total=total, rate="")
            self._plain[stage] = (time.monotonic(), 0.0, 0)
        started = self._plain[stage][0]
        elapsed = time.monotonic() - started
        rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 and done else ""
        self._bar.update(self._tasks[stage], completed=done, total=total, rate=rate)

    def _line(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage not in self._plain:
            self._plain[stage] = (now, now, 0)
            self._print(f"{self.what}: {stage} 0/{total:,}")
        started, last, tenth = self._plain[stage]
        current = done * 10 // total if total >= PLAIN_TENTHS_FROM else 0
        if done < total and current == tenth and now - last < PLAIN_EVERY_S:
            return
        if done >= total and tenth == 10:
            return  # the end was printed already
        elapsed = now - started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = f", about {(total - done) / rate:,.0f} s left" if rate and done < total else ""
        ended = f" in {elapsed:,.1f} s" if done >= total else ""
        self._print(f"{self.what}: {stage} {done:,}/{total:,} ({done * 100 // max(total, 1)}%), {rate:,.0f}/s{left}{ended}")
        self._plain[stage] = (started, now, 10 if done >= total else current)

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)
