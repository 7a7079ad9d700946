"""Text from content files to safe HTML: escaped plain text, or Markdown rendered then sanitized.

Content text reaches the site outside mkdocs's own Markdown pass (node text, answer labels,
escalation contacts), so it is rendered here. Raw HTML in that text is shown literally rather
than passed through (``kb check`` rejects it anyway; tests build pages with the check off), and
the result goes through nh3 as a second fence. Relative ``.md`` links are resolved against the
page the text was written for and rewritten for the page it is shown on.

:func:`sanitize` is the one allow-list for HTML made from content: these texts, and the pages
mkdocs renders from authors' Markdown (articles, ``kb/`` pages, guide prose), where ``attr_list``
and raw HTML let an author write any attribute. It keeps the tags, attributes and classes that
Markdown and the enabled extensions produce, and nothing that runs or loads script.
"""

from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as etree
from functools import lru_cache

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

from ..content import sitemap

# What Markdown and the extensions of mkdocs.yml produce (tables, footnotes, admonitions,
# details, highlight, tasklist, keys, abbr, def_list, toc permalinks), plus the article header.
_PAGE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "label",
    "li", "mark", "nav", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
_PAGE_ATTRIBUTES = {
    "*": {"id", "class", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start"},
    "details": {"open"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "input": {"checked"},
    "h2": {"data-search-exclude"},  # mdpage.heading's attribute for Material's search
    "div": {"data-kbg-slot"},  # mdpage.slot's placeholders; their names carry a per-build secret
    "span": {"data-kb-version", "data-kb-doc"},  # an article header's content version (scripts/40-seen.js); text only, never run
}
_ALIGN_STYLES = {f"text-align: {side};" for side in ("left", "right", "center")}  # tables extension
# Values allowed as they are; anything else on these attributes is dropped.
_PAGE_VALUES = {"th": {"style": _ALIGN_STYLES}, "td": {"style": _ALIGN_STYLES}}
# Text (node texts, labels, descriptions): what our own Markdown renderer makes, no images.
_TEXT_TAGS = {"p", "br", "a", "code", "pre", "em", "strong", "ul", "ol", "li", "kbd", "blockquote", "hr"}
_TEXT_ATTRIBUTES = {"a": {"href", "title"}}
_SCHEMES = {"http", "https", "mailto", "tel"}
# Classes that style content: ours, Material's buttons and tags, the extensions' (admonition
# types, pygments tokens, tasklist, footnotes, keys). Ids starting with "__" or "kbg" belong to
# Material (``__config`` names its settings, the search worker's URL among them) and our script.
_CLASS = re.compile(
    r"(?:kbg|md-tag|md-button|admonition|task-list|footnote|highlight|language|linenos?|lineno|hll|filename|headerlink|key|keys|critic|tabbed)[\w-]*"
    r"|[a-z]{1,3}[0-9]?|note|abstract|summary|tldr|info|todo|tip|hint|important|success|check|done|question|help|faq"
    r"|warning|caution|attention|failure|fail|missing|danger|error|bug|example|quote|cite|footnotes|md-typeset|highlighttable"
)
_RESERVED_ID = re.compile(r"(?i)__|kbg")
_ALIGN = re.compile(r'<(t[hd]) style="text-align: (left|right|center);"')
_TAG = re.compile(r"<[^>]*>")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S)
_BLANK_RUN = re.compile(r"\n\s*")
# Text that Markdown would only wrap in a paragraph: one line, no markup characters, no block
# syntax at the start. Most node texts are like that; they skip the Markdown parser.
_PLAIN_LINE = re.compile(r"(?![-+=>#]|\d+[.)]\s|\s)[^\\`*_\[\]<>&\n\r\t\xa0]+(?<!\s)")


_ESCAPED = re.compile(r"[&<>\"']")


def _attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's filter: only known classes; no ids that Material's or our script look up."""
    if name == "class":
        kept = [c for c in value.split() if _CLASS.fullmatch(c)]
        return " ".join(kept) or None
    if name == "id" and _RESERVED_ID.match(value):
        return None
    return value


_page_cleaner = nh3.Cleaner(
    tags=_PAGE_TAGS,
    attributes=_PAGE_ATTRIBUTES,
    tag_attribute_values=_PAGE_VALUES,
    set_tag_attribute_values={"input": {"type": "checkbox", "disabled": ""}},  # tasklist boxes only
    attribute_filter=_attribute,
    url_schemes=_SCHEMES,
    link_rel="noopener noreferrer",
)
_text_cleaner = nh3.Cleaner(tags=_TEXT_TAGS, attributes=_TEXT_ATTRIBUTES, url_schemes=_SCHEMES, link_rel="noopener noreferrer")


def sanitize(fragment: str) -> str:
    """HTML made from content, kept to the site's allow-list: no event handlers, styles,
    scripts, frames, forms, SVG or ``javascript:``/``data:`` URLs, whatever attr_list, raw HTML
    or md_in_html produced. Table alignment (an inline style, which the CSP blocks) becomes a class."""
    return _ALIGN.sub(r'<\1 class="kbg-align-\2"', _page_cleaner.clean(fragment))


def sanitize_text(fragment: str) -> str:
    """:func:`sanitize` for text rendered by :func:`block`: the same kind of allow-list, narrower
    (no images or tables in node texts and labels)."""
    return _text_cleaner.clean(fragment)


def text(value: str | None) -> str:
    """Plain text as HTML (quotes escaped too, so the result is safe in attributes).

    Same result as ``html.escape(value, quote=True)``; most texts have nothing to escape and
    skip its five replacements (this runs a few hundred times per guide page).
    """
    if not value:
        return ""
    if _ESCAPED.search(value) is None:
        return value
    return html.escape(value, quote=True)


def page_url(src: str, directory_urls: bool = True) -> str:
    """Site-root-relative URL of a page source path, as mkdocs builds it."""
    if directory_urls:
        return sitemap.page_url(src)
    return src.removesuffix(".md") + ".html"


@lru_cache(maxsize=4096)
def _relpath(target: str, start: str) -> str:
    """``posixpath.relpath``, cached: pages in one folder link to the same few pages."""
    return posixpath.relpath(target, start)


def relative_url(from_url: str, to_url: str) -> str:
    """``to_url`` relative to the page at ``from_url`` (both site-root-relative page or file URLs)."""
    start = from_url[:-1] if from_url.endswith("/") else posixpath.dirname(from_url)
    target = to_url.rstrip("/") or "."
    rel = _relpath(target, start or ".")
    if to_url.endswith("/") or to_url == "":
        rel = rel.rstrip("/") + "/"
    return rel


def href(from_src: str, to_src: str, anchor: str = "", directory_urls: bool = True) -> str:
    """Relative link from page ``from_src`` to page ``to_src`` (sources as in :mod:`search.content.sitemap`)."""
    fragment = f"#{anchor}" if anchor else ""
    if from_src == to_src and anchor:
        return fragment
    return relative_url(page_url(from_src, directory_urls), page_url(to_src, directory_urls)) + fragment


class _Links(Treeprocessor):  # type: ignore[misc]  # Python-Markdown ships no type information
    """Rewrites relative links (written for ``written_for``) into URLs for ``shown_on``."""

    written_for = "index.md"
    shown_on = "index.md"
    directory_urls = True

    def run(self, root: etree.Element) -> None:
        for el in root.iter("a"):
            target = el.get("href", "")
            if not sitemap.is_relative_link(target):
                continue
            path, _, anchor = target.partition("#")
            resolved = sitemap.resolve_link(self.written_for, path)
            if resolved.endswith(".md"):
                el.set("href", href(self.shown_on, resolved, anchor, self.directory_urls))
            else:
                url = relative_url(page_url(self.shown_on, self.directory_urls), resolved)
                el.set("href", url + (f"#{anchor}" if anchor else ""))


class _Renderer:
    def __init__(self) -> None:
        self.md = markdown.Markdown(extensions=["sane_lists"])
        # Raw HTML becomes literal text: authors see what they wrote, browsers never parse it.
        self.md.preprocessors.deregister("html_block")
        self.md.inlinePatterns.deregister("html")
        self.links = _Links(self.md)
        self.md.treeprocessors.register(self.links, "kb_links", 1)

    def render_markdown(self, source: str, written_for: str, shown_on: str, directory_urls: bool) -> str:
        self.links.written_for, self.links.shown_on, self.links.directory_urls = written_for, shown_on, directory_urls
        out = self.md.reset().convert(source)
        return _one_block(sanitize_text(out))


_renderer: _Renderer | None = None


def renderer() -> _Renderer:
    global _renderer
    if _renderer is None:
        _renderer = _Renderer()
    return _renderer


def _one_block(fragment: str) -> str:
    """No blank lines and no line starting with anything but markup, so the HTML survives as one
    raw block inside the generated Markdown pages (fence preprocessors never see a code line)."""
    parts = _PRE.split(fragment)
    for i, part in enumerate(parts):
        parts[i] = part.replace("\n", "&#10;") if i % 2 else _BLANK_RUN.sub(" ", part)
    return "".join(parts).strip()


@lru_cache(maxsize=4096)
def _cached(source: str, written_for: str, shown_on: str, directory_urls: bool) -> str:
    return renderer().render_markdown(source, written_for, shown_on, directory_urls)


def block(source: str | None, written_for: str, shown_on: str, directory_urls: bool = True) -> str:
    """Markdown text rendered to sanitized block HTML (paragraphs, lists)."""
    if not source:
        return ""
    if _PLAIN_LINE.fullmatch(source):  # most texts; what Markdown and nh3 would make of it too (tested)
        return f"<p>{html.escape(source, quote=False)}</p>"
    return _cached(source, written_for, shown_on, directory_urls)


def paragraph_content(fragment: str) -> str | None:
    """The content of ``fragment`` when it is one paragraph (as :func:`block` renders it), else None."""
    if fragment.startswith("<p>") and fragment.endswith("</p>") and fragment.count("<p>") == 1:
        return fragment[3:-4]
    return None


def inline(source: str | None, written_for: str, shown_on: str, directory_urls: bool = True) -> str:
    """Markdown text rendered to sanitized HTML without the wrapping paragraph when there is one."""
    out = block(source, written_for, shown_on, directory_urls)
    content = paragraph_content(out)
    return out if content is None else content


def plain(source: str | None) -> str:
    """Markdown text as one line of plain text (for titles, tooltips and the diagram), unescaped."""
    if not source:
        return ""
    if _PLAIN_LINE.fullmatch(source):
        return " ".join(source.split())
    stripped = html.unescape(_TAG.sub(" ", block(source, "index.md", "index.md")))
    return " ".join(stripped.split())
