"""The source text of a generated site page: YAML front matter, Markdown headings, raw HTML blocks.

Generated pages go through mkdocs's Markdown pass like authored ones, so headings land in the
table of contents and the search index, and mkdocs sees every ``id`` for anchor validation.
Everything built from content is HTML here (escaped or sanitized), never Markdown, so content
text cannot turn into markup. mkdocs puts ``title`` into templates unescaped: it is escaped here.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from .templating import macro


def front_matter(meta: Mapping[str, Any]) -> str:
    """``---`` YAML front matter; values are written as JSON, which YAML reads unchanged."""
    lines = ["---"]
    for key, value in meta.items():
        if value is None:
            continue
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=True)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def page(meta: Mapping[str, Any], blocks: Iterable[str]) -> str:
    """A whole page source: front matter, then blocks separated by blank lines."""
    body = "\n\n".join(b.strip("\n") for b in blocks if b and b.strip())
    return front_matter(meta) + "\n" + body + "\n"


def heading(level: int, title: str, searchable: bool = True) -> str:
    """A Markdown heading from fixed text. Not ``searchable``: its section is left out of the
    search index (attr_list's attribute)."""
    return "#" * level + " " + title + ("" if searchable else " { data-search-exclude }")


def title_meta(value: str) -> str:
    """A page title or description for front matter: escaped, because themes print it as HTML,
    quotes too (Material puts the description into an attribute)."""
    return html.escape(" ".join(value.split()), quote=True)


# Placeholders survive the content sanitizer (see markup.sanitize); the secret keeps an author's
# copy of one in guide prose from being filled in place of ours.
_SLOT_SECRET = secrets.token_hex(8)


@lru_cache(maxsize=64)
def slot(name: str) -> str:
    """A placeholder in a page source, replaced by :class:`LateHtml` once the page is built."""
    return macro("_parts.html", "slot")(f"{name}-{_SLOT_SECRET}")


class SearchSection(NamedTuple):
    """One search result within a page, as plain text: lands on ``#anchor``."""

    anchor: str
    title: str
    text: str


@dataclass
class LateHtml:
    """Large generated HTML kept out of the Markdown pass, filled into the built page.

    Markdown's raw-HTML pass, mkdocs's anchor scan and the search plugin each parse every tag
    of a page in pure Python; a guide's step list and step-through are most of its tags
    and need none of them. ``indexed`` is filled before the search plugin indexes the page,
    ``unindexed()`` renders the rest when the page is written (mkdocs converts every page before
    it writes any, so holding that HTML from conversion to writing would keep it all in memory).
    ``sections`` go into the search index as they are (one per step), instead of as HTML for
    the search plugin to parse. ``anchors`` are the ids the filled HTML adds, for mkdocs's
    anchor validation.
    """

    indexed: dict[str, str] = field(default_factory=dict)
    unindexed: Callable[[], dict[str, str]] = dict
    sections: list[SearchSection] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)


_ID = re.compile(r'\sid="([^"]*)"')


def html_page(meta: Mapping[str, Any], name: str, body: str) -> tuple[str, LateHtml]:
    """A page that is one block of generated HTML and no Markdown (its headings are HTML too, out
    of the table of contents; the list of every guide): its source is a placeholder, and the
    HTML is filled in before the search plugin indexes it.
    Markdown's raw-HTML pass and mkdocs's anchor scan would each parse its every tag in pure
    Python (thousands on a large site) and change nothing; the page has the same bytes, the
    same search entries and the same anchors (its ``id`` attributes, escaped as templates print them)."""
    placeholder = slot(name)
    anchors = {html.unescape(found) for found in _ID.findall(body)}
    return page(meta, [placeholder]), LateHtml(indexed={placeholder: body.strip("\n")}, anchors=anchors)


def fill(page_html: str, parts: Mapping[str, str]) -> str:
    """Replace each placeholder (first occurrence) with its HTML."""
    for placeholder, fragment in parts.items():
        page_html = page_html.replace(placeholder, fragment, 1)
    return page_html
