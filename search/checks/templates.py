"""Message templates: every {placeholder} must be one the template's kind can fill, and one that a
walk can leave blank must sit in an optional phrase ``[[...]]`` (decision record 0042)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..content.models import OPTIONAL_PLACEHOLDERS, PLACEHOLDER, PLACEHOLDERS, MessageTemplate
from ..content.problems import Severity, did_you_mean
from ..content.repository import Repository
from ..workflow.messages import Placeholder, tokens
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


def _texts(repo: Repository) -> Iterator[tuple[str, str, str]]:
    """(kind, field, text) of every template's subject and body."""
    for kind in PLACEHOLDERS:
        template: MessageTemplate | None = getattr(repo.templates, kind) if repo.templates else None
        for field in ("subject", "body"):
            text = getattr(template, field) if template else None
            if text:
                yield kind, field, text


@rule(
    "template-optional-phrase",
    "A placeholder that a walk can leave blank (a ticket field, the priority, the user note...) stands outside an optional "
    'phrase [[...]], so a blank value leaves text like "Hello ," or "(ticket )" in the message.',
    Severity.WARNING,
)
def template_optional_phrase(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for kind, field, text in _texts(repo):
        if _phrase_faults(text):
            continue  # template-phrase-syntax reports the brackets first
        for token in tokens(text):
            if isinstance(token, Placeholder) and token.name in OPTIONAL_PLACEHOLDERS:
                line, col = _position(repo, kind, field, token.start)
                yield Finding(
                    REL,
                    line,
                    col,
                    f'template "{kind}": {{{token.name}}} can be blank; put it in an optional phrase with the words that go with it, '
                    'as in "Hello[[ {requester}]]," or "[[ (ticket {ticket_id})]]": the phrase is left out when a value in it is blank',
                )


@rule("template-phrase-syntax", "An optional phrase of a message template is not [[ words and a {placeholder} ]]: unpaired, nested or without a placeholder.")
def template_phrase_syntax(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for kind, field, text in _texts(repo):
        for offset, message in _phrase_faults(text):
            line, col = _position(repo, kind, field, offset)
            yield Finding(REL, line, col, f'template "{kind}": {message}')


def _phrase_faults(text: str) -> list[tuple[int, str]]:
    """(offset, message) for each bracket fault, one per fault: a nested ``[[`` takes its own ``]]`` with it."""
    faults: list[tuple[int, str]] = []
    opened: int | None = None
    nested = 0
    for mark in re.finditer(r"\[\[|\]\]", text):
        if mark.group() == "[[":
            if opened is None:
                opened = mark.start()
            else:
                nested += 1
                faults.append((mark.start(), "a phrase [[...]] inside another; close the first with ]] before the next [["))
        elif nested:
            nested -= 1
        elif opened is None:
            faults.append((mark.start(), '"]]" without its "[["; an optional phrase is [[words {placeholder}]]'))
        else:
            if not PLACEHOLDER.search(text, opened, mark.start()):
                inner = text[opened + 2 : mark.start()]
                faults.append((opened, f"the phrase [[{inner}]] holds no {{placeholder}}, so it is always shown; remove the brackets"))
            opened = None
    if opened is not None:
        faults.append((opened, '"[[" without its "]]"; an optional phrase is [[words {placeholder}]]'))
    return faults


def _position(repo: Repository, kind: str, field: str, offset: int) -> tuple[int, int]:
    """Line and column of character ``offset`` of a template's text: where the text starts, then down to it."""
    text = getattr(getattr(repo.templates, kind), field)
    line, col = repo.config_docs[REL].text_pos((kind, field))
    before = text[:offset]
    return line + before.count("\n"), col + len(before) - (before.rfind("\n") + 1)
