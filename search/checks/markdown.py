"""Content-safety and link rules over Markdown bodies and every text value of the YAML files.

Python-Markdown passes raw HTML straight through, so HTML in content is an XSS risk on the site;
authors write Markdown only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from ..content import sitemap
from ..content.problems import close_matches, did_you_mean, suggestion_hint
from ..content.prose import prose_lines
from ..content.repository import Repository
from ..content.yamlload import Document
from . import AFTER_RUN, Finding, file_facts, rule

_HTML = re.compile(r"(?<!\\)<(?:!--|/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)")
_SCRIPT_URL = re.compile(r"(?i)(?:\]\(\s*<?|^\s*\[[^\]]+\]:\s*<?|<)\s*((?:javascript|vbscript|data)\s*:)")
# An attr_list attribute list ({ ... } or {: ... }, inline or on its own line) setting an event
# handler, a style or srcdoc, or a URL attribute with a script or data URL.
UNSAFE_ATTRIBUTE_LIST = re.compile(
    r"""\{:?[^{}\n]*?(?<![\w:-])((?:on[a-z]+|style|srcdoc)\s*=|(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(?:javascript|vbscript|data)\s*:)[^{}\n]*\}""",
    re.IGNORECASE,
)
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")


# Where a text came from: (doc, path) for a YAML value, whose position is looked up only when a
# rule matches in it, or (None, (line, col)) for a Markdown body.
_Where = tuple[Document | None, Any]


_Text = tuple[str, str, str, _Where]  # (repo path, site source, text, where)
# Every needle the prose rules below filter on: a text containing none of them matches no rule.
_NEEDLES = ("<", ":", "{", "](")
_last: list[tuple[Repository, list[_Text]]] = []  # the candidates of the repository being checked
AFTER_RUN.append(_last.clear)


def _candidates(repo: Repository) -> list[_Text]:
    """Texts that may match a prose rule, found in one walk per run of the checks (not one per rule)."""
    if _last and _last[0][0] is repo:
        return _last[0][1]
    found = list(_texts(repo))
    _last[:] = [(repo, found)]
    return found


def _relevant(text: str) -> bool:
    return "<" in text or ":" in text or "{" in text or "](" in text  # _NEEDLES, spelled out: this runs for every text


def _texts(repo: Repository) -> Iterator[_Text]:
    """(repo path, site source, text, where) for every body and YAML text value containing a
    needle (see :func:`_position`)."""
    for guide in repo.guides:
        src = sitemap.guide_src(guide.id)
        if _relevant(guide.body):
            yield guide.path, src, guide.body, (None, (guide.body_line, 1))
        yield from _yaml_texts(guide.path, src, guide.doc)
        yield from _yaml_texts(guide.tree_path, src, guide.tree_doc)
    for article in repo.articles:
        src = sitemap.article_src(article.path)
        if _relevant(article.body):
            yield article.path, src, article.body, (None, (article.body_line, 1))
        yield from _yaml_texts(article.path, src, article.doc)
    for page in repo.pages:
        if _relevant(page.body):
            yield page.path, sitemap.article_src(page.path), page.body, (None, (page.body_line, 1))
    for rel, doc in repo.config_docs.items():
        yield from _yaml_texts(rel, sitemap.ESCALATION_PAGE, doc)


def _yaml_texts(rel: str, src: str, doc: Document) -> Iterator[_Text]:
    """Every text value of ``doc`` containing a needle (in no set order: problems are sorted).
    Paths are built only for containers and matching texts: most texts do not match."""
    data = doc.data
    if isinstance(data, str):
        if _relevant(data):
            yield rel, src, data, (doc, ())
        return
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)] if isinstance(data, (dict, list)) else []
    while stack:
        path, value = stack.pop()
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            if isinstance(child, str):
                if _relevant(child):
                    yield rel, src, child, (doc, (*path, key))
            elif isinstance(child, (dict, list)):
                stack.append(((*path, key), child))


def _position(where: _Where) -> tuple[int, int]:
    """``line:col`` of the first character of a text yielded by :func:`_texts`."""
    doc, at = where
    return doc.text_pos(at) if doc is not None else at


def _located(text: str, line: int, col: int, index: int, start: int) -> tuple[int, int]:
    """Position of a match at ``start`` of line ``index`` of ``text``, whose first character is at ``line:col``.

    Exact for Markdown bodies, one-line YAML values (plain or quoted, without escapes) and ``|``
    blocks, whose lines all start at the block's indentation.
    """
    return line + index, col + start


def _matches(repo: Repository, pattern: re.Pattern[str], needle: str, group: int = 0) -> Iterator[tuple[str, str, re.Match[str], tuple[int, int]]]:
    """(repo path, site source, match, line:col of the match's ``group``) over all prose."""
    assert needle in _NEEDLES, needle
    for rel, src, text, where in _candidates(repo):
        if needle not in text:
            continue
        at: tuple[int, int] | None = None  # looked up at the first match: most texts have none
        for i, prose in prose_lines(text):
            for match in pattern.finditer(prose):
                at = at or _position(where)
                yield rel, src, match, _located(text, *at, i, match.start(group))


@rule("raw-html", "Raw HTML (tags or comments) in Markdown or YAML text; the site would render it unescaped.", per_file=True)
def raw_html(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for rel, _, match, at in _matches(repo, _HTML, "<"):
        yield Finding(rel, *at, f'raw HTML "{match.group(0)[:40]}" is not allowed; use Markdown, put it in `code`, or escape the "<" as "\\<"')


@rule("javascript-link", "A javascript:, vbscript: or data: link in content.", per_file=True)
def javascript_link(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for rel, _, match, at in _matches(repo, _SCRIPT_URL, ":", group=1):
        yield Finding(rel, *at, f'link with "{match.group(1)}" URL is not allowed; link to a page or an https:// address')


@rule("unsafe-attribute", "An attribute list ({ ... }) sets an event handler, a style or a javascript:/data: URL.", per_file=True)
def unsafe_attribute(repo: Repository, today: dt.date) -> Iterator[Finding]:
    for rel, _, match, at in _matches(repo, UNSAFE_ATTRIBUTE_LIST, "{", group=1):
        name = match.group(1).split("=")[0].strip().lower()
        if name.startswith("on"):
            fix = f'the event handler "{name}" would run script: remove it (classes and ids such as {{ .md-button }} are fine)'
        elif name in ("style", "srcdoc"):
            fix = f'"{name}" is removed from content: remove it and use a class such as {{ .md-button }} (styles live in the site\'s CSS)'
        else:
            fix = f'"{name}" is set to a script or data URL: link to a page or an https:// address instead'
        yield Finding(rel, *at, f"attribute list: {fix}")


def _links(repo: Repository) -> Iterator[tuple[str, tuple[str, str, int, int]]]:
    """(file, (target, the site source it resolves to, line, col)) of every relative link: a
    fact of each file alone, cached per file (:func:`file_facts`)."""
    for rel, src, match, at in _matches(repo, _LINK, "](", group=1):
        target = match.group(1)
        if sitemap.is_relative_link(target):
            yield rel, (target, sitemap.resolve_link(src, target), *at)


@rule("broken-link", "A relative link points to a page or file that does not exist, or a guide lists an unknown related article.")
def broken_link(repo: Repository, today: dt.date) -> Iterator[Finding]:
    known = _site_sources(repo)
    for rel, (target, resolved, line, col) in file_facts(repo, "links", _links):
        if resolved not in known:
            # "[x]((https://a/b)": a doubled "(" (the importer repairs it, decision record 0045)
            hint = f'; the target starts with "(": write [text]({target.lstrip("(")})' if target.startswith("(") else _link_hint(resolved, known)
            yield Finding(
                rel,
                line,
                col,
                f'link "{target}" points to "{resolved}", which is not a page of the site{hint}; links are relative to the page in the site (articles/..., guides/<id>.md)',
            )
    articles = repo.article_by_id
    exist = {i for u in repo.unloaded if u.kind == "article" for i in u.ids}  # failed to load; reported in their own files
    for guide in repo.guides:
        for i, article_id in enumerate(guide.meta.articles):
            if article_id not in articles and article_id not in exist:
                line, col = guide.doc.pos(("articles", i))
                yield Finding(guide.path, line, col, f'related article "{article_id}" does not exist{did_you_mean(article_id, articles)}')


def _link_hint(resolved: str, known: set[str]) -> str:
    """Did-you-mean for a link: a close name in the target's folder (a mistyped name), else the
    page with the closest file name anywhere (a wrong folder). Comparing the whole path with every
    page costs seconds per link in a site of thousands."""
    folder, _, name = resolved.rpartition("/")
    near = close_matches(resolved, [k for k in known if k.rpartition("/")[0] == folder])
    if near:
        return suggestion_hint(near)
    by_name: dict[str, str] = {}
    for page in sorted(known):
        by_name.setdefault(page.rpartition("/")[2], page)
    return suggestion_hint([by_name[n] for n in close_matches(name, by_name)])


def _site_sources(repo: Repository) -> set[str]:
    known = {sitemap.article_src(a.path) for a in repo.articles}
    known |= {sitemap.article_src(p.path) for p in repo.pages}
    known |= {sitemap.guide_src(g.id) for g in repo.guides}
    known |= {sitemap.category_src(c.id) for c in (repo.taxonomy.categories if repo.taxonomy else [])}
    known |= set(sitemap.GENERATED_PAGES)
    for u in repo.unloaded:  # pages that exist but failed to load: their own problems are reported
        known |= {sitemap.guide_src(i) for i in u.ids} if u.kind == "guide" else {sitemap.article_src(u.path)}
    known |= repo.files.published_static()  # links, special files and secrets are not published
    return known
