"""What changed in the content since a date or a git revision, ready to send to staff.

Built from one ``git log`` over the range and one ``git cat-file`` for the files to compare; a
changed tree, escalation protocol or priority matrix is loaded at both ends through the content
model (the same loader as ``kb check``) and compared in meaning (``content.treediff``).
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field

from ..content import sitemap
from ..content.history import Commit, GitError, History, open_history
from ..content.models import Escalation, Priorities, Tree
from ..content.problems import Problem
from ..content.repository import ARTICLES_DIR, CONFIG_FILES, GUIDES_DIR, KB_DIR, parse_tree
from ..content.sources import parse_yaml, validate
from ..content.treediff import ProtocolDiff, TreeDiff, diff_escalation, diff_priorities, diff_trees

S = TypeVar("S", Escalation, Priorities)
Kind = Literal["guide", "article", "page", "settings"]
Status = Literal["added", "modified", "removed", "renamed"]


class ChangeError(Exception):
    """The range cannot be summarised (an unknown revision); the message says what to pass."""


class DocumentRef(BaseModel):
    """A document as a change names it: guide ``printer-offline``, article ``kb/articles/x.md``."""

    kind: Kind
    id: str = Field(description="Guide id, article or page path stem, or settings file name.")
    path: str = Field(description="A file of the document that changed (relative to the content root).")
    src: str | None = Field(None, description="Site source path of its page (guides/x.md), when it has one.")


class CommitEntry(BaseModel):
    sha: str
    date: dt.datetime
    author: str
    message: str
    documents: list[DocumentRef]


class DocumentChange(DocumentRef):
    status: Status
    old_path: str | None = Field(None, description="Where a renamed document was before.")
    commits: int = Field(description="Commits in the range that touched it.")
    tree: TreeDiff | None = Field(None, description="For a guide whose tree changed: what changed in meaning.")
    notes: list[str] = Field(default_factory=list, description="Why a comparison could not be made (a side that does not load).")


class ChangeSummary(BaseModel):
    since: str
    base: str | None = Field(description="Commit compared against (null: the range starts at the first commit).")
    head: str | None
    history: bool = Field(description="False when the content has no git history (a tarball): nothing can be listed.")
    commits: list[CommitEntry] = Field(default_factory=list, description="Newest first.")
    documents: list[DocumentChange] = Field(default_factory=list)
    escalation: ProtocolDiff | None = None
    priorities: ProtocolDiff | None = None


def document_of(path: str) -> DocumentRef | None:
    """Which document a content file belongs to (``None``: not content, e.g. an image)."""
    name = posixpath.basename(path)
    if posixpath.dirname(path) == GUIDES_DIR:
        if name in CONFIG_FILES:
            return DocumentRef(kind="settings", id=name, path=path)
        stem, ext = posixpath.splitext(name)
        if ext in (".md", ".yml"):
            return DocumentRef(kind="guide", id=stem, path=path, src=sitemap.guide_src(stem))
        return None
    if path.endswith(".md") and path.startswith(KB_DIR + "/"):
        kind: Kind = "article" if path.startswith(ARTICLES_DIR + "/") else "page"
        return DocumentRef(kind=kind, id=posixpath.splitext(name)[0], path=path, src=sitemap.article_src(path))
    return None


def commit_entry(commit: Commit) -> CommitEntry:
    """A commit with the documents it touched (a guide's prose and tree count once)."""
    documents: dict[tuple[str, str], DocumentRef] = {}
    for change in commit.changes:
        ref = document_of(change.path)
        if ref is not None:
            documents.setdefault((ref.kind, ref.id), ref)
    return CommitEntry(sha=commit.sha, date=commit.date, author=commit.author, message=commit.subject, documents=list(documents.values()))


def parse_since(value: str) -> dt.datetime | None:
    """``YYYY-MM-DD`` (or an ISO date-time) as a date; anything else is a git revision (``None``)."""
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def summarize(root: Path, since: str, history: History | None = None) -> ChangeSummary:
    """Commits and the net change of each document from ``since`` (a date or a revision) to HEAD."""
    history = history if history is not None else open_history(root)
    if history is None:
        return ChangeSummary(since=since, base=None, head=None, history=False)
    when = parse_since(since)
    try:
        head = history.resolve("HEAD")
        if when is not None:
            base = history.last_before(when)
            commits = history.log("HEAD", since=when)
        else:
            try:
                base = history.resolve(since)
            except GitError:
                raise ChangeError(f'"{since}" is neither a date (YYYY-MM-DD) nor a git revision (a tag, branch or commit)') from None
            commits = history.log(f"{base}..HEAD")
        summary = ChangeSummary(since=since, base=base, head=head, history=True, commits=[commit_entry(c) for c in commits])
        _net_changes(summary, commits, history)
    except GitError as exc:
        raise ChangeError(f"git: {exc}") from None
    return summary


def _net_changes(summary: ChangeSummary, commits: list[Commit], history: History) -> None:
    """Fold the commits (oldest first) into one net change per document, then compare trees and settings."""
    changes: dict[tuple[str, str], DocumentChange] = {}
    for commit in reversed(commits):
        touched: set[tuple[str, str]] = set()
        for file in commit.changes:
            ref = document_of(file.path)
            if ref is None:
                continue
            key = (ref.kind, ref.id)
            old_ref = document_of(file.old_path) if file.old_path else None
            if old_ref is not None and (old_ref.kind, old_ref.id) != key and key not in changes:
                earlier = changes.pop((old_ref.kind, old_ref.id), None)
                changes[key] = DocumentChange(
                    **ref.model_dump(),
                    status="added" if earlier and earlier.status == "added" else "renamed",
                    old_path=earlier.old_path if earlier and earlier.old_path else file.old_path,
                    commits=earlier.commits if earlier else 0,
                )
            entry = changes.get(key)
            if entry is None:
                entry = changes[key] = DocumentChange(**ref.model_dump(), status=_STATUS.get(file.status, "modified"), commits=0)
            elif file.status == "D":
                entry.status = "removed"
            elif file.status == "A" and entry.status == "removed":
                entry.status = "modified"  # removed, then added back
            if file.path.endswith(".md"):
                entry.path = file.path  # a guide is named by its page's file, not its tree's
            if key not in touched:
                entry.commits += 1
                touched.add(key)
    summary.documents = sorted(changes.values(), key=lambda d: (_KIND_ORDER.index(d.kind), d.id))
    _compare(summary, history)


_STATUS: dict[str, Status] = {"A": "added", "D": "removed", "R": "renamed"}
_KIND_ORDER: tuple[Kind, ...] = ("guide", "article", "page", "settings")


def _compare(summary: ChangeSummary, history: History) -> None:
    """Load the trees and settings that changed at both ends through the content model and diff them."""
    wanted: list[tuple[DocumentChange, str, str]] = []
    for doc in summary.documents:
        if doc.kind == "guide":
            old_id = posixpath.splitext(posixpath.basename(doc.old_path))[0] if doc.old_path else doc.id
            wanted.append((doc, f"{GUIDES_DIR}/{old_id}.yml", f"{GUIDES_DIR}/{doc.id}.yml"))
        elif doc.kind == "settings" and doc.id in ("escalation.yml", "priorities.yml"):
            wanted.append((doc, doc.path, doc.path))
    specs = [s for _, old, new in wanted for s in ((f"{summary.base}:{old}",) if summary.base else ()) + (f"{summary.head}:{new}",)]
    texts = history.show(specs)
    for doc, old, new in wanted:
        old_text = texts.get(f"{summary.base}:{old}") if summary.base else None
        new_text = texts.get(f"{summary.head}:{new}")
        if old_text == new_text:
            continue
        if doc.kind == "guide":
            before = _tree(old_text, old, "before", doc)
            after = _tree(new_text, new, "now", doc)
            diff = diff_trees(before, after)
            doc.tree = None if diff.empty else diff
        elif doc.id == "escalation.yml":
            summary.escalation = diff_escalation(_settings(old_text, old, Escalation, doc), _settings(new_text, new, Escalation, doc))
        else:
            summary.priorities = diff_priorities(_settings(old_text, old, Priorities, doc), _settings(new_text, new, Priorities, doc))


def _tree(text: str | None, rel: str, side: str, doc: DocumentChange) -> Tree | None:
    if text is None:
        return None
    problems: list[Problem] = []
    _, tree = parse_tree(text, rel, problems)
    if tree is None:
        doc.notes.append(f"the tree {side} does not load ({_first(problems)}); nodes are compared as if it were empty")
    return tree


def _settings(text: str | None, rel: str, model: type[S], doc: DocumentChange) -> S | None:
    if text is None:
        return None
    problems: list[Problem] = []
    parsed = parse_yaml(text, rel, problems)
    value = validate(model, parsed, rel, problems) if parsed is not None else None
    if value is None:
        doc.notes.append(f"{rel} does not load at one end ({_first(problems)})")
    return value


def _first(problems: Iterable[Problem]) -> str:
    return next((p.format() for p in problems), "unknown problem")


def render_summary(summary: ChangeSummary, markdown: bool = False, site_url: str | None = None) -> str:
    """The summary as plain text or Markdown, for an e-mail or chat message to staff."""
    out = _Writer(markdown)
    if not summary.history:
        out.title(f"No change history since {summary.since}")
        out.line("This content is not a git checkout (a tarball?), so there is no history to list.")
        return out.text()
    out.title(f"Knowledge base changes since {summary.since}")
    out.line(f"{_count(len(summary.commits), 'commit')}, {_count(len(summary.documents), 'document')} changed.")
    for kind, heading in (("guide", "Guides"), ("article", "Articles"), ("page", "Pages"), ("settings", "Settings")):
        docs = [d for d in summary.documents if d.kind == kind]
        if not docs:
            continue
        out.heading(heading)
        for doc in docs:
            link = f" {site_url.rstrip('/')}/{sitemap.page_url(doc.src)}" if site_url and doc.src and doc.status != "removed" else ""
            moved = f" (was {doc.old_path})" if doc.old_path else ""
            out.item(f"{out.code(doc.id)} {doc.status}{moved}, {_count(doc.commits, 'commit')}{link}")
            if doc.tree is not None:
                for line in tree_lines(doc.tree, out.code):
                    out.item(line, level=1)
            for note in doc.notes:
                out.item(f"note: {note}", level=1)
    for heading, diff in (("Escalation protocol", summary.escalation), ("Priorities and SLA targets", summary.priorities)):
        if diff is not None and not diff.empty:
            out.heading(heading)
            for line in protocol_lines(diff, out.code):
                out.item(line)
    if summary.commits:
        out.heading("Commits")
        for commit in summary.commits:
            touched = ", ".join(out.code(d.id) for d in commit.documents)
            out.item(f"{commit.date.date().isoformat()} {commit.author}: {commit.message} ({commit.sha[:10]}{'; ' + touched if touched else ''})")
    return out.text()


def tree_lines(diff: TreeDiff, code: Callable[[str], str]) -> list[str]:
    """One line per change in meaning of a tree (also the changelog page's wording)."""
    lines = [f"node {code(n)} added" for n in diff.added] + [f"node {code(n)} removed" for n in diff.removed]
    if diff.start is not None:
        lines.append(f"starts at {code(diff.start.new)} instead of {code(diff.start.old)}")
    lines += [f"node {code(c.item)} is now a {c.new} (was a {c.old})" for c in diff.retyped]
    lines += [f'node {code(c.item)} reworded ({c.field}): "{c.old}" -> "{c.new}"' for c in diff.reworded]
    for a in diff.repointed:
        if a.old is None:
            lines.append(f'node {code(a.node)}: new answer "{a.answer}" -> {code(a.new or "")}')
        elif a.new is None:
            lines.append(f'node {code(a.node)}: answer "{a.answer}" removed (led to {code(a.old)})')
        else:
            lines.append(f'node {code(a.node)}: answer "{a.answer}" now leads to {code(a.new)} (was {code(a.old)})')
    lines += [f"escalation at {code(c.item)} now goes to step {code(c.new)} (was {code(c.old)})" for c in diff.escalations]
    return lines


def protocol_lines(diff: ProtocolDiff, code: Callable[[str], str]) -> list[str]:
    lines = [f"{code(k)} added" for k in diff.added] + [f"{code(k)} removed" for k in diff.removed]
    return lines + [f'{code(c.item)} {c.field}: "{c.old}" -> "{c.new}"' for c in diff.changed]


class _Writer:
    """Lines of plain text or Markdown (headings, bullets, code spans)."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.lines: list[str] = []

    def title(self, text: str) -> None:
        self.lines += [f"# {text}" if self.markdown else text, "" if self.markdown else "=" * len(text)]

    def heading(self, text: str) -> None:
        self.lines += ["", f"## {text}", ""] if self.markdown else ["", text, "-" * len(text)]

    def line(self, text: str) -> None:
        self.lines.append(text)

    def item(self, text: str, level: int = 0) -> None:
        self.lines.append(("  " * level) + ("- " if self.markdown or level == 0 else "* ") + text)

    def code(self, text: str) -> str:
        return f"`{text}`" if self.markdown else text

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
