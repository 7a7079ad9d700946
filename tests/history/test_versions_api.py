"""The API returns each guide's and article's content version (the commit that last changed it),
from an index built over a real git history, by a real `kb serve` process over HTTP; and every
transcript quotes the same version on its "Version:" line, byte-identical in the walk API, in
`kb walk` and in the engine, with git and (a copy without git) as a hash of the guide's files."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import httpx
import pytest

from search.checks import checked
from search.content.models import EscalationNode
from search.content.repository import load_repository
from search.index import build_generation
from search.workflow.transcript import transcript_text
from search.workflow.walk import walk
from support.history import Scenario
from support.servers import start_server
from support.walkpaths import menu_lines, piped_walk, shortest_routes

GUIDE = "vpn-no-connect"


def escalation_answers(root: Path) -> tuple[str, ...]:
    guide = load_repository(root).guide_by_id[GUIDE]
    return next(a for n, a in shortest_routes(guide).items() if isinstance(guide.tree.nodes[n], EscalationNode))


def kb_walk(root: Path, answers: tuple[str, ...], *options: str) -> str:
    """``kb walk`` with piped answers (no gather, no times, no leaf prompts); its stdout."""
    lines = menu_lines(load_repository(root).guide_by_id[GUIDE], answers)
    done = piped_walk(GUIDE, "--no-record", *options, lines=None if options else lines, root=root)
    assert done.returncode == 0, done.stderr
    return done.stdout


def transcript_of(cli: str) -> str:
    return cli.split("--- Transcript for the ticket (internal note) ---\n", 1)[1]


def test_guide_and_article_carry_the_commit_that_last_changed_them(history: Scenario, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = history.repo.path
    index = tmp_path_factory.mktemp("index") / ".kb-index"
    build_generation(checked(load_repository(root)), index)
    answers = escalation_answers(root)
    live = start_server(root, tmp_path_factory.mktemp("logs") / "versions.log", KB_RATE_LIMIT_PER_MINUTE="0", KB_INDEX_DIR=str(index))
    try:
        with httpx.Client(base_url=live.url, timeout=10) as http:
            guide = http.get(f"/api/guides/{GUIDE}").json()["content_version"]
            article = http.get("/api/articles/vpn-reinstall").json()["content_version"]
            untouched = http.get("/api/guides/password-reset").json()["content_version"]
            listed = http.get("/api/diagnose", params={"category": "network/vpn"}).json()
            walked = http.post(f"/api/guides/{GUIDE}/walk", json={"answers": list(answers), "priority": "P2"}).json()
    finally:
        live.stop()
    assert {k: guide[k] for k in ("commit", "date", "modified")} == {"commit": history.delete, "date": "2026-04-20T09:00:00+00:00", "modified": False}
    assert article["commit"] == history.rename  # renamed: the rename is its last change
    assert untouched["commit"] == history.delete  # its related-articles list changed in Dave's commit
    assert len(guide["digest"]) == 64
    assert listed["guides"][0]["content_version"]["commit"] == history.delete

    label = f"commit {history.delete[:10]} of 2026-04-20"
    text = walked["transcript"]
    assert text.splitlines()[1] == f"Version: {label}" and walked["transcript_data"]["guide"]["content_version"] == label
    assert transcript_of(kb_walk(root, answers)) == text
    assert transcript_text(walk(load_repository(root).guide_by_id[GUIDE], answers), load_repository(root), "P2") == text


def test_without_git_every_transcript_quotes_the_same_content_hash(history: Scenario, tmp_path: Path) -> None:
    root = tmp_path / "unpacked"
    for folder in ("guides", "kb"):
        shutil.copytree(history.repo.path / folder, root / folder)
    build_generation(checked(load_repository(root)), root / ".kb-index")
    answers = escalation_answers(root)
    digest = hashlib.sha256((root / f"guides/{GUIDE}.md").read_bytes() + (root / f"guides/{GUIDE}.yml").read_bytes()).hexdigest()
    api = json.loads(kb_walk(root, answers, "--format", "json", *(f"--answer={a}" for a in answers)))  # the API's answer, from the index
    assert api["transcript"].splitlines()[1] == f"Version: content {digest[:12]}"
    assert transcript_of(kb_walk(root, answers)) == api["transcript"]
