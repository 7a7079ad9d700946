"""Everything the API answers without searching, computed once per generation from the content.

``build_catalog`` returns plain JSON data (stored as ``catalog.json`` in the generation, the
article entries apart in parts, see :func:`article_part`): per
category its lineage, the guides a technician should follow (falling back to the nearest parent
that has guides), related articles and the escalation protocol for every priority with its SLA
targets; per guide its information to gather, numbered diagnosis steps and tree; per article its
metadata. Site URLs are relative to the site root (``guides/vpn/``); the service prefixes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ...content import sitemap
from ...content.cache import file_digest
from ...content.escalation import ProtocolStep, sla_targets, steps_for
from ...content.history import ContentVersion, content_versions, open_history
from ...content.models import PRIORITY_IDS, Escalation, Kind, Priorities, PriorityId, duration_minutes
from ...content.prose import one_line
from ...content.publishing import listed
from ...content.repository import Article, Guide, Repository
from ...content.taxonomy import CategoryIndex, is_within, parent_ids
from ...workflow.steps import linearise, steps_text
from ..engine.segments import SourceDoc
from .models import ArticleEntry, Catalog, CategoryEntry, CategoryInfo, CategoryLink, ContentVersionEntry, GuideEntry, PriorityEntry, Protocol

MAX_RELATED_ARTICLES = 10
ARTICLE_PARTS = 256  # the article entries are stored in up to this many parts, by path: ten edits rebuild at most ten (decision record 0048)
CATALOG_SCHEMA = 5  # 2: typed models (answers/models.py); 3: gather items with ids; 4: incident and request kinds; 5: escalation clock (trigger_kind, due_at)


def guide_url(guide_id: str) -> str:
    return sitemap.page_url(sitemap.guide_src(guide_id))


def article_url(article: Article) -> str:
    return sitemap.page_url(sitemap.article_src(article.path))


def category_url(category_id: str) -> str:
    return sitemap.page_url(sitemap.category_src(category_id))


def searchable_documents(repo: Repository) -> list[SourceDoc]:
    """Listed guides (by id) then articles (by path): a full build's document order.
    ``repo`` is the published view (``content.publishing``); retired content is not searchable."""
    docs: list[SourceDoc] = []
    for guide in sorted(listed(repo.guides, repo.policy), key=lambda g: g.id):
        meta = guide.meta
        # A step's text and its help (how to check, where to click): a technician searches for both.
        after = [item.text for item in meta.gather] + [
            one_line(getattr(node, attr, None) or "") for node in guide.tree.nodes.values() for attr in ("text", "help")
        ]
        docs.append(
            SourceDoc(
                guide.id,
                "guide",
                one_line(meta.title),
                meta.category,
                tuple(meta.tags),
                guide_url(guide.id),
                guide.body,
                before=(meta.summary or "", *meta.symptoms),
                after=tuple(after),
            )
        )
    for article in sorted(listed(repo.articles, repo.policy), key=lambda a: a.path):
        ameta = article.meta
        docs.append(SourceDoc(article.id, "article", one_line(ameta.title), ameta.category, tuple(ameta.tags), article_url(article), article.body))
    return docs


def _priority(pid: PriorityId, priorities: Priorities | None, kind: Kind = "incident") -> PriorityEntry | None:
    targets = sla_targets(priorities, pid, kind)
    if priorities is None or targets is None:
        return None
    return PriorityEntry(
        id=pid,
        name=targets.name,
        zendesk=priorities.levels[pid].zendesk,
        kind=targets.kind,
        first_response=targets.first_response,
        first_response_minutes=duration_minutes(targets.first_response),
        resolution=targets.resolution,
        resolution_minutes=duration_minutes(targets.resolution),
        description=targets.description,
    )


def escalation_protocol(escalation: Escalation | None, priorities: Priorities | None, category_id: str | None, kind: Kind = "incident") -> Protocol:
    """Priority id -> ordered escalation steps for a category (``None``: steps serving every category)."""
    protocol: Protocol = {}
    for pid in PRIORITY_IDS:
        applied = steps_for(escalation, priorities, category_id, pid, kind) if escalation else []
        protocol[pid] = [ProtocolStep.of(a) for a in applied]
    return protocol


def _guide_entry(guide: Guide, teams: dict[str, str], version: ContentVersion | None) -> GuideEntry:
    meta = guide.meta
    steps = linearise(guide.tree, teams)
    return GuideEntry(
        id=guide.id,
        title=one_line(meta.title),
        summary=meta.summary,
        category=meta.category,
        version=meta.version,
        revision=guide.revision,
        owner=meta.owner,
        reviewed=meta.reviewed.isoformat(),
        status=meta.status.value,
        tags=list(meta.tags),
        symptoms=list(meta.symptoms),
        gather=list(meta.gather),
        articles=list(meta.articles),
        approval=meta.approval,
        fulfilled_by=meta.fulfilled_by,
        url=guide_url(guide.id),
        steps=steps,
        steps_text=steps_text(steps),
        tree=guide.tree.model_dump(mode="json", exclude_none=True),
        body=guide.body.strip(),
        content_version=ContentVersionEntry.of(version),
    )


def _article_entry(article: Article, version: ContentVersion | None) -> ArticleEntry:
    meta = article.meta
    return ArticleEntry(
        id=article.id,
        title=one_line(meta.title),
        category=meta.category,
        tags=list(meta.tags),
        owner=meta.owner,
        reviewed=meta.reviewed.isoformat(),
        status=meta.status.value,
        audience=meta.audience.value,
        url=article_url(article),
        content_version=ContentVersionEntry.of(version),
    )


def _guides_for(category_id: str, by_category: dict[str, list[str]]) -> tuple[str | None, list[str]]:
    """(category whose guides apply, guide ids): own, else nearest parent's, else descendants'."""
    for candidate in [category_id, *parent_ids(category_id)]:
        if by_category.get(candidate):
            return candidate, by_category[candidate]
    below = [gid for cid, gids in sorted(by_category.items()) if is_within(cid, category_id) for gid in gids]
    return (category_id if below else None), below


class BuiltCatalog(NamedTuple):
    catalog: Catalog  # without its article entries: they are in ``parts``
    keys: dict[str, str]  # part name -> digest of what its entries are built from
    parts: dict[str, dict[str, ArticleEntry]]  # the parts built, each its entries by id; not the ones kept


def article_part(path: str) -> str:
    """The part of the catalog's article entries an article's entry is stored in (by its path)."""
    return f"articles-{hashlib.blake2b(path.encode(), digest_size=1).digest()[0] % ARTICLE_PARTS:03d}"


def _part_keys(repo: Repository, git: bool) -> dict[str, str]:
    """Per part: a digest of the catalog format and of each of its articles' path and bytes (and
    with ``git``, its version, which also follows from the history)."""
    inputs: dict[str, list[str]] = {}
    for article in sorted(repo.articles, key=lambda a: a.path):
        token = repr(repo.version_of(article)) if git else repo.digests.get(article.path) or file_digest(Path(repo.root) / article.path)
        inputs.setdefault(article_part(article.path), []).append(f"{article.path}\0{token}")
    return {name: hashlib.blake2b(f"{CATALOG_SCHEMA}\0{chr(0).join(items)}".encode(), digest_size=16).hexdigest() for name, items in sorted(inputs.items())}


def build_catalog(repo: Repository, kept: Callable[[str, str], bool] = lambda name, key: False) -> BuiltCatalog:
    """The per-category diagnosis data and the guide/article/priority tables.
    ``repo`` is the published view: every published guide and article has an entry (retired ones
    stay reachable by id), the category lists hold listed ones only. ``kept(part, key)``: whether
    the caller already has that part of the article entries (an earlier generation's, built from
    the same inputs); its entries are not built again (decision record 0048)."""
    categories = CategoryIndex(repo.taxonomy)
    teams = {sid: step.team for sid, step in (repo.escalation.steps.items() if repo.escalation else [])}
    guides = sorted(repo.guides, key=lambda g: g.id)
    history = open_history(repo.root)
    if history is not None and repo.versions is None:
        repo.load_versions(history)  # one git log; with git a version follows from the history too, so every part's key needs it
    keys = _part_keys(repo, history is not None)
    keep = {name for name, key in keys.items() if kept(name, key)}
    if repo.versions is None:  # without git a version is the hash of the document's own files: only those built here are hashed
        built: list[Guide | Article] = [*guides, *(a for a in repo.articles if article_part(a.path) not in keep)]
        repo.versions = content_versions(repo.root, [(d.path, d.files) for d in built], history)
    guide_entries = {g.id: _guide_entry(g, teams, repo.version_of(g)) for g in guides}

    guides_by_category: dict[str, list[str]] = {}
    for guide in sorted(listed(guides, repo.policy), key=lambda g: (g.meta.status.value != "published", one_line(g.meta.title).lower(), g.id)):
        if guide.meta.category:
            guides_by_category.setdefault(guide.meta.category, []).append(guide.id)
    articles_by_category: dict[str, list[str]] = {}
    articles = {a.id: a for a in repo.articles}
    for article in sorted(listed(repo.articles, repo.policy), key=lambda a: (a.meta.status.value != "published", one_line(a.meta.title).lower(), a.id)):
        if article.meta.category:
            articles_by_category.setdefault(article.meta.category, []).append(article.id)

    table: dict[str, CategoryEntry] = {}
    for category in categories.by_id.values():
        kind = categories.kind_of(category.id)
        source, guide_ids = _guides_for(category.id, guides_by_category)
        related: list[str] = []
        for gid in guide_ids:
            related += [a for a in guide_entries[gid].articles if a in articles and a not in related]
        for cid in [category.id, *([source] if source and source != category.id else [])]:
            related += [a for a in articles_by_category.get(cid, [])[: MAX_RELATED_ARTICLES * 2] if a not in related]
        table[category.id] = CategoryEntry(
            category=CategoryInfo(
                id=category.id,
                title=category.title,
                description=category.description,
                keywords=list(category.keywords),
                zendesk_tags=list(category.zendesk_tags),
                kind=kind,
                url=category_url(category.id),
            ),
            parents=[CategoryLink(id=c.id, title=c.title, url=category_url(c.id)) for c in categories.lineage(category.id)[1:]],
            children=[c.id for c in categories.children(category.id)],
            guides_from=source,
            guides=guide_ids,
            articles=related[:MAX_RELATED_ARTICLES],
            article_count=sum(len(v) for k, v in articles_by_category.items() if is_within(k, category.id)),
            guide_count=sum(len(v) for k, v in guides_by_category.items() if is_within(k, category.id)),
            escalation=escalation_protocol(repo.escalation, repo.priorities, category.id, kind),
        )
    catalog = Catalog(
        schema_version=CATALOG_SCHEMA,
        content_version=repo.content_version,
        priorities={pid: _priority(pid, repo.priorities) for pid in PRIORITY_IDS},
        request_priorities={pid: _priority(pid, repo.priorities, "request") for pid in PRIORITY_IDS},
        categories=table,
        zendesk_tags=dict(categories.by_tag),
        default_escalation=escalation_protocol(repo.escalation, repo.priorities, None),
        guides=guide_entries,
        articles={},
    )
    parts: dict[str, dict[str, ArticleEntry]] = {name: {} for name in keys if name not in keep}
    for article in sorted(repo.articles, key=lambda a: a.id):
        if (name := article_part(article.path)) in parts:
            parts[name][article.id] = _article_entry(article, repo.version_of(article))
    return BuiltCatalog(catalog, keys, parts)
