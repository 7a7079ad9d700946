"""The Triage page: a ticket's subject and description in, likely categories and the priority out.

The priority comes from the impact x urgency matrix embedded in the page (``triage_data``), so it
works on a static copy of the site. Category suggestions come from ``POST /api/triage`` of the
search service on the same origin (``kb serve``); without it the page says so. The script
(``kb-guides.js``, ``initTriage``) builds every result with ``textContent``.
"""

from __future__ import annotations

from typing import Any

from ..content import sitemap
from ..content.repository import Repository
from . import markup, mdpage
from .embed import json_script
from .markup import text

TRIAGE_SRC = sitemap.TRIAGE_PAGE
API_PATH = "api/triage"  # site-root-relative: kb serve serves the site at / and the API under /api
SUGGESTIONS = 3  # the API's and `kb triage`'s default limit
DATA_ID = "kbg-triage-data"
SUBJECT_MAX, DESCRIPTION_MAX = 1000, 20_000  # search.api.schemas.TriageIn


def triage_data(repo: Repository, directory_urls: bool = True) -> dict[str, Any]:
    """What the page script needs: the API URL, the matrix, the levels and the category links."""
    src = TRIAGE_SRC
    p = repo.priorities
    categories = repo.taxonomy.categories if repo.taxonomy else []
    return {
        "api": markup.relative_url(markup.page_url(src, directory_urls), API_PATH),
        "limit": SUGGESTIONS,
        "matrix": {i: dict(row) for i, row in p.matrix.items()} if p else {},
        "levels": {
            pid: {"name": level.name, "zendesk": level.zendesk, "first_response": level.first_response, "resolution": level.resolution, "description": markup.plain(level.description)}
            for pid, level in (p.levels.items() if p else ())
        },
        "categories": {c.id: markup.href(src, sitemap.category_src(c.id), directory_urls=directory_urls) for c in categories},
        "categories_index": markup.href(src, f"{sitemap.CATEGORIES_PREFIX}/index.md", directory_urls=directory_urls),
    }


def _select(name: str, question: str, levels: dict[str, str]) -> str:
    options = '<option value="">Not answered</option>' + "".join(f'<option value="{text(k)}">{text(k)}: {text(markup.plain(v))}</option>' for k, v in levels.items())
    return (
        f'<p class="kbg-triage-field"><label for="kbg-triage-{name}">{text(question)}</label>'
        f'<select id="kbg-triage-{name}" name="{name}" data-kbg="{name}">{options}</select></p>'
    )


def triage_page(repo: Repository, directory_urls: bool = True) -> str:
    """The page source (see ``mdpage``): form, result regions, embedded data."""
    src = TRIAGE_SRC
    p = repo.priorities

    def href(to_src: str, anchor: str = "") -> str:
        return markup.href(src, to_src, anchor, directory_urls)

    if p is not None:
        questions = (
            '<fieldset class="kbg-triage-questions"><legend>Priority questions</legend>'
            + _select("impact", "Impact: how widely does it affect the business?", p.impact)
            + _select("urgency", "Urgency: how quickly does it need to be fixed?", p.urgency)
            + "</fieldset>"
        )
    else:
        questions = '<p class="kbg-none">No priority matrix defined (guides/priorities.yml), so no priority is computed.</p>'
    form = (
        '<form class="kbg-triage-form" data-kbg="triage-form" novalidate>'
        f'<p class="kbg-triage-field"><label for="kbg-triage-subject">Subject</label>'
        f'<input type="text" id="kbg-triage-subject" name="subject" data-kbg="subject" required maxlength="{SUBJECT_MAX}" autocomplete="off" spellcheck="false"></p>'
        f'<p class="kbg-triage-field"><label for="kbg-triage-description">Description <small>(optional)</small></label>'
        f'<textarea id="kbg-triage-description" name="description" data-kbg="description" rows="5" maxlength="{DESCRIPTION_MAX}" spellcheck="false"></textarea></p>'
        f"{questions}"
        '<p class="kbg-triage-submit"><button type="submit" class="md-button md-button--primary" data-kbg="submit">Suggest categories</button> '
        '<span class="kbg-status" data-kbg="status" role="status" aria-live="polite"></span></p>'
        "</form>"
    )
    results = (
        '<div class="kbg-triage-results">'
        '<section class="kbg-triage-priority" aria-labelledby="kbg-triage-priority-title"><h2 id="kbg-triage-priority-title">Priority</h2>'
        '<div data-kbg="priority" aria-live="polite"></div>'
        f'<p class="kbg-triage-hint">From the <a href="{href(sitemap.PRIORITIES_PAGE, "priority-matrix")}">priority matrix</a>; '
        f'time-based escalation is in the <a href="{href(sitemap.ESCALATION_PAGE)}">escalation protocol</a>.</p></section>'
        '<section class="kbg-triage-categories" aria-labelledby="kbg-triage-categories-title"><h2 id="kbg-triage-categories-title">Suggested categories</h2>'
        '<div data-kbg="categories" aria-live="polite"><p class="kbg-none">Enter the ticket and choose <em>Suggest categories</em>.</p></div></section>'
        "</div>"
    )
    blocks = [
        "<h1>Triage</h1>",
        (
            '<p class="kbg-lead">Paste the ticket\'s subject and description and answer the two priority questions: '
            "the page gives the priority with its SLA targets and suggests categories with the words that matched. "
            "Same answers as <code>kb triage</code> and <code>POST /api/triage</code>.</p>"
        ),
        '<div class="kbg-triage" data-kbg="triage" data-search-exclude hidden>' + form + results + json_script(triage_data(repo, directory_urls), DATA_ID) + "</div>",
        (
            '<noscript><p class="kbg-noscript">Triage needs JavaScript. Without it, read the priority from the '
            f'<a href="{href(sitemap.PRIORITIES_PAGE)}">priority matrix</a> and pick the category from '
            f'<a href="{href(f"{sitemap.CATEGORIES_PREFIX}/index.md")}">Categories</a>, or run <code>kb triage</code>.</p></noscript>'
        ),
    ]
    return mdpage.page({"title": "Triage"}, blocks)
