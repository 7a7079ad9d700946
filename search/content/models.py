"""Pydantic models of every content file kind. Field docs double as the JSON Schema docs.

Identifiers, versions and durations are text: a YAML number written where text is expected keeps
its source spelling (``version: 1.10`` is ``"1.10"``, not ``1.1``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import Enum
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .yamlload import YFloat, YInt

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CATEGORY_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$"
_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?$")


def _as_text(value: Any) -> Any:
    if isinstance(value, (YInt, YFloat)):
        return value.raw
    return value


# The JSON Schema accepts a number too, as kb check does (it keeps the spelling: 1.10 -> "1.10"),
# so editors do not flag what kb check accepts.
Text = Annotated[
    str, BeforeValidator(_as_text), StringConstraints(min_length=1), WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}]})
]
Slug = Annotated[str, BeforeValidator(_as_text), StringConstraints(pattern=SLUG_RE)]
CategoryId = Annotated[str, StringConstraints(pattern=CATEGORY_RE)]
PriorityId = Literal["P1", "P2", "P3", "P4"]
# Every spelling a ticket tool or a technician may send: P1..P4, p1..p4, or Zendesk's priority names.
ZendeskPriority = Literal["urgent", "high", "normal", "low"]
PriorityParam = Literal[PriorityId, "p1", "p2", "p3", "p4", ZendeskPriority]
PRIORITY_IDS: tuple[PriorityId, ...] = get_args(PriorityId)
# ITIL's two kinds of ticket: an incident (something is broken: restore service) and a service
# request (something new is asked for: fulfil it, usually after an approval). They differ in
# what the guide collects and in their SLA targets (docs/adr/0016-incidents-and-requests.md).
Kind = Literal["incident", "request"]
KINDS: tuple[Kind, ...] = get_args(Kind)
PRIORITY_SPELLINGS: frozenset[str] = frozenset(get_args(PriorityParam))
ZENDESK_TO_PRIORITY: dict[str, PriorityId] = dict(zip(get_args(ZendeskPriority), PRIORITY_IDS, strict=True))


def duration_minutes(text: str) -> int:
    """Minutes in a duration such as ``15m``, ``4h``, ``1h30m`` or ``3d`` (calendar time)."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        raise ValueError(f'"{text}" is not a duration; write it like 30m, 4h, 1h30m or 3d')
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return days * 1440 + hours * 60 + minutes


def _check_duration(value: Any) -> Any:
    if isinstance(value, (YInt, YFloat, int, float)) and not isinstance(value, bool):
        raw = getattr(value, "raw", str(value))
        raise ValueError(f'"{raw}" is not a duration; write it with a unit like 90m or 1h30m')
    if isinstance(value, str):
        duration_minutes(value)
    return value


Duration = Annotated[str, BeforeValidator(_check_duration)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Status(str, Enum):
    draft = "draft"
    published = "published"
    retired = "retired"


class Audience(str, Enum):
    internal = "internal"
    public = "public"


class DocumentMeta(Strict):
    """Front matter shared by KB articles and guides."""

    id: Slug = Field(description="Stable kebab-case id; URLs and links use it. Never reuse one.")
    title: Text
    category: CategoryId | None = Field(None, description="Category id from guides/categories.yml, e.g. network/vpn.")
    tags: list[Text] = Field(default_factory=list)
    owner: Text = Field(description="Person or team responsible for the content and its annual review.")
    reviewed: dt.date = Field(description="Date of the last review, YYYY-MM-DD (kb review --done ID sets it).")
    reviewed_by: Text | None = Field(None, description="Who did the last review (kb review --done ID --by NAME sets it).")
    review_every_days: int | None = Field(
        None, ge=1, description="Review interval in days; default: the category's review_every_days, else 365 (the SOP's annual review)."
    )
    status: Status = Status.published
    audience: Audience = Audience.internal


class ImportRecord(Strict):
    """Where an imported article came from, written by ``kb import``: a re-import finds the article
    by ``system`` + ``origin`` and updates only the fields whose source changed (README "Importing")."""

    system: Literal["markdown", "zendesk"] = Field(description="The importer that wrote the article.")
    origin: Text = Field(description="The article in the source: its path in the imported folder, or its Zendesk id.")
    url: Text | None = Field(None, description="The article's address in the source system, when it has one.")
    fields: dict[str, Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}$")]] = Field(
        default_factory=dict, description="Field -> short hash of the value the last import wrote; a field whose file value differs was edited here."
    )


class ArticleMeta(DocumentMeta):
    """Front matter of a KB article (``kb/articles/**.md``). Body: KCS sections Issue, Environment, Resolution, Cause."""

    description: Text | None = Field(None, description="One-sentence summary of the article.")
    source: ImportRecord | None = Field(None, description="Written by kb import; leave it as it is so a re-import updates this file.")


class Approval(Strict):
    """Who approves a service request and how the approval is recorded (fulfilment guides only)."""

    required: bool = Field(True, description="False for a standard, pre-approved request (say why in `how`).")
    by: Text | None = Field(None, description="Who approves: a role, e.g. the resource owner or the line manager.")
    how: Text = Field(description="How the approval is given and recorded in the ticket.")

    @model_validator(mode="after")
    def _approver_named(self) -> Approval:
        if self.required and self.by is None:
            raise ValueError("an approval that is required must say who approves (by: <role>); or set required: false for a pre-approved request")
        return self


GATHER_ID_CHARS = 60


def gather_id(text: str) -> str:
    """The id of a gather item written as plain text: its words as a slug, cut between words at
    ``GATHER_ID_CHARS`` ("" when the text has no ASCII letters or digits)."""
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())
    slug = words[0][:GATHER_ID_CHARS] if words else ""
    for word in words[1:]:
        if len(slug) + 1 + len(word) > GATHER_ID_CHARS:
            break
        slug += "-" + word
    return slug


class GatherItem(Strict):
    """One piece of information to gather; its id keys what the technician noted (walk API, transcript)."""

    id: Annotated[str, BeforeValidator(_as_text)] = Field(
        json_schema_extra={"pattern": SLUG_RE},
        description="Stable kebab-case id of the item. Written as plain text, an item's id is the slug of its text, "
        "so rewording the text changes the id; an explicit id survives rewording.",
    )
    text: Text = Field(description="What to ask the user or look up.")


def gather_items(value: Any) -> Any:
    """Before validation of a gather list: a plain-text item gets the slug of its text as id
    (``item-N`` when it has no letters or digits; kb check names those)."""
    if not isinstance(value, list):
        return value
    items = []
    for n, item in enumerate(value, 1):
        text = _as_text(item)
        items.append({"id": gather_id(text) or f"item-{n}", "text": text} if isinstance(text, str) else item)
    return items


class GuideMeta(DocumentMeta):
    """Front matter of a troubleshooting guide (``guides/<id>.md``); its tree is ``guides/<id>.yml``.

    A guide in a request category is a fulfilment guide: it also says who approves (``approval``)
    and which team does the work (``fulfilled_by``, a step of the escalation protocol)."""

    version: Text = Field(description="Content version; bump it when the tree changes meaning.")
    summary: Text | None = None
    symptoms: list[Text] = Field(default_factory=list, description="What the requester reports, in their words.")
    gather: list[GatherItem] = Field(
        default_factory=list,
        description="Information to gather from the user before troubleshooting: plain text (its id is the slug of the text) "
        "or {id, text} (an id that survives rewording).",
    )
    articles: list[Slug] = Field(default_factory=list, description="Ids of related KB articles.")
    tree: Text | None = Field(None, description="Tree file name beside the guide; defaults to <id>.yml.")
    approval: Approval | None = Field(None, description="Request categories only: who approves the request and how.")
    fulfilled_by: Slug | None = Field(None, description="Request categories only: step id in guides/escalation.yml of the team that fulfils it.")

    @field_validator("gather", mode="before", json_schema_input_type=list[Text | GatherItem])
    @classmethod
    def _plain_gather_items(cls, value: Any) -> Any:
        return gather_items(value)


def item_ids(texts: list[str]) -> list[str]:
    """Ids of a checklist's items (follow-up checks, hand-off items), made like plain gather ids:
    the slug of each text (``item-N`` without letters or digits), ``-2``, ``-3``... on a repeat.
    A walk records confirmations and values by them, so reordering a list keeps what was noted."""
    ids: list[str] = []
    for n, text in enumerate(texts, 1):
        base = gather_id(text) or f"item-{n}"
        item, k = base, 1
        while item in ids:
            k += 1
            item = f"{base}-{k}"
        ids.append(item)
    return ids


DONE, FAILED, BLOCKED = "done", "failed", "blocked"  # the ways out of an action node
ACTION_OUTCOMES = (DONE, FAILED, BLOCKED)
CHOICE_LABELS = {DONE: "Done", FAILED: "Didn't help", BLOCKED: "Couldn't do"}  # how the site and kb walk show them
UNSURE = "Not sure"  # the answer a question's `unsure:` adds


class _Node(Strict):
    text: Text = Field(description="What the technician reads at this step (Markdown, no raw HTML).")
    help: Text | None = Field(None, description="Optional detail: how to check, where to click.")

    def out_edges(self) -> list[tuple[str, str]]:
        """(choice, target node id) for every way out of this node, in the order shown: the one
        home of a tree's edges (checks, walk, steps and the site all read them here)."""
        return []


class QuestionNode(_Node):
    """Ask something; each answer label leads to the next node."""

    type: Literal["question"]
    answers: dict[str, Slug] = Field(description="Answer label -> next node id, in the order shown.")
    unsure: Slug | None = Field(
        None, description=f'Node to go to when the technician cannot tell: adds the answer "{UNSURE}" after the others (no answer of that name then).'
    )

    def out_edges(self) -> list[tuple[str, str]]:
        return [*self.answers.items(), *([(UNSURE, self.unsure)] if self.unsure else [])]


class ActionNode(_Node):
    """An instruction to carry out, then continue."""

    type: Literal["action"]
    next: Slug | None = Field(None, description="The node after this action.")
    outcomes: list[Slug] | None = Field(
        None,
        json_schema_extra={"items": {"enum": list(ACTION_OUTCOMES)}, "uniqueItems": True},
        description='What the technician can answer, in the order shown: done, failed ("didn\'t help"), blocked ("couldn\'t do"). '
        "Unset: done, and failed and blocked where they lead somewhere other than a resolution (their if_ target, else next).",
    )
    if_failed: Slug | None = Field(None, description='The node after "didn\'t help"; defaults to next (the walk records it and continues).')
    if_blocked: Slug | None = Field(None, description='The node after "couldn\'t do"; defaults to next (the walk records it and continues).')
    _unset_outcomes: tuple[str, ...] = PrivateAttr(ACTION_OUTCOMES)  # set by the tree, which knows where each leads

    @property
    def offered(self) -> list[str]:
        """The outcomes offered, in order: the author's list, or the tree's default for this node."""
        return list(self.outcomes if self.outcomes is not None else self._unset_outcomes)

    def target(self, outcome: str) -> str | None:
        """Where ``outcome`` leads: its own target if the author gave one, else ``next``."""
        own = {FAILED: self.if_failed, BLOCKED: self.if_blocked}.get(outcome)
        return own or self.next

    def out_edges(self) -> list[tuple[str, str]]:
        return [(o, t) for o in self.offered if o in ACTION_OUTCOMES and (t := self.target(o))]


class ResolutionNode(_Node):
    """A leaf that resolves the ticket (SOP C: verify, follow-up checks, notify the user)."""

    type: Literal["resolution"]
    follow_up: list[Text] = Field(default_factory=list, description="Checks to do before closing.")
    user_note: Text | None = Field(None, description="Final instructions for the user.")


class EscalationNode(_Node):
    """A leaf that escalates to a step of the escalation protocol (SOP B.5)."""

    type: Literal["escalation"]
    step: Slug = Field(description="Step id from guides/escalation.yml.")
    handoff: list[Text] = Field(default_factory=list, description="Extra hand-off items for this case.")


class LinkNode(Strict):
    """Continue in another guide's tree."""

    type: Literal["link"]
    guide: Slug
    text: Text | None = None

    def out_edges(self) -> list[tuple[str, str]]:
        return []  # continues in another guide's tree, not in this one


Node = Annotated[QuestionNode | ActionNode | ResolutionNode | EscalationNode | LinkNode, Field(discriminator="type")]
NODE_TYPES = ("question", "action", "resolution", "escalation", "link")


class Tree(Strict):
    """A decision tree (``guides/<id>.yml``)."""

    start: Slug | None = Field(None, description="First node; defaults to the first node listed.")
    nodes: dict[Slug, Node] = Field(min_length=1)

    @property
    def start_id(self) -> str:
        return self.start or next(iter(self.nodes))

    def model_post_init(self, context: Any) -> None:
        """An action without ``outcomes`` offers "didn't help" and "couldn't do" only where they lead
        on to something other than a resolution: closing the ticket after a failed fix is never a default."""
        for node in self.nodes.values():
            if isinstance(node, ActionNode) and node.outcomes is None:
                node._unset_outcomes = tuple(o for o in ACTION_OUTCOMES if o == DONE or not isinstance(self.nodes.get(node.target(o) or ""), ResolutionNode))


class Category(Strict):
    id: CategoryId = Field(description="Hierarchical id, parent/child, e.g. network/vpn.")
    title: Text
    description: Text | None = None
    keywords: list[Text] = Field(default_factory=list, description="Words and aliases requesters use; used by triage and search.")
    zendesk_tags: list[Text] = Field(default_factory=list, description="How the ticket tool names this category.")
    kind: Kind | None = Field(
        None, description="incident (something is broken) or request (something is asked for); unset: the parent's kind, incident at the top."
    )
    review_every_days: int | None = Field(
        None, ge=1, description="Review interval for the guides and articles of this category and its sub-categories (default 365 days)."
    )


class Taxonomy(Strict):
    """The category taxonomy (``guides/categories.yml``)."""

    categories: list[Category] = Field(min_length=1)


class PriorityLevel(Strict):
    name: Text
    zendesk: Literal["urgent", "high", "normal", "low"]
    first_response: Duration = Field(description="First-response target, e.g. 15m.")
    resolution: Duration = Field(description="Resolution target, e.g. 4h or 3d.")
    description: Text | None = None


class RequestTarget(Strict):
    """Service-request targets for one priority: the clock of a request is its fulfilment."""

    first_response: Duration = Field(description="First-response target, e.g. 4h.")
    fulfilment: Duration = Field(description="Fulfilment target once approved, e.g. 5d.")
    description: Text | None = None


def _all_priorities(levels: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
    missing = [p for p in PRIORITY_IDS if p not in (levels or {})]
    if missing:
        raise ValueError(f"{info.field_name} must define P1..P4; add {', '.join(missing)}")
    return levels


class Priorities(Strict):
    """Impact x urgency matrix and SLA targets (``guides/priorities.yml``)."""

    impact: dict[Slug, Text] = Field(description="Impact levels, most severe first, with a description.")
    urgency: dict[Slug, Text] = Field(description="Urgency levels, most urgent first, with a description.")
    matrix: dict[Slug, dict[Slug, PriorityId]] = Field(description="impact -> urgency -> priority.")
    levels: dict[PriorityId, PriorityLevel] = Field(description="Incident targets per priority.")
    requests: dict[PriorityId, RequestTarget] | None = Field(
        None, description="Service-request targets per priority (first response, fulfilment); request categories use these instead of levels."
    )

    _all_levels = field_validator("levels")(_all_priorities)
    _all_requests = field_validator("requests")(_all_priorities)


TriggerKind = Literal["immediate", "after", "sla_share"]
SlaShare = Annotated[float, Field(gt=0, le=1)]


class ClockTrigger(Strict):
    """One timer of an escalation step: at once, after a fixed time, or at a share of the
    resolution target; for the listed priorities, or for every priority when none is listed."""

    immediately: Literal[True] | None = Field(None, description="Escalate here as soon as the ticket is opened (true).")
    after: Duration | None = Field(None, description="Escalate here after this much calendar time since the ticket was opened, e.g. 2h.")
    at_sla_share: SlaShare | None = Field(None, description="Escalate here when this share of the resolution target has passed (0.8 = 80%).")
    priorities: list[PriorityId] = Field(default_factory=list, description="Priorities this timer applies to; empty = all.")

    @model_validator(mode="after")
    def _one_kind(self) -> ClockTrigger:
        given = [name for name in ("immediately", "after", "at_sla_share") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a clock entry needs exactly one of immediately: true, after: <duration> or at_sla_share: <share>; it has {', '.join(given) or 'none'}"
            )
        return self

    @property
    def kind(self) -> TriggerKind:
        return "immediate" if self.immediately else "after" if self.after is not None else "sla_share"

    def covers(self, priority: str | None) -> bool:
        """Whether this timer runs for a ticket of ``priority`` (an unknown priority: only unrestricted timers)."""
        return not self.priorities or priority in self.priorities


class EscalationStep(Strict):
    tier: Literal["L1", "L2", "L3", "vendor", "management"]
    kind: Literal["functional", "hierarchical"] = "functional"
    team: Text
    queue: Text = Field(description="Ticket-tool group or queue, e.g. the Zendesk group name.")
    contact: Text = Field(description="How to reach the team: channel, phone, on-call rota.")
    trigger: Text = Field(description="When to escalate to this step, in words (the timers are in clock).")
    clock: list[ClockTrigger] = Field(
        default_factory=list,
        description="When time alone escalates here: at once, after a time, or at a share of the resolution target; per priority if needed.",
    )
    at_sla_share: SlaShare | None = Field(None, description="Older form of clock: [{at_sla_share: ...}] (every priority); still accepted.")
    categories: list[CategoryId] = Field(default_factory=list, description="Categories this step serves (children included); empty = all.")
    priorities: list[PriorityId] = Field(default_factory=list, description="Priorities this step applies to; empty = all.")
    handoff: list[Text] = Field(default_factory=list, description="Checklist of what the next level must receive.")
    zendesk_group_id: int | None = Field(
        None, gt=0, description='Zendesk group id of the queue; escalating a ticket from a walk routes it there (README "Zendesk").'
    )

    @model_validator(mode="after")
    def _one_clock_form(self) -> EscalationStep:
        if self.clock and self.at_sla_share is not None:
            raise ValueError("at_sla_share and clock are two forms of the same timers; move at_sla_share into clock")
        return self

    @property
    def timers(self) -> list[ClockTrigger]:
        """The step's timers in the one form (the older ``at_sla_share`` as a timer for every priority)."""
        return list(self.clock) if self.clock or self.at_sla_share is None else [ClockTrigger(at_sla_share=self.at_sla_share)]


class Escalation(Strict):
    """The escalation protocol (``guides/escalation.yml``)."""

    steps: dict[Slug, EscalationStep] = Field(min_length=1)


class Synonyms(Strict):
    """Search synonyms (``guides/synonyms.yml``): each group lists words that mean the same."""

    groups: list[list[Text]] = Field(default_factory=list)


PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_COMMON = ("ticket_id", "requester", "technician", "guide_title", "guide_id", "revision", "category", "priority", "transcript")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "resolution": (*_COMMON, "resolution", "follow_up", "user_note"),
    "escalation": (*_COMMON, "team", "tier", "queue", "contact", "handoff", "reason", "clock"),
    "escalation_notice": (*_COMMON, "team", "tier", "queue", "reason", "resolve_by"),
    "closure": (*_COMMON, "resolution", "user_note"),
}
USER_MESSAGES = frozenset({"resolution", "escalation_notice", "closure"})  # sent to the user: plain text, no Markdown marks
# ``[[ (ticket {ticket_id})]]``: an optional phrase, left out whole when a placeholder in it is blank.
OPTIONAL_PHRASE = re.compile(r"\[\[(.*?)\]\]", re.S)
# What a walk can leave blank: the ticket's fields (typed by the technician, or not), the priority,
# a guide's category, and a leaf's user note, follow-up checks or hand-off items. Each belongs
# inside an optional phrase (rule template-optional-phrase).
OPTIONAL_PLACEHOLDERS = frozenset({"ticket_id", "requester", "technician", "priority", "category", "user_note", "follow_up", "handoff"})


class MessageTemplate(Strict):
    subject: Text | None = None
    body: Text = Field(description="Message text with {placeholders}; see the README for the placeholders of each template.")


class Templates(Strict):
    """Message templates filled from a walk (``guides/templates.yml``)."""

    resolution: MessageTemplate = Field(description="Note to the user with the resolution and final instructions (SOP B.4, C.3).")
    escalation: MessageTemplate = Field(description="Internal hand-off note for the next level (SOP B.5); may keep Markdown.")
    escalation_notice: MessageTemplate | None = Field(
        None, description="Message to the user when the ticket is escalated: to whom, and what happens next (plain text)."
    )
    closure: MessageTemplate = Field(description="Message sent when the ticket is closed.")
