"""Help-center HTML to clean Markdown, with nothing executable kept and every removal reported.

BeautifulSoup parses the HTML (Python's own parser: no native code on untrusted input); what
could run or restyle the page goes first: ``script``, ``style``, ``iframe``, ``object``,
``form`` ... elements, ``on*`` handlers, ``style`` attributes and script or data URLs. Embedded
frames and media with a web address become a link to it, so the content is not lost. markdownify
then writes the Markdown: ATX headings, fenced code with the language of ``class="language-x"``,
pipe tables (``|`` in cells escaped), and lists indented by four, as Python-Markdown nests them.
The result still goes through the body pipeline (:mod:`.body`), which escapes any HTML left in
the text.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString
from markdownify import MarkdownConverter

from .body import SCRIPT_URL

# Removed with everything inside them: they run, restyle or collect input.
REMOVED = ("script", "style", "noscript", "template", "form", "input", "button", "select", "textarea", "link", "meta", "base", "svg", "math")
# Embedded content: replaced by a link to what they embedded.
EMBEDS = {"iframe": "src", "frame": "src", "embed": "src", "object": "data", "video": "src", "audio": "src", "source": "src"}
URL_ATTRIBUTES = ("href", "src", "data", "action", "formaction", "poster", "xlink:href", "background", "srcset")
_WEB = re.compile(r"(?i)^https?://")


class _Converter(MarkdownConverter):
    """markdownify with lists nested the way Python-Markdown reads them (four columns)."""

    def convert_li(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start") or "1")
            bullet = f"{(int(start) if start.isdigit() else 1) + len(el.find_previous_siblings('li'))}."
        else:
            bullet = "-"
        bullet = bullet.ljust(4) if len(bullet) < 4 else bullet + " "
        lines = text.split("\n")
        indent = " " * len(bullet)
        return bullet + lines[0] + "".join("\n" + (indent + line if line else "") for line in lines[1:]) + "\n"


def _language(pre: Tag) -> str:
    for el in (pre, pre.find("code")):
        if isinstance(el, Tag):
            for cls in el.get("class") or []:
                if cls.startswith(("language-", "lang-")):
                    return re.sub(r"[^A-Za-z0-9_+-]", "", cls.split("-", 1)[1])
    return ""


_CONVERTER = _Converter(heading_style="atx", bullets="-", code_language_callback=_language, escape_misc=False)


def html_to_markdown(html: str) -> tuple[str, Counter[str]]:
    """Markdown for ``html`` and what was removed (e.g. ``{"<script>": 2, "onclick": 1}``)."""
    removed: Counter[str] = Counter()
    soup = BeautifulSoup(html, "html.parser")
    for name in REMOVED:
        for el in soup.find_all(name):
            removed[f"<{name}>"] += 1
            el.decompose()
    for name, attr in EMBEDS.items():
        for el in soup.find_all(name):
            url = str(el.get(attr) or "")
            if not url and el.find("source") is not None:
                continue  # a <video> with <source> children: each source becomes the link
            removed[f"<{name}>"] += 1
            if _WEB.match(url):
                link = soup.new_tag("a", href=url)
                link.string = f"Embedded {name}: {url}"
                paragraph = soup.new_tag("p")
                paragraph.append(link)
                el.replace_with(paragraph)
            else:
                el.decompose()
    for el in soup.find_all(True):
        attrs: dict[str, Any] = dict(el.attrs)
        for attr, value in attrs.items():
            lower = attr.lower()
            if lower.startswith("on") or lower in ("style", "srcdoc"):
                removed[lower if lower.startswith("on") else f"{lower} attribute"] += 1
                del el[attr]
            elif lower in URL_ATTRIBUTES and SCRIPT_URL.match(str(value)):
                removed[f"{str(value).split(':', 1)[0].strip().lower()}: URL"] += 1
                del el[attr]
        if el.name == "img" and not el.get("src"):
            el.replace_with(NavigableString(str(el.get("alt") or "")))  # nothing left to show but its text
    for cell in soup.find_all(["td", "th"]):
        for text in cell.find_all(string=True):
            if "|" in text:
                text.replace_with(NavigableString(text.replace("|", "\\|")))
    markdown = _CONVERTER.convert_soup(soup)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip("\n") + "\n", removed
