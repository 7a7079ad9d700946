"""Cross-file rules: ids, categories, escalation steps, the priority matrix."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from typing import Any

from ..content import sitemap
from ..content.models import EscalationNode
from ..content.problems import Severity, did_you_mean
from ..content.repository import Repository
from ..content.taxonomy import is_within, parent_ids
from . import Finding, rule


@rule("duplicate-id", "Two guides or articles share an id, or the taxonomy lists a category twice.")
def duplicate_id(repo: Repository, today: dt.date) -> Iterator[Finding]:
    first: dict[str, Any] = {}
    for item in repo.documents:
        if item.id in first:
            other = first[item.id]
            line, col = item.doc.pos(("id",))
            yield Finding(item.path, line, col, f'id "{item.id}" is already used by {other.path}:{other.doc.pos(("id",))[0]}; give one of them a new id')
        else:
            first[item.id] = item
    if repo.taxonomy:
        doc = repo.config_docs["guides/categories.yml"]
        seen: dict[str, int] = {}
        for i, category in enumerate(repo.taxonomy.categories):
            if category.id in seen:
                line, col = doc.pos(("categories", i, "id"))
                yield Finding(
                    "guides/categories.yml",
                    line,
                    col,
                    f'category "{category.id}" is already defined at line {doc.pos(("categories", seen[category.id], "id"))[0]}; remove one',
                )
            else:
                seen[category.id] = i


@rule("reserved-id", "A guide's id names a page the site generates: a guide `index` would be the list of all guides (guides/index.md).")
def reserved_id(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        if sitemap.guide_src(guide.id) in sitemap.GENERATED_PAGES:
            line, col = guide.doc.pos(("id",))
            yield Finding(
                guide.path,
                line,
                col,
                f'guide id "{guide.id}" is the site\'s page {sitemap.guide_src(guide.id)} (the list of all guides); give the guide another id',
            )


@rule("unknown-category", "A guide, article or escalation step names a category that is not in guides/categories.yml, or a category's parent is missing.")
def unknown_category(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.taxonomy is None:
        return
    known = {c.id for c in repo.taxonomy.categories}
    for item in repo.documents:
        named = item.meta.category
        if named is not None and named not in known:
            line, col = item.doc.pos(("category",))
            yield Finding(item.path, line, col, f'unknown category "{named}"{did_you_mean(named, known)}; use an id from guides/categories.yml or add it there')
    doc = repo.config_docs["guides/categories.yml"]
    for i, category in enumerate(repo.taxonomy.categories):
        for parent in parent_ids(category.id)[:1]:
            if parent not in known:
                line, col = doc.pos(("categories", i, "id"))
                yield Finding("guides/categories.yml", line, col, f'category "{category.id}" has no parent category "{parent}"; add "{parent}" to the taxonomy')
    missing_parents = {p for c in known for p in parent_ids(c)[:1]} - known  # reported once, at the child above
    if repo.escalation:
        doc = repo.config_docs["guides/escalation.yml"]
        for step_id, step in repo.escalation.steps.items():
            for i, served in enumerate(step.categories):
                if served not in known and served not in missing_parents:
                    line, col = doc.pos(("steps", step_id, "categories", i))
                    yield Finding("guides/escalation.yml", line, col, f'step "{step_id}" serves unknown category "{served}"{did_you_mean(served, known)}')


@rule("missing-category", "A guide has no category, so no ticket category leads to it.", Severity.WARNING, per_file=True)
def missing_category(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for guide in repo.guides:
        if guide.meta.category is None and "category" not in guide.cut:
            line, col = guide.doc.pos(())
            yield Finding(guide.path, line, col, f'guide "{guide.id}" has no category; add category: <id from guides/categories.yml>')


@rule("category-without-guide", "A category that neither it nor any sub-category has a guide for.", Severity.WARNING)
def category_without_guide(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.taxonomy is None:
        return
    known = [c.id for c in repo.taxonomy.categories]
    served: list[object] = [g.meta.category for g in repo.guides if g.meta.category]
    served += [u.category for u in repo.unloaded if u.kind == "guide" and u.category]
    # a guide whose category is unknown or not a valid id serves the category the problem reported for it meant
    served += [g.doc.data.get("category") for g in repo.guides if "category" in g.cut and isinstance(g.doc.data, dict)]
    served += [meant for s in served if isinstance(s, str) and s not in known for meant in difflib.get_close_matches(s.lower(), known, n=1)]
    doc = repo.config_docs["guides/categories.yml"]
    for i, category in enumerate(repo.taxonomy.categories):
        if not any(isinstance(s, str) and is_within(s, category.id) for s in served):
            line, col = doc.pos(("categories", i, "id"))
            yield Finding("guides/categories.yml", line, col, f'category "{category.id}" has no guide; write one or remove the category')


@rule("unknown-escalation-step", "An escalation leaf, or a fulfilment guide's `fulfilled_by`, names a step that guides/escalation.yml does not define.")
def unknown_escalation_step(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.escalation is None:
        return  # escalation.yml is missing or invalid: that is reported, not every step that uses it
    steps = repo.escalation.steps
    for guide in repo.guides:
        named = guide.meta.fulfilled_by
        if named is not None and named not in steps:
            line, col = guide.doc.pos(("fulfilled_by",))
            yield Finding(
                guide.path, line, col, f'fulfilled_by names unknown step "{named}"{did_you_mean(named, steps)}; use a step id from guides/escalation.yml'
            )
        for node_id, node in guide.tree.nodes.items():
            if isinstance(node, EscalationNode) and node.step not in steps:
                line, col = guide.tree_doc.pos(("nodes", node_id, "step"))
                yield Finding(
                    guide.tree_path,
                    line,
                    col,
                    f'node "{node_id}" escalates to unknown step "{node.step}"{did_you_mean(node.step, steps)}; use a step id from guides/escalation.yml',
                )


@rule("priority-matrix", "The impact x urgency matrix misses a combination or names an unknown impact or urgency level.")
def priority_matrix(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.priorities is None:
        return
    p = repo.priorities
    doc = repo.config_docs["guides/priorities.yml"]
    rel = "guides/priorities.yml"
    for impact, row in p.matrix.items():
        if impact not in p.impact:
            line, col = doc.key_pos(("matrix", impact))
            yield Finding(rel, line, col, f'unknown impact "{impact}"{did_you_mean(impact, p.impact)}; impacts are {", ".join(p.impact)}')
            continue
        for urgency in row:
            if urgency not in p.urgency:
                line, col = doc.key_pos(("matrix", impact, urgency))
                yield Finding(rel, line, col, f'unknown urgency "{urgency}"{did_you_mean(urgency, p.urgency)}; urgencies are {", ".join(p.urgency)}')
        missing = [u for u in p.urgency if u not in row]
        if missing:
            line, col = doc.key_pos(("matrix", impact))
            yield Finding(rel, line, col, f'impact "{impact}" has no priority for urgency {", ".join(missing)}; add it')
    for impact in p.impact:
        if impact not in p.matrix:
            line, col = doc.key_pos(("matrix",))
            yield Finding(rel, line, col, f'the matrix has no row for impact "{impact}"; add it')


@rule("orphan-tree", "A YAML file in guides/ that no guide uses as its tree.", Severity.WARNING)
def orphan_tree(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for path in repo.orphan_trees:
        yield Finding(path, 1, 1, "no guide uses this tree; add a guide Markdown file with the same name, or delete it")
