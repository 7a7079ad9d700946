"""Markdown as plain text for messages a user reads in an email: no ``**`` or backticks, links as
``text (url)``, lists as ``- item`` lines, paragraphs separated by a blank line.

Python-Markdown parses the text (the same parser as the site's), and a serializer of our own
writes its element tree as text instead of HTML, so every construct the parser knows (emphasis
with ``*`` or ``_``, code spans, autolinks, reference links, escapes) loses its marks the same way
the site renders them.
"""

from __future__ import annotations

import html
import threading
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown

_BLOCKS = {"p", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "div", "table", "dl"}
_BREAK = "\x00"  # a hard line break (<br>) while soft ones are still newlines
_local = threading.local()  # a Markdown instance is not thread-safe; one per thread, reset per use


def _inline(element: Element) -> str:
    """The text of an inline run: marks dropped, links as ``text (url)``, line breaks kept."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "br":
            parts.append(_BREAK)
        elif child.tag == "img":
            parts.append(child.get("alt", ""))
        else:
            text = _inline(child)
            href = child.get("href", "") if child.tag == "a" else ""
            parts.append(f"{text} ({href})" if href and urlsplit(href).scheme and href not in (text, f"mailto:{text}") else text)
        parts.append(child.tail or "")
    return "".join(parts)


def _one_line_each(text: str) -> str:
    """Soft line breaks in a paragraph are spaces (the email wraps it); hard breaks stay."""
    return "\n".join(" ".join(line.split()) for line in text.split(_BREAK)).strip("\n")


def _blocks(element: Element) -> list[str]:
    out: list[str] = []
    if element.text and element.text.strip():
        out.append(_one_line_each(element.text))
    for child in element:
        tag = child.tag
        if tag in ("ul", "ol"):
            items = []
            for n, item in enumerate(child.findall("li"), 1):
                marker = f"{n}." if tag == "ol" else "-"
                nested = any(grand.tag in _BLOCKS for grand in item)
                text = "\n".join(_blocks(item)) if nested else _one_line_each(_inline(item))
                items.append(f"{marker} " + text.replace("\n", "\n  "))
            out.append("\n".join(items))
        elif tag == "pre":
            out.append("".join(child.itertext()).rstrip("\n"))
        elif tag == "hr":
            continue
        elif tag == "blockquote" or tag == "div":
            out.extend(_blocks(child))
        else:
            out.append(_one_line_each(_inline(child)))
        if child.tail and child.tail.strip():
            out.append(_one_line_each(child.tail))
    return [block for block in out if block]


def _serialize(root: Element) -> str:
    return "\n\n".join(_blocks(root))


def _converter() -> markdown.Markdown:
    """Python-Markdown writing its tree with :func:`_serialize` instead of as HTML."""
    converter = markdown.Markdown()
    converter.serializer = _serialize
    converter.stripTopLevelTags = False
    return converter


def to_plain(text: str) -> str:
    """``text`` (Markdown) as plain text for a user's email."""
    if not text.strip():
        return ""
    converter: markdown.Markdown | None = getattr(_local, "md", None)
    if converter is None:
        converter = _local.md = _converter()
    return html.unescape(converter.reset().convert(text))
