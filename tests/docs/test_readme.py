"""The README documents every command, setting and rule a user can meet."""

from __future__ import annotations

import re
from pathlib import Path

from search.api.settings import Settings
from search.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_in_the_commands_table() -> None:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `kb ([\w-]+)", section, re.M))
    assert documented == set(main.commands)


def test_every_setting_is_documented_with_its_variable() -> None:
    for name in Settings.model_fields:
        assert f"`KB_{name.upper()}`" in README, name


def test_quick_start_is_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = quick.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make start", "make test"]
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert ci.strip().splitlines()[-1] == "exec make test"


def test_the_example_guide_in_the_readme_passes_kb_check(tmp_path: Path) -> None:
    import shutil

    from click.testing import CliRunner

    root = Path(__file__).resolve().parents[2]
    section = README.split("## Authoring a guide", 1)[1].split("\n## ", 1)[0]
    markdown = section.split("```markdown\n", 1)[1].split("```", 1)[0]
    tree = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    guide_id = markdown.split("id: ", 1)[1].split("\n", 1)[0]
    for folder in ("guides", "kb"):
        shutil.copytree(root / folder, tmp_path / folder)
    (tmp_path / "guides" / f"{guide_id}.md").write_text(markdown, encoding="utf-8")
    (tmp_path / "guides" / f"{guide_id}.yml").write_text(tree, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--strict", "--root", str(tmp_path), "--today", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert f"{len(list((root / 'guides').glob('*.md'))) + 1} guides" in result.output  # the example was loaded


def test_every_test_the_security_table_names_exists() -> None:
    import ast

    root = Path(__file__).resolve().parents[2]
    section = README.split("## Security", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "tests/" in line]
    assert len(rows) >= 15, "the table of attack classes and their tests"
    for row in rows:
        tests_cell = row.rstrip(" |").rsplit(" | ", 1)[1]
        assert "tests/" in tests_cell, row
        current: Path | None = None
        for ref in tests_cell.replace(",", " ").split():
            ref = ref.strip("`")
            path, _, name = ref.partition("::")
            if path.startswith("tests/"):
                current = root / path
                assert current.is_file(), ref
            if name:
                assert current is not None, ref
                defined = {n.name for n in ast.walk(ast.parse(current.read_text(encoding="utf-8"))) if isinstance(n, ast.FunctionDef)}
                assert name in defined, f"{current.relative_to(root)} has no test {name}"
