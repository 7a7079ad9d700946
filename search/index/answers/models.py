"""The typed contract between the index and the API: what ``catalog.json`` holds.

Built once per generation by :func:`.catalog.build_catalog`, written as JSON, and read back
with the same models when a generation opens, so the API reads attributes, not string keys.
Site URLs are relative to the site root; the generation prefixes them once when it opens.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, field_validator

from ...content.escalation import ProtocolStep
from ...content.history import ContentVersion
from ...content.models import Approval, GatherItem, Kind, PriorityId, gather_items
from ...workflow.steps import Step


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class CategoryInfo(_Entry):
    id: str
    title: str
    description: str | None = None
    keywords: list[str] = []
    zendesk_tags: list[str] = []
    kind: Kind = "incident"
    url: str


class CategoryLink(_Entry):
    id: str
    title: str
    url: str


Protocol = dict[PriorityId, list[ProtocolStep]]  # the steps for each priority, in escalation order


class CategoryEntry(_Entry):
    """Everything a diagnosis for one category needs."""

    category: CategoryInfo
    parents: list[CategoryLink]
    children: list[str]
    guides_from: str | None = None  # the category whose guides apply (itself or a parent)
    guides: list[str]
    articles: list[str]
    article_count: int
    guide_count: int
    escalation: Protocol


class PriorityEntry(_Entry):
    id: PriorityId
    name: str
    zendesk: str
    kind: Kind = "incident"  # which targets: a request's resolution is its fulfilment target
    first_response: str
    first_response_minutes: int
    resolution: str
    resolution_minutes: int
    description: str | None = None


class ContentVersionEntry(_Entry):
    """The commit that last changed a document's files, or (without git) a hash of them."""

    commit: str | None = None
    date: str | None = None
    digest: str
    modified: bool = False

    @classmethod
    def of(cls, version: ContentVersion | None) -> ContentVersionEntry | None:
        if version is None:
            return None
        return cls(commit=version.commit, date=version.date.isoformat() if version.date else None, digest=version.digest, modified=version.modified)

    def version(self) -> ContentVersion:
        return ContentVersion(self.digest, self.commit, dt.datetime.fromisoformat(self.date) if self.date else None, self.modified)


class GuideEntry(_Entry):
    id: str
    title: str
    summary: str | None = None
    category: str | None = None
    version: str
    revision: str
    owner: str
    reviewed: str
    status: str
    tags: list[str]
    symptoms: list[str]
    gather: list[GatherItem]
    articles: list[str]
    approval: Approval | None = None
    fulfilled_by: str | None = None
    url: str
    steps: list[Step]
    steps_text: str
    tree: dict[str, Any]  # the tree as the API shows it (start, nodes; empty fields left out)
    body: str
    content_version: ContentVersionEntry | None = None  # None in generations built before it existed

    @field_validator("gather", mode="before")
    @classmethod
    def _plain_gather_items(cls, value: object) -> object:
        """Generations built before gather ids (catalog schema 2) hold plain texts: same ids as the loader gives."""
        return gather_items(value)


class ArticleEntry(_Entry):
    id: str
    title: str
    category: str | None = None
    tags: list[str]
    owner: str
    reviewed: str
    status: str
    audience: str
    url: str
    content_version: ContentVersionEntry | None = None


ARTICLE_ENTRIES: TypeAdapter[dict[str, ArticleEntry]] = TypeAdapter(dict[str, ArticleEntry])  # one part of the catalog's article entries


class Catalog(_Entry):
    """The per-category diagnosis data and the guide, article and priority tables."""

    schema_version: int
    content_version: str
    priorities: dict[PriorityId, PriorityEntry | None]
    request_priorities: dict[PriorityId, PriorityEntry | None]  # the targets request categories use
    categories: dict[str, CategoryEntry]
    zendesk_tags: dict[str, str]
    default_escalation: Protocol
    guides: dict[str, GuideEntry]
    articles: dict[str, ArticleEntry]

    def priorities_for(self, category_id: str | None) -> dict[PriorityId, PriorityEntry | None]:
        """The SLA targets a ticket of this category is measured against (its kind's)."""
        entry = self.categories.get(category_id) if category_id else None
        return self.request_priorities if entry is not None and entry.category.kind == "request" else self.priorities

    def prefix_urls(self, prefix: str) -> None:
        """Make every site URL absolute under ``prefix`` (once, when a generation opens)."""
        for entry in self.categories.values():
            entry.category.url = prefix + entry.category.url
            for parent in entry.parents:
                parent.url = prefix + parent.url
        for guide in self.guides.values():
            guide.url = prefix + guide.url
        for article in self.articles.values():
            article.url = prefix + article.url
