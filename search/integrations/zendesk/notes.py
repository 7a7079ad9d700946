"""What the write-back sends: the diagnosis note and tags for a webhook, the escalation update for a walk.

A :class:`Plan` is the list of Zendesk API calls for one job, composed once (when the job is
first worked on, or when the escalation is requested) and stored with the job, so retries and a
restarted service send the same bytes. Notes are plain text in the comment's ``body`` (never
``html_body``): Zendesk shows it escaped, so nothing from a ticket can become markup. Each note
ends with a marker line naming its job, which is how a resend after an unknown outcome is avoided
(docs/adr/0011-zendesk-outbox.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from ...content.escalation import steps_for
from ...content.models import EscalationNode, PriorityId
from ...content.prose import one_line
from ...index import Generation, QueryError
from ...index.triage import triage
from ...workflow.messages import MessageError, messages_for
from ...workflow.sla import category_kind, when_text
from ...workflow.transcript import Gathered, transcript_text
from ...workflow.walk import WalkState
from .payload import Decision, category_tag

GUIDE_TAG_PREFIX = "kb_guide_"
NO_GUIDE_TAG = "kb_no_guide"
ESCALATED_TAG = "kb_escalated"
FIRST_STEPS = 5
MAX_NOTE_CHARS = 60_000  # Zendesk caps a comment at 64 KB


class Comment(BaseModel):
    body: str
    public: Literal[False] = False


class TicketChange(BaseModel):
    comment: Comment
    group_id: int | None = None


class TicketUpdate(BaseModel):
    """Body of ``PUT /api/v2/tickets/{id}.json``."""

    ticket: TicketChange


class TagsUpdate(BaseModel):
    """Body of ``PUT /api/v2/tickets/{id}/tags.json`` (Add Tags: keeps the ticket's other tags)."""

    tags: list[str]


class Call(BaseModel):
    """One request to Zendesk. ``once``: not idempotent (a comment), so a resend after an unknown
    outcome first looks for the marker among the ticket's comments."""

    method: Literal["PUT"] = "PUT"
    path: str
    body: TicketUpdate | TagsUpdate
    once: bool


class Plan(BaseModel):
    ticket_id: int
    marker: str
    calls: list[Call] = Field(min_length=1)
    category: str | None = None
    guide: str | None = None


def marker_for(key: str) -> str:
    """The line that ends a note and identifies its job among a ticket's comments."""
    return f"[kb-guides {hashlib.sha256(key.encode()).hexdigest()[:16]}]"


def ticket_path(ticket_id: int) -> str:
    return f"/api/v2/tickets/{ticket_id}.json"


def tags_path(ticket_id: int) -> str:
    return f"/api/v2/tickets/{ticket_id}/tags.json"


def comments_path(ticket_id: int) -> str:
    return f"/api/v2/tickets/{ticket_id}/comments.json?sort_order=desc"


def _plan(ticket_id: int, marker: str, note: str, tags: Sequence[str], group_id: int | None = None, **extra: str | None) -> Plan:
    body = (note.rstrip()[: MAX_NOTE_CHARS - len(marker) - 2] + "\n\n" + marker).strip()
    calls = [Call(path=tags_path(ticket_id), body=TagsUpdate(tags=list(dict.fromkeys(tags))), once=False)] if tags else []
    # Tags first: adding tags is idempotent, so a crash between the two calls repeats only that one.
    calls.append(Call(path=ticket_path(ticket_id), body=TicketUpdate(ticket=TicketChange(comment=Comment(body=body), group_id=group_id)), once=True))
    return Plan(ticket_id=ticket_id, marker=marker, calls=calls, **extra)


def _sla_lines(gen: Generation, pid: PriorityId | None, category: str | None = None) -> list[str]:
    """The targets of the ticket's kind: a request category's are first response and fulfilment."""
    levels = [(p, lvl) for p, lvl in gen.catalog.priorities_for(category).items() if lvl is not None and (pid is None or p == pid)]
    return [
        f"{p} {lvl.name}: first response within {lvl.first_response}, {'fulfilment' if lvl.kind == 'request' else 'resolution'} within {lvl.resolution}"
        for p, lvl in levels
    ]


def _sentence(text: str) -> str:
    text = one_line(text)
    return text if text.endswith((".", "!", "?")) else text + "."


def _escalation_lines(gen: Generation, category: str | None, pid: PriorityId | None) -> list[str]:
    repo = gen.content
    if repo.escalation is None:
        return []
    lines = []
    for applied in steps_for(repo.escalation, repo.priorities, category, pid, category_kind(repo, category)):
        step = applied.step
        when = f" Time alone escalates {when_text(applied.clock)}." if applied.clock.kind != "manual" else ""
        lines.append(f"- {step.tier} {step.team}, queue {step.queue}: {_sentence(step.trigger)}{when} Contact: {_sentence(step.contact)}")
        lines += [f"    hand over: {one_line(item)}" for item in step.handoff]
    return lines


def _ranked_guides(gen: Generation, category: str, text: str) -> list[str]:
    guides = list(gen.catalog.categories[category].guides)
    if len(guides) < 2 or not text.strip():
        return guides
    try:
        docnums = [gen.docnum_by_key[("guide", g)] for g in guides if ("guide", g) in gen.docnum_by_key]
        ranked = [h.id for h in gen.search(text, doc_type="guide", within=docnums, limit=len(guides), snippets=False, max_chars=500).hits]
    except QueryError:
        return guides
    return ranked + [g for g in guides if g not in ranked]


def diagnosis_plan(gen: Generation, decision: Decision, subject: str, description: str, key: str, tag_prefix: str) -> Plan:
    """The internal note (guide link, first steps, information to gather, escalation path, SLA
    targets) and tags (category, guide) for a webhook's ticket; triage decides a missing category."""
    category, source = decision.category, decision.source
    if category is None:
        found = triage(gen, f"{subject}\n{description}", 1)
        if found.confident and found.categories[0].category in gen.catalog.categories:  # an unsure guess is no category
            best = found.categories[0]
            source = f"triage of subject and description (confidence {found.confidence:.0%}; matched: {', '.join(best.matched[:5])})"
            category = best.category
    marker = marker_for(key)
    pid = decision.priority
    level = gen.catalog.priorities.get(pid) if pid else None
    priority_line = f"Priority: {pid} {level.name if level else ''}".rstrip() if pid else "Priority: not set in Zendesk (SLA targets for every priority below)"
    if category is None:
        note = [
            "Knowledge base: no category matched this ticket.",
            "Categorise it (tag or field), or use the triage page of the knowledge base.",
            priority_line,
            "",
            "SLA targets:",
            *_sla_lines(gen, pid),
        ]
        return _plan(decision.ticket_id, marker, "\n".join(note), [NO_GUIDE_TAG])
    entry = gen.catalog.categories[category]
    lines = [f"Knowledge base: {entry.category.title} ({category}), from {source}.", priority_line]
    guide_ids = _ranked_guides(gen, category, subject)
    guide = gen.catalog.guides.get(guide_ids[0]) if guide_ids else None
    tags = [category_tag(tag_prefix, category)]
    if guide is None:
        lines += ["No guide covers this category yet.", f"Category page: {entry.category.url}"]
        tags.append(NO_GUIDE_TAG)
    else:
        tags.append(GUIDE_TAG_PREFIX + guide.id)
        lines += ["", f"Guide: {one_line(guide.title)}", guide.url]
        if guide.gather:
            lines += ["", "Information to gather:", *(f"- {one_line(item.text)}" for item in guide.gather)]
        if guide.steps:
            lines += ["", "First steps:", *(step.line for step in guide.steps[:FIRST_STEPS])]
            if len(guide.steps) > FIRST_STEPS:
                lines.append(f"(and {len(guide.steps) - FIRST_STEPS} more steps in the guide)")
        others = [gen.catalog.guides[g] for g in guide_ids[1:4] if g in gen.catalog.guides]
        if others:
            lines += ["", "Other guides for this category:", *(f"- {one_line(o.title)}: {o.url}" for o in others)]
    articles = [gen.catalog.articles[a] for a in entry.articles[:3] if a in gen.catalog.articles]
    if articles:
        lines += ["", "Related articles:", *(f"- {one_line(a.title)}: {a.url}" for a in articles)]
    escalation = _escalation_lines(gen, category, pid)
    if escalation:
        lines += ["", "Escalation path:", *escalation]
    lines += ["", "SLA targets:", *_sla_lines(gen, pid, category)]
    return _plan(decision.ticket_id, marker, "\n".join(lines), tags, category=category, guide=guide.id if guide else None)


class NotAnEscalation(ValueError):
    """The walk does not end at an escalation leaf."""


def escalation_plan(
    gen: Generation, state: WalkState, ticket_id: int, priority: PriorityId | None, gathered: Gathered, key: str, tag_prefix: str
) -> tuple[Plan, str, int | None]:
    """The update routing ``ticket_id`` to the escalation step's Zendesk group with the hand-off note
    (the ``escalation`` message template, whose text holds the transcript); with the step id and group."""
    leaf = state.outcome
    repo = gen.content
    if not isinstance(leaf, EscalationNode) or repo.escalation is None:
        raise NotAnEscalation(f"the walk of guide {state.guide.id} ends at {state.current}, not at an escalation; walk on to an escalation leaf")
    step_id = leaf.step
    step = repo.escalation.steps[step_id]
    try:
        note = messages_for(state, repo, priority, gathered, {"ticket_id": str(ticket_id)})["escalation"].body
    except MessageError:
        note = transcript_text(state, repo, priority, gathered)
    if step.zendesk_group_id is None:
        note = f"Route this ticket to {step.team} (queue {step.queue}): escalation step {step_id} names no zendesk_group_id.\n\n{note}"
    guide = state.guide
    tags = [ESCALATED_TAG, GUIDE_TAG_PREFIX + guide.id]
    if guide.meta.category:
        tags.insert(0, category_tag(tag_prefix, guide.meta.category))
    plan = _plan(ticket_id, marker_for(key), note, tags, group_id=step.zendesk_group_id, category=guide.meta.category, guide=guide.id)
    return plan, step_id, step.zendesk_group_id
