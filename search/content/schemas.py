"""JSON Schemas of the content files, so editors validate and autocomplete YAML as authors type."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .models import ArticleMeta, Escalation, GuideMeta, Priorities, Synonyms, Taxonomy, Templates, Tree

SCHEMAS: dict[str, type[BaseModel]] = {
    "tree": Tree,
    "guide-front-matter": GuideMeta,
    "article-front-matter": ArticleMeta,
    "categories": Taxonomy,
    "priorities": Priorities,
    "escalation": Escalation,
    "synonyms": Synonyms,
    "templates": Templates,
}


def schema_for(name: str) -> dict[str, object]:
    schema = SCHEMAS[name].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"kb-{name}.schema.json"
    return schema


def write_schemas(out: Path) -> list[Path]:
    """Write one ``<kind>.schema.json`` per content file kind into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(schema_for(name), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
