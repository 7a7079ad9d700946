"""Incidents and service requests: fulfilment guides, request SLA targets, an L2 for every category."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..content.escalation import step_applies
from ..content.problems import Severity
from ..content.repository import Repository
from ..content.taxonomy import CategoryIndex
from . import Finding, rule

REQUEST_FIELDS = ("approval", "fulfilled_by")


@rule(
    "request-without-fulfilment",
    "A guide in a request category does not say who approves (`approval`) or which team fulfils it (`fulfilled_by`).",
)
def request_without_fulfilment(repo: Repository, today: dt.date) -> Iterator[Finding]:
    categories = CategoryIndex(repo.taxonomy)
    for guide in repo.guides:
        category = guide.meta.category
        if category is None or category not in categories.by_id or categories.kind_of(category) != "request":
            continue
        missing = [name for name in REQUEST_FIELDS if getattr(guide.meta, name) is None and name not in guide.cut]
        if missing:
            line, col = guide.doc.key_pos(("category",))
            fixes = {
                "approval": "approval: {by: <who approves>, how: <how the approval is recorded>} (or required: false for a pre-approved request)",
                "fulfilled_by": "fulfilled_by: <step id from guides/escalation.yml>",
            }
            yield Finding(
                guide.path,
                line,
                col,
                f'"{category}" is a request category, so this is a fulfilment guide; add {" and ".join(fixes[m] for m in missing)}',
            )


@rule("request-field-on-incident", "An incident guide sets `approval` or `fulfilled_by`, which only fulfilment guides (request categories) have.")
def request_field_on_incident(repo: Repository, today: dt.date) -> Iterator[Finding]:
    categories = CategoryIndex(repo.taxonomy)
    for guide in repo.guides:
        category = guide.meta.category
        if category is not None and (category not in categories.by_id or categories.kind_of(category) == "request"):
            continue  # an unknown category is reported once, by unknown-category
        for name in REQUEST_FIELDS:
            if getattr(guide.meta, name) is not None:
                line, col = guide.doc.key_pos((name,))
                where = f'"{category}" is an incident category' if category else "the guide has no category"
                yield Finding(guide.path, line, col, f"{name} is for fulfilment guides but {where}; remove {name}, or move the guide to a request category")


@rule("category-without-l2", "No L2 step of the escalation protocol serves a category, so its tickets have nowhere to go after L1.", Severity.WARNING)
def category_without_l2(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.taxonomy is None or repo.escalation is None:
        return  # a missing or invalid file is reported once, where it is
    l2 = [step for step in repo.escalation.steps.values() if step.tier == "L2" and step.kind == "functional"]
    doc = repo.config_docs["guides/categories.yml"]
    for i, category in enumerate(repo.taxonomy.categories):
        if not any(step_applies(step, category.id, None) for step in l2):
            line, col = doc.pos(("categories", i, "id"))
            yield Finding(
                "guides/categories.yml",
                line,
                col,
                f'no L2 step serves category "{category.id}"; add it (or a parent) to the categories of an L2 step in guides/escalation.yml',
            )


@rule(
    "request-sla-missing",
    "The taxonomy has request categories but guides/priorities.yml has no `requests` targets, so requests would be measured as incidents.",
    Severity.WARNING,
)
def request_sla_missing(repo: Repository, today: dt.date) -> Iterator[Finding]:
    if repo.taxonomy is None or repo.priorities is None or repo.priorities.requests is not None:
        return
    categories = CategoryIndex(repo.taxonomy)
    requests = [c.id for c in repo.taxonomy.categories if categories.kind_of(c.id) == "request"]
    if requests:
        line, col = repo.config_docs["guides/priorities.yml"].key_pos(("levels",))
        yield Finding(
            "guides/priorities.yml",
            line,
            col,
            f"request categories ({', '.join(requests[:3])}{', ...' if len(requests) > 3 else ''}) have no request targets; "
            "add a requests: section with first_response and fulfilment for P1..P4",
        )
