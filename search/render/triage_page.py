"""The Triage page: a ticket's subject and description in, guides to try and the priority out.

The priority comes from the impact x urgency matrix embedded in the page (``triage_data``), so it
works on a static copy of the site. Guides (with their category) and a calibrated confidence come
from ``POST /api/triage`` of the search service on the same origin (``kb serve``); without it the
page says so. Suggestions whose score is under ``NOISE_FLOOR`` are not shown, and a guide's link
carries the priority into its walk (``?priority=P2``). The script (``30-triage.js``,
``initTriage``) builds every result with ``textContent``.
"""

from __future__ import annotations

from typing import Any

from ..content import sitemap
from ..content.repository import Repository
from . import markup, mdpage
from .embed import json_script
from .guide_page import GUIDE_PLACEHOLDER
from .templating import render

TRIAGE_SRC = sitemap.TRIAGE_PAGE
API_PATH = "api/triage"  # site-root-relative: kb serve serves the site at / and the API under /api
SUGGESTIONS = 3  # the API's and `kb triage`'s default limit
# Suggestions the ranking model gives less than a 1-in-10 chance are noise (a stray word, a
# far-fetched spelling correction such as drive~driver): not shown. The answer's confidence, not
# this floor, decides between "confident" and "no confident match".
NOISE_FLOOR = 0.1
DATA_ID = "kbg-triage-data"
SUBJECT_MAX, DESCRIPTION_MAX = 1000, 20_000  # search.api.schemas.TriageIn


def triage_data(repo: Repository, directory_urls: bool = True) -> dict[str, Any]:
    """What the page script needs: the API URL, the matrix, the levels, the guide and category links."""
    src = TRIAGE_SRC
    p = repo.priorities
    categories = repo.taxonomy.categories if repo.taxonomy else []
    return {
        "api": markup.relative_url(markup.page_url(src, directory_urls), API_PATH),
        "limit": SUGGESTIONS,
        "matrix": {i: dict(row) for i, row in p.matrix.items()} if p else {},
        "levels": {
            pid: {
                "name": level.name,
                "zendesk": level.zendesk,
                "first_response": level.first_response,
                "resolution": level.resolution,
                "description": markup.plain(level.description),
            }
            for pid, level in (p.levels.items() if p else ())
        },
        "floor": NOISE_FLOOR,
        "guide_href": markup.href(src, sitemap.guide_src(GUIDE_PLACEHOLDER), directory_urls=directory_urls),
        "categories": {c.id: markup.href(src, sitemap.category_src(c.id), directory_urls=directory_urls) for c in categories},
        "category_titles": {c.id: c.title for c in categories},
        "categories_index": markup.href(src, f"{sitemap.CATEGORIES_PREFIX}/index.md", directory_urls=directory_urls),
    }


def triage_page(repo: Repository, directory_urls: bool = True) -> str:
    """The page source (see ``mdpage``): form, result regions, embedded data."""
    src = TRIAGE_SRC
    p = repo.priorities

    def href(to_src: str, anchor: str = "") -> str:
        return markup.href(src, to_src, anchor, directory_urls)

    questions = []
    if p is not None:
        for name, question, levels in (
            ("impact", "Impact: how widely does it affect the business?", p.impact),
            ("urgency", "Urgency: how quickly does it need to be fixed?", p.urgency),
        ):
            questions.append({"name": name, "text": question, "levels": [(k, markup.plain(v)) for k, v in levels.items()]})
    body = render(
        "triage.html",
        questions=questions,
        subject_max=SUBJECT_MAX,
        description_max=DESCRIPTION_MAX,
        priorities_href=href(sitemap.PRIORITIES_PAGE, "priority-matrix"),
        escalation_href=href(sitemap.ESCALATION_PAGE),
        priorities_page_href=href(sitemap.PRIORITIES_PAGE),
        categories_href=href(f"{sitemap.CATEGORIES_PREFIX}/index.md"),
        data_script=json_script(triage_data(repo, directory_urls), DATA_ID),
    )
    return mdpage.page({"title": "Triage"}, [body])
