"""`kb schema --out DIR`: one JSON Schema per content kind, and the shipped YAML validates against it."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from search.cli import main
from search.content.repository import CONFIG_FILES
from search.content.schemas import SCHEMAS
from search.content.sources import split_front_matter
from search.content.yamlload import load_yaml

from .casekit import MINIMAL, ROOT

CONFIG_KINDS = {"categories.yml": "categories"} | {name: name.removesuffix(".yml") for name in CONFIG_FILES if name != "categories.yml"}


def _as_json(value: Any) -> Any:
    """What an editor's YAML language server hands the validator: plain JSON values."""
    return json.loads(json.dumps(value))


def content_files(root: Path) -> Iterator[tuple[str, str, Any]]:
    """(schema kind, repository path, loaded data) for every content file under ``root``."""
    guides = root / "guides"
    for name, kind in CONFIG_KINDS.items():
        if (guides / name).is_file():
            yield kind, f"guides/{name}", load_yaml((guides / name).read_text(encoding="utf-8")).data
    for md in sorted(guides.glob("*.md")):
        meta = _front_matter(md)
        yield "guide-front-matter", md.relative_to(root).as_posix(), meta
        tree = guides / (meta.get("tree") or f"{md.stem}.yml")
        yield "tree", tree.relative_to(root).as_posix(), load_yaml(tree.read_text(encoding="utf-8")).data
    for md in sorted((root / "kb" / "articles").rglob("*.md")):
        yield "article-front-matter", md.relative_to(root).as_posix(), _front_matter(md)


def _front_matter(path: Path) -> dict[str, Any]:
    problems: list[Any] = []
    md = split_front_matter(path.read_text(encoding="utf-8"), path.name, problems)
    assert md is not None, problems
    return md.meta.data


def _validator(schema: dict[str, Any]):
    """A JSON Schema validator from whichever library is installed (none is a dependency)."""
    if importlib.util.find_spec("jsonschema") is not None:
        import jsonschema

        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        return lambda data: [e.message for e in validator.iter_errors(data)]
    if importlib.util.find_spec("jsonschema_rs") is not None:
        import jsonschema_rs

        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        return lambda data: [e.message for e in validator.iter_errors(data)]
    return None


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("schemas")
    result = CliRunner().invoke(main, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(Path(line).name for line in result.stdout.splitlines())
    assert written == sorted(f"{kind}.schema.json" for kind in SCHEMAS)
    assert sorted(p.name for p in out.iterdir()) == written
    return {kind: json.loads((out / f"{kind}.schema.json").read_text(encoding="utf-8")) for kind in SCHEMAS}


def test_the_committed_schemas_are_current(schemas: dict[str, dict[str, Any]]) -> None:
    """schemas/ is in git so a fresh clone's editor finds what every YAML file's header names; a model
    change without `kb schema` fails here."""
    committed = {path.name for path in (ROOT / "schemas").iterdir()}
    assert committed == {f"{kind}.schema.json" for kind in SCHEMAS}, "run: kb schema"
    for kind, schema in schemas.items():
        assert json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")) == schema, (
            f"schemas/{kind}.schema.json is stale; run: kb schema"
        )
    headers = {
        line.split("$schema=", 1)[1]
        for path in (ROOT / "guides").glob("*.yml")
        for line in path.read_text(encoding="utf-8").split("\n")[:1]
        if "$schema=" in line
    }
    assert headers and all((ROOT / "guides" / header).resolve().is_file() for header in headers), headers


def test_one_schema_per_content_kind(schemas: dict[str, dict[str, Any]]) -> None:
    assert {"tree", "guide-front-matter", "article-front-matter"} | set(CONFIG_KINDS.values()) <= set(schemas)
    for kind, schema in schemas.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"kb-{kind}.schema.json"
        assert schema["type"] == "object"
        assert schema["properties"]
        assert schema.get("additionalProperties") is False  # unknown fields are errors, as in kb check


def test_tree_schema_knows_every_node_type(schemas: dict[str, dict[str, Any]]) -> None:
    text = json.dumps(schemas["tree"])
    for node_type in ("question", "action", "resolution", "escalation", "link"):
        assert f'"{node_type}"' in text


@pytest.mark.parametrize("root", [ROOT, MINIMAL], ids=["shipped", "minimal"])
def test_content_validates_against_its_schema(schemas: dict[str, dict[str, Any]], root: Path) -> None:
    files = list(content_files(root))
    assert {kind for kind, _, _ in files} >= {"tree", "guide-front-matter", "article-front-matter", "categories", "priorities", "escalation"}
    if _validator(schemas["tree"]) is None:
        for kind, path, data in files:  # no validator installed: at least the top-level fields must be known
            assert isinstance(data, dict), path
            assert set(data) <= set(schemas[kind]["properties"]), path
            assert set(schemas[kind].get("required", [])) <= set(data), path
        return
    failures = []
    for kind, path, data in files:
        failures += [f"{path} ({kind}): {message}" for message in _validator(schemas[kind])(_as_json(data))]
    assert failures == []


def test_schema_rejects_what_kb_check_rejects(schemas: dict[str, dict[str, Any]]) -> None:
    validate = _validator(schemas["tree"])
    if validate is None:
        pytest.skip("no JSON Schema validator installed")
    good = {"nodes": {"a": {"type": "resolution", "text": "Done."}}}
    assert validate(good) == []
    assert validate({"nodes": {"a": {"type": "resolutoin", "text": "Done."}}})
    assert validate({"nodes": {"a": {"type": "resolution", "text": "Done.", "colour": "red"}}})
    assert validate({"nodes": {}})
