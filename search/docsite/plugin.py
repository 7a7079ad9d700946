"""The ``kb-guides`` mkdocs plugin: loads and checks the content once, adds the generated pages.

Event wiring only; every page is rendered by ``search.render``. Content errors stop the build
(``PluginError`` listing ``path:line:col`` problems); content warnings such as review-overdue are
logged at info level, so ``mkdocs build --strict`` does not start failing as content ages.
"""

from __future__ import annotations

import datetime as dt
import gc
import html
import logging
import os
from collections.abc import Callable
from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..checks import run_checks
from ..content import sitemap
from ..content.history import GitError, History, open_history
from ..content.problems import ContentError, Problem, Severity
from ..content.progress import Progress, no_progress
from ..content.publishing import Policy, is_listed, published
from ..content.repository import Article, Repository, load_repository
from ..content.repository import Page as ContentPage
from ..render.changelog import FEED_FILE, Changelog
from ..render.markup import sanitize
from ..render.mdpage import LateHtml, SearchSection, fill
from ..render.offline import external_loads
from ..render.pages import Pages, start_source
from ..render.site import generated_pages
from ..workflow.changes import CommitEntry, commit_entry
from .bundle import BUNDLE_NAME, page_script
from .config import GuidesConfig

log = logging.getLogger("mkdocs.plugins.kb-guides")

ASSETS_DIR = Path(__file__).parent / "assets"
ASSETS_URI = "assets/kb-guides"
THEME_DIR = Path(__file__).parent / "theme"


class ContentProblems(PluginError):
    """Content errors that stop the build; ``problems`` holds them for callers that print their own."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = f"{len(problems)} content error{'s' if len(problems) != 1 else ''}"
        super().__init__(f"kb-guides: {count}; fix them (kb check lists them too):\n{ContentError(problems)}")


class GuidesPlugin(BasePlugin[GuidesConfig]):
    """Adds guide, category, escalation, priority, review, triage and tags pages and the page script."""

    def __init__(self) -> None:
        super().__init__()
        self.repo: Repository | None = None  # everything, as kb check sees it
        self.site: Repository | None = None  # what this build publishes (see content.publishing)
        self.plain: dict[str, ContentPage] = {}
        self.today = dt.date.today()
        self.pages: Pages | None = None
        self.articles: dict[str, Article] = {}
        self.errors: list[Problem] = []
        self.late: dict[str, Callable[[], LateHtml]] = {}
        self.pending: dict[str, LateHtml] = {}
        self.search_entries: list[dict[str, object]] | None = None
        self.progress: Progress = no_progress  # stage_site sets the CLI's display: content loaded, pages rendered
        self.rendered = (0, 0)  # (pages done, pages in the build)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.today = _date(self.config.today)  # type: ignore[arg-type]  # mkdocs config options are untyped
        self.repo = load_repository(Path(config.config_file_path).parent, _policy(self.config.preview, self.config.audience), self.progress)
        # The content lives until the build ends: spare the cyclic collector rescanning it on
        # every pass over the oldest generation (thawed when the build ends or fails).
        gc.freeze()
        problems = run_checks(self.repo, self.today, self.progress) if self.config.check else list(self.repo.problems)
        errors = self.errors = [p for p in problems if p.severity is Severity.ERROR]
        for problem in problems:
            if problem.severity is not Severity.ERROR:
                log.info(problem.format())
        if errors and self.config.check:
            self._release()
            raise ContentProblems(errors)
        for problem in errors:  # check: false (tests only) still says what it skipped
            log.info(problem.format())
        self.site = published(self.repo, self.repo.policy)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.repo is not None and self.site is not None
        _keep_published(files, config, self.repo, self.site)

        self.search_entries = _search_entries(config)  # the search plugin has set up its index in on_config
        self.articles = {sitemap.article_src(a.path): a for a in self.site.articles}
        self.plain = {sitemap.article_src(p.path): p for p in self.repo.pages}
        self.rendered = (0, len(files.documentation_pages()))
        history, commits = _history(self.repo.root, self.config.changelog_entries)
        versions = self.site.load_versions(history)  # the pages' versions are the transcripts' (Repository.version_of)
        self.pages = Pages(self.site, config.use_directory_urls, versions, today=self.today)
        changelog = Changelog(self.site, commits, config.use_directory_urls)
        generated = generated_pages(
            self.site,
            today=self.today,
            review_window_days=self.config.review_window_days,
            directory_urls=config.use_directory_urls,
            versions=versions,
            changelog=changelog,
        )
        self.late, self.pending = generated.late, {}
        for src_uri, content in generated.sources.items():
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(f'kb-guides: "kb/{src_uri}" has the path of a generated page; rename or remove it')
            files.append(File.generated(config, src_uri, content=content))
        for asset in sorted(ASSETS_DIR.iterdir()):
            if asset.suffix in (".js", ".css"):
                files.append(File.generated(config, f"{ASSETS_URI}/{asset.name}", abs_src_path=str(asset)))
        files.append(File.generated(config, f"{ASSETS_URI}/{BUNDLE_NAME}", content=page_script()))
        updated = dt.datetime.combine(self.today, dt.time(), dt.UTC)
        files.append(File.generated(config, FEED_FILE, content=changelog.feed(config.site_url, updated)))
        # What this made (page sources, each guide page's renderer and lookups) lives until the
        # build ends too: frozen, the collector's full walks during the build skip it as well.
        gc.freeze()
        return files

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """An authored page's Markdown as our loader read it, front matter removed: mkdocs would
        re-read the front matter with YAML 1.1 (``1:30`` -> 90, ``yes`` -> True, a bad date drops
        it all). The leading newline keeps mkdocs from taking a body that starts with ``---`` as
        front matter. :meth:`on_page_markdown` then sets ``page.meta`` from our model."""
        src = page.file.src_uri
        found = self.articles.get(src) or self.plain.get(src)
        return "\n" + found.body if found is not None else None

    @event_priority(50)  # before the tags plugin (-50) reads page.meta
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        src = page.file.src_uri
        plain = self.plain.get(src)
        if plain is not None:
            data = plain.meta.data if plain.meta is not None and isinstance(plain.meta.data, dict) else {}
            page.meta = {key: getattr(value, "raw", value) for key, value in data.items()}  # a number keeps its spelling
        article = self.articles.get(src)
        if article is None or self.pages is None or self.site is None:
            _escape_front_matter(page)
            return start_source(markdown) if src == sitemap.START_PAGE and plain is not None else markdown
        meta = article.meta
        listed = is_listed(meta, self.site.policy)
        page.meta = {"title": meta.title, "tags": list(meta.tags) if listed else []}
        if not listed:  # retired: reachable by URL, left out of search and the tags page
            page.meta["search"] = {"exclude": True}
        _escape_front_matter(page)
        return self.pages.article_source(article, markdown)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        html = _sanitize_authored(html, page)
        render_late = self.late.get(page.file.src_uri)
        if render_late is not None:
            late = self.pending[page.file.src_uri] = render_late()
            html = fill(html, late.indexed)
            if page.present_anchor_ids is not None:
                page.present_anchor_ids |= late.anchors
        for url in external_loads(html):
            log.warning(
                f'Doc file "{page.file.src_uri}" loads "{url}" from another host; the site must work offline: copy the file into kb/ and link it relatively'
            )
        return html

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        """Our theme overrides first: Material's inline scripts as files, for the CSP."""
        if isinstance(env.loader, jinja2.FileSystemLoader):
            env.loader.searchpath.insert(0, str(THEME_DIR))
        return env

    @event_priority(-100)  # after the search plugin has written search/search_index.json
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._release()
        _offline_search_index(Path(config.site_dir))

    def on_build_error(self, *, error: Exception) -> None:
        self._release()

    def _release(self) -> None:
        """Drop this build's content and renderers, then thaw what :meth:`on_config` and
        :meth:`on_files` froze. Dropped first, most of it is freed at once by reference
        counting; thawed first, it would be walked again by every later full collection, among
        them those of the interpreter's exit (about a second at 1,000 guides, ADR 0049)."""
        self.repo = self.site = self.pages = self.search_entries = None
        self.articles, self.plain, self.late, self.pending = {}, {}, {}, {}
        gc.unfreeze()

    @event_priority(-100)  # after the search plugin has indexed page.content
    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation) -> TemplateContext:
        self.rendered = (self.rendered[0] + 1, self.rendered[1])
        self.progress("pages", *self.rendered)
        late = self.pending.pop(page.file.src_uri, None)
        if late is not None:
            page.content = fill(page.content or "", late.unindexed())
            if late.sections and self.search_entries is not None and not (page.meta.get("search") or {}).get("exclude"):
                self.add_to_search(page, late.sections, self.search_entries)
        return context

    @event_priority(-100)  # after every other plugin's post_page
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Drop the page's HTML once the template has used it: mkdocs keeps every page's
        content until the build ends, and a guide's is tens of kilobytes (peak memory)."""
        page.content = None
        return output

    def add_to_search(self, page: Page, sections: list[SearchSection], entries: list[dict[str, object]]) -> None:
        """Add sections to Material's search index as the entries its HTML parser would make
        (title and text escaped, the page's tags), without the parsing: for a guide's step list
        that parsing cost more than the rest of the page."""
        tags = [str(t) for t in page.meta.get("tags") or [] if isinstance(t, (str, int, float, bool)) and t]
        for section in sections:
            entry: dict[str, object] = {
                "location": f"{page.url}#{section.anchor}",
                "title": html.escape(section.title, quote=False),
                "text": html.escape(section.text, quote=False),
            }
            if tags:
                entry["tags"] = tags
            entries.append(entry)


def _offline_search_index(site_dir: Path) -> None:
    """``search/search_index.js`` (``var __index = ...``) next to the JSON index: on file://, where
    nothing can be fetched, Material's bundle loads the index as this script (kb-search.js)."""
    index = site_dir / "search" / "search_index.json"
    if index.is_file():
        (site_dir / "search" / "search_index.js").write_text("var __index = " + index.read_text(encoding="utf-8") + ";\n", encoding="utf-8")


def _history(root: Path, entries: int) -> tuple[History | None, list[CommitEntry] | None]:
    """The content's history and its newest commits; ``None`` without git (the changelog says so)."""
    history = open_history(root)
    if history is None:
        log.info("kb-guides: the content is not a git checkout; the changelog says there is no history and versions are content hashes")
        return None, None
    try:
        return history, [commit_entry(c) for c in history.log(limit=entries)]
    except GitError as exc:
        log.warning(f"kb-guides: cannot read the git history ({exc}); the changelog says there is no history")
        return None, None


def _sanitize_authored(content: str, page: Page) -> str:
    """Pages rendered from authors' Markdown (articles, ``kb/`` pages, guide prose) through the
    content allow-list, before our generated HTML is filled in; generated pages hold only text
    that :mod:`search.render.markup` has escaped or sanitized. A title taken from the first
    heading is escaped text, like front-matter titles (see :func:`_escape_front_matter`)."""
    guide_page = page.file.src_uri.startswith(f"{sitemap.GUIDES_PREFIX}/") and page.file.src_uri != sitemap.GUIDE_LIST_PAGE
    if page.file.generated_by is not None and not guide_page:
        return content
    if page.file.generated_by is None and "title" not in page.meta and page.title is not None:
        page.title = _escaped_text(page.title)
    return sanitize(content)


def _escape_front_matter(page: Page) -> None:
    """Material and its tags plugin print front-matter values of authored pages (``title``,
    ``description``, ``author``, tags...) as HTML: they become escaped text, as generated pages'
    titles are (unescaped first, so a value escaped earlier is not escaped twice). Runs before
    the tags plugin reads the tags. Authors do not pick templates (``redirect.html`` would put
    ``location`` into a script)."""
    if page.file.generated_by is None:
        page.meta.pop("template", None)
        page.meta = {key: _escaped(value) for key, value in page.meta.items()}


def _escaped_text(value: str) -> str:
    return html.escape(html.unescape(value), quote=True)


def _escaped(value: object) -> object:
    """Every string in front-matter ``value`` as escaped HTML text."""
    if isinstance(value, str):
        return _escaped_text(value)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def _policy(preview: bool | None, audience: str | None) -> Policy:
    """The plugin's ``preview``/``audience`` options, else ``KB_PREVIEW``/``KB_AUDIENCE``."""
    try:
        env = Policy.from_env()
        return Policy.of(env.preview if preview is None else preview, audience or env.audience)
    except ValueError:
        raise PluginError(
            f'kb-guides: audience "{audience or os.environ.get("KB_AUDIENCE")}" is not internal or public (plugin option audience or KB_AUDIENCE)'
        ) from None


def _keep_published(files: Files, config: MkDocsConfig, repo: Repository, site: Repository) -> None:
    """Remove from mkdocs's file list every file of the docs folder that is not published:
    links (mkdocs follows them, even to /proc/self/environ), special files, secret-like names
    (``content.files``), and the pages of unpublished articles. Theme files are left alone."""
    docs_dir = os.path.abspath(config.docs_dir) + os.sep
    static = repo.files.published_static()
    pages = {sitemap.article_src(a.path) for a in site.articles} | {sitemap.article_src(p.path) for p in repo.pages}
    for file in list(files):
        # abspath, not resolve: a link must be judged by where it is, not where it points
        if file.generated_by or file.abs_src_path is None or not os.path.abspath(file.abs_src_path).startswith(docs_dir):
            continue
        if file.src_uri not in (pages if file.src_uri.endswith(".md") else static):
            files.remove(file)
            log.info(f'kb-guides: not publishing "{file.src_uri}" (unpublished page, link, special file or secret-like name)')


def _search_entries(config: MkDocsConfig) -> list[dict[str, object]] | None:
    """The entry list of Material's search index, or None when the search plugin is off.

    Material 9 (pinned below 10) keeps it at ``search_index.entries``; a test checks that the
    built ``search_index.json`` has a result per guide step.
    """
    plugin = config.plugins.get("material/search")
    if plugin is None or not getattr(plugin.config, "enabled", True):
        return None
    entries = getattr(getattr(plugin, "search_index", None), "entries", None)
    if not isinstance(entries, list):
        raise PluginError("kb-guides: this version of Material's search plugin is not supported (no search_index.entries); use mkdocs-material 9")
    return entries


def _date(value: dt.date | str | None) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PluginError(f'kb-guides: "today: {value}" is not a date; write it as YYYY-MM-DD') from None
