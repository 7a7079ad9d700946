"""Authoring without rounds: every problem of a file in one ``kb check`` run, a schema error
included, and no problem that only follows from one already reported."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from search.checks import run_checks
from search.content.models import ArticleMeta, GuideMeta
from search.content.repository import load_repository
from support import KB

from .casekit import TODAY, make_repo

GUIDE = "guides/vpn-no-connect.md"
ARTICLE = "kb/articles/vpn-reinstall.md"


def kb_check(root: Path) -> list[str]:
    """``path:line:col rule`` of every problem, from the real ``kb check --format json``."""
    done = subprocess.run([str(KB), "check", "--root", str(root), "--today", TODAY, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    return [f"{p['path']}:{p['line']}:{p['col']} {p['rule']}" for p in json.loads(done.stdout)]


def test_a_schema_error_and_three_other_faults_in_one_file_are_reported_in_one_run(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / GUIDE).write_text(
        "---\n"
        "id: vpn-no-connect\n"
        "title: VPN will not connect\n"
        "category: network/vpm\n"  # unknown category
        'version: "1.0"\n'
        "owner: Network Operations\n"
        "reviewed: 2026-13-01\n"  # the schema error: no month 13
        "articles: [vpn-reinstal]\n"  # unknown related article
        "---\n"
        "\n"
        "Check the connection first.<br>Then the client.\n",  # raw HTML
        encoding="utf-8",
    )
    assert kb_check(root) == [
        f"{GUIDE}:4:11 unknown-category",
        f"{GUIDE}:7:11 schema",
        f"{GUIDE}:8:12 broken-link",
        f"{GUIDE}:11:28 raw-html",
    ]


def test_a_faulty_tree_node_hides_none_of_the_trees_other_faults(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    tree = root / "guides/vpn-no-connect.yml"
    text = tree.read_text(encoding="utf-8")
    text = text.replace("  restart-client:\n    type: action", "  restart-client:\n    type: acton")  # schema: unknown node type
    text = text.replace("no: escalate", "no: escalte")  # unknown node
    text = text.replace("step: network-l2", "step: network-l3")  # unknown escalation step
    tree.write_text(text + "  orphan:\n    type: resolution\n    text: Nothing leads here.\n", encoding="utf-8")  # unreachable
    assert kb_check(root) == [
        "guides/vpn-no-connect.yml:23:11 schema",
        "guides/vpn-no-connect.yml:31:11 unknown-node",
        "guides/vpn-no-connect.yml:37:11 unknown-escalation-step",
        "guides/vpn-no-connect.yml:39:3 unreachable-node",
    ]  # not: connects and what follows it unreachable (restart-client still leads there), nor escalate


def _broken_values(model: type[GuideMeta] | type[ArticleMeta]) -> dict[str, str]:
    """A schema error for every front-matter field (the field's line replaced)."""
    values = {name: "{not: text}" for name in model.model_fields}
    values.update(reviewed="2026-02-30", status="publishd", audience="everyone", review_every_days="yearly", id="Not A Slug", category="Network VPN")
    values.update(gather="{a: b}", approval="yes", fulfilled_by="Network L2", articles="[Not A Slug]", source="manual", tree="[a]")
    return values


@pytest.mark.parametrize(("rel", "model"), [(GUIDE, GuideMeta), (ARTICLE, ArticleMeta)], ids=["guide", "article"])
def test_a_schema_error_in_any_front_matter_field_is_one_problem(tmp_path: Path, rel: str, model: type[GuideMeta] | type[ArticleMeta]) -> None:
    """Whatever field is wrong, the file still loads for the other checks and nothing else is reported."""
    clean = make_repo(tmp_path / "clean")
    original = (clean / rel).read_text(encoding="utf-8")
    for field, value in _broken_values(model).items():
        root = make_repo(tmp_path / field)
        lines = original.split("\n")
        end = lines.index("---", 1)
        kept = [line for line in lines[1:end] if not line.startswith(f"{field}:")]
        (root / rel).write_text("\n".join(["---", *kept, f"{field}: {value}", *lines[end:]]), encoding="utf-8")
        repo = load_repository(root)
        found = [f"{p.path}:{p.line} {p.rule}" for p in run_checks(repo)]
        assert found == [f"{rel}:{len(kept) + 2} schema"], (field, found)
        loaded = repo.guides if rel == GUIDE else repo.articles
        assert any(item.path == rel and field in item.cut for item in loaded), f"{field}: the file was not loaded for the other checks"
