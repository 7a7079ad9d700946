"""Every lint rule, each with a stable kebab-case id. ``run_checks`` runs them all over a repository.

A rule function yields :class:`Finding` (where, and what to fix); the registry stamps each with
the rule's id and severity, so a rule states them once, in its ``@rule`` line (as yamllint's
registry does). Rules reported while loading (``search.content``) are listed here too, so one
table documents every id a user can see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..content.problems import ContentError, Problem, Severity
from ..content.progress import Progress, no_progress
from ..content.repository import Checked, Repository


@dataclass(frozen=True)
class Finding:
    """What a rule found at ``path:line:col`` (1-based); the registry adds its id and severity."""

    path: str
    line: int
    col: int
    message: str


CheckFn = Callable[[Repository, dt.date], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    check: CheckFn | None = None


RULES: dict[str, Rule] = {}
AFTER_RUN: list[Callable[[], None]] = []  # rules' per-run memos, cleared when a run ends


def rule(rule_id: str, summary: str, severity: Severity = Severity.ERROR) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under a stable rule id."""

    def register(fn: CheckFn) -> CheckFn:
        RULES[rule_id] = Rule(rule_id, severity, summary, fn)
        return fn

    return register


def loader_rule(rule_id: str, summary: str) -> None:
    RULES[rule_id] = Rule(rule_id, Severity.ERROR, summary)


loader_rule("encoding", "File is not UTF-8, or starts with a byte-order mark.")
loader_rule("yaml-syntax", "YAML cannot be parsed (tabs in indentation, bad indentation, unclosed quotes, several documents).")
loader_rule(
    "duplicate-key",
    "A key appears twice in one mapping (also duplicate node ids in a tree); both lines are named. Keys equal only once loaded (`true` and `1`, `1` and `1.0`) are named as non-strings to quote.",
)
loader_rule("yaml-alias", "YAML aliases (*name) are refused: they hide repetition and allow alias bombs.")
loader_rule("yaml-tag", "Custom YAML tags (!tag) are refused; only plain values are content.")
loader_rule("too-large", "File over the size cap (1 MB for YAML, 5 MB for Markdown).")
loader_rule("too-deep", "YAML nested deeper than 32 levels.")
loader_rule("schema", "A field is missing, unknown, of the wrong type, or has an invalid value (dates, ids, durations).")
loader_rule("answer-not-string", "An answer label loaded as a boolean, number or null; quote it.")
loader_rule("missing-file", "A required file (categories, priorities, escalation, a guide's tree) is missing.")
loader_rule("unreadable", "A file exists but cannot be read.")
loader_rule(
    "control-character",
    "NUL, ESC, BEL or another control character (C0/C1 except tab and newline), or a bidi override/isolate (U+202A-U+202E, U+2066-U+2069), in any content text.",
)


def checked(repo: Repository, today: dt.date | None = None) -> Checked:
    """The repository as :class:`Checked` content, or :class:`ContentError` listing its errors."""
    problems = run_checks(repo, today)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise ContentError(errors)
    return Checked(repo, tuple(problems))


def run_checks(repo: Repository, today: dt.date | None = None, progress: Progress = no_progress) -> list[Problem]:
    """Loader problems plus every registered check, sorted by path and position (``progress``: rules run)."""
    today = today or dt.date.today()
    problems = list(repo.problems)
    try:
        for done, registered in enumerate(RULES.values(), 1):
            if registered.check is not None:
                problems.extend(Problem(f.path, f.line, f.col, registered.id, f.message, registered.severity) for f in registered.check(repo, today))
            progress("checking", done, len(RULES))
    finally:
        for forget in AFTER_RUN:
            forget()
    return sorted(set(problems))


from . import articles, markdown, publishing, references, requests, review, templates, tree  # noqa: E402,F401  (each module registers its rules)
