"""Markdown -> plain text for indexing and snippets.

The stored text is one line of single-spaced plain text, so snippet offsets index it directly
and nothing in it is markup: a client that inserts a snippet as text can never render HTML.
"""

from __future__ import annotations

import re

from ...content.prose import Kind, classify, one_line

_FRONT_TAGS = re.compile(r"<[^<>\n]{0,400}>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$", re.M)
_ADMONITION = re.compile(r"^\s*>\s*\[![A-Za-z]+\]\s*$", re.M)
_INCLUDE = re.compile(r"\[!INCLUDE\s*\[[^\]]*\]\([^)]*\)\]", re.I)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_QUOTE = re.compile(r"^\s*(?:>\s*)+", re.M)
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$", re.M)
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|nbsp|#39);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "nbsp": " ", "#39": "'"}
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|])")


def markdown_to_text(markdown: str) -> str:
    """Readable plain text of a Markdown body: markup and HTML tags removed, whitespace collapsed."""
    text = "\n".join(line for _, line, kind in classify(markdown) if kind is not Kind.FENCE)
    text = _INCLUDE.sub(" ", text)
    text = _ADMONITION.sub(" ", text)
    text = _REF_DEF.sub(" ", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = text.replace("\\<", "\x00")  # an escaped "<" is text, not the start of a tag
    text = _FRONT_TAGS.sub(" ", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _LIST.sub("", text)
    text = _TABLE_RULE.sub(" ", text)
    text = text.replace("|", " ")
    text = _CODE_SPAN.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text).replace("\x00", "<")
    return one_line(text)
