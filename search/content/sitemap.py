"""Where each piece of content lives in the built site (mkdocs source paths relative to ``kb/``).

Shared by the link check, the site plugin and the API so a URL is computed in one place.
"""

from __future__ import annotations

import posixpath
import re

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

GUIDES_PREFIX = "guides"
CATEGORIES_PREFIX = "categories"
ESCALATION_PAGE = "escalation.md"
PRIORITIES_PAGE = "priorities.md"
REVIEW_PAGE = "review.md"
TRIAGE_PAGE = "triage.md"
START_PAGE = "index.md"  # the home page: kb/index.md's own text, if any, with the start page's parts
GUIDE_LIST_PAGE = f"{GUIDES_PREFIX}/index.md"
GENERATED_PAGES = (ESCALATION_PAGE, PRIORITIES_PAGE, REVIEW_PAGE, TRIAGE_PAGE, f"{CATEGORIES_PREFIX}/index.md", GUIDE_LIST_PAGE)


def guide_src(guide_id: str) -> str:
    return f"{GUIDES_PREFIX}/{guide_id}.md"


def category_src(category_id: str) -> str:
    return f"{CATEGORIES_PREFIX}/{category_id}.md"


def article_src(repo_path: str) -> str:
    """``kb/articles/x.md`` -> ``articles/x.md``."""
    return repo_path.removeprefix("kb/")


def page_url(src: str) -> str:
    """mkdocs directory URL of a source path: ``guides/vpn.md`` -> ``guides/vpn/``."""
    stem = src.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


NODE_ANCHOR = "node-"  # a guide page's step sections: id="node-<node id>" (the step-through opens a walk there)


def has_scheme(target: str) -> bool:
    """``https:``, ``mailto:``, ``javascript:`` and the like: a link that is not a path."""
    return _SCHEME.match(target) is not None


def is_relative_link(target: str) -> bool:
    """A link resolved against the page's own path: not empty, no scheme, not ``#anchor``, not ``/absolute``."""
    return bool(target) and not has_scheme(target) and not target.startswith(("#", "/"))


def resolve_link(from_src: str, target: str) -> str:
    """Source path a relative link in page ``from_src`` points at (no anchor)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_src), target.split("#", 1)[0]))
