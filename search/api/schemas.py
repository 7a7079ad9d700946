"""Response models: the API's public shapes (and its OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, GetJsonSchemaHandler, computed_field
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from ..content.escalation import ProtocolStep
from ..content.models import Approval, GatherItem, Kind, PriorityId, PriorityParam, Tree
from ..workflow.transcript import GuideRef, Outcome, StepTaken, TranscriptData


class _ShownAs:
    """Documents a plain JSON value with a model's schema (the value itself is passed through)."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return handler(self.model.__pydantic_core_schema__)


# A guide's tree as the catalog holds it (the content model dumped without empty fields), shown
# in the OpenAPI document with the content model's schema: nodes by type, their fields.
TreeJson = Annotated[dict[str, Any], _ShownAs(Tree)]


class CategoryRef(BaseModel):
    id: str
    title: str
    url: str = Field(description="Category page of the site.")


class CategoryOut(BaseModel):
    id: str = Field(description="Hierarchical id, e.g. network/vpn.")
    title: str
    description: str | None = None
    keywords: list[str] = []
    zendesk_tags: list[str] = []
    kind: Kind = Field("incident", description="incident (something is broken) or request (something is asked for: a fulfilment guide, request SLA targets).")
    url: str
    parents: list[CategoryRef] = Field(default=[], description="Ancestors, nearest first.")
    children: list[str] = []
    guide_count: int = 0
    article_count: int = 0


class SlaTargets(BaseModel):
    kind: Kind = Field("incident", description="Whose targets: for a request, resolution is the fulfilment target (guides/priorities.yml requests).")
    first_response: str
    first_response_minutes: int
    resolution: str
    resolution_minutes: int


class PriorityOut(BaseModel):
    id: PriorityId
    name: str
    zendesk: str
    description: str | None = None
    sla: SlaTargets


class EscalationProtocol(BaseModel):
    priority: PriorityOut
    steps: list[ProtocolStep]


class Branch(BaseModel):
    label: str
    node: str
    goto: int | None = Field(description="Step number the answer leads to.")


class DiagnosisStep(BaseModel):
    number: int
    node: str
    kind: Literal["question", "action", "resolution", "escalation", "link"]
    text: str
    help: str | None = None
    branches: list[Branch] = []
    escalation_step: str | None = None
    guide: str | None = None
    follow_up: list[str] = []
    user_note: str | None = None
    handoff: list[str] = []
    line: str = Field(description='The step as a sentence: "1. Ask: ... If yes go to step 2; if no go to step 5."')


class ContentVersionOut(BaseModel):
    """Which version of a guide's or article's content this is: the commit that last changed its
    files (``commit``, ``date``), or without git history only ``digest``, a SHA-256 of the files."""

    commit: str | None = Field(None, description="Full commit id; null when the content has no git history.")
    date: str | None = Field(None, description="Commit date (ISO 8601).")
    digest: str = Field(description="SHA-256 of the document's files as built; changes whenever they do.")
    modified: bool = Field(False, description="The files were edited after that commit when the index was built.")


class GuideOut(BaseModel):
    id: str
    title: str
    summary: str | None = None
    category: str | None = None
    version: str
    revision: str = Field(description="Version plus tree hash; walks recorded against another revision are stale.")
    url: str
    tags: list[str] = []
    symptoms: list[str] = []
    gather_items: list[GatherItem] = Field(
        default=[], validation_alias="gather", description="Information to gather from the user: each item's id keys the walk's gathered notes."
    )
    articles: list[str] = []
    approval: Approval | None = Field(None, description="Fulfilment guides: who approves the request and how.")
    fulfilled_by: str | None = Field(None, description="Fulfilment guides: escalation step id of the team that fulfils the request.")
    steps: list[DiagnosisStep] = Field(description="The decision tree as ordered, numbered steps.")
    steps_text: str
    tree: TreeJson = Field(description="The decision tree itself (start, nodes; empty fields left out).")
    content_version: ContentVersionOut | None = Field(None, description="The commit that last changed the guide's page or tree (null from an older index).")

    # Deprecated in the schema only: pydantic's deprecated= would warn on every serialisation.
    @computed_field(  # type: ignore[prop-decorator]
        description="Deprecated: the texts of gather_items, kept until the next major version.", json_schema_extra={"deprecated": True}
    )
    @property
    def gather(self) -> list[str]:
        return [item.text for item in self.gather_items]


class GuideDetail(GuideOut):
    owner: str
    reviewed: str
    status: str
    body: str = Field(description="The guide's prose (Markdown).")


class ArticleRef(BaseModel):
    id: str
    title: str
    category: str | None = None
    url: str


class ArticleOut(ArticleRef):
    tags: list[str] = []
    owner: str
    reviewed: str
    status: str
    audience: str
    markdown: str
    text: str = Field(description="Plain text of the body.")
    content_version: ContentVersionOut | None = Field(None, description="The commit that last changed the article (null from an older index).")


class GuideSummary(BaseModel):
    """A guide as lists show it; ``GET /api/guides/{id}`` has the rest."""

    id: str
    title: str
    summary: str | None = None
    category: str | None = None
    tags: list[str] = []
    version: str
    revision: str
    reviewed: str
    status: str
    url: str


class ArticleSummary(ArticleRef):
    tags: list[str] = []
    reviewed: str
    status: str
    audience: str


class GuidesPage(BaseModel):
    guides: list[GuideSummary] = Field(description="Ordered by id.")
    next: str | None = Field(description='The next page (also in the Link header, rel="next"); null on the last page.')
    generation: int


class ArticlesPage(BaseModel):
    articles: list[ArticleSummary] = Field(description="Ordered by id.")
    next: str | None = Field(description='The next page (also in the Link header, rel="next"); null on the last page.')
    generation: int


class Diagnosis(BaseModel):
    category: CategoryOut
    priority: PriorityOut | None = None
    query: str | None = None
    guides_from: str | None = Field(None, description="Category whose guides are listed (a parent when the category has none of its own).")
    guides: list[GuideOut]
    escalation: list[EscalationProtocol] = Field(description="The protocol for the requested priority, or for P1..P4 when none was given.")
    articles: list[ArticleRef]
    content_version: str
    generation: int


class Match(BaseModel):
    start: int
    end: int


class Snippet(BaseModel):
    text: str = Field(description="Plain text (never HTML).")
    matches: list[Match] = Field(description="Matched words as [start, end) offsets into text, in Unicode code points.")


class StepHit(BaseModel):
    """The step of a guide hit whose text or help shares the most words with the query."""

    node: str
    number: int
    text: str
    url: str = Field(description="The guide's page at this step (#node-<id>); the site's step-through opens the walk there.")


class SearchHit(BaseModel):
    id: str
    type: Literal["guide", "article"]
    title: str
    title_matches: list[Match]
    category: str | None = None
    url: str
    score: float
    snippet: Snippet
    step: StepHit | None = Field(None, description="For a guide: the step the query matches best (its text or help); null when none does.")


class Facet(BaseModel):
    id: str
    title: str
    count: int


class Facets(BaseModel):
    categories: list[Facet]


class SearchOut(BaseModel):
    query: str
    total: int
    hits: list[SearchHit]
    facets: Facets
    suggestion: str | None = Field(None, description="The query with unknown words spelled like known ones.")
    corrected: bool = Field(False, description="True when unknown words were replaced by the suggestion's spelling to find these hits.")
    relaxed: bool = Field(False, description="True when no document had all words and hits match some of them.")
    generation: int


class CategoriesOut(BaseModel):
    categories: list[CategoryOut]
    generation: int


class EscalationOut(BaseModel):
    category: CategoryRef | None = None
    protocols: list[EscalationProtocol]
    generation: int


class Documents(BaseModel):
    guides: int
    articles: int
    total: int


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    reason: str | None = None  # why the status is degraded
    generation: int
    generation_name: str
    documents: Documents
    categories: int
    content_version: str
    built_at: str | None = None


class ReloadOut(BaseModel):
    generation: int
    previous: int | None
    changed: bool


class TicketIn(BaseModel):
    """Ticket details that fill message templates."""

    ticket_id: str | None = Field(None, max_length=100)
    requester: str | None = Field(None, max_length=200)
    technician: str | None = Field(None, max_length=200)


ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d[T ]")


def _iso_text(value: object) -> object:
    """A time only as ISO 8601 text: pydantic would also read a number (or numeric text) as seconds
    since 1970, so ``opened_at=1.5e9`` would quietly become a date."""
    if isinstance(value, str) and not ISO_DATE.match(value):
        raise ValueError("expected an ISO 8601 time, e.g. 2026-12-02T09:00:00+01:00")
    if not isinstance(value, (str, dt.datetime)):
        raise ValueError("expected an ISO 8601 time as text, e.g. 2026-12-02T09:00:00+01:00")
    return value


IsoTime = Annotated[dt.datetime, BeforeValidator(_iso_text)]
IsoAwareTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]  # with a UTC offset: deadlines are never computed in a guessed zone


class StepRecordIn(BaseModel):
    """What the technician recorded when answering one step."""

    note: str = Field("", max_length=2000, description="A note on the step (blank = none).")
    at: IsoTime | None = Field(
        None, description="When the step was answered, e.g. 2026-12-02T14:02:00+01:00; the transcript prints the time as given ([14:02]), never converted."
    )


class WalkIn(BaseModel):
    """The answers so far; the walk itself is stateless."""

    answers: list[str] = Field(default=[], max_length=1000, description='Choice at each node from the start: an answer label, or "done" for an action.')
    revision: str | None = Field(
        None, min_length=1, max_length=100, description="Guide revision the answers were recorded against; a different current revision is a 409."
    )
    priority: PriorityParam | None = Field(None, description="For the transcript and messages.")
    opened_at: IsoAwareTime | None = Field(
        None, description='When the ticket was opened (ISO 8601 with a UTC offset): the escalation clock then gives times (due_at, "due by 14:30").'
    )
    gathered: dict[Annotated[str, Field(max_length=100)], str] | list[str] = Field(
        default={},
        max_length=100,
        description="Notes for the guide's information-to-gather items, keyed by item id (gather_items[].id; blank = not gathered). "
        "Deprecated: a list in the items' order is still accepted until the next major version.",
    )
    ticket: TicketIn | None = None
    records: list[StepRecordIn] = Field(
        default=[],
        max_length=1000,
        description="What was recorded with each answer, in the same order (at most one per answer): a note and when the step was answered.",
    )
    confirmed: list[Annotated[str, Field(max_length=100)]] = Field(
        default=[], max_length=100, description="Ids of the resolution's follow-up checks the technician confirmed (outcome.checks[].id)."
    )
    handoff: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=2000)]] = Field(
        default={},
        max_length=100,
        description="What the technician filled in for the escalation's hand-off items, keyed by item id (outcome.handoff_items[].id).",
    )


class NodeOut(BaseModel):
    id: str
    type: Literal["question", "action", "resolution", "escalation", "link"]
    text: str | None = None
    help: str | None = None
    choices: list[str] = Field(description="What the technician can answer here (empty at a leaf).")


class Message(BaseModel):
    audience: Literal["user", "internal"] = Field(description="user: send to the requester (plain text, no Markdown); internal: a note in the ticket.")
    subject: str | None = None
    body: str


class WalkOut(BaseModel):
    guide: GuideRef
    current: NodeOut
    path: list[StepTaken]
    finished: bool
    outcome: Outcome | None = Field(None, description="At a leaf: the resolution, escalation (team, queue, contact, hand-off) or link.")
    transcript: str = Field(description="Plain-text transcript for the ticket's internal note (same text as the site and kb walk).")
    transcript_data: TranscriptData = Field(description="The same transcript as structured data.")
    messages: dict[str, Message] = Field(
        default={}, description="At a leaf: filled templates (resolution + closure, or escalation + escalation_notice), the same texts as the site and kb walk."
    )
    content_version: str
    generation: int


class TriageIn(BaseModel):
    subject: str = Field(min_length=1, max_length=1000, pattern=r"\S", description="The ticket's subject (required, not blank).")
    description: str = Field("", max_length=20_000)
    impact: str | None = Field(None, max_length=50, description="Impact level from the priority matrix, e.g. significant.")
    urgency: str | None = Field(None, max_length=50, description="Urgency level from the priority matrix, e.g. high.")
    limit: int = Field(3, ge=1, le=20)


class CategorySuggestion(BaseModel):
    category: str
    title: str
    kind: Kind = "incident"
    score: float = Field(description="The ranking model's estimate (0..1) that this is the ticket's category; the list is ordered by it.")
    matched: list[str] = Field(description="Keywords and aliases that matched; word~keyword for a corrected typo.")
    evidence: list[str] = Field([], description="Ids of this category's guides and articles among the knowledge-base documents that best match the ticket.")
    url: str


class GuideSuggestion(BaseModel):
    id: str
    title: str
    category: str | None = None
    url: str
    score: float = Field(description="Its category's score times how well the guide itself matches the ticket (0..1).")


class TriageOut(BaseModel):
    categories: list[CategorySuggestion] = Field(description="Candidates, best first; with confident false they are possibilities, not an answer.")
    guides: list[GuideSuggestion] = Field([], description="Guides to try for the suggested categories, best first.")
    confidence: float = Field(0.0, ge=0, le=1, description="Calibrated chance (0..1) that the first category is right.")
    confident: bool = Field(False, description="False: no confident match (the ticket needs a person's categorisation).")
    priority: PriorityOut | None = None
    generation: int
