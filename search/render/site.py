"""Every page the site generates from the content model, by source path (see ``sitemap``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..content import sitemap
from ..content.history import ContentVersion
from ..content.repository import Repository
from .changelog import CHANGES_PAGE, Changelog
from .guide_page import Lookups, guide_page
from .mdpage import LateHtml
from .pages import TAGS_PAGE, Pages, start_source
from .triage_page import triage_page


@dataclass
class GeneratedPages:
    """``sources``: source path -> Markdown; ``late``: source path -> renders the HTML filled
    into the built page (see ``mdpage.LateHtml``)."""

    sources: dict[str, str] = field(default_factory=dict)
    late: dict[str, Callable[[], LateHtml]] = field(default_factory=dict)


def generated_pages(
    repo: Repository,
    *,
    today: dt.date,
    review_window_days: int = 30,
    directory_urls: bool = True,
    versions: Mapping[str, ContentVersion] | None = None,
    changelog: Changelog | None = None,
) -> GeneratedPages:
    """Every generated page: guides, the guide list, categories, reference pages, the triage page,
    the start page's parts (and the home page itself when ``kb/index.md`` is missing) and, given
    the history, the changelog; ``versions``: content version by document path (shown on its page)."""
    pages = Pages(repo, directory_urls, versions, today=today)
    result = GeneratedPages()
    out, late = result.sources, result.late
    out |= {
        f"{sitemap.CATEGORIES_PREFIX}/index.md": pages.categories_index(),
        sitemap.ESCALATION_PAGE: pages.escalation_page(),
        sitemap.PRIORITIES_PAGE: pages.priorities_page(),
        sitemap.REVIEW_PAGE: pages.review_page(today, review_window_days),
        sitemap.TRIAGE_PAGE: triage_page(repo, directory_urls),
        TAGS_PAGE: pages.tags_page(),
    }
    out[sitemap.GUIDE_LIST_PAGE], late[sitemap.GUIDE_LIST_PAGE] = _filled(pages.guide_list())
    if not any(sitemap.article_src(p.path) == sitemap.START_PAGE for p in repo.pages):
        out[sitemap.START_PAGE] = start_source(None)  # else the plugin wraps kb/index.md's text
    if changelog is not None:
        out[CHANGES_PAGE] = changelog.page()
    for category in pages.categories.by_id.values():
        out[sitemap.category_src(category.id)] = pages.category_page(category)
    late[sitemap.START_PAGE] = lambda: pages.start_late(today, review_window_days, changelog is not None)
    lookups = Lookups(repo, versions, today)
    for guide in repo.guides:
        src = sitemap.guide_src(guide.id)
        if src not in out:  # a duplicate guide id is a content error; the first one wins
            out[src], late[src] = guide_page(guide, repo, directory_urls, lookups)
    return result


def _filled(page: tuple[str, LateHtml]) -> tuple[str, Callable[[], LateHtml]]:
    """A page rendered whole (see ``mdpage.html_page``): its source, and its HTML as late HTML."""
    source, late = page
    return source, lambda: late
