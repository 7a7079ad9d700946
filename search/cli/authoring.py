"""``kb new guide|article ID``: a new file from the template, with the schema header, that passes ``kb check``.

The article has the KCS sections the ``article-sections`` rule asks for; the guide has a tree
whose every path ends (a resolution, or an escalation to an L2 step that serves the category).
Both start as drafts reviewed today, so nothing is published before the author says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from string import Template

import click

from ..content.models import SLUG_RE
from ..content.problems import suggestion_hint
from ..content.repository import ARTICLES_DIR, GUIDES_DIR, Repository, load_repository
from ..content.taxonomy import CategoryIndex, is_within, resolve_category, suggest_categories
from . import ROOT_OPTION, _require_root

ARTICLE = Template("""---
# yaml-language-server: $$schema=../../schemas/article-front-matter.schema.json
id: $id
title: $title
category: $category
tags: []
owner: $owner
reviewed: $today
status: draft
---

## Issue

What the requester reports, in their words: the message they see, what they were trying to do.

## Environment

Where it happens: device, operating system, application and version, location or network.

## Resolution

1. The first step that fixes it.
2. How to confirm it is fixed.

## Cause

Why it happens, once known.
""")

GUIDE = Template("""---
# yaml-language-server: $$schema=../schemas/guide-front-matter.schema.json
id: $id
title: $title
category: $category
version: "1.0"
owner: $owner
reviewed: $today
status: draft
summary: One sentence on the problem this guide solves.
symptoms:
  - What the requester reports, in their words.
gather:
  - id: error-message
    text: The exact error message
articles: []
---

Background for the technician: what usually causes this and what to check first.
""")

TREE_HEAD = Template("""# yaml-language-server: $$schema=../schemas/tree.schema.json
# The decision tree: every path ends in a resolution or an escalation (README "Authoring a guide").
start: first-check
nodes:
  first-check:
    type: question
    text: The first thing to check. Does it fix the problem?
    answers:
      yes: resolved
      no: $no
  resolved:
    type: resolution
    text: What fixed it, for the ticket.
""")

ESCALATE = Template("""  escalate:
    type: escalation
    step: $step
    text: Why the ticket goes to the next level.
""")

UNRESOLVED = """  unresolved:
    type: resolution
    text: Not fixed at first line; add the escalation this guide needs (guides/escalation.yml).
"""


@click.command("new")
@ROOT_OPTION
@click.argument("kind", type=click.Choice(["guide", "article"]))
@click.argument("doc_id", metavar="ID")
@click.option("--category", required=True, help="Category id (or ticket-tool tag) from guides/categories.yml.")
@click.option("--owner", required=True, envvar="KB_OWNER", help="Person or team responsible for it. Env: KB_OWNER.")
@click.option("--title", help="Title (default: the id as words).")
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True, help="json: the files written, as a list.")
def new(root: Path, kind: str, doc_id: str, category: str, owner: str, title: str | None, fmt: str) -> None:
    """Write a new guide (page and tree) or KB article from the template, as a draft reviewed today.

    It refuses to overwrite anything and to reuse an id. Edit the text, run kb check, and set
    status: published when it is ready.

    \b
    Example:
      kb new article reset-mfa-on-new-phone --category accounts/mfa --owner "Identity and Access"
    """
    repo = load_repository(_require_root(root))
    if not re.fullmatch(SLUG_RE, doc_id):
        raise click.BadParameter(f'"{doc_id}" is not a kebab-case id (lowercase letters, digits, hyphens), e.g. vpn-no-connect', param_hint="ID")
    taken = repo.guide_by_id.get(doc_id) or repo.article_by_id.get(doc_id)
    if taken is not None:
        raise click.BadParameter(f'"{doc_id}" is already the id of {taken.path}; choose another id', param_hint="ID")
    cid = _category(repo, category)
    values = {"id": doc_id, "title": json.dumps(title or doc_id.replace("-", " ").capitalize()), "category": cid, "owner": json.dumps(owner)}
    values["today"] = dt.date.today().isoformat()
    if kind == "article":
        files = {f"{ARTICLES_DIR}/{doc_id}.md": ARTICLE.substitute(values)}
    else:
        step = _l2_step(repo, cid)
        tree = TREE_HEAD.substitute(no="escalate" if step else "unresolved") + (ESCALATE.substitute(step=step) if step else UNRESOLVED)
        files = {f"{GUIDES_DIR}/{doc_id}.md": GUIDE.substitute(values), f"{GUIDES_DIR}/{doc_id}.yml": tree}
    existing = [rel for rel in files if (root / rel).exists() or (root / rel).is_symlink()]
    if existing:
        raise click.UsageError(f"{', '.join(existing)} already exists; kb new overwrites nothing")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        with (root / rel).open("x", encoding="utf-8") as out:  # "x": never over a file made meanwhile
            out.write(text)
    if fmt == "json":
        click.echo(json.dumps(list(files), indent=2))
        return
    for rel in files:
        click.echo(rel)
    tryout = f"; kb walk {doc_id} tries the tree" if kind == "guide" else ""
    click.echo(f"written as a draft: edit it, run kb check, then set status: published{tryout}", err=True)


def _category(repo: Repository, name: str) -> str:
    """The category id for an id or tag, or a usage error with the closest ids."""
    categories = CategoryIndex(repo.taxonomy)
    cid = resolve_category(name, categories.by_id, categories.by_tag)
    if cid is None:
        hint = suggestion_hint(suggest_categories(name, categories.by_id, categories.by_tag))
        raise click.BadParameter(f'unknown category "{name}"{hint}; see kb categories', param_hint="--category")
    return cid


def _l2_step(repo: Repository, cid: str) -> str | None:
    """The first functional L2 escalation step that serves ``cid`` (every category when it names none)."""
    for step_id, step in repo.escalation.steps.items() if repo.escalation else []:
        if step.tier == "L2" and step.kind == "functional" and (not step.categories or any(is_within(cid, c) for c in step.categories)):
            return step_id
    return None
