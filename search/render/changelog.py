"""The "What changed" page and its Atom feed, from the content's git history (newest first).

The page is a template like every generated page; the feed is written by feedgen, a maintained
feed library, so its XML (escaping, dates, required elements) is not ours to get right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from ..content import sitemap
from ..content.repository import Repository
from ..workflow.changes import CommitEntry, DocumentRef
from . import markup, mdpage
from .templating import render

CHANGES_PAGE = "changes.md"
FEED_FILE = "changes.xml"
FEED_ID = "urn:kb-guides:changes"


@dataclass(frozen=True)
class _Doc:
    """A document a commit touched: its current title and page, or (gone, unpublished) its id alone."""

    title: str
    kind: str
    src: str | None


@dataclass(frozen=True)
class _Entry:
    sha: str
    short: str
    date: str
    day: str
    author: str
    message: str
    documents: list[_Doc]


class Changelog:
    """The commits of one build, with each touched document resolved against what the site publishes."""

    def __init__(self, repo: Repository, commits: list[CommitEntry] | None, directory_urls: bool = True) -> None:
        self.commits, self.directory_urls = commits, directory_urls
        self.titles = {sitemap.guide_src(g.id): g.meta.title for g in repo.guides}
        self.titles |= {sitemap.article_src(a.path): a.meta.title for a in repo.articles}
        self.titles |= {sitemap.article_src(p.path): p.path for p in repo.pages}

    def _doc(self, ref: DocumentRef) -> _Doc:
        published = ref.src is not None and ref.src in self.titles
        return _Doc(self.titles[ref.src] if published and ref.src else ref.id, ref.kind, ref.src if published else None)

    def _entries(self) -> list[_Entry]:
        return [
            _Entry(c.sha, c.sha[:10], c.date.isoformat(), c.date.date().isoformat(), c.author, c.message, [self._doc(d) for d in c.documents])
            for c in self.commits or []
        ]

    def page(self) -> str:
        body = render(
            "changelog.html",
            history=self.commits is not None,
            entries=self._entries(),
            feed=f"../{FEED_FILE}" if self.directory_urls else FEED_FILE,
            href=lambda src: markup.href(CHANGES_PAGE, src, "", self.directory_urls),
        )
        return mdpage.page({"title": "What changed"}, [body])

    def feed(self, site_url: str | None, updated: dt.datetime) -> bytes:
        """Atom: one entry per commit, newest first; links absolute when the site's URL is known."""
        base = site_url.rstrip("/") + "/" if site_url else ""  # relative links resolve against the feed's own URL
        page_url = base + sitemap.page_url(CHANGES_PAGE) if self.directory_urls else base + "changes.html"
        fg = FeedGenerator()
        fg.id(FEED_ID)
        fg.title("Knowledge base: what changed")
        fg.subtitle("Guides and articles changed in the knowledge base, newest first.")
        fg.link(href=page_url, rel="alternate")
        fg.link(href=base + FEED_FILE, rel="self")
        fg.language("en")
        entries = self._entries()
        fg.updated(self.commits[0].date if self.commits else updated)
        for entry in entries:
            fe = fg.add_entry(order="append")
            fe.id(f"urn:kb-guides:commit:{entry.sha}")
            fe.title(entry.message or entry.short)
            fe.author({"name": entry.author})
            fe.updated(entry.date)
            fe.published(entry.date)
            fe.link(href=f"{page_url}#commit-{entry.short}", rel="alternate")
            touched = "; ".join(f"{d.kind} {d.title}" + (f" <{base}{sitemap.page_url(d.src)}>" if d.src else "") for d in entry.documents)
            fe.summary(f"{entry.author}, {entry.day}: {entry.message}. Touched: {touched or 'no documents'}.")
        feed: bytes = fg.atom_str(pretty=True)
        return feed
