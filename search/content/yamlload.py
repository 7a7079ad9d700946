"""Safe YAML loading with YAML 1.2 core-schema semantics and a source position for every value.

Why not ``yaml.safe_load``: PyYAML resolves YAML 1.1, so ``yes``/``no``/``on``/``off`` become
booleans (also as keys), ``1:30`` becomes 90, duplicate keys silently keep the last value, and
aliases can expand exponentially. Here libyaml only *parses* (fast, C); this module builds the
values itself from the event stream, so it can resolve scalars by YAML 1.2, reject aliases and
custom tags, cap depth, report duplicate keys with both lines, and remember where each value
came from so schema errors map back to ``path:line:col``.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml is in PyYAML's wheels; the pure-Python parser is a slower, equivalent fallback.
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import BaseLoader as _Loader

MAX_BYTES = 1_000_000
MAX_DEPTH = 32

Path = tuple[str | int, ...]
Pos = tuple[int, int]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_FLOAT_SPECIAL = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_STANDARD_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!"}
_Scalar, _Alias, _DocumentStart = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent
_MappingStart, _SequenceStart = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MappingEnd, _SequenceEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent
# Controls other than tab and line breaks, and the bidi overrides/isolates ("Trojan Source").
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL"}
# A plain scalar starting with none of these is a string (no null, bool, int or float starts so).
_NOT_TEXT_START = frozenset("~nNtTfF-+.0123456789")


class YInt(int):
    """An int that remembers its source text, so text fields can keep ``012`` as written."""

    raw: str


class YFloat(float):
    """A float that remembers its source text, so ``version: 1.10`` stays ``"1.10"``."""

    raw: str


@dataclass
class YamlProblem(Exception):
    """A problem found while reading a YAML document (1-based position)."""

    line: int
    col: int
    rule: str
    message: str


class Document:
    """Loaded YAML: plain Python ``data`` plus, on demand, the position of every value and key.

    Positions are derived from ``source`` (the YAML text) the first time one is asked for: a
    table of them costs about eight times the text (a tuple path, a tuple position and dict
    entries per value: ~30 KB for a 6 KB decision tree), and only the checks and editors ask,
    for a few values. Everything else (the service, the site build) keeps the text alone.
    """

    __slots__ = ("_renames", "_tables", "data", "line_offset", "source")

    def __init__(self, data: Any, source: str = "", line_offset: int = 0) -> None:
        self.data = data
        self.source = source
        self.line_offset = line_offset
        self._tables: _Tables | None = None
        self._renames: list[tuple[Path, str]] = []

    @property
    def positions(self) -> dict[Path, Pos]:
        """Where each value starts (relative to ``source``), by path."""
        return self._built().positions

    @property
    def key_positions(self) -> dict[Path, Pos]:
        """Where the key holding each mapping value starts."""
        return self._built().key_positions

    @property
    def text_positions(self) -> dict[Path, Pos]:
        """Where the text of a quoted or block scalar starts (after the quote, or the first
        content line of a ``|``/``>`` block), when that differs from the value's position."""
        return self._built().text_positions

    def _built(self) -> _Tables:
        if self._tables is None:
            # Only long-lived objects are made here; as while loading (``repository._collector_paused``),
            # the cyclic collector would rescan the heap for each thousand of them and free nothing.
            enabled = gc.isenabled()
            gc.disable()
            try:
                tables = _Tables()
                _parse(self.source, tables)
                for path, text in self._renames:
                    tables.rename(path, text)
            finally:
                if enabled:
                    gc.enable()
            self._tables = tables
        return self._tables

    def rename_key(self, path: Path, text: str) -> None:
        """Record that the mapping key at ``path`` now reads ``text`` in ``data`` (its positions follow)."""
        self._renames.append((path, text))
        if self._tables is not None:
            self._tables.rename(path, text)

    def pos(self, path: Path) -> Pos:
        """Best position for ``path``: the value, else its key, else the nearest parent."""
        positions = self.positions
        p = tuple(path)
        while True:
            if p in positions:
                line, col = positions[p]
                return line + self.line_offset, col
            if not p:
                return 1 + self.line_offset, 1
            p = p[:-1]

    def text_pos(self, path: Path) -> Pos:
        """Position of the first character of a text value's content (see ``text_positions``)."""
        if tuple(path) in self.text_positions:
            line, col = self.text_positions[tuple(path)]
            return line + self.line_offset, col
        return self.pos(path)

    def key_pos(self, path: Path) -> Pos:
        """Position of the key that holds ``path`` (falls back to :meth:`pos`)."""
        if tuple(path) in self.key_positions:
            line, col = self.key_positions[tuple(path)]
            return line + self.line_offset, col
        return self.pos(path)

    def has(self, path: Path) -> bool:
        """Whether ``data`` holds a value at ``path`` (without building the position tables)."""
        value = self.data
        for part in path:
            if isinstance(value, dict) and part in value:
                value = value[part]
                continue
            if not (isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)):
                return False
            value = value[part]
        return True

    def __getstate__(self) -> tuple[Any, str, int, list[tuple[Path, str]]]:
        return self.data, self.source, self.line_offset, self._renames  # the tables are rebuilt on demand

    def __setstate__(self, state: tuple[Any, str, int, list[tuple[Path, str]]]) -> None:
        self.data, self.source, self.line_offset, self._renames = state
        self._tables = None


@dataclass
class _Tables:
    """A document's positions, built by a second parse of its text (see :class:`Document`)."""

    positions: dict[Path, Pos] = field(default_factory=dict)
    key_positions: dict[Path, Pos] = field(default_factory=dict)
    text_positions: dict[Path, Pos] = field(default_factory=dict)

    def rename(self, path: Path, text: str) -> None:
        for table in (self.positions, self.key_positions):
            if path in table:
                table[(*path[:-1], text)] = table.pop(path)


def resolve_plain(text: str) -> Any:
    """Resolve a plain (unquoted) scalar by the YAML 1.2 core schema."""
    if text and text[0] not in _NOT_TEXT_START:
        return text
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text) or _INT_OCT.match(text) or _INT_HEX.match(text):
        value = YInt(int(text.replace("0o", ""), 8) if text.startswith("0o") else int(text, 0 if text.startswith("0x") else 10))
        value.raw = text
        return value
    if _FLOAT.match(text) or _FLOAT_SPECIAL.match(text):
        number = YFloat(float(text.lower().lstrip(".").replace("+.", "+").replace("-.", "-")) if _FLOAT_SPECIAL.match(text) else float(text))
        number.raw = text
        return number
    return text


def describe(value: Any) -> str:
    """How a loaded value is named in messages: ``true (a boolean)``."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (YInt, YFloat)):
        return f"{value.raw} (a number)"
    if value is None:
        return "an empty value"
    return repr(value)


def describe_control(char: str) -> str:
    """The message for a control or bidi character found in content."""
    code = ord(char)
    if 0x202A <= code <= 0x2069:
        return f"bidi control U+{code:04X} ({unicodedata.name(char)}) reorders how the text displays; remove it"
    name = _CONTROL_NAMES.get(code, "C0 control" if code < 0x20 else "C1 control")
    return f"control character U+{code:04X} ({name}) in the text; remove it (editors hide it, terminals and tools act on it)"


def _source(value: Any) -> str:
    """A loaded scalar as its author wrote it (as near as the value allows)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (YInt, YFloat)):
        return value.raw
    return "" if value is None else str(value)


def _pos(mark: Any) -> Pos:
    return mark.line + 1, mark.column + 1


def load_yaml(text: str, line_offset: int = 0) -> Document:
    """Parse one YAML document; raise :class:`YamlProblem` at the first fatal problem.

    ``line_offset`` is where ``text`` starts in its file (front matter): it is added to the line
    numbers quoted inside messages; problem positions stay relative to ``text``.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlProblem(1, 1, "too-large", f"file is larger than {MAX_BYTES:,} bytes; split it into smaller files")
    return Document(_parse(text, None, line_offset), text, line_offset)


def _parse(text: str, tables: _Tables | None, line_offset: int = 0) -> Any:
    """The data of ``text``; with ``tables``, also record every position into them (the same
    walk both times, so a document's positions are those of the parse that loaded it)."""
    root: list[Any] = [None]
    lines: list[str] | None = None
    # Stack entries: [container, path (None when not recording), pending_key, key_pos, seen_keys]
    stack: list[list[Any]] = []
    documents = 0
    try:
        # The loop of ``yaml.parse`` without its generator, dispatching on the event's exact class
        # (libyaml and the pure-Python parser both build exactly these classes); scalars first,
        # as most events are scalars. Same events in the same order, so the same outcome.
        loader = _Loader(text)
        try:
            get_event = loader.get_event
            while (event := get_event()) is not None:
                kind = type(event)
                if kind is _Scalar:
                    tag = event.tag
                    if tag is not None and tag not in _STANDARD_TAGS and tag != "tag:yaml.org,2002:str":
                        line, col = _pos(event.start_mark)
                        raise YamlProblem(line, col, "yaml-tag", f'tag "{tag}" is not allowed; remove it and write a plain value')
                    mark = event.start_mark
                    position = (mark.line + 1, mark.column + 1)
                    value: Any = event.value
                    if event.implicit[0] and tag is None and (not value or value[0] in _NOT_TEXT_START):
                        value = resolve_plain(value)  # may be null, a boolean or a number (other plain scalars are text)
                    path = _attach(root, tables, line_offset, stack, value, position)
                    if tables is not None and path is not None:
                        style = event.style
                        if style == "'" or style == '"':
                            tables.text_positions[path] = (position[0], position[1] + 1)
                        elif style == "|" or style == ">":
                            lines = lines if lines is not None else text.split("\n")
                            tables.text_positions[path] = _block_start(lines, position[0])
                elif kind is _MappingStart or kind is _SequenceStart:
                    tag = event.tag
                    if tag is not None and tag not in _STANDARD_TAGS:
                        line, col = _pos(event.start_mark)
                        raise YamlProblem(line, col, "yaml-tag", f'tag "{tag}" is not allowed; remove it and write a plain value')
                    position = _pos(event.start_mark)
                    if len(stack) >= MAX_DEPTH:
                        raise YamlProblem(*position, "too-deep", f"nesting deeper than {MAX_DEPTH} levels; flatten the structure")
                    container: Any = {} if kind is _MappingStart else []
                    path = _attach(root, tables, line_offset, stack, container, position)
                    stack.append([container, path, _NO_KEY, None, {}])
                elif kind is _MappingEnd or kind is _SequenceEnd:
                    stack.pop()
                elif kind is _DocumentStart:
                    documents += 1
                    if documents > 1:
                        line, col = _pos(event.start_mark)
                        raise YamlProblem(line, col, "yaml-syntax", "more than one YAML document in the file; remove the extra '---' or split the file")
                elif kind is _Alias:
                    line, col = _pos(event.start_mark)
                    raise YamlProblem(line, col, "yaml-alias", f'alias "*{event.anchor}" is not allowed; write the value out in full')
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _pos(mark) if mark else (1, 1)
        message = (exc.problem or "invalid YAML").strip()
        if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
            line, col = _pos(exc.context_mark)  # the quote that is never closed, not the end of the file
            message = "quoted value is never closed; add the closing quote"
        elif exc.context in ("while parsing a flow sequence", "while parsing a flow mapping") and exc.context_mark is not None:
            close = "]" if "sequence" in exc.context else "}"
            message = f'"{"[" if close == "]" else "{"}" is never closed; add "{close}" or a missing comma (parsing stopped at line {line + line_offset}, column {col}: {message})'
            line, col = _pos(exc.context_mark)  # the bracket that is never closed
        lines = text.splitlines()
        if 0 < line <= len(lines) and "\t" in lines[line - 1][: col + 1]:
            col = lines[line - 1].index("\t") + 1
            message = "tab character in indentation; YAML needs spaces, so replace the tab with spaces"
        raise YamlProblem(line, col, "yaml-syntax", message) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry a position too
        line, col = (1, 1)
        offset: int | None = getattr(exc, "position", None)
        if offset is not None:
            before = text[:offset]
            line, col = before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
            if offset < len(text) and CONTROL_CHARACTER.match(text[offset]):
                raise YamlProblem(line, col, "control-character", describe_control(text[offset])) from None
        raise YamlProblem(line, col, "yaml-syntax", str(getattr(exc, "reason", exc)) or "invalid YAML") from None
    return root[0]


_NO_KEY = object()


def _block_start(lines: list[str], indicator_line: int) -> Pos:
    """(line, col) of the first content character of a block scalar whose ``|``/``>`` is on ``indicator_line``."""
    for number in range(indicator_line, len(lines)):  # 0-based index of the line after the indicator
        content = lines[number]
        if content.strip():
            return indicator_line + 1, len(content) - len(content.lstrip(" ")) + 1
    return indicator_line + 1, 1


def _attach(root: list[Any], tables: _Tables | None, line_offset: int, stack: list[list[Any]], value: Any, position: Pos) -> Path | None:
    """Put ``value`` into the innermost open container; return the value's path (recording
    positions into ``tables``), or ``None`` when not recording or ``value`` is a key."""
    if not stack:
        root[0] = value
        if tables is None:
            return None
        tables.positions[()] = position
        return ()
    frame = stack[-1]
    container = frame[0]
    path: Path | None = frame[1]
    if isinstance(container, list):
        if tables is None:
            container.append(value)
            return None
        child: Path = (*path, len(container))  # type: ignore[misc]  # recording: every frame has a path
        container.append(value)
        tables.positions[child] = position
        return child
    if frame[2] is _NO_KEY:  # this value is a key
        if isinstance(value, (dict, list)):
            raise YamlProblem(*position, "yaml-syntax", "a mapping key must be a plain value, not a list or mapping")
        if value in frame[4]:
            first, first_key = frame[4][value]
            line = first[0] + line_offset
            if describe(first_key) != describe(value):  # true and 1, 1 and 1.0, 1 and 01: equal only once loaded
                raise YamlProblem(
                    *position,
                    "duplicate-key",
                    f"keys {describe(first_key)} at line {line} and {describe(value)} both load as non-strings, and as the same key;"
                    f' quote them as text: "{_source(first_key)}": and "{_source(value)}":',
                )
            shown = f'"{value}"' if isinstance(value, str) else describe(value)
            raise YamlProblem(*position, "duplicate-key", f"duplicate key {shown} (first defined at line {line}); remove or rename one of them")
        frame[4][value] = (position, value)
        frame[2], frame[3] = value, position
        return None
    key = frame[2]
    container[key] = value
    frame[2] = _NO_KEY
    if tables is None:
        return None
    child = (*path, key)  # type: ignore[misc]
    tables.positions[child] = position
    tables.key_positions[child] = frame[3]
    return child


def scalar_span(text: str, line: int, col: int) -> tuple[int, int, str | None]:
    """Where the scalar that starts at ``line``:``col`` (1-based, as :class:`Document` positions
    say) ends, and its style (``None`` plain, ``'``, ``"``, ``|``, ``>``), for editing one value
    in place without re-dumping the file. :class:`YamlProblem` when no scalar starts there."""
    loader = _Loader(text)
    try:
        while (event := loader.get_event()) is not None:
            if type(event) is _Scalar and _pos(event.start_mark) == (line, col):
                end_line, end_col = _pos(event.end_mark)
                return end_line, end_col, event.style or None
    except yaml.YAMLError as exc:
        raise YamlProblem(line, col, "yaml-syntax", str(exc)) from None
    finally:
        loader.dispose()
    raise YamlProblem(line, col, "yaml-syntax", "no value starts here")
