"""What is published: one policy for the site, the search index and the API.

- ``status: draft`` is not published, unless the build is a preview (then it carries a banner).
- ``status: retired`` stays reachable by its URL (with a banner) but leaves every listing
  (category pages, tags, a guide's related articles, the review page) and search.
- A public build or service (``audience: public``) leaves out ``audience: internal`` content
  everywhere: pages, search, API, listings.

Checks run on everything; :func:`published` gives the view that the site and the index are built from.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from .models import Audience, DocumentMeta, Status

if TYPE_CHECKING:  # the repository holds a Policy: imported for types only
    from .repository import Article, Guide, Repository


@dataclass(frozen=True)
class Policy:
    """``preview``: drafts are published (with a banner); ``audience``: who the build is for."""

    preview: bool = False
    audience: Audience = Audience.internal

    @classmethod
    def of(cls, preview: bool | str | None = False, audience: str | Audience | None = None) -> Policy:
        """From settings as written (``"true"``, ``"public"``); an unknown audience raises ValueError."""
        if isinstance(preview, str):
            preview = preview.strip().lower() in ("1", "true", "yes", "on")
        return cls(bool(preview), Audience(audience or Audience.internal))

    @classmethod
    def from_env(cls) -> Policy:
        """``KB_PREVIEW`` and ``KB_AUDIENCE``: how ``kb check``, ``kb build``, ``kb index`` and a plain
        ``mkdocs build`` learn the policy (the CLI's ``--preview``/``--audience`` set them)."""
        return cls.of(os.environ.get("KB_PREVIEW"), os.environ.get("KB_AUDIENCE") or None)


def is_published(meta: DocumentMeta, policy: Policy) -> bool:
    """Whether the document has a page, search entries and API answers at all."""
    if meta.status is Status.draft and not policy.preview:
        return False
    return not (policy.audience is Audience.public and meta.audience is not Audience.public)


def is_listed(meta: DocumentMeta, policy: Policy) -> bool:
    """Whether the document appears in listings and search (retired pages are only reachable by URL)."""
    return is_published(meta, policy) and meta.status is not Status.retired


D = TypeVar("D", "Guide", "Article")


def listed(docs: Iterable[D], policy: Policy) -> list[D]:
    return [d for d in docs if is_listed(d.meta, policy)]


def published(repo: Repository, policy: Policy) -> Repository:
    """The repository as the site and index see it: unpublished guides and articles removed, and
    each guide's related articles cut to the listed ones (so no list links to a missing page)."""
    articles = [a for a in repo.articles if is_published(a.meta, policy)]
    shown = {a.id for a in listed(articles, policy)}
    guides = []
    for guide in repo.guides:
        if not is_published(guide.meta, policy):
            continue
        related = [a for a in guide.meta.articles if a in shown]
        if related != guide.meta.articles:
            guide = dataclasses.replace(guide, meta=guide.meta.model_copy(update={"articles": related}))
        guides.append(guide)
    return dataclasses.replace(repo, guides=guides, articles=articles, policy=policy)
