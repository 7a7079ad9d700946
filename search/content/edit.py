"""Change one front-matter value of a guide or article in place: the exact span the loader
located is replaced, and every other byte (comments, quoting, key order, CRLF line ends) stays.

Re-dumping the YAML would lose comments and quoting; a text search for ``reviewed:`` could hit a
comment or the body. The loader's positions say exactly where the value is (decision record 0021).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from .problems import Problem
from .sources import split_front_matter
from .yamlload import Document, resolve_plain, scalar_span

_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9À-ɏ][A-Za-z0-9À-ɏ ._()/-]*$")


class EditError(Exception):
    """The file cannot be edited safely; the message names the file, the place and the fix."""


def record_review(raw: bytes, rel: str, date: dt.date, by: str | None = None) -> bytes:
    """``raw`` with ``reviewed`` set to ``date`` and (given ``by``) ``reviewed_by`` set or added."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{rel}: not UTF-8 text; kb check names the byte") from None
    lines = text.split("\n")  # a CRLF line keeps its "\r": columns before it are the loader's
    meta = _front_matter(text, rel)
    _replace(lines, meta, "reviewed", date.isoformat(), rel)
    if by is not None:
        if ("reviewed_by",) in meta.positions:
            _replace(lines, meta, "reviewed_by", by, rel)
        else:
            line, col = meta.key_pos(("reviewed",))
            reviewed_line = lines[line - 1]
            ending = "\r" if reviewed_line.endswith("\r") else ""
            lines.insert(line, f"{' ' * (col - 1)}reviewed_by: {_scalar(by, None)}{ending}")
    edited = "\n".join(lines)
    after = _front_matter(edited, rel).data
    expected = {**meta.data, "reviewed": date.isoformat()} | ({"reviewed_by": by} if by is not None else {})
    if after != expected:
        raise EditError(f"{rel}: the edit did not read back as intended; edit the file by hand")
    return bom + edited.encode("utf-8")


def _front_matter(text: str, rel: str) -> Document:
    problems: list[Problem] = []
    md = split_front_matter(text.replace("\r\n", "\n"), rel, problems)
    if md is None or not isinstance(md.meta.data, dict):
        raise EditError(problems[0].format() if problems else f"{rel}: the front matter is not a mapping of fields")
    return md.meta


def _replace(lines: list[str], meta: Document, key: str, value: str, rel: str) -> None:
    """Put ``value`` where the loader found ``key``'s value, in the same quoting style."""
    if (key,) not in meta.positions:
        raise EditError(f'{rel}: no "{key}" field in the front matter; add "{key}:" first')
    line, col = meta.positions[(key,)]  # relative to the front matter text
    key_line, key_col = meta.key_positions[(key,)]
    closing = next(n for n in range(1, len(lines)) if lines[n].strip() in ("---", "..."))  # the loader found it
    front = "\n".join(text.removesuffix("\r") for text in lines[1:closing])
    end_line, end_col, style = scalar_span(front, line, col)
    at = line + meta.line_offset - 1
    if end_line != line or key_line != line or style in ("|", ">") or not lines[at].removesuffix("\r")[: key_col - 1].strip() == "":
        raise EditError(f'{rel}:{line + meta.line_offset}:{col}: "{key}" must be a one-line value on its own "{key}:" line to be edited in place')
    source = lines[at]
    lines[at] = source[: col - 1] + _scalar(value, style) + source[end_col - 1 :]


def _scalar(value: str, style: str | None) -> str:
    """``value`` as a YAML scalar: in ``style`` when it can be, else double-quoted."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style is None and _PLAIN_SAFE.match(value) and resolve_plain(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)
