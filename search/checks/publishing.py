"""What may be published: only regular files of the repository, no secrets, no link to a page
the build leaves out (see ``search.content.files`` and ``search.content.publishing``)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterator
from pathlib import Path

from ..content import sitemap
from ..content.files import SECRET_NAMES, Kind, is_secret_name
from ..content.models import DocumentMeta, LinkNode, Status
from ..content.publishing import is_published
from ..content.repository import Repository
from . import Finding, rule
from .markdown import _LINK, _matches

MAX_SNIFF_BYTES = 1_000_000
# Secrets that keep their shape whatever the file is called.
_SECRET_TEXT = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|KB_ADMIN_TOKEN\s*[=:]|\badmin_token\s*[=:]", re.IGNORECASE)


@rule("symlink-outside", "A symbolic link in kb/ or guides/ points outside the repository; it is never followed or published.")
def symlink_outside(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for e in repo.files.entries:
        if e.kind is Kind.LINK and not e.inside and not e.dangling:
            yield Finding(
                e.rel,
                1,
                1,
                f'symbolic link to "{e.target}", outside the repository; the site never publishes it: remove the link (copy the content into the repository if it belongs there)',
            )


@rule("symlink-dangling", "A symbolic link in kb/ or guides/ points to nothing.")
def symlink_dangling(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for e in repo.files.entries:
        if e.kind is Kind.LINK and e.dangling:
            yield Finding(e.rel, 1, 1, f'symbolic link to "{e.target}", which does not exist; remove the link')


@rule("symlink", "A symbolic link in kb/ or guides/ to a file inside the repository; content must be regular files (links are not followed).")
def symlink_inside(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for e in repo.files.entries:
        if e.kind is Kind.LINK and e.inside and not e.dangling:
            yield Finding(
                e.rel,
                1,
                1,
                f'symbolic link to "{e.target}"; the build does not follow links: replace it by a copy of the file, or link to the page in Markdown',
            )


@rule("special-file", "A FIFO, socket or device file in kb/ or guides/; it is never opened.")
def special_file(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for e in repo.files.entries:
        if e.kind is Kind.SPECIAL:
            yield Finding(e.rel, 1, 1, "not a regular file (FIFO, socket or device); remove it")


@rule(
    "secret-file",
    "A file in kb/ whose name looks like configuration or a secret (README: publishing policy), or that holds a private key or the admin token; it is not published.",
)
def secret_file(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for e in repo.files.entries:
        if e.kind is not Kind.FILE or not e.rel.startswith("kb/") or e.rel.endswith(".md"):
            continue
        name = e.rel.rsplit("/", 1)[-1]
        if is_secret_name(name):
            yield Finding(
                e.rel,
                1,
                1,
                f'"{name}" looks like configuration or a secret ({_pattern(name)}); it is not published: move it out of kb/ (and rotate any secret it holds)',
            )
        elif _holds_secret(Path(repo.root) / e.rel):
            yield Finding(e.rel, 1, 1, "file holds a private key or the admin token; it is not published: remove it from kb/ and rotate the secret")


def _pattern(name: str) -> str:
    return next((f"matches {p}" for p in SECRET_NAMES if fnmatch.fnmatch(name.lower(), p.lower())), "a backup of such a file")


def _holds_secret(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return _SECRET_TEXT.search(f.read(MAX_SNIFF_BYTES)) is not None
    except OSError:
        return False


@rule(
    "link-to-unpublished",
    "A published page links to a guide or article that this build does not publish (a draft, or internal content in a public build); the link would break.",
)
def link_to_unpublished(repo: Repository, today: dt.date) -> Iterator[Finding]:
    policy = repo.policy
    articles = [a for a in repo.articles if not is_published(a.meta, policy)]
    guides = [g for g in repo.guides if not is_published(g.meta, policy)]
    if not articles and not guides:
        return
    hidden: dict[str, DocumentMeta] = {sitemap.article_src(a.path): a.meta for a in articles}
    hidden |= {sitemap.guide_src(g.id): g.meta for g in guides}
    skip = {a.path for a in articles} | {p for g in guides for p in (g.path, g.tree_path)}  # unpublished pages may link anywhere
    for rel, src, match, at in _matches(repo, _LINK, "](", group=1):
        target = match.group(1)
        if rel in skip or not sitemap.is_relative_link(target):
            continue
        meta = hidden.get(sitemap.resolve_link(src, target))
        if meta is not None:
            yield Finding(rel, *at, f'link "{target}" points to a page this build does not publish ({_why(meta)}); publish that page or remove the link')
    hidden_guides = {g.id: g.meta for g in guides}
    for guide in repo.guides:
        if guide.path in skip:
            continue
        for node_id, node in guide.tree.nodes.items():
            if isinstance(node, LinkNode) and node.guide in hidden_guides:
                line, col = guide.tree_doc.pos(("nodes", node_id, "guide"))
                yield Finding(
                    guide.tree_path,
                    line,
                    col,
                    f'node "{node_id}" continues in guide "{node.guide}", which this build does not publish ({_why(hidden_guides[node.guide])}); publish it or link another guide',
                )


def _why(meta: DocumentMeta) -> str:
    return "status: draft" if meta.status is Status.draft else f"audience: {meta.audience.value}, and this is a public build"
