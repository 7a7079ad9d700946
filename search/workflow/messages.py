"""Fill the message templates of ``guides/templates.yml`` from a finished walk: the one source of
the resolution note, the escalation note, the escalation notice and the closure message, wherever
they are shown (the walk API, ``kb walk``, the guide page's leaf block, the Zendesk write-back).

Messages sent to the user (:data:`USER_MESSAGES`) are plain text: every value taken from the
content (Markdown) goes through :func:`plaintext.to_plain`. The internal escalation note keeps
Markdown. A template is split once into text and placeholder tokens (:func:`tokens`); filling
joins them, and the site gets the same tokens with every value it cannot know at build time (the
ticket's fields, the transcript, the priority's) left as a slot for its script to fill.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from ..content.escalation import Clock
from ..content.models import PLACEHOLDER, PLACEHOLDERS, USER_MESSAGES, EscalationNode, MessageTemplate, Node, ResolutionNode, duration_minutes
from ..content.repository import Guide, Repository
from .plaintext import to_plain
from .sla import applied_leaf, clock_lines, format_minutes, ticket_targets, timed_steps
from .transcript import NOTHING_GATHERED, Gathered, transcript_text
from .walk import WalkState

TICKET_FIELDS = ("ticket_id", "requester", "technician")
AS_GIVEN = frozenset({*TICKET_FIELDS, "transcript"})  # plain text already: the ticket's own fields and the transcript
PRIORITY_VALUES = ("priority", "clock", "resolve_by")  # what changes with the ticket's priority
SITE_SLOTS = (*TICKET_FIELDS, "transcript", *PRIORITY_VALUES)  # what the page's script fills in
Audience = Literal["user", "internal"]


class MessageError(ValueError):
    """The walk has not reached the leaf a template needs, or there are no templates."""


class FilledMessage(BaseModel):
    audience: Audience = Field(description="user: send to the requester (plain text); internal: a note in the ticket (may keep Markdown).")
    subject: str | None = None
    body: str


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def kinds_at(leaf: Node | None) -> tuple[str, ...]:
    """The templates that apply at a leaf: resolution + closure, or escalation + the user's notice."""
    if isinstance(leaf, ResolutionNode):
        return ("resolution", "closure")
    if isinstance(leaf, EscalationNode):
        return ("escalation", "escalation_notice")
    return ()


def leaf_values(guide: Guide, leaf: Node, repo: Repository, priority: str | None, opened_at: dt.datetime | None = None) -> dict[str, str]:
    """Every placeholder value that a guide's leaf and the ticket's priority give (ticket fields and
    the transcript empty)."""
    values = {name: "" for names in PLACEHOLDERS.values() for name in names}
    values.update(guide_title=guide.meta.title, guide_id=guide.id, revision=guide.revision, category=guide.meta.category or "", priority=priority or "")
    if isinstance(leaf, ResolutionNode):
        values.update(resolution=leaf.text, follow_up=_bullets(leaf.follow_up), user_note=leaf.user_note or "")
    elif isinstance(leaf, EscalationNode):
        values.update(reason=leaf.text, resolve_by=_resolve_by(repo, guide.meta.category, priority, opened_at))
        applied = applied_leaf(repo, leaf.step, guide.meta.category, priority)
        if applied is not None:
            step = applied.step
            clock = clock_lines(timed_steps(repo, guide.meta.category, priority, leaf.step), opened_at)
            values.update(
                team=step.team,
                tier=step.tier,
                queue=step.queue,
                contact=step.contact,
                handoff=_bullets([*step.handoff, *leaf.handoff]),
                clock=_bullets(clock) if clock else "- No timer runs for this ticket" + ("." if priority else " (no priority set)."),
            )
    return values


def _resolve_by(repo: Repository, category_id: str | None, priority: str | None, opened_at: dt.datetime | None) -> str:
    """When the user may expect the ticket resolved (a request: fulfilled): ``by 2026-12-02 17:00``,
    ``within 8h``, or "as soon as we can" without a priority."""
    targets = ticket_targets(repo, category_id, priority)
    if targets is None:
        return "as soon as we can"
    minutes = duration_minutes(targets.resolution)
    due = Clock("after", minutes).due(opened_at)
    return f"by {due.strftime('%Y-%m-%d %H:%M')}" if due is not None else f"within {format_minutes(minutes)}"


def values_for(
    state: WalkState,
    repo: Repository,
    priority: str | None,
    gathered: Gathered,
    ticket: Mapping[str, str],
    opened_at: dt.datetime | None = None,
    transcript: str | None = None,
) -> dict[str, str]:
    """Every placeholder value a finished walk provides (empty where it does not apply);
    ``transcript`` replaces this guide's own when the walk came through linked guides."""
    values = leaf_values(state.guide, state.node, repo, priority, opened_at)
    values.update({k: str(v) for k, v in ticket.items() if k in TICKET_FIELDS})
    values["transcript"] = (transcript if transcript is not None else transcript_text(state, repo, priority, gathered)).rstrip("\n")
    return values


Token = str | tuple[str]  # literal text, or a 1-tuple naming a placeholder


def tokens(text: str) -> list[Token]:
    """``text`` split into literal text and placeholders (unknown names stay literal: kb check reports them)."""
    out: list[Token] = []
    last = 0
    for match in PLACEHOLDER.finditer(text):
        out += [text[last : match.start()], (match.group(1),)]
        last = match.end()
    out.append(text[last:])
    return [t for t in out if t != ""]


def audience_of(kind: str) -> Audience:
    return "user" if kind in USER_MESSAGES else "internal"


def for_audience(kind: str, values: Mapping[str, str]) -> dict[str, str]:
    """The values as a message of ``kind`` shows them: plain text for the user (the ticket's own
    fields and the transcript as they are), Markdown kept in internal notes."""
    if audience_of(kind) == "internal":
        return dict(values)
    return {name: value if name in AS_GIVEN else to_plain(value) for name, value in values.items()}


def _join(parts: list[Token], values: Mapping[str, str]) -> str:
    return "".join(t if isinstance(t, str) else values.get(t[0], "{" + t[0] + "}") for t in parts)


def fill(kind: str, template: MessageTemplate, values: Mapping[str, str]) -> FilledMessage:
    shown = for_audience(kind, values)
    subject = _join(tokens(template.subject), shown) if template.subject else None
    return FilledMessage(audience=audience_of(kind), subject=subject, body=_join(tokens(template.body), shown))


def _templates(repo: Repository) -> dict[str, MessageTemplate]:
    if repo.templates is None:
        raise MessageError("no message templates: add guides/templates.yml")
    return {kind: t for kind in PLACEHOLDERS if (t := getattr(repo.templates, kind)) is not None}


def messages_for(
    state: WalkState,
    repo: Repository,
    priority: str | None = None,
    gathered: Gathered = NOTHING_GATHERED,
    ticket: Mapping[str, str] | None = None,
    opened_at: dt.datetime | None = None,
    transcript: str | None = None,
) -> dict[str, FilledMessage]:
    """The messages that apply to where the walk ended: resolution + closure, or escalation + notice
    (``transcript``: the whole walk's, when it came through linked guides)."""
    templates = _templates(repo)
    kinds = kinds_at(state.outcome)
    if not kinds:
        raise MessageError("messages are filled at a resolution or escalation leaf; finish the walk first")
    values = values_for(state, repo, priority, gathered, ticket or {}, opened_at, transcript)
    return {kind: fill(kind, templates[kind], values) for kind in kinds if kind in templates}


# --- the guide page's leaf block -----------------------------------------------------------------


class SiteMessage(BaseModel):
    """A message as the page's script fills it: ``subject``/``body`` are text and slot tokens
    (``{"slot": name}``) already in the audience's form; ``values[name][priority]`` gives the
    priority's values ("" key: no priority set)."""

    kind: str
    audience: Audience
    subject: list[str | dict[str, str]] | None
    body: list[str | dict[str, str]]


class SiteMessages(BaseModel):
    messages: list[SiteMessage]
    values: dict[str, dict[str, str]]


def site_messages(guide: Guide, node_id: str, repo: Repository) -> SiteMessages | None:
    """The messages of one leaf for the guide page (None: no templates, or not a message leaf)."""
    leaf = guide.tree.nodes[node_id]
    kinds = kinds_at(leaf)
    if repo.templates is None or not kinds:
        return None
    templates = _templates(repo)
    static = leaf_values(guide, leaf, repo, None)
    levels = list(repo.priorities.levels) if repo.priorities else []
    by_priority = {pid: leaf_values(guide, leaf, repo, pid) for pid in ["", *levels]}
    messages, values = [], {}
    for kind in kinds:
        if kind not in templates:
            continue
        shown = for_audience(kind, {k: v for k, v in static.items() if k not in SITE_SLOTS})
        template = templates[kind]

        def parts(text: str, shown: Mapping[str, str] = shown, kind: str = kind) -> list[str | dict[str, str]]:
            out: list[str | dict[str, str]] = []
            for t in tokens(text):
                if isinstance(t, tuple) and t[0] in SITE_SLOTS:
                    slot = t[0] if t[0] in TICKET_FIELDS or t[0] == "transcript" else f"{kind}:{t[0]}"
                    out.append({"slot": slot})
                    continue
                literal = t if isinstance(t, str) else shown.get(t[0], "{" + t[0] + "}")
                if out and isinstance(out[-1], str):
                    out[-1] += literal
                else:
                    out.append(literal)
            return out

        for name in PRIORITY_VALUES:
            values[f"{kind}:{name}"] = {pid: for_audience(kind, {name: v[name]})[name] for pid, v in by_priority.items()}
        messages.append(
            SiteMessage(kind=kind, audience=audience_of(kind), subject=parts(template.subject) if template.subject else None, body=parts(template.body))
        )
    return SiteMessages(messages=messages, values=values)
