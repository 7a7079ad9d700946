"""Read one content file: bytes -> text -> YAML (or front matter + Markdown) -> model, or problems.

Every fault becomes a :class:`Problem` at ``path:line:col``; nothing here raises to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .problems import Problem, did_you_mean
from .yamlload import CONTROL_CHARACTER, MAX_BYTES, Document, YamlProblem, describe, describe_control, load_yaml

M = TypeVar("M", bound=BaseModel)

MAX_MARKDOWN_BYTES = 5_000_000
MAX_CONTROL_PER_FILE = 20  # control characters reported per file; the rest are the same fix


@dataclass
class Markdown:
    """A Markdown file split into front matter and body."""

    meta: Document
    body: str
    body_line: int  # 1-based line of the body's first line


def read_text(path: Path, rel: str, problems: list[Problem], limit: int = MAX_BYTES) -> str | None:
    """Decode a file as UTF-8 (no BOM, size-capped), reporting faults as problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, 1, 1, "unreadable", f"cannot read file: {exc.strerror}"))
        return None
    if len(raw) > limit:
        problems.append(Problem(rel, 1, 1, "too-large", f"file is {len(raw):,} bytes, over the {limit:,}-byte limit; split it into smaller files"))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(rel, 1, 1, "encoding", "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"))
        raw = raw[3:]
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        problems.append(Problem(rel, line, col, "encoding", f"invalid UTF-8 byte 0x{raw[exc.start]:02x}; save the file as UTF-8"))
        return None
    _report_control_characters(text, rel, problems)
    return text


def _report_control_characters(text: str, rel: str, problems: list[Problem]) -> None:
    """NUL, ESC, BEL, the other C0/C1 controls and bidi overrides/isolates, anywhere in the file
    (Markdown, YAML values, keys and comments), each at its own ``path:line:col``.

    They garble terminals and the tools that read transcripts; bidi controls make text display
    in another order than it is stored ("Trojan Source"), so a reviewer approves what readers do
    not see. Scanned here, where every content file is decoded once.
    """
    for found, match in enumerate(CONTROL_CHARACTER.finditer(text)):
        if found == MAX_CONTROL_PER_FILE:
            break
        start = match.start()
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        problems.append(Problem(rel, line, col, "control-character", describe_control(match.group())))


def parse_yaml(text: str, rel: str, problems: list[Problem], line_offset: int = 0) -> Document | None:
    """Load YAML text, reporting a fatal YAML fault as a problem."""
    try:
        doc = load_yaml(text, line_offset)
    except YamlProblem as exc:
        problem = Problem(rel, exc.line + line_offset, exc.col, exc.rule, exc.message)
        if exc.rule != "control-character" or problem not in problems:  # read_text reported it already
            problems.append(problem)
        return None
    doc.line_offset = line_offset
    return doc


def split_front_matter(text: str, rel: str, problems: list[Problem]) -> Markdown | None:
    """Split ``---`` front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(rel, 1, 1, "schema", "missing front matter; start the file with a '---' line, the YAML fields, and another '---' line"))
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        problems.append(Problem(rel, 1, 1, "schema", "front matter is not closed; add a '---' line after the YAML fields"))
        return None
    meta = parse_yaml("\n".join(lines[1:end]), rel, problems, line_offset=1)
    if meta is None:
        return None
    return Markdown(meta=meta, body="\n".join(lines[end + 1 :]), body_line=end + 2)


def validate(model: type[M], doc: Document, rel: str, problems: list[Problem]) -> M | None:
    """Validate loaded YAML against ``model``; map every pydantic error to its line and column."""
    return salvage(model, doc, rel, problems).model


@dataclass(frozen=True)
class Salvaged(Generic[M]):
    """A model validated after its schema problems were reported: ``cut`` names what was left out
    (a field, or a ``nodes`` entry as ``nodes/<id>``) or, for a required field, replaced by a
    placeholder, so the checks can still look at the rest of the file without reporting what
    follows from a problem already reported (decision record 0038)."""

    model: M | None
    cut: frozenset[str] = frozenset()


def salvage(model: type[M], doc: Document, rel: str, problems: list[Problem], placeholders: Mapping[str, object] | None = None) -> Salvaged[M]:
    """Validate ``doc``; on schema errors report each one, then validate again without the faulty
    parts: a faulty ``nodes`` entry is left out, a faulty optional field too, a faulty required
    field is replaced by its value in ``placeholders`` (none there: nothing is salvaged)."""
    if doc.data is None:
        problems.append(Problem(rel, *doc.pos(()), "schema", f"file is empty; expected {_expected(model)}"))
        return Salvaged(None)
    try:
        return Salvaged(model.model_validate(doc.data))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    for error in errors:
        problems.append(_problem(error, doc, rel, model))
    if placeholders is None or not isinstance(doc.data, dict):
        return Salvaged(None)
    data = dict(doc.data)
    cut: set[str] = set()
    for error in errors:
        loc = tuple(error["loc"])
        path = _data_path(doc.data, loc) or loc[:1]
        if path[:1] == ("nodes",) and len(path) > 1 and isinstance(data.get("nodes"), dict):
            data["nodes"] = {k: v for k, v in data["nodes"].items() if k != path[1]}
            cut.add(f"nodes/{path[1]}")
            continue
        field_name = str(path[0]) if path else ""
        info = model.model_fields.get(field_name)
        if info is not None and info.is_required():
            if field_name not in placeholders:
                return Salvaged(None, frozenset(cut | {field_name}))
            data[field_name] = placeholders[field_name]
        else:
            data.pop(field_name, None)
        cut.add(field_name)
    try:
        return Salvaged(model.model_validate(data), frozenset(cut))
    except ValidationError:
        return Salvaged(None, frozenset(cut))


def _expected(model: type[BaseModel]) -> str:
    required = [name for name, f in model.model_fields.items() if f.is_required()]
    return "a mapping with " + ", ".join(f'"{r}"' for r in required) if required else "a mapping"


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's non-data loc parts (union tags, function names) to get a document path."""
    path: list[Any] = []
    current = data
    for part in loc:
        if (isinstance(current, dict) and part in current) or (isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)):
            path.append(part)
            current = current[part]
    return tuple(path)


def _all_field_names(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for f in model.model_fields.values():
        for arg in _model_args(f.annotation):
            names |= _all_field_names(arg, seen)
    return names


def _model_args(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found += _model_args(arg)
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found += _model_args(meta)
    return found


def _problem(error: Any, doc: Document, rel: str, model: type[BaseModel]) -> Problem:
    loc = tuple(error["loc"])
    path = _data_path(doc.data, loc)
    kind = error["type"]
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "value")
    value = error.get("input")
    if kind == "missing":
        line, col = doc.pos(path)
        return Problem(rel, line, col, "schema", f'missing required field "{loc[-1]}"; add it')
    if kind == "extra_forbidden":
        line, col = doc.key_pos(path)
        hint = did_you_mean(str(loc[-1]), _all_field_names(model))
        return Problem(rel, line, col, "schema", f'unknown field "{loc[-1]}"{hint}; remove it or fix the spelling')
    line, col = doc.pos(path)
    if kind == "union_tag_invalid":
        tag = value.get("type") if isinstance(value, dict) else value
        line, col = doc.pos((*path, "type"))  # the misspelt type itself, not the node's first key
        return Problem(
            rel,
            line,
            col,
            "schema",
            f'unknown node type "{tag}"; use one of {", ".join(error["ctx"]["expected_tags"].split(", "))}'
            + did_you_mean(str(tag), ["question", "action", "resolution", "escalation", "link"]),
        )
    if kind == "union_tag_not_found":
        return Problem(rel, line, col, "schema", 'node has no "type"; add type: question, action, resolution, escalation or link')
    if kind == "string_pattern_mismatch":
        pattern = error["ctx"]["pattern"]
        what = "a category id like network/vpn" if "/" in pattern else "a kebab-case id like vpn-no-connect"
        return Problem(rel, line, col, "schema", f'"{name}" is {describe(value)}, expected {what} (lowercase letters, digits, hyphens)')
    if kind in ("string_type", "string_too_short") and not isinstance(value, str):
        return Problem(rel, line, col, "schema", f'"{name}" must be text, got {describe(value)}; quote the value')
    if kind.startswith("date"):
        return Problem(rel, line, col, "schema", f'"{name}" must be a real date written YYYY-MM-DD, got {describe(value)} ({error["msg"].split(", ", 1)[-1]})')
    if kind in ("literal_error", "enum"):
        return Problem(rel, line, col, "schema", f'"{name}" is {describe(value)}; expected {error["ctx"]["expected"]}')
    message = error["msg"].removeprefix("Value error, ")
    return Problem(rel, line, col, "schema", f'"{name}": {message}' + ("" if isinstance(value, (dict, list)) else f", got {describe(value)}"))
