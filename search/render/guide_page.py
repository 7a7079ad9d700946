"""The site page of one guide: symptoms, information to gather, the step-through, every step as
a printable checklist, the diagram, related articles, owner, review date and version.

The page works without JavaScript: every node is an anchored section whose answers link to the
next node. The shipped script (``kb-guides.js``) reads the embedded walk data and turns the page
into a step-through; it copies node content from those sections, so each text is rendered once.
The script also draws the decision-tree diagram (an SVG, laid out in layers) from the same data,
in the browser and offline; the page carries only the diagram's legend and an empty box, hidden
until the script fills it.

The Markdown source holds the headings (table of contents, search sections) and the author's
prose; everything built from the tree is HTML filled in late (see ``mdpage.LateHtml``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..content import sitemap
from ..content.models import ActionNode, EscalationNode, LinkNode, QuestionNode, ResolutionNode
from ..content.publishing import is_listed
from ..content.repository import Guide, Repository
from ..content.taxonomy import CategoryIndex
from ..workflow.review import review_due
from ..workflow.sla import format_minutes, share_text, sla_rows
from ..workflow.steps import step_numbers
from ..workflow.transcript import fragments
from ..workflow.walk import DONE
from . import markup, mdpage
from .embed import json_script
from .markup import text
from .pages import status_banner

NODE_ANCHOR = "node-"
KIND_LABELS = {"question": "Question", "action": "Action", "resolution": "Resolution", "escalation": "Escalation", "link": "Other guide"}
# the diagram's legend; the script takes its node captions from the legend
TYPE_NAMES = {"question": "Question", "action": "Action", "resolution": "Resolved", "escalation": "Escalate", "link": "Other guide"}
CONFIG_SRC = sitemap.ESCALATION_PAGE  # where kb check resolves links written in guides/*.yml config files


class Lookups:
    """Lookups shared by every guide page of one build."""

    def __init__(self, repo: Repository) -> None:
        self.guides: dict[str, Guide] = repo.guide_by_id
        self.articles = repo.article_by_id
        self.categories = CategoryIndex(repo.taxonomy)
        self.teams = {sid: s.team for sid, s in repo.escalation.steps.items()} if repo.escalation else {}
        self._repo = repo
        self._sla_html: dict[str | None, str] = {}

    def sla_table_rows(self, category_id: str | None) -> str:
        """The ``<tr>`` rows of the SLA table shown at escalation steps of guides in ``category_id``
        (the same for every such step, so rendered once per category and build)."""
        found = self._sla_html.get(category_id)
        if found is None:
            rows = []
            for row in sla_rows(self._repo, category_id):
                triggers = "".join(f"<li>{text(t.team)} after {format_minutes(t.minutes)} ({share_text(t.share)})</li>" for t in row.triggers)
                triggers = f'<ul class="kbg-triggers">{triggers}</ul>' if triggers else "none"
                rows.append(
                    f'<tr data-priority="{text(row.priority)}"><td>{text(row.priority)} {text(row.name)}</td><td>{text(row.first_response)}</td><td>{text(row.resolution)}</td><td>{triggers}</td></tr>'
                )
            found = self._sla_html[category_id] = "".join(rows)
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

    def md(self, value: str | None, written_for: str | None = None) -> str:
        return markup.block(value, written_for or self.src, self.src, self.directory_urls)

    def md_inline(self, value: str | None, written_for: str | None = None) -> str:
        return markup.inline(value, written_for or self.src, self.src, self.directory_urls)

    def source(self) -> str:
        """The generated Markdown source of the page."""
        meta = self.guide.meta
        blocks = [mdpage.slot("head")]
        if meta.symptoms:
            blocks += [mdpage.heading(2, "Symptoms"), mdpage.slot("symptoms")]
        if meta.gather:
            blocks += [mdpage.heading(2, "Information to gather"), mdpage.slot("gather")]
        if self.guide.body.strip():
            blocks += [mdpage.heading(2, "Background"), self.guide.body]
        # the steps reach the search index one by one (see late()); these sections would be empty there
        blocks += [mdpage.heading(2, "Step through", searchable=False), mdpage.slot("walk")]
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

    def head(self, lean: bool = False) -> str:
        """Title, summary and facts; ``lean``: the same words and kept tags without the wrapping
        spans, link and ``<time>``, which the search index drops anyway (see :meth:`late`)."""
        meta = self.guide.meta

        def fact(content: str) -> str:
            return content if lean else f'<span class="kbg-fact">{content}</span>'

        def small(content: str) -> str:
            return content if lean else f"<small>{content}</small>"

        facts = [
            fact(f"Guide <code>{text(self.guide.id)}</code>"),
            fact(f"Version {text(meta.version)} {small(f'(revision <code>{text(self.guide.revision)}</code>)')}"),
        ]
        if meta.category:
            category = self.categories.by_id.get(meta.category)
            label = text(category.title) if category else text(meta.category)
            link = f'<a href="{self.href(sitemap.category_src(meta.category))}">{label}</a>' if category and not lean else label
            facts.append(fact(f"Category {link}"))
        due = review_due(meta.reviewed, meta.review_every_days)
        facts.append(fact(f"Owner {text(meta.owner)}"))
        reviewed = meta.reviewed.isoformat()
        when = reviewed if lean else f'<time datetime="{reviewed}">{reviewed}</time>'
        facts.append(fact(f"Last reviewed {when} {small(f'(next review {due.isoformat()})')}"))
        if meta.status.value != "published":
            status = text(meta.status.value.capitalize())
            facts.append(status if lean else f'<span class="kbg-badge kbg-badge--{meta.status.value}">{status}</span>')
        parts = [f"<h1>{text(meta.title)}</h1>"]
        banner = "" if lean else status_banner(meta)
        if banner:
            parts.append(banner)
        if meta.summary:
            parts.append(f'<p class="kbg-summary">{self.md_inline(meta.summary)}</p>')
        parts.append('<p class="kbg-meta">' + " ".join(facts) + "</p>")
        return "\n".join(parts)

    def gather(self, lean: bool = False) -> str:
        """The list of information to gather with a field per item; ``lean``: the items' words only."""
        items = []
        for i, item in enumerate(self.guide.meta.gather):
            if lean:
                items.append(f"<li>{self.md_inline(item.text)}</li>")
                continue
            items.append(
                f'<li><label for="kbg-gather-{i}">{self.md_inline(item.text)}</label>'
                f'<input type="text" id="kbg-gather-{i}" class="kbg-gather-input" data-gather-id="{text(item.id)}" autocomplete="off"></li>'
            )
        return '<ol class="kbg-gather">' + "".join(items) + "</ol>"

    def walk_widget(self) -> str:
        levels = self.repo.priorities.levels if self.repo.priorities else {}
        options = '<option value="">Not set</option>' + "".join(
            f'<option value="{text(pid)}">{text(pid)} {text(level.name)}</option>' for pid, level in levels.items()
        )
        return "\n".join(
            [
                f'<div class="kbg-walk kbg-screen-only" data-search-exclude hidden data-guide="{text(self.guide.id)}">',
                '<div class="kbg-walk-bar">'
                f'<label class="kbg-priority">Priority <select data-kbg="priority">{options}</select></label>'
                '<button type="button" class="md-button" data-kbg="back">Back</button>'
                '<button type="button" class="md-button" data-kbg="restart">Restart</button>'
                "</div>",
                '<div class="kbg-walk-step"><div class="kbg-current" data-kbg="current" tabindex="-1" aria-live="polite"></div>'
                '<div class="kbg-choices" data-kbg="choices" role="group" aria-label="Choices"></div></div>',
                '<div class="kbg-walk-path"><p class="kbg-subhead">Path so far</p><ol class="kbg-path" data-kbg="path"></ol>'
                '<p class="kbg-keys">Keys: <kbd>1</kbd>–<kbd>9</kbd> choose, <kbd>Backspace</kbd> back.</p></div>'
                '<div class="kbg-walk-copy"><p class="kbg-copy-row"><button type="button" class="md-button md-button--primary" data-kbg="copy">Copy for the ticket</button>'
                ' <span class="kbg-status" data-kbg="status" role="status"></span></p>'
                '<label class="kbg-transcript">Transcript (internal note)<textarea data-kbg="transcript" readonly rows="10" spellcheck="false"></textarea></label></div>',
                json_script(self.walk_data(), f"kbg-data-{self.guide.id}"),
                "</div>",
                '<noscript><p class="kbg-noscript">The step-through needs JavaScript. Every step is listed under '
                '<a href="#all-steps">All steps</a>: start at step 1 and follow the answer links.</p></noscript>',
            ]
        )

    def walk_data(self) -> dict[str, Any]:
        """What the script needs beyond the page's HTML: structure, step numbers and transcript
        fragments; for the diagram also the guide's title, the team of each escalation step and
        the title of the guide each link node continues with."""
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
            nodes[node_id] = entry
        levels = self.repo.priorities.levels if self.repo.priorities else {}
        return {
            "guide": self.guide.id,
            "title": self.guide.meta.title,
            "revision": self.guide.revision,
            "start": tree.start_id,
            "done": DONE,
            "anchor": NODE_ANCHOR,
            "priorities": [[pid, level.name] for pid, level in levels.items()],
            "nodes": nodes,
            "transcript": fragments(self.guide, self.repo),
        }

    def all_steps(self) -> str:
        ordered = sorted(self.guide.tree.nodes, key=lambda n: self.numbers[n])
        sections = [self.node_section(node_id) for node_id in ordered]
        tools = '<p class="kbg-screen-only kbg-tools"><button type="button" class="md-button" data-kbg="print" hidden>Print checklist</button></p>'
        return tools + "\n" + '<div class="kbg-tree">\n' + "\n".join(sections) + "\n</div>"

    def node_section(self, node_id: str) -> str:
        node = self.guide.tree.nodes[node_id]
        number = self.numbers[node_id]
        raw = getattr(node, "text", None)
        rendered = self.md(raw)
        single = rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1
        if isinstance(node, LinkNode) and not raw:
            target = self.lookups.guides.get(node.guide)
            title_html = f"Continue with {text(target.meta.title if target else node.guide)}"
            body_text = ""
        elif single:
            title_html, body_text = rendered[3:-4], ""
        else:
            title_html, body_text = text(KIND_LABELS[node.type]), rendered
        heading = (
            f'<h3 id="{NODE_ANCHOR}{text(node_id)}"><span class="kbg-step-no">{number}</span> '
            f'<span class="kbg-kind">{text(KIND_LABELS[node.type])}</span> <span class="kbg-node-title">{title_html}</span></h3>'
        )
        body = [body_text] if body_text else []
        help_text = getattr(node, "help", None)
        if help_text:
            body.append(f'<div class="kbg-help"><p class="kbg-subhead">How to check</p>{self.md(help_text)}</div>')
        if isinstance(node, ResolutionNode):
            body.append(self.resolution(node))
        elif isinstance(node, EscalationNode):
            body.append(self.escalation(node))
        elif isinstance(node, LinkNode):
            body.append(self.link(node))
        answers = self.answers(node)
        return (
            f'<section class="kbg-node kbg-node--{node.type}" data-node="{text(node_id)}">{heading}'
            f'<div class="kbg-node-body">{"".join(body)}</div>{answers}</section>'
        )

    def _goto(self, target: str | None) -> str:
        if target is None:
            return '<span class="kbg-goto">no next step</span>'
        if target not in self.guide.tree.nodes:
            return f'<span class="kbg-goto">unknown step "{text(target)}"</span>'
        return f'<a href="#{NODE_ANCHOR}{text(target)}" class="kbg-goto">step {self.numbers[target]}</a>'

    def answers(self, node: object) -> str:
        if isinstance(node, QuestionNode):
            items = [f'<li><span class="kbg-answer">{text(label)}</span> → {self._goto(target)}</li>' for label, target in node.answers.items()]
        elif isinstance(node, ActionNode):
            items = [f'<li><span class="kbg-answer">Done</span> → {self._goto(node.next)}</li>']
        else:
            return ""
        return '<ul class="kbg-answers">' + "".join(items) + "</ul>"

    def resolution(self, node: ResolutionNode) -> str:
        parts = ['<div class="kbg-outcome kbg-outcome--resolution">']
        if node.follow_up:
            parts.append(
                '<p class="kbg-subhead">Follow-up checks before closing</p><ul class="kbg-checks">'
                + "".join(f"<li>{self.md_inline(c)}</li>" for c in node.follow_up)
                + "</ul>"
            )
        if node.user_note:
            parts.append(f'<p class="kbg-subhead">Note for the user</p><blockquote class="kbg-user-note">{self.md(node.user_note)}</blockquote>')
        parts.append("</div>")
        return "".join(parts)

    def escalation(self, node: EscalationNode) -> str:
        step = self.repo.escalation.steps.get(node.step) if self.repo.escalation else None
        if step is None:
            return f'<div class="kbg-outcome kbg-outcome--escalation"><p>Escalate to "{text(node.step)}" (not in the escalation protocol).</p></div>'
        protocol = self.href(sitemap.ESCALATION_PAGE, f"step-{node.step}")
        rows = self.lookups.sla_table_rows(self.guide.meta.category)
        handoff = [self.md_inline(item, CONFIG_SRC) for item in step.handoff] + [self.md_inline(item) for item in node.handoff]
        return "".join(
            [
                '<div class="kbg-outcome kbg-outcome--escalation">',
                f'<p class="kbg-team">Escalate to <strong>{text(step.team)}</strong> ({text(step.tier)}, {text(step.kind)}) · <a href="{protocol}">escalation protocol</a></p>',
                '<dl class="kbg-facts">',
                f"<dt>Queue</dt><dd>{text(step.queue)}</dd>",
                f"<dt>Contact</dt><dd>{self.md_inline(step.contact, CONFIG_SRC)}</dd>",
                f"<dt>When</dt><dd>{self.md_inline(step.trigger, CONFIG_SRC)}</dd>",
                "</dl>",
                '<div class="kbg-sla"><p class="kbg-subhead">SLA targets</p><table><thead><tr><th>Priority</th><th>First response</th><th>Resolution</th><th>Time-based escalation</th></tr></thead>',
                "<tbody>" + rows + "</tbody></table></div>",
                '<p class="kbg-subhead">Hand-off checklist</p><ul class="kbg-checks">' + "".join(f"<li>{h}</li>" for h in handoff) + "</ul>",
                "</div>",
            ]
        )

    def link(self, node: LinkNode) -> str:
        target = self.lookups.guides.get(node.guide)
        if target is None:
            return f'<p class="kbg-outcome kbg-outcome--link">Continue with the guide "{text(node.guide)}".</p>'
        return f'<p class="kbg-outcome kbg-outcome--link">Continue with the guide <a href="{self.href(sitemap.guide_src(node.guide))}">{text(target.meta.title)}</a>.</p>'

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
            parts = {head_lean: self.head()}
            if gather_lean:
                parts[gather_lean] = self.gather()
            parts.update({mdpage.slot("steps"): self.all_steps(), mdpage.slot("walk"): self.walk_widget(), mdpage.slot("diagram"): self.diagram()})
            return parts

        return mdpage.LateHtml(
            indexed={
                mdpage.slot("head"): head_lean,
                mdpage.slot("symptoms"): '<ul class="kbg-symptoms">' + "".join(f"<li>{self.md_inline(s)}</li>" for s in meta.symptoms) + "</ul>",
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
                words += [f"{label}: step {self.numbers.get(target, '?')}" for label, target in node.answers.items()]
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

    def diagram(self) -> str:
        """The diagram's section: legend, size button, an empty box the script draws the tree
        into from the walk data, and a caption; hidden until drawn (a note says so without script)."""
        legend = "".join(
            f'<span class="kbg-legend-item kbg-d-{kind}" data-kind="{kind}"><span class="kbg-swatch"></span>{name}</span>' for kind, name in TYPE_NAMES.items()
        )
        return (
            f'<div class="kbg-diagram kbg-screen-only" data-search-exclude hidden data-guide="{text(self.guide.id)}">'
            f'<p class="kbg-legend">{legend}<button type="button" class="md-button kbg-fit" data-kbg="fit" hidden>Actual size</button></p>'
            '<div class="kbg-diagram-scroll" data-kbg="diagram"></div>'
            '<p class="kbg-caption">Select a box to jump to its step. The same steps are listed under <a href="#all-steps">All steps</a>.</p>'
            "</div>"
            '<noscript><p class="kbg-noscript">The diagram needs JavaScript. The same steps are listed under <a href="#all-steps">All steps</a>.</p></noscript>'
        )

    def related(self) -> str:
        articles = self.lookups.articles
        items = []
        for article_id in self.guide.meta.articles:
            article = articles.get(article_id)
            if article is None:
                items.append(f"<li>{text(article_id)} (missing)</li>")
            else:
                items.append(f'<li><a href="{self.href(sitemap.article_src(article.path))}">{text(article.meta.title)}</a></li>')
        if not items:
            return '<p class="kbg-related kbg-none">No related articles.</p>'
        return '<ul class="kbg-related">' + "".join(items) + "</ul>"


def guide_page(guide: Guide, repo: Repository, directory_urls: bool = True, lookups: Lookups | None = None) -> tuple[str, Callable[[], mdpage.LateHtml]]:
    """The generated Markdown source of a guide's page (``guides/<id>.md`` in the site), and a
    function that renders the HTML going into the built page in place of its placeholders.

    The late HTML is rendered when the page is built, so a build holds one guide's at a time.
    Without it the page still has its headings and background; the header, step list,
    step-through and diagram are late parts.
    """
    page = GuidePage(guide, repo, directory_urls, lookups)
    return page.source(), page.late
