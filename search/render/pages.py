"""Generated reference pages: categories, escalation protocol, priority/SLA matrix, review status,
tags, and the header added to every KB article page."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from markupsafe import Markup

from ..content import sitemap
from ..content.escalation import Clock
from ..content.history import ContentVersion
from ..content.models import Category, EscalationStep, Kind
from ..content.publishing import listed
from ..content.repository import Article, Guide, Repository
from ..content.taxonomy import CategoryIndex, is_within, parent_ids
from ..workflow.review import ReviewItem, review_due, review_interval, review_items
from ..workflow.sla import clock_summary, format_minutes, step_clocks, step_kinds
from . import markup, mdpage
from .freshness import overdue_review
from .mdpage import LateHtml
from .templating import render
from .versions import ShownVersion

D = TypeVar("D", Guide, Article)

CONFIG_SRC = sitemap.ESCALATION_PAGE
TAGS_PAGE = "tags.md"
RECENT_GUIDES = 8  # guides the start page lists as changed last
DUE_SHOWN = 10  # reviews the start page lists (the review page has them all)


class Pages:
    """Renders the generated pages of one repository (indexes are built once and shared)."""

    def __init__(
        self, repo: Repository, directory_urls: bool = True, versions: Mapping[str, ContentVersion] | None = None, *, today: dt.date | None = None
    ) -> None:
        self.repo, self.directory_urls = repo, directory_urls
        self.today = today  # the build date the review banner counts from (None: no banner)
        self.versions = versions or {}
        self.categories = CategoryIndex(repo.taxonomy)
        self.guides_in: dict[str, list[Guide]] = defaultdict(list)
        self.articles_in: dict[str, list[Article]] = defaultdict(list)
        # listings show listed content only: retired pages are reachable by URL alone
        shown = listed(repo.guides, repo.policy)
        for guide in shown:
            self.guides_in[guide.meta.category or ""].append(guide)
        for article in listed(repo.articles, repo.policy):
            self.articles_in[article.meta.category or ""].append(article)
        self.guides_for_article: dict[str, list[Guide]] = defaultdict(list)
        for guide in shown:
            for article_id in guide.meta.articles:
                self.guides_for_article[article_id].append(guide)

    def href(self, from_src: str, to_src: str, anchor: str = "") -> str:
        return markup.href(from_src, to_src, anchor, self.directory_urls)

    def md_inline(self, value: str | None, shown_on: str, written_for: str = CONFIG_SRC) -> str:
        return markup.inline(value, written_for, shown_on, self.directory_urls)

    def within(self, table: dict[str, list[D]], category_id: str) -> list[D]:
        return [item for cid, items in table.items() if cid and is_within(cid, category_id) for item in items]

    def category_link(self, from_src: str, category_id: str | None) -> CategoryLink:
        if not category_id:
            return CategoryLink("none")
        category = self.categories.by_id.get(category_id)
        if category is None:
            return CategoryLink(category_id)
        return CategoryLink(category.title, self.href(from_src, sitemap.category_src(category_id)))

    # categories -----------------------------------------------------------------------------

    def categories_index(self) -> str:
        src = f"{sitemap.CATEGORIES_PREFIX}/index.md"
        tops = [c for c in self.categories.by_id.values() if not parent_ids(c.id) or not any(p in self.categories.by_id for p in parent_ids(c.id))]
        uncategorised = self.guides_in.get("", []) + self.articles_in.get("", [])
        body = render("categories.html", tops=[self._category_item(src, c) for c in tops], uncategorised=self._doc_items(src, uncategorised))
        return mdpage.page({"title": "Categories"}, [body])

    def _category_item(self, src: str, category: Category) -> _CategoryItem:
        guides = len(self.within(self.guides_in, category.id))
        articles = len(self.within(self.articles_in, category.id))
        children = [c for c in self.categories.children(category.id) if c.id.count("/") == category.id.count("/") + 1]
        description = Markup(self.md_inline(category.description, src)) if category.description else ""
        return _CategoryItem(
            self.href(src, sitemap.category_src(category.id)),
            category.title,
            f"{_plural(guides, 'guide')}, {_plural(articles, 'article')}",
            description,
            [self._category_item(src, c) for c in children],
        )

    def category_page(self, category: Category) -> str:
        src = sitemap.category_src(category.id)
        crumbs = [CategoryLink("Categories", self.href(src, f"{sitemap.CATEGORIES_PREFIX}/index.md"))]
        crumbs += [self.category_link(src, p) for p in reversed(parent_ids(category.id)) if p in self.categories.by_id]
        guides = self.within(self.guides_in, category.id)
        fallback = None if guides else next((p for p in parent_ids(category.id) if self.guides_in.get(p)), None)
        body = render(
            "category.html",
            category=category,
            kind=self.categories.kind_of(category.id),
            crumbs=crumbs,
            description=Markup(self.md_inline(category.description, src)) if category.description else "",
            children=[self.category_link(src, c.id) for c in self.categories.children(category.id)],
            guides=self._guide_rows(src, guides, category.id),
            fallback=self.category_link(src, fallback) if fallback else None,
            fallback_guides=self._guide_rows(src, self.guides_in[fallback], fallback) if fallback else [],
            articles=self._doc_items(src, self.within(self.articles_in, category.id), category.id),
            escalation=[
                _StepLink(self.href(src, sitemap.ESCALATION_PAGE, f"step-{sid}"), step.team, step.tier, step.queue)
                for sid, step in self._escalation_for(category.id)
            ],
        )
        return mdpage.page({"title": mdpage.title_meta(category.title)}, [body])

    def _escalation_for(self, category_id: str) -> list[tuple[str, EscalationStep]]:
        if self.repo.escalation is None:
            return []
        return [
            (sid, s)
            for sid, s in self.repo.escalation.steps.items()
            if s.kind == "functional" and s.tier != "L1" and s.categories and any(is_within(category_id, c) for c in s.categories)
        ]

    def _guide_rows(self, src: str, guides: list[Guide], category_id: str) -> list[_GuideRow]:
        return [
            _GuideRow(
                self.href(src, sitemap.guide_src(guide.id)),
                guide.meta.title,
                self._where(src, guide.meta.category, category_id),
                Markup(self.md_inline(guide.meta.summary, src, sitemap.guide_src(guide.id))) if guide.meta.summary else "",
                guide.meta.owner,
                guide.meta.version,
            )
            for guide in sorted(guides, key=lambda g: g.meta.title.casefold())
        ]

    def _doc_items(self, src: str, docs: Sequence[Guide | Article], category_id: str | None = None) -> list[_DocItem]:
        items = []
        for doc in sorted(docs, key=lambda d: d.meta.title.casefold()):
            target = sitemap.guide_src(doc.id) if isinstance(doc, Guide) else sitemap.article_src(doc.path)
            items.append(_DocItem(self.href(src, target), doc.meta.title, self._where(src, doc.meta.category, category_id)))
        return items

    def _where(self, src: str, doc_category: str | None, category_id: str | None) -> CategoryLink | None:
        """The own category of a document listed under another category (shown as "in ...")."""
        if category_id is None or doc_category == category_id:
            return None
        return self.category_link(src, doc_category)

    # escalation and priorities --------------------------------------------------------------

    def escalation_page(self) -> str:
        src = sitemap.ESCALATION_PAGE
        escalation = self.repo.escalation
        levels = list(self.repo.priorities.levels) if self.repo.priorities else []
        timed: list[_TimedStep] = []
        groups: list[tuple[str, list[tuple[str, EscalationStep]]]] = []
        if escalation is not None:
            for sid, step in escalation.steps.items():
                if step.timers and levels:
                    rows = {k: [_cell(step_clocks(self.repo, step, k).get(p)) for p in levels] for k in step_kinds(self.repo, step)}
                    split = len({tuple(cells) for cells in rows.values()}) > 1  # a row per kind only where incidents and requests differ
                    for ticket_kind, cells in rows.items():
                        timed.append(_TimedStep(sid, step.team, clock_summary(step, ticket_kind), cells, ticket_kind if split else None))
                        if not split:
                            break
            for kind, title in (("functional", "Functional escalation"), ("hierarchical", "Hierarchical escalation")):
                group = [(sid, s) for sid, s in escalation.steps.items() if s.kind == kind]
                if group:
                    groups.append((title, group))
        body = render(
            "escalation.html",
            defined=escalation is not None,
            steps=groups,
            timed=timed,
            levels=levels,
            inline=lambda value: Markup(self.md_inline(value, src)),
            clock=clock_summary,
            category_links=lambda ids: [self.category_link(src, c) for c in ids],
        )
        return mdpage.page({"title": "Escalation protocol"}, [body])

    def priorities_page(self) -> str:
        src = sitemap.PRIORITIES_PAGE
        body = render(
            "priorities.html",
            p=self.repo.priorities,
            inline=lambda value: Markup(self.md_inline(value, src)),
            escalation_href=self.href(src, sitemap.ESCALATION_PAGE, "time-based-escalation"),
        )
        return mdpage.page({"title": "Priorities and SLA targets"}, [body])

    # review ---------------------------------------------------------------------------------

    def review_page(self, today: dt.date, window_days: int) -> str:
        src = sitemap.REVIEW_PAGE
        items = [_ReviewItem.of(item) for item in review_items(self.repo, today, window_days)]
        due = [i for i in items if i.days_left <= window_days]
        by_owner: dict[str, list[_ReviewItem]] = defaultdict(list)
        for item in due:
            by_owner[item.owner].append(item)
        owned: dict[str, int] = defaultdict(int)
        for item in items:
            owned[item.owner] += 1
        owners = [
            _OwnerReview(owner, rows, sum(r.days_left < 0 for r in rows), sum(r.days_left >= 0 for r in rows), owned[owner])
            for owner, rows in sorted(by_owner.items(), key=lambda kv: kv[0].casefold())
        ]
        body = render(
            "review.html",
            today=today.isoformat(),
            window_days=window_days,
            checked=len(items),
            owners=owners,
            href=lambda to_src: self.href(src, to_src),
        )
        return mdpage.page({"title": "Review status"}, [body])

    # the way in: the start page and the list of every guide --------------------------------

    def start_late(self, today: dt.date, window_days: int, changes: bool) -> LateHtml:
        """The start page's parts, filled into the home page (its own text, if any, between them;
        see :func:`start_source`): the search and triage box, then the categories of each kind
        with their guides, the guides changed last (by content version) and the reviews due.
        ``changes``: the build has a What changed page to link to."""
        src = sitemap.START_PAGE
        box = render("start.html", part="box", triage=self.href(src, sitemap.TRIAGE_PAGE), guides=self.href(src, sitemap.GUIDE_LIST_PAGE))
        groups = []
        for kind, title in (("incident", "Incidents"), ("request", "Service requests")):
            cards = [self._start_card(src, c) for c in self._tops() if self.categories.kind_of(c.id) == kind]
            if any(card.guides for card in cards):
                groups.append(_Group(kind, title, [card for card in cards if card.guides]))
        dated = [(v.date, g) for g in listed(self.repo.guides, self.repo.policy) if (v := self.versions.get(g.path)) and v.date]
        recent = [
            _Changed(self.href(src, sitemap.guide_src(g.id)), g.meta.title, ShownVersion.of(g.path, self.versions[g.path]))
            for _, g in sorted(dated, key=lambda pair: (pair[0], pair[1].id), reverse=True)[:RECENT_GUIDES]
        ]
        due = [_ReviewItem.of(i) for i in review_items(self.repo, today, window_days) if i.state != "ok"]
        sections = render(
            "start.html",
            part="sections",
            groups=groups,
            recent=recent,
            due=due[:DUE_SHOWN],
            due_more=len(due) - len(due[:DUE_SHOWN]),
            window_days=window_days,
            today=today.isoformat(),
            href=lambda to_src, anchor="": self.href(src, to_src, anchor),
            changes=changes,
        )
        return LateHtml(unindexed=lambda: {mdpage.slot("start-box"): box, mdpage.slot("start"): sections})

    def _tops(self) -> list[Category]:
        """The categories without a parent in the taxonomy, in its order."""
        return [c for c in self.categories.by_id.values() if not any(p in self.categories.by_id for p in parent_ids(c.id))]

    def _start_card(self, src: str, category: Category) -> _StartCard:
        guides = self.within(self.guides_in, category.id)
        return _StartCard(self.href(src, sitemap.category_src(category.id)), category.title, self._doc_items(src, guides))

    def guide_list(self) -> tuple[str, LateHtml]:
        """Every listed guide in one table, then in one section per category (incidents, then
        requests) and per tag: the links at the top filter without script, by jumping to a
        section; the page script adds a filter over the table (``50-front.js``). The source and
        the HTML filled into it (see :func:`.mdpage.html_page`)."""
        src = sitemap.GUIDE_LIST_PAGE
        guides = sorted(listed(self.repo.guides, self.repo.policy), key=lambda g: g.meta.title.casefold())
        tag_anchors = _anchors(sorted({t for g in guides for t in g.meta.tags}, key=str.casefold), "tag-")
        by_tag: dict[str, list[Guide]] = defaultdict(list)
        for guide in guides:
            for tag in guide.meta.tags:
                by_tag[tag].append(guide)
        sections = []
        for kind in ("incident", "request"):
            for category in self.categories.by_id.values():
                if self.categories.kind_of(category.id) == kind and self.guides_in.get(category.id):
                    sections.append(
                        _ListSection("category-" + category.id.replace("/", "--"), category.title, kind, self._doc_items(src, self.guides_in[category.id]))
                    )
        rows = [
            _ListRow(
                self.href(src, sitemap.guide_src(g.id)),
                g.meta.title,
                Markup(self.md_inline(g.meta.summary, src, sitemap.guide_src(g.id))) if g.meta.summary else "",
                self.category_link(src, g.meta.category),
                self.categories.kind_of(g.meta.category),
                " ".join(self._lineage_ids(g.meta.category)),
                [(t, tag_anchors[t]) for t in g.meta.tags],
                json.dumps(list(g.meta.tags)),
            )
            for g in guides
        ]
        body = render(
            "guide_list.html",
            rows=rows,
            categories=sections,
            tags=[_ListSection(tag_anchors[t], t, "", self._doc_items(src, by_tag[t])) for t in tag_anchors],
            filter_categories=[(c.id, "› ".join(self._titles(c.id))) for c in self.categories.by_id.values() if self.within(self.guides_in, c.id)],
        )
        return mdpage.html_page({"title": "All guides"}, "guide-list", body)

    def _lineage_ids(self, category_id: str | None) -> list[str]:
        """A category and its parents (a filter on a parent shows its sub-categories' guides)."""
        return [category_id, *parent_ids(category_id)] if category_id else []

    def _titles(self, category_id: str) -> list[str]:
        return [c.title for c in reversed(self.categories.lineage(category_id))]

    # tags and articles ----------------------------------------------------------------------

    def tags_page(self) -> str:
        """The index of tags: the Material tags plugin fills the listing."""
        return mdpage.page({"title": "Tags"}, [render("tags.html")])

    def article_header(self, article: Article) -> str:
        """HTML shown under an article's title: category, owner, review date, guides that cite it."""
        src = sitemap.article_src(article.path)
        meta = article.meta
        return render(
            "article_header.html",
            status=meta.status.value,
            category=self.category_link(src, meta.category),
            owner=meta.owner,
            reviewed=meta.reviewed.isoformat(),
            due=review_due(meta.reviewed, review_interval(meta, self.repo.taxonomy)).isoformat(),
            content=ShownVersion.of(article.path, version) if (version := self.versions.get(article.path)) else None,
            overdue=overdue_review(meta, self.repo.taxonomy, self.today),
            guides=[_DocItem(self.href(src, sitemap.guide_src(g.id)), g.meta.title) for g in self.guides_for_article.get(article.id, [])],
        )

    def article_source(self, article: Article, markdown: str) -> str:
        """The article's Markdown with the header under its title (after a leading ``# Title``)."""
        header = self.article_header(article)
        first, _, rest = markdown.lstrip("\n").partition("\n")
        if first.startswith("# "):
            return f"{first}\n\n{header}\n\n{rest}"
        return f"{header}\n\n{markdown}"


@dataclass(frozen=True)
class CategoryLink:
    """A category as a page shows it: its title linked to its page, or (unknown, none) text only."""

    label: str
    href: str | None = None


@dataclass(frozen=True)
class _ReviewItem:
    title: str
    owner: str
    kind: str
    src: str
    reviewed: dt.date
    due: dt.date
    days_left: int

    @classmethod
    def of(cls, item: ReviewItem) -> _ReviewItem:
        src = sitemap.guide_src(item.id) if item.kind == "guide" else sitemap.article_src(item.path)
        return cls(item.title, item.owner, item.kind, src, item.reviewed, item.due, item.days_left)

    @property
    def status_text(self) -> str:
        if self.days_left < 0:
            return f"overdue by {_plural(-self.days_left, 'day')}"
        if self.days_left == 0:
            return "due today"
        return f"due in {_plural(self.days_left, 'day')}"


@dataclass(frozen=True)
class _DocItem:
    """A guide or article in a list: its link, title and, when listed elsewhere, its own category."""

    href: str
    title: str
    where: CategoryLink | None = None


@dataclass(frozen=True)
class _GuideRow:
    """A row of a category's guide table."""

    href: str
    title: str
    where: CategoryLink | None
    summary: Markup | str
    owner: str
    version: str


@dataclass(frozen=True)
class _StepLink:
    """An escalation step serving a category, linked to its card on the protocol page."""

    href: str
    team: str
    tier: str
    queue: str


@dataclass(frozen=True)
class _CategoryItem:
    """A category in the Categories index, with its sub-categories."""

    href: str
    title: str
    counts: str
    description: Markup | str
    children: list[_CategoryItem]


@dataclass(frozen=True)
class _TimedStep:
    """A row of the time-based escalation table: after how long, per priority, time alone escalates."""

    id: str
    team: str
    summary: str
    cells: list[str]
    kind: Kind | None = None  # set when the step's shares differ for incidents and requests (fulfilment targets)


def _cell(clock: Clock | None) -> str:
    """A cell of the time-based table: ``at once``, the minutes as ``3h12m``, or a dash (no timer)."""
    if clock is None or clock.kind == "manual" or (clock.minutes is None):
        return "–"
    return "at once" if clock.kind == "immediate" else format_minutes(clock.minutes)


@dataclass(frozen=True)
class _OwnerReview:
    """One owner's part of the review page."""

    name: str
    items: list[_ReviewItem]
    overdue: int
    due_soon: int
    owned: int


@dataclass(frozen=True)
class _StartCard:
    """A top-level category on the start page with the guides in it and its sub-categories."""

    href: str
    title: str
    guides: list[_DocItem]


@dataclass(frozen=True)
class _Group:
    """The start page's categories of one kind (incidents, service requests)."""

    kind: str
    title: str
    cards: list[_StartCard]


@dataclass(frozen=True)
class _Changed:
    """A guide among the last changed: its page and the content version that changed it."""

    href: str
    title: str
    version: ShownVersion


@dataclass(frozen=True)
class _ListRow:
    """A row of the guide list; ``filter_ids`` (its category and their parents) and ``tags_json``
    for the page script's filter."""

    href: str
    title: str
    summary: Markup | str
    category: CategoryLink
    kind: str
    filter_ids: str
    tags: list[tuple[str, str]]
    tags_json: str


@dataclass(frozen=True)
class _ListSection:
    """A section of the guide list: the guides of one category or one tag, under ``anchor``."""

    anchor: str
    title: str
    kind: str
    guides: list[_DocItem]


def _anchors(names: list[str], prefix: str) -> dict[str, str]:
    """A distinct HTML id per name (tags are free text): its slug, numbered when two slugs meet."""
    out: dict[str, str] = {}
    for name in names:
        base = prefix + (re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "x")
        anchor, n = base, 1
        while anchor in out.values():
            n += 1
            anchor = f"{base}-{n}"
        out[name] = anchor
    return out


def start_source(authored: str | None) -> str:
    """The home page's Markdown: its own text (``kb/index.md``) with the search and triage box
    under its first heading and the start page's sections after it; without one, a title."""
    if authored is None:
        return mdpage.page({"title": "Home"}, ["# Knowledge base", mdpage.slot("start-box"), mdpage.slot("start")])
    first, _, rest = authored.lstrip("\n").partition("\n")
    if not first.startswith("# "):
        first, rest = "", authored
    return "\n\n".join(part for part in (first, mdpage.slot("start-box"), rest.strip("\n"), mdpage.slot("start")) if part) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
