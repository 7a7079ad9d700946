"""The site page of one guide: symptoms, information to gather, the step-through, every step as
a printable checklist, the diagram, related articles, owner, review date and version.

The page works without JavaScript: every node is an anchored section whose answers link to the
next node. The shipped script (``kb-guides.js``) reads the embedded walk data and turns the page
into a step-through; it copies node content from those sections, so each text is rendered once.
The script also draws the decision-tree diagram (an SVG, laid out in layers) from the same data,
in the browser and offline; the page carries only the diagram's legend and an empty box, hidden
until the script fills it.

The Markdown source holds the headings (table of contents, search sections) and the author's
prose; everything built from the tree is HTML filled in late (see ``mdpage.LateHtml``), rendered
by the macros of ``templates/guide.html`` from the values prepared here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markupsafe import Markup

from ..content import sitemap
from ..content.history import ContentVersion
from ..content.models import CHOICE_LABELS, ActionNode, EscalationNode, EscalationStep, LinkNode, QuestionNode, ResolutionNode
from ..content.prose import one_line
from ..content.publishing import is_listed
from ..content.repository import Guide, Repository
from ..content.taxonomy import CategoryIndex
from ..workflow.messages import SitePart, SiteSlot, site_messages
from ..workflow.review import review_due, review_interval
from ..workflow.sla import sla_rows
from ..workflow.steps import step_numbers
from ..workflow.transcript import fragments
from . import markup, mdpage
from .embed import json_script, script_json
from .freshness import OverdueReview, overdue_review
from .pages import CategoryLink
from .templating import macro
from .versions import ShownVersion

NODE_ANCHOR = sitemap.NODE_ANCHOR
GUIDE_PLACEHOLDER = "__GUIDE__"  # the page script puts a guide's id here to link to its page
KIND_LABELS = {"question": "Question", "action": "Action", "resolution": "Resolution", "escalation": "Escalation", "link": "Other guide"}
CONFIG_SRC = sitemap.ESCALATION_PAGE  # where kb check resolves links written in guides/*.yml config files


def _part(name: str) -> Callable[..., Markup]:
    """A macro of ``templates/guide.html``: one part of the page."""
    return macro("guide.html", name)


class Lookups:
    """Lookups shared by every guide page of one build."""

    def __init__(self, repo: Repository, versions: Mapping[str, ContentVersion] | None = None, today: dt.date | None = None) -> None:
        self.versions = versions or {}
        self.today = today  # the build date the review banner counts from (None: no banner)
        self.guides: dict[str, Guide] = repo.guide_by_id
        self.articles = repo.article_by_id
        self.categories = CategoryIndex(repo.taxonomy)
        self.teams = {sid: s.team for sid, s in repo.escalation.steps.items()} if repo.escalation else {}
        self._repo = repo
        self._sla_html: dict[tuple[str | None, str], Markup] = {}

    def sla_table_rows(self, category_id: str | None, leaf_step: str) -> Markup:
        """The ``<tr>`` rows of the SLA table shown at an escalation leaf to ``leaf_step`` in a guide of
        ``category_id``: the clock of every other step (the same for every such leaf, so rendered
        once per category, step and build)."""
        key = (category_id, leaf_step)
        found = self._sla_html.get(key)
        if found is None:
            found = self._sla_html[key] = _part("sla_rows")(sla_rows(self._repo, category_id, leaf_step))
        return found


class GuidePage:
    """Renders one guide; ``directory_urls`` must match mkdocs's ``use_directory_urls``."""

    def __init__(self, guide: Guide, repo: Repository, directory_urls: bool = True, lookups: Lookups | None = None) -> None:
        self.guide, self.repo, self.directory_urls = guide, repo, directory_urls
        self.src = sitemap.guide_src(guide.id)
        self.numbers = step_numbers(guide.tree)
        self.lookups = lookups or Lookups(repo)
        self.categories = self.lookups.categories

    def href(self, to_src: str, anchor: str = "") -> str:
        return markup.href(self.src, to_src, anchor, self.directory_urls)

    def md(self, value: str | None, written_for: str | None = None) -> Markup:
        return Markup(markup.block(value, written_for or self.src, self.src, self.directory_urls))

    def md_inline(self, value: str | None, written_for: str | None = None) -> Markup:
        return Markup(markup.inline(value, written_for or self.src, self.src, self.directory_urls))

    def source(self) -> str:
        """The generated Markdown source of the page."""
        meta = self.guide.meta
        # the step-through first, so its first answer is on the first screen (phone too); the
        # symptoms and the gather list follow it, and its bar links to them
        blocks = [mdpage.slot("head")]
        # the steps reach the search index one by one (see late()); these sections would be empty there
        blocks += [mdpage.heading(2, "Step through", searchable=False), mdpage.slot("walk")]
        if meta.symptoms:
            blocks += [mdpage.heading(2, "Symptoms"), mdpage.slot("symptoms")]
        if meta.gather:
            blocks += [mdpage.heading(2, "Information to gather"), mdpage.slot("gather")]
        if meta.approval or meta.fulfilled_by:
            blocks += [mdpage.heading(2, "Approval and fulfilment"), self.fulfilment()]
        if self.guide.body.strip():
            blocks += [mdpage.heading(2, "Background"), self.guide.body]
        blocks += [mdpage.heading(2, "All steps", searchable=False), mdpage.slot("steps")]
        blocks += [mdpage.heading(2, "Diagram", searchable=False), mdpage.slot("diagram")]
        blocks += [mdpage.heading(2, "Related articles"), mdpage.slot("related")]
        page_meta: dict[str, Any] = {
            "title": mdpage.title_meta(meta.title),
            "description": mdpage.title_meta(meta.summary) if meta.summary else None,
            "tags": [mdpage.title_meta(t) for t in meta.tags] or None,
        }
        if not is_listed(meta, self.repo.policy):  # retired: reachable by URL, not in search or tags
            page_meta.update(tags=None, search={"exclude": True})
        return mdpage.page(page_meta, blocks)

    def fulfilment(self) -> str:
        """A fulfilment guide's approval and fulfilling team, as Markdown (content text, sanitised with the page)."""
        meta = self.guide.meta
        lines = []
        if meta.approval is not None:
            who = f"required from {one_line(meta.approval.by)}" if meta.approval.required and meta.approval.by else "not required"
            lines.append(f"- **Approval:** {who}. {one_line(meta.approval.how)}")
        step = self.repo.escalation.steps.get(meta.fulfilled_by) if self.repo.escalation and meta.fulfilled_by else None
        if step is not None:
            lines.append(f"- **Fulfilled by:** {step.team} ({step.tier}, queue {step.queue}); the request SLA targets apply.")
        return "\n".join(lines)

    def head(self, lean: bool = False) -> Markup:
        """Title, summary and facts; ``lean``: the same words and kept tags without the wrapping
        spans, link and ``<time>``, which the search index drops anyway (see :meth:`late`)."""
        return _part("head")(self._head, lean)

    @cached_property
    def _head(self) -> _Head:
        meta = self.guide.meta
        link = None
        if meta.category:
            category = self.categories.by_id.get(meta.category)
            link = CategoryLink(category.title, self.href(sitemap.category_src(meta.category))) if category else CategoryLink(meta.category)
        return _Head(
            title=meta.title,
            status=meta.status.value,
            summary=self.md_inline(meta.summary) if meta.summary else None,
            id=self.guide.id,
            version=meta.version,
            revision=self.guide.revision,
            category=link,
            owner=meta.owner,
            reviewed=meta.reviewed.isoformat(),
            due=review_due(meta.reviewed, review_interval(meta, self.repo.taxonomy)).isoformat(),
            content=ShownVersion.of(self.guide.path, version) if (version := self.lookups.versions.get(self.guide.path)) else None,
            overdue=overdue_review(meta, self.repo.taxonomy, self.lookups.today),
        )

    def gather(self, lean: bool = False) -> Markup:
        """The list of information to gather with a field per item; ``lean``: the items' words only."""
        items = [_GatherItem(item.id, self.md_inline(item.text)) for item in self.guide.meta.gather]
        return _part("gather")(items, lean)

    def walk_widget(self) -> Markup:
        levels = self.repo.priorities.levels if self.repo.priorities else {}
        meta = self.guide.meta
        jumps = ([_Jump("symptoms", "Symptoms")] if meta.symptoms else []) + ([_Jump("information-to-gather", "Information to gather")] if meta.gather else [])
        return _part("walk")(self.guide.id, levels, jumps, json_script(self.walk_data(), f"kbg-data-{self.guide.id}"))

    def walk_data(self) -> dict[str, Any]:
        """What the script needs beyond the page's HTML: structure, step numbers and transcript
        fragments; for the diagram also the guide's title, the team of each escalation step and
        the title of the guide each link node continues with; for a walk that goes on in another
        guide, that guide's id and revision and the href of any guide page (``__GUIDE__`` for its id)."""
        tree = self.guide.tree
        nodes: dict[str, Any] = {}
        for node_id, node in tree.nodes.items():
            entry: dict[str, Any] = {"type": node.type, "step": self.numbers[node_id], "title": markup.plain(getattr(node, "text", None) or "")}
            if isinstance(node, (QuestionNode, ActionNode)):
                entry["answers"] = [list(edge) for edge in node.out_edges()]
            elif isinstance(node, EscalationNode):
                entry["team"] = self.lookups.teams.get(node.step, node.step)
            elif isinstance(node, LinkNode):
                target = self.lookups.guides.get(node.guide)
                entry["target"] = target.meta.title if target else node.guide
                entry["title"] = entry["title"] or entry["target"]
                entry["guide"] = node.guide
                if target is not None:
                    entry["revision"] = target.revision
            nodes[node_id] = entry
        levels = self.repo.priorities.levels if self.repo.priorities else {}
        return {
            "guide": self.guide.id,
            "title": self.guide.meta.title,
            "revision": self.guide.revision,
            "start": tree.start_id,
            "labels": CHOICE_LABELS,
            "anchor": NODE_ANCHOR,
            "guideHref": self.href(sitemap.guide_src(GUIDE_PLACEHOLDER)),
            "priorities": [[pid, level.name] for pid, level in levels.items()],
            "nodes": nodes,
            "transcript": fragments(self.guide, self.repo),
        }

    def all_steps(self) -> Markup:
        """Every step as an anchored section, in step order (one template call for all of them)."""
        ordered = sorted(self.guide.tree.nodes, key=lambda n: self.numbers[n])
        return _part("steps")([self._node(node_id) for node_id in ordered])

    def _node(self, node_id: str) -> _Node:
        node = self.guide.tree.nodes[node_id]
        raw = getattr(node, "text", None)
        rendered = markup.block(raw, self.src, self.src, self.directory_urls)
        paragraph = markup.paragraph_content(rendered)
        kind = KIND_LABELS[node.type]
        title: Markup | str
        body: Markup | str = ""
        if isinstance(node, LinkNode) and not raw:
            target = self.lookups.guides.get(node.guide)
            title = f"Continue with {target.meta.title if target else node.guide}"
        elif paragraph is not None:
            title = Markup(paragraph)
        else:
            title, body = kind, Markup(rendered)
        help_text = getattr(node, "help", None)
        outcome: _Resolution | _Escalation | _Link | None = None
        if isinstance(node, ResolutionNode):
            outcome = _Resolution([self.md_inline(c) for c in node.follow_up], self.md(node.user_note) if node.user_note else None)
        elif isinstance(node, EscalationNode):
            outcome = self._escalation(node)
        elif isinstance(node, LinkNode):
            target = self.lookups.guides.get(node.guide)
            outcome = _Link(node.guide, target.meta.title, self.href(sitemap.guide_src(node.guide))) if target else _Link(node.guide)
        answers = None
        if isinstance(node, QuestionNode):
            answers = [self._answer(label, target) for label, target in node.out_edges()]
        elif isinstance(node, ActionNode):
            answers = [self._answer(CHOICE_LABELS.get(o, o), node.target(o)) for o in node.offered]
        help_html = self.md(help_text) if help_text else None
        node_html = _Node(node.type, node_id, NODE_ANCHOR + node_id, self.numbers[node_id], kind, title, body, help_html, outcome, answers)
        node_html.messages = self._messages(node_id)
        return node_html

    def _messages(self, node_id: str) -> Markup | str:
        """The leaf's messages block (templates/messages.html), empty where no message applies."""
        found = site_messages(self.guide, node_id, self.repo)
        if found is None:
            return ""
        shown = [
            _Message(m.kind, m.audience, MESSAGE_TITLES[m.kind], _with_slots(m.subject) if m.subject is not None else None, _with_slots(m.body))
            for m in found.messages
        ]
        return macro("messages.html", "leaf_messages")(shown, Markup(script_json(found.model_dump())))

    def _answer(self, label: str, target: str | None) -> _Answer:
        if target is None or target not in self.guide.tree.nodes:
            return _Answer(label, target)
        return _Answer(label, target, self.numbers[target], f"#{NODE_ANCHOR}{target}")

    def _escalation(self, node: EscalationNode) -> _Escalation:
        step = self.repo.escalation.steps.get(node.step) if self.repo.escalation else None
        if step is None:
            return _Escalation(node.step)
        return _Escalation(
            node.step,
            step,
            protocol=self.href(sitemap.ESCALATION_PAGE, f"step-{node.step}"),
            contact=self.md_inline(step.contact, CONFIG_SRC),
            trigger=self.md_inline(step.trigger, CONFIG_SRC),
            sla_rows=self.lookups.sla_table_rows(self.guide.meta.category, node.step),
            handoff=[self.md_inline(item, CONFIG_SRC) for item in step.handoff] + [self.md_inline(item) for item in node.handoff],
        )

    def late(self) -> mdpage.LateHtml:
        """The page's HTML parts, filled into the built page (see ``LateHtml``).

        The search plugin parses every tag of the indexed parts in pure Python, so it gets the
        header and the gather list without the tags the index drops anyway (spans, links,
        labels, inputs), and the page then gets the full parts in their place. The steps reach
        the index as sections of plain text, one per step.
        """
        meta = self.guide.meta
        head_lean = self.head(lean=True)
        gather_lean = self.gather(lean=True) if meta.gather else ""

        def unindexed() -> dict[str, str]:
            parts: dict[str, str] = {head_lean: self.head()}
            if gather_lean:
                parts[gather_lean] = self.gather()
            parts.update({mdpage.slot("steps"): self.all_steps(), mdpage.slot("walk"): self.walk_widget(), mdpage.slot("diagram"): self.diagram()})
            return parts

        return mdpage.LateHtml(
            indexed={
                mdpage.slot("head"): head_lean,
                mdpage.slot("symptoms"): _part("symptoms")([self.md_inline(s) for s in meta.symptoms]),
                mdpage.slot("gather"): gather_lean,
                mdpage.slot("related"): self.related(),
            },
            unindexed=unindexed,
            sections=self.search_sections(),
            anchors={NODE_ANCHOR + node_id for node_id in self.guide.tree.nodes},
        )

    def search_sections(self) -> list[mdpage.SearchSection]:
        """Every step as a search result: its number, kind and text, then the words of its help,
        answers, checks, note or escalation contact."""
        steps_by_id = self.repo.escalation.steps if self.repo.escalation else {}
        out = []
        for node_id in sorted(self.guide.tree.nodes, key=lambda n: self.numbers[n]):
            node = self.guide.tree.nodes[node_id]
            words = [getattr(node, "help", None)]
            if isinstance(node, QuestionNode):
                words += [f"{label}: step {self.numbers.get(target, '?')}" for label, target in node.out_edges()]
            elif isinstance(node, ResolutionNode):
                words += [*node.follow_up, node.user_note]
            elif isinstance(node, EscalationNode):
                step = steps_by_id.get(node.step)
                words += [step.team, step.queue, step.contact, *step.handoff] if step else [node.step]
                words += node.handoff
            elif isinstance(node, LinkNode):
                target = self.lookups.guides.get(node.guide)
                words.append(target.meta.title if target else node.guide)
            title = f"{self.numbers[node_id]} {KIND_LABELS[node.type]}: {markup.plain(getattr(node, 'text', None) or '')}"
            out.append(mdpage.SearchSection(NODE_ANCHOR + node_id, title, " · ".join(markup.plain(w) for w in words if w)))
        return out

    def diagram(self) -> Markup:
        """The diagram's section (the page script draws the tree from the walk data)."""
        return _part("diagram")(self.guide.id)

    def related(self) -> Markup:
        articles = self.lookups.articles
        items = []
        for article_id in self.guide.meta.articles:
            article = articles.get(article_id)
            items.append(_Article(article.meta.title, self.href(sitemap.article_src(article.path))) if article else _Article(article_id))
        return _part("related")(items)


@dataclass(slots=True)
class _Head:
    """What the page's header shows (``category``: None for a guide without one)."""

    title: str
    status: str
    summary: Markup | None
    id: str
    version: str
    revision: str
    category: CategoryLink | None
    owner: str
    reviewed: str
    due: str
    content: ShownVersion | None
    overdue: OverdueReview | None


@dataclass(slots=True)
class _Jump:
    """A link from the step-through's bar to a section of the page below it."""

    anchor: str
    label: str


@dataclass(slots=True)
class _GatherItem:
    """An item of information to gather: its stable id (the script keys notes by it) and text."""

    id: str
    text: Markup


@dataclass(slots=True)
class _Answer:
    """An answer and the step it leads to: ``target`` None is a dead end, ``step`` None a node
    the tree does not have (``kb check`` reports both; the page still shows them)."""

    label: str
    target: str | None
    step: int | None = None
    href: str = ""


@dataclass(slots=True)
class _Resolution:
    follow_up: list[Markup]
    user_note: Markup | None


@dataclass(slots=True)
class _Escalation:
    """An escalation leaf; ``step`` None: its step is not in the escalation protocol."""

    step_id: str
    step: EscalationStep | None = None
    protocol: str = ""
    contact: Markup | str = ""
    trigger: Markup | str = ""
    sla_rows: Markup | str = ""
    handoff: list[Markup] = field(default_factory=list)


@dataclass(slots=True)
class _Link:
    """A link leaf; ``href`` None: the guide it names does not exist."""

    guide: str
    title: str = ""
    href: str | None = None


@dataclass(slots=True)
class _Node:
    """One step's section: ``title`` is its text when that is one paragraph, else ``body`` is."""

    type: str
    id: str
    anchor: str
    number: int
    kind: str
    title: Markup | str
    body: Markup | str
    help: Markup | None
    outcome: _Resolution | _Escalation | _Link | None
    answers: list[_Answer] | None
    messages: Markup | str = ""


MESSAGE_TITLES = {
    "resolution": "Resolution note to the user",
    "closure": "Closure message to the user",
    "escalation": "Escalation note for the ticket (internal)",
    "escalation_notice": "Escalation notice to the user",
}


def _with_slots(parts: Sequence[SitePart]) -> str:
    """A message as shown before the script fills it: its slots as ``{name}``, optional phrases as they read when filled."""
    return "".join(p if isinstance(p, str) else "{" + p.slot.rsplit(":", 1)[-1] + "}" if isinstance(p, SiteSlot) else _with_slots(p.phrase) for p in parts)


@dataclass(slots=True)
class _Message:
    kind: str
    audience: str
    title: str
    subject: str | None
    body: str


@dataclass(slots=True)
class _Article:
    """A related article; ``href`` None: no article has the id (``title``)."""

    title: str
    href: str | None = None


def guide_page(guide: Guide, repo: Repository, directory_urls: bool = True, lookups: Lookups | None = None) -> tuple[str, Callable[[], mdpage.LateHtml]]:
    """The generated Markdown source of a guide's page (``guides/<id>.md`` in the site), and a
    function that renders the HTML going into the built page in place of its placeholders.

    The late HTML is rendered when the page is built, so a build holds one guide's at a time.
    Without it the page still has its headings and background; the header, step list,
    step-through and diagram are late parts.
    """
    page = GuidePage(guide, repo, directory_urls, lookups)
    return page.source(), page.late
