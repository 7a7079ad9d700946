"""Message templates: every {placeholder} must be one the template's kind can fill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..content.models import PLACEHOLDER, PLACEHOLDERS
from ..content.problems import Severity, did_you_mean
from ..content.repository import Repository
from . import Finding, rule

REL = "guides/templates.yml"


@rule("template-placeholder", "A message template uses a {placeholder} its kind cannot fill.")
def template_placeholder(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.templates is None:
        return
    for kind, allowed in PLACEHOLDERS.items():
        template = getattr(repo.templates, kind)
        if template is None:
            continue
        for field in ("subject", "body"):
            text = getattr(template, field)
            for match in PLACEHOLDER.finditer(text or ""):
                name = match.group(1)
                if name not in allowed:
                    line, col = _position(repo, kind, field, match.start())
                    yield Finding(
                        REL, line, col, f'template "{kind}" uses unknown placeholder "{{{name}}}"{did_you_mean(name, allowed)}; allowed: {", ".join(allowed)}'
                    )


@rule(
    "template-handoff-twice",
    "The escalation note uses both {handoff} and {transcript}, and the transcript already ends with the hand-off checklist.",
    Severity.WARNING,
)
def template_handoff_twice(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.templates is None:
        return
    body = repo.templates.escalation.body
    names = [m.group(1) for m in PLACEHOLDER.finditer(body)]
    if "handoff" in names and "transcript" in names:
        line, col = _position(repo, "escalation", "body", body.index("{handoff}"))
        yield Finding(REL, line, col, "the hand-off checklist would appear twice: {transcript} ends with it; remove {handoff} (or the transcript)")


def _position(repo: Repository, kind: str, field: str, offset: int) -> tuple[int, int]:
    """Line and column of character ``offset`` of a template's text: where the text starts, then down to it."""
    text = getattr(getattr(repo.templates, kind), field)
    line, col = repo.config_docs[REL].text_pos((kind, field))
    before = text[:offset]
    return line + before.count("\n"), col + len(before) - (before.rfind("\n") + 1)
