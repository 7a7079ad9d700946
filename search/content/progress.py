"""How a long piece of work (import, check, index, site build) tells its caller how far it got.

Lower layers call a :class:`Progress` and know nothing of terminals; the CLI's progress module
turns the calls into a live bar on a terminal or into plain lines in CI logs.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None:
        """``done`` of ``total`` items of ``stage`` (e.g. "reading", "writing") are finished."""


def no_progress(stage: str, done: int, total: int) -> None:
    """The default :class:`Progress`: report nothing."""
