"""Imported Markdown made safe and linked: the one body pipeline of every importer.

Imported articles must pass ``kb check`` like hand-written ones and carry nothing executable, so
prose is rewritten where our rules refuse it, and every rewrite is reported (nothing is lost
silently): raw HTML tags are escaped (``\\<b>``: shown as text), links are handed to the
importer's resolver (rewritten to the imported file, made absolute, or reduced to their text),
malformed links are repaired (a doubled "(") or kept as text that no renderer reads as a link,
script and data URLs lose their link, attribute lists that set handlers or styles are removed,
control characters are dropped and a fence left open is closed. Code blocks and code spans are
kept as they are: they are shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..checks.markdown import UNSAFE_ATTRIBUTE_LIST
from ..content.problems import Severity
from ..content.prose import CODE_SPAN, Kind, classify, one_line, open_fence
from ..content.yamlload import CONTROL_CHARACTER

# [text](target "title") and ![alt](target), the text holding balanced brackets ("[[MS-ADA3]](/x)");
# reference definitions [label]: target
_TEXT = r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
LINK = re.compile(r"(!?)" + _TEXT + r"\(\s*(<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
# Malformed links, tried where LINK does not match: a doubled "(" before the target, as in
# "[x]((https://a/b)" (repaired), else any "[text](" that opens no link (kept as text, reported).
_DOUBLED = r"(!?)" + _TEXT + r"\(\s*\(+\s*([^()\s]+)\s*\)+"
_OPENER = r"(!?)" + _TEXT + r"\("
_ANY_LINK = re.compile(f"(?P<link>{LINK.pattern})|(?P<doubled>{_DOUBLED})|(?P<opener>{_OPENER})")
REFERENCE = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*)(<[^>\n]*>|\S+)(.*)$")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>")
_ANGLE_DESTINATION = re.compile(r"\]\(\s*<(?=[^>\n]*>)")  # [text](<a b.png>): the "<" is Markdown, not HTML
_TAG_START = re.compile(r"(?<!\\)<(?=[A-Za-z/!?])")
_HTML_TAG = re.compile(r"<(?:!--[^>]*|/?[A-Za-z][^<>]*)>")
SCRIPT_URL = re.compile(r"(?i)^\s*(?:javascript|vbscript|data)\s*:")


@dataclass(frozen=True)
class Link:
    """A link or image found in prose: ``line`` and ``col`` are 0-based within the body."""

    target: str
    image: bool
    line: int
    col: int


# What a resolver returns: the new target, or None to keep only the link's text.
Resolver = Callable[[Link], str | None]
# (severity, rule, message, 0-based line, 0-based col): one rewrite the import made.
Reporter = Callable[[Severity, str, str, int, int], None]


def convert_body(body: str, resolve: Resolver, report: Reporter) -> str:
    """The body with links resolved and prose made safe; every change is passed to ``report``."""
    body = body.replace("\r\n", "\n")
    controls = list(CONTROL_CHARACTER.finditer(body))
    if controls:
        first = controls[0].start()
        line = body.count("\n", 0, first)
        report(Severity.WARNING, "control-character", f"{len(controls)} control or bidi characters removed", line, first - body.rfind("\n", 0, first) - 1)
        body = CONTROL_CHARACTER.sub("", body)
    out: list[str] = []
    escaped: list[tuple[int, int, str]] = []
    for i, line_text, kind in classify(body):
        if kind is not Kind.PROSE:
            out.append(line_text)
            continue
        ref = REFERENCE.match(line_text)
        if ref:
            target = _resolved(Link(ref.group(2).strip("<>"), False, i, len(ref.group(1))), resolve, report)
            out.append(f"{ref.group(1)}{target}{ref.group(3)}" if target is not None else "")
            continue
        pieces: list[str] = []
        last = 0
        for span in CODE_SPAN.finditer(line_text):
            pieces.append(_prose(line_text[last : span.start()], i, last, resolve, report, escaped))
            pieces.append(span.group(0))
            last = span.end()
        pieces.append(_prose(line_text[last:], i, last, resolve, report, escaped))
        out.append("".join(pieces))
    if escaped:
        line, col, tag = escaped[0]
        report(Severity.WARNING, "raw-html", f'{len(escaped)} raw HTML tags escaped (shown as text), the first "{tag}"; rewrite them in Markdown', line, col)
    fence = open_fence(body)
    if fence is not None:
        out.append(fence)
        report(Severity.WARNING, "open-fence", f'code fence "{fence}" was never closed; closed at the end of the article', len(out) - 1, 0)
    return "\n".join(out)


def clean_text(text: str) -> tuple[str, bool]:
    """A front matter text (title, description, tag) on one line, safe where ``kb check`` reads
    YAML text: a tag's angle brackets become single angle quotation marks (U+2039, U+203A: shown
    as written, never markup), control characters and unsafe
    attribute lists go. Returns the text and whether anything but whitespace changed."""
    cleaned = CONTROL_CHARACTER.sub("", text)
    cleaned = UNSAFE_ATTRIBUTE_LIST.sub("", cleaned)
    cleaned = _HTML_TAG.sub(lambda m: "‹" + m.group(0)[1:-1] + "›", cleaned)
    return one_line(cleaned), cleaned != text


def _resolved(link: Link, resolve: Resolver, report: Reporter) -> str | None:
    if SCRIPT_URL.match(link.target):
        report(
            Severity.WARNING,
            "script-link",
            f'link to "{link.target[:40]}" removed (script and data URLs never survive an import); its text is kept',
            link.line,
            link.col,
        )
        return None
    return resolve(link)


def _prose(segment: str, line: int, offset: int, resolve: Resolver, report: Reporter, escaped: list[tuple[int, int, str]]) -> str:
    """One stretch of prose outside code spans: links, attribute lists, then HTML."""

    def link(match: re.Match[str]) -> str:
        if match.group("link"):
            bang, text, target, title = match.group(2, 3, 4, 5)
            at = match.start(4)
        elif match.group("doubled"):
            (bang, text, target), title = match.group(7, 8, 9), None
            at = match.start(9)
        else:  # "[text](" opening no link: Python-Markdown would make one of what follows, the source did not
            report(
                Severity.WARNING,
                "malformed-link",
                f'"{match.group(0)[:60]}" opens no link (no well-formed target and ")" follows); kept as text',
                line,
                offset + match.start(),
            )
            return match.group(0)[:-1] + "\\("
        if target.startswith("(") and target.endswith(")") and "(" not in target[1:-1]:
            target, at = target[1:-1], at + 1  # "[x]((a/b))": the target in parentheses of its own
        repaired = match.group("link") is None or target != match.group(4)
        if repaired:
            report(
                Severity.WARNING,
                "malformed-link",
                f'link "{match.group(0)[:60]}" had its target in extra parentheses; repaired to "{target[:60]}"',
                line,
                offset + at,
            )
        found = Link(target.strip("<>"), bool(bang), line, offset + at)
        new = _resolved(found, resolve, report)
        if new is None:
            return text
        if new == found.target and not repaired:
            return match.group(0)
        return f"{bang}[{text}]({_destination(new)}{title or ''})"

    segment = _ANY_LINK.sub(link, segment)
    for match in UNSAFE_ATTRIBUTE_LIST.finditer(segment):
        report(
            Severity.WARNING,
            "unsafe-attribute",
            f'attribute list "{match.group(0)[:40]}" removed: it set a handler, a style or a script URL',
            line,
            offset + match.start(),
        )
    segment = UNSAFE_ATTRIBUTE_LIST.sub("", segment)
    keep = {m.start() for m in _AUTOLINK.finditer(segment) if not SCRIPT_URL.match(m.group(0)[1:])}
    keep |= {m.end() - 1 for m in _ANGLE_DESTINATION.finditer(segment)}

    def escape(match: re.Match[str]) -> str:
        if match.start() in keep:
            return match.group(0)
        escaped.append((line, offset + match.start(), segment[match.start() : match.start() + 20].split(">")[0] + ">"))
        return "\\<"

    # "<![" is also escaped after the "!": mkdocs scans each page's Markdown with html.parser,
    # which raises on a marked section other than CDATA/if ("\\<![LOG[" in a log excerpt).
    return _TAG_START.sub(escape, segment).replace("\\<![", "\\<!\\[")


def _destination(target: str) -> str:
    """A link destination as Markdown needs it: in angle brackets when it has spaces or parentheses."""
    return f"<{target}>" if re.search(r"[\s()<>]", target) else target
