"""Front matter as other tools write it: read leniently with positions, written back strictly.

Sources write whatever their tool allowed: duplicate keys, ``ms.date`` in US order, lists where
text was meant. Reading uses PyYAML's base loader (every scalar is text, nothing becomes a date
or boolean behind our back, no Python objects) over the node tree, so each top-level key keeps
its ``line:col`` and a duplicate key is reported where it stands (the last value wins, as in most
YAML tools). Writing quotes every text, so what is written reads back the same.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from ..content.models import Audience, Status
from ..content.problems import Problem, Severity

_Loader: type[yaml.BaseLoader] = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class Field:
    """One front matter field as the source wrote it: ``line``/``col`` are the key's, 1-based in the file."""

    key: str
    value: Any  # text, a list or a mapping of texts
    line: int
    col: int


@dataclass
class FrontMatter:
    fields: dict[str, Field]  # by lower-cased key; the last of duplicates
    body: str
    body_line: int  # 1-based line of the body's first line
    present: bool  # the file had a front matter block


def read_front_matter(text: str, where: str, problems: list[Problem]) -> FrontMatter | None:
    """Split and read ``---`` front matter; faults are problems. None when the file cannot be
    imported (a block never closed, YAML that does not parse)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, text, 1, present=False)
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        problems.append(Problem(where, 1, 1, "front-matter", "front matter is never closed (no second '---' line); the file was not imported"))
        return None
    block = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    loader = _Loader(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return FrontMatter({}, body, end + 2, present=True)
        if not isinstance(node, yaml.MappingNode):
            problems.append(
                Problem(
                    where,
                    2,
                    1,
                    "front-matter",
                    f"front matter is not a mapping of fields but a {node.id}; its content was not imported: {block[:60]!r}",
                    Severity.WARNING,
                )
            )
            return FrontMatter({}, body, end + 2, present=True)
        fields: dict[str, Field] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            line, col = key_node.start_mark.line + 2, key_node.start_mark.column + 1
            if key.lower() in fields:
                first = fields[key.lower()]
                problems.append(
                    Problem(where, line, col, "duplicate-key", f'"{key}" is also defined at line {first.line}; the last value was imported', Severity.WARNING)
                )
            fields[key.lower()] = Field(key, loader.construct_object(value_node, deep=True), line, col)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        problems.append(Problem(where, line, col, "front-matter", f"front matter is not valid YAML ({exc.problem or exc.context}); the file was not imported"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(where, 2, 1, "front-matter", f"front matter is not valid YAML ({exc}); the file was not imported"))
        return None
    finally:
        loader.dispose()
    return FrontMatter(fields, body, end + 2, present=True)


def yaml_value(value: Any) -> str:
    """One front matter value as YAML flow text that our loader reads back to the same value.
    Text is always double-quoted (JSON escapes are YAML escapes), so no value turns into a
    boolean, number or date by accident, and a value read back is written back the same."""
    if isinstance(value, (Status, Audience)):
        value = value.value
    if isinstance(value, dt.date):
        value = value.isoformat()  # quoted like all text: our loader reads a date as text either way
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return str(getattr(value, "raw", value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_value(str(k))}: {yaml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Iterable):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)
