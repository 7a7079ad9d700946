"""Message templates: every {placeholder} must be one the template's kind can fill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..content.models import PLACEHOLDER, PLACEHOLDERS
from ..content.problems import did_you_mean
from ..content.repository import Repository
from . import Finding, rule

REL = "guides/templates.yml"


@rule("template-placeholder", "A message template uses a {placeholder} its kind cannot fill.")
def template_placeholder(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.templates is None:
        return
    doc = repo.config_docs[REL]
    for kind, allowed in PLACEHOLDERS.items():
        template = getattr(repo.templates, kind)
        for field in ("subject", "body"):
            text = getattr(template, field)
            for match in PLACEHOLDER.finditer(text or ""):
                name = match.group(1)
                if name not in allowed:
                    line, col = doc.text_pos((kind, field))  # where the text starts; then down to the placeholder
                    before = text[: match.start()]
                    line, col = line + before.count("\n"), col + len(before) - (before.rfind("\n") + 1)
                    yield Finding(
                        REL, line, col, f'template "{kind}" uses unknown placeholder "{{{name}}}"{did_you_mean(name, allowed)}; allowed: {", ".join(allowed)}'
                    )
