"""The article structure the templates promise: KCS sections, in KCS order (decision record 0038)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..content.problems import Severity
from ..content.prose import prose_lines
from ..content.repository import Repository
from . import Finding, rule

SECTIONS = ("Issue", "Environment", "Resolution", "Cause")  # KCS order (README: content layout)
REQUIRED = ("Issue", "Resolution")  # what the requester reports and what fixes it; KCS leaves Environment and Cause empty when unknown
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@rule(
    "article-sections",
    "An authored KB article lacks the ## Issue or ## Resolution section, or has the KCS sections (Issue, Environment, "
    "Resolution, Cause) out of order or at another heading level. Imported articles keep their source's structure.",
    Severity.WARNING,
    per_file=True,
)
def article_sections(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for article in repo.articles:
        if article.meta.source is not None:
            continue  # kb import wrote it: its structure is the source system's
        found: list[tuple[str, int]] = []  # (section, line), in body order
        for i, text in prose_lines(article.body):
            match = _HEADING.match(text)
            name = match.group(2).title() if match else ""
            if not match or name not in SECTIONS:
                continue
            at = article.body_line + i
            if match.group(1) != "##":
                yield Finding(article.path, at, 1, f'"{match.group(1)} {match.group(2)}" is a KCS section: write it as "## {name}"')
            found.append((name, at))
        names = [name for name, _ in found]
        for (name, at), (before, before_at) in zip(found[1:], found, strict=False):
            if SECTIONS.index(name) < SECTIONS.index(before):
                yield Finding(article.path, at, 1, f'"## {name}" comes after "## {before}" (line {before_at}); KCS order is {", ".join(SECTIONS)}')
        end = article.body_line + len(article.body.rstrip("\n").split("\n"))
        for name in REQUIRED:
            if name not in names:
                after = [s for s in SECTIONS[: SECTIONS.index(name)] if s in names]
                where = f'after "## {after[-1]}"' if after else "at the top of the body"
                at = next((line for s, line in found if s == after[-1]), article.body_line) if after else article.body_line
                yield Finding(
                    article.path,
                    min(at, end),
                    1,
                    f'article has no "## {name}" section; add it {where} (KCS order: {", ".join(SECTIONS)}; kb new article writes the template)',
                )
