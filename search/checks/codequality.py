"""``kb check --format gitlab``: problems as a GitLab code-quality report (the Code Climate JSON
subset GitLab reads), so a merge request shows them on its changed lines.

A fingerprint must stay the same while a problem stays, even when lines above it move, so it is
made of the rule, the file and the message (and which repeat of those it is), never the line.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from typing import Literal, TypedDict

from ..content.problems import Problem, Severity


class Lines(TypedDict):
    begin: int


class Location(TypedDict):
    path: str
    lines: Lines


class CodeQualityIssue(TypedDict):
    type: Literal["issue"]
    check_name: str
    description: str
    categories: list[str]
    severity: Literal["major", "minor"]
    fingerprint: str
    location: Location


def code_quality_report(problems: Iterable[Problem]) -> list[CodeQualityIssue]:
    """One issue per problem, in the problems' order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for p in problems:
        key = (p.rule, p.path, p.message)
        seen[key] += 1
        digest = hashlib.sha256("\0".join([*key, str(seen[key])]).encode()).hexdigest()
        issues.append(
            CodeQualityIssue(
                type="issue",
                check_name=p.rule,
                description=f"[{p.rule}] {p.message}",
                categories=["Bug Risk" if p.severity is Severity.ERROR else "Style"],
                severity="major" if p.severity is Severity.ERROR else "minor",
                fingerprint=digest,
                location=Location(path=p.path, lines=Lines(begin=p.line)),
            )
        )
    return issues
