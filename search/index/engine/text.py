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
    fenced = "```" in markdown or "~~~" in markdown  # fence lines only where a fence can be (most bodies have none)
    text = "\n".join(line for _, line, kind in classify(markdown) if kind is not Kind.FENCE) if fenced else markdown
    text = _sub(text, _INCLUDE, " ", "[!")
    text = _sub(text, _ADMONITION, " ", "[!")
    text = _sub(text, _REF_DEF, " ", "]:")
    text = _sub(text, _IMAGE, r"\1", "![")
    text = _sub(text, _LINK, r"\1", "](")
    text = _sub(text, _REF_LINK, r"\1", "][")
    text = text.replace("\\<", "\x00")  # an escaped "<" is text, not the start of a tag
    text = _sub(text, _FRONT_TAGS, " ", "<")
    text = _sub(text, _HEADING, "", "#")
    text = _sub(text, _QUOTE, "", ">")
    text = _LIST.sub("", text)
    text = _sub(text, _TABLE_RULE, " ", "--")
    text = text.replace("|", " ")
    text = _sub(text, _CODE_SPAN, r"\2", "`")
    text = _sub(text, _EMPHASIS, r"\2", "*", "__")
    text = _sub(text, _ESCAPE, r"\1", "\\")
    if "&" in text:
        text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)
    text = text.replace("\x00", "<")
    return one_line(text)


def _sub(text: str, pattern: re.Pattern[str], replacement: str, *needs: str) -> str:
    """``pattern.sub`` only when ``text`` holds one of the strings every match contains: most
    bodies hold no table rule, escape or emphasis, and a regex pass costs as much as the rest."""
    return pattern.sub(replacement, text) if any(n in text for n in needs) else text
