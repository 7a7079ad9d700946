"""The ``kb`` command line: a thin edge that turns user errors into messages and exit codes.

Exit codes: 0 clean, 1 content errors (warnings too with ``--strict``), 2 usage errors.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from . import __version__

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    envvar="KB_ROOT",
    show_default=True,
    help="Content repository root (holds kb/ and guides/). Env: KB_ROOT.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def main() -> None:
    """Knowledge base and troubleshooting guides for IT support teams.

    \b
    Typical use:
      kb check --strict     validate every guide, tree and article
      kb start              check, build site + index, serve on localhost
    """


def _require_root(root: Path) -> Path:
    if not (root / "guides").is_dir() and not (root / "kb").is_dir():
        raise click.UsageError(f'"{root}" has no guides/ or kb/ folder; run from the content repository or pass --root')
    return root


@main.command()
@ROOT_OPTION
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["human", "github", "json"]), default="human", show_default=True, help="human: path:line:col lines; github: workflow annotations; json: a list of objects.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date for review-overdue (default: today).")
def check(root: Path, strict: bool, fmt: str, today: dt.datetime | None) -> None:
    """Validate all content and report every problem, sorted by file and line."""
    from .checks import run_checks
    from .content.repository import load_repository

    repo = load_repository(_require_root(root))
    problems = run_checks(repo, today.date() if today else None)
    if fmt == "json":
        click.echo(json.dumps([{"path": p.path, "line": p.line, "col": p.col, "severity": p.severity.value, "rule": p.rule, "message": p.message} for p in problems], indent=2))
    elif fmt == "github":
        for p in problems:
            click.echo(f"::{p.severity.value} file={p.path},line={p.line},col={p.col},title={p.rule}::{p.message}")
    else:
        for p in problems:
            click.echo(p.format())
    errors = sum(p.severity.value == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "human":
        summary = f"{len(repo.guides)} guides, {len(repo.articles)} articles checked: {errors} errors, {warnings} warnings"
        click.echo(summary, err=True)
    sys.exit(1 if errors or (strict and warnings) else 0)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"), show_default=True, help="Folder to write the JSON Schema files into.")
def schema(out: Path) -> None:
    """Export JSON Schemas for every content file kind (for editor autocompletion)."""
    from .content.schemas import write_schemas

    for path in write_schemas(out):
        click.echo(path.as_posix())


if __name__ == "__main__":  # pragma: no cover
    main()
