"""``kb init DIR``: a content repository a team owns, from files shipped inside the package.

``scaffold/common`` goes into every new repository (mkdocs.yml, a README for authors,
.gitignore, the pre-commit and CI configuration); ``scaffold/skeleton`` (one example guide and
one article) or ``scaffold/starter`` (the starter content this project ships) adds ``guides/``
and ``kb/``. In the source tree some of them are symbolic links to the repository's own files,
so the starter and the site settings never drift from what this project checks and builds; a
wheel carries them as regular files (decision record 0035). A path part ``dot-x`` is written as
``.x``, because package-data globs skip dot files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Literal, TypedDict

import click

from .. import __version__
from ..content.edit import record_review
from ..content.schemas import SCHEMAS, write_schemas

SCAFFOLD = Path(__file__).parent / "scaffold"
VERSION_MARK = "@KB_VERSION@"  # in common files: CI and README pin the kb-guides that wrote them

Form = Literal["skeleton", "starter"]


class InitResult(TypedDict):
    """What ``kb init --format json`` prints."""

    root: str
    form: Form
    version: str
    created: list[str]
    overwritten: list[str]


class InitRefused(click.ClickException):
    exit_code = 2  # a usage error: the target is taken, nothing was written


def _written_name(part: str) -> str:
    return "." + part.removeprefix("dot-") if part.startswith("dot-") else part


def planned_files(form: Form) -> dict[str, Path]:
    """Repository-relative path -> shipped source, for every file ``kb init`` copies."""
    files: dict[str, Path] = {}
    for base in (SCAFFOLD / "common", SCAFFOLD / form):
        for folder, subfolders, names in os.walk(base, followlinks=True):  # the source tree links starter/guides, ...
            subfolders.sort()
            for name in sorted(names):
                source = Path(folder, name)
                files["/".join(map(_written_name, source.relative_to(base).parts))] = source
    return files


def scaffold(root: Path, form: Form, *, force: bool, today: dt.date) -> InitResult:
    """Write the repository into ``root``; without ``force``, refuse when any file it would write exists."""
    files = planned_files(form)
    schemas = [f"schemas/{name}.schema.json" for name in SCHEMAS]
    if root.exists() and not root.is_dir():
        raise InitRefused(f'"{root}" is a file; give a folder (it is created when missing)')
    taken = [rel for rel in [*files, *schemas] if (root / rel).exists() or (root / rel).is_symlink()]
    if taken and not force:
        shown = ", ".join(taken[:5]) + (f" and {len(taken) - 5} more" if len(taken) > 5 else "")
        raise InitRefused(f'"{root}" already has {shown}; kb init writes over nothing: choose an empty folder, or pass --force to overwrite these files')
    for rel, source in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()  # --force: replace the link itself, never write through it
        if form == "skeleton" and (rel.startswith("kb/articles/") or (rel.startswith("guides/") and rel.endswith(".md"))):
            target.write_bytes(record_review(source.read_bytes(), rel, today))  # the example guide and article are new today
        elif source.is_relative_to(SCAFFOLD / "common"):  # text files, some naming the version
            target.write_text(source.read_text(encoding="utf-8").replace(VERSION_MARK, __version__), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    write_schemas(root / "schemas")
    taken_set = set(taken)
    written = sorted([*files, *schemas])
    return InitResult(
        root=str(root),
        form=form,
        version=__version__,
        created=[rel for rel in written if rel not in taken_set],
        overwritten=[rel for rel in written if rel in taken_set],
    )


def _summary(paths: list[str]) -> list[str]:
    """One line per top-level file, and per folder its file count (the starter has a hundred files)."""
    folders = Counter(p.split("/", 1)[0] for p in paths if "/" in p)
    lines = []
    for top in sorted({p.split("/", 1)[0] for p in paths}):
        inside = [p for p in paths if p.startswith(top + "/")]
        if top not in folders:
            lines.append(top)
        elif len(inside) == 1:
            lines.append(inside[0])
        else:
            lines.append(f"{top}/ ({folders[top]} files)")
    return lines


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--starter",
    is_flag=True,
    help="Copy the starter content shipped with kb-guides (every guide and article of its own knowledge base) instead of one example guide and article.",
)
@click.option("--force", is_flag=True, help="Overwrite files that are already there (others are left as they are).")
@click.option(
    "--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True, help="json: root, form, version, created, overwritten."
)
def init(directory: Path, starter: bool, force: bool, fmt: str) -> None:
    """Create a content repository in DIRECTORY: guides/, kb/, mkdocs.yml, a README for authors,
    .gitignore, pre-commit and CI configuration (GitHub Actions and GitLab CI).

    The content passes `kb check --strict`; `kb start` there builds and serves it.

    \b
    Example:
      kb init service-desk-kb && cd service-desk-kb && kb start
    """
    result = scaffold(directory, "starter" if starter else "skeleton", force=force, today=dt.date.today())
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
        return
    count = len(result["created"]) + len(result["overwritten"])
    click.echo(f"Wrote {count} files into {directory} ({result['form']} content, kb-guides {__version__}):")
    for line in _summary(result["created"]):
        click.echo(f"  {line}")
    for line in _summary(result["overwritten"]):
        click.echo(f"  {line}  (overwritten)")
    click.echo(
        "\nNext:\n"
        f"  cd {directory}\n"
        "  kb start                 check, build and serve http://127.0.0.1:8000\n"
        '  git init && git add -A && git commit -m "Knowledge base"\n'
        "  pre-commit install       kb check before each commit (pip install pre-commit)\n"
        "The README there says where everything is; CI files: .github/workflows/kb.yml, .gitlab-ci.yml."
    )
