"""Fill the message templates of ``guides/templates.yml`` from a finished walk: the one source of
the resolution note, the escalation note, the escalation notice and the closure message, wherever
they are shown (the walk API, ``kb walk``, the guide page's leaf block, the Zendesk write-back).

Messages sent to the user (:data:`USER_MESSAGES`) are plain text: every value taken from the
content (Markdown) goes through :func:`plaintext.to_plain`. The internal escalation note keeps
Markdown. A template is split once into text, placeholder and optional-phrase tokens
(:func:`tokens`); filling joins them, leaving out a phrase ``[[...]]`` whose placeholders are not
all filled, so a blank ticket field gives "Hello," rather than "Hello ,". The site gets the same
tokens with every value it cannot know at build time (the ticket's fields, the transcript, the
priority's) left as a slot for its script to fill, and a phrase holding slots kept for the script
to decide (decision record 0042).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from ..content.escalation import Clock
from ..content.models import OPTIONAL_PHRASE, PLACEHOLDER, PLACEHOLDERS, USER_MESSAGES, EscalationNode, MessageTemplate, Node, ResolutionNode, duration_minutes
from ..content.prose import one_line
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
    ``transcript`` replaces this guide's own when the walk came through linked guides. A ticket
    field is one line (:func:`one_line`, as the page's script does), so blank means empty."""
    values = leaf_values(state.guide, state.node, repo, priority, opened_at)
    values.update({k: one_line(str(v)) for k, v in ticket.items() if k in TICKET_FIELDS})
    values["transcript"] = (transcript if transcript is not None else transcript_text(state, repo, priority, gathered)).rstrip("\n")
    return values


@dataclass(frozen=True)
class Placeholder:
    name: str
    start: int  # offset of its ``{`` in the template's text (for kb check)


@dataclass(frozen=True)
class Phrase:
    """An optional phrase ``[[...]]``: shown only when every placeholder in it has a value."""

    parts: tuple[str | Placeholder, ...]
    start: int  # offset of its ``[[`` in the template's text

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parts if isinstance(p, Placeholder)]


Token = str | Placeholder | Phrase


def _placeholders(text: str, start: int, end: int) -> list[str | Placeholder]:
    out: list[str | Placeholder] = []
    last = start
    for match in PLACEHOLDER.finditer(text, start, end):
        out += [text[last : match.start()], Placeholder(match.group(1), match.start())]
        last = match.end()
    out.append(text[last:end])
    return [t for t in out if t != ""]


def tokens(text: str) -> list[Token]:
    """``text`` split into literal text, placeholders and optional phrases (unknown names and
    unpaired brackets stay literal: kb check reports them)."""
    out: list[Token] = []
    last = 0
    for match in OPTIONAL_PHRASE.finditer(text):
        out += [*_placeholders(text, last, match.start()), Phrase(tuple(_placeholders(text, match.start(1), match.end(1))), match.start())]
        last = match.end()
    return out + _placeholders(text, last, len(text))


def blank(value: str | None) -> bool:
    """A value that leaves its phrase out: empty or only whitespace (an unknown name is not blank: it stays literal)."""
    return value is not None and not value.strip()


def audience_of(kind: str) -> Audience:
    return "user" if kind in USER_MESSAGES else "internal"


def for_audience(kind: str, values: Mapping[str, str]) -> dict[str, str]:
    """The values as a message of ``kind`` shows them: plain text for the user (the ticket's own
    fields and the transcript as they are), Markdown kept in internal notes."""
    if audience_of(kind) == "internal":
        return dict(values)
    return {name: value if name in AS_GIVEN else to_plain(value) for name, value in values.items()}


def _join(parts: Sequence[Token], values: Mapping[str, str]) -> str:
    out = []
    for t in parts:
        if isinstance(t, Phrase):
            if not any(blank(values.get(name)) for name in t.names):
                out.append(_join(t.parts, values))
        else:
            out.append(t if isinstance(t, str) else values.get(t.name, "{" + t.name + "}"))
    return "".join(out)


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


class SiteSlot(BaseModel):
    slot: str


class SitePhrase(BaseModel):
    """An optional phrase the script shows only when none of its slots is empty."""

    phrase: list[str | SiteSlot]


SitePart = str | SiteSlot | SitePhrase


class SiteMessage(BaseModel):
    """A message as the page's script fills it: ``subject``/``body`` are text, slots and optional
    phrases already in the audience's form; ``values[name][priority]`` gives the priority's values
    ("" key: no priority set)."""

    kind: str
    audience: Audience
    subject: list[SitePart] | None
    body: list[SitePart]


class SiteMessages(BaseModel):
    messages: list[SiteMessage]
    values: dict[str, dict[str, str]]


def _site_parts(text: str, kind: str, shown: Mapping[str, str]) -> list[SitePart]:
    """A template's tokens with what the build knows filled in: the page's slots stay slots, a
    phrase with a blank known value is left out and one without slots becomes text."""

    def slotted(parts: Sequence[str | Placeholder]) -> list[str | SiteSlot]:
        out: list[str | SiteSlot] = []
        for t in parts:
            if isinstance(t, Placeholder) and t.name in SITE_SLOTS:
                out.append(SiteSlot(slot=t.name if t.name in TICKET_FIELDS or t.name == "transcript" else f"{kind}:{t.name}"))
                continue
            literal = t if isinstance(t, str) else shown.get(t.name, "{" + t.name + "}")
            if out and isinstance(out[-1], str):
                out[-1] += literal
            else:
                out.append(literal)
        return out

    out: list[SitePart] = []
    for t in tokens(text):
        if not isinstance(t, Phrase):
            out += slotted([t])
        elif not any(blank(shown.get(name)) for name in t.names if name not in SITE_SLOTS):
            inner = slotted(t.parts)
            out += [SitePhrase(phrase=inner)] if any(isinstance(p, SiteSlot) for p in inner) else inner
    merged: list[SitePart] = []
    for part in out:  # adjacent text as one string, as the script joins it
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


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
        for name in PRIORITY_VALUES:
            values[f"{kind}:{name}"] = {pid: for_audience(kind, {name: v[name]})[name] for pid, v in by_priority.items()}
        messages.append(
            SiteMessage(
                kind=kind,
                audience=audience_of(kind),
                subject=_site_parts(template.subject, kind, shown) if template.subject else None,
                body=_site_parts(template.body, kind, shown),
            )
        )
    return SiteMessages(messages=messages, values=values)
