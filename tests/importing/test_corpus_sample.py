"""A sample of the real shared corpus through `kb import markdown`: the result passes `kb check`,
indexes, and a second import changes nothing. The corpus is read from ../shared (CI has it beside
the clone); its licence notes forbid committing anything derived from it, so a plain clone
without ../shared skips this test with that reason. The committed fixtures in
tests/fixtures/import cover the same traits (front matter of its own, HTML, outside links)."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from search.content.repository import Checked, load_repository
from search.importers.corpus import OWNER, category_map
from search.index import build_generation, open_current
from support import KB, ROOT
from support.sample import write_sample

CORPUS = ROOT.parent / "shared" / "corpus" / "microsoft-support-articles.tar.gz"
SAMPLE = 30
pytestmark = pytest.mark.skipif(not CORPUS.is_file(), reason=f"the shared corpus is not at {CORPUS} (a plain clone without ../shared)")


def unpack_sample(dest: Path) -> list[dict[str, str]]:
    """The first SAMPLE articles of the manifest (a fixed shuffle: a stable sample) into ``dest``."""
    with tarfile.open(CORPUS) as tar:
        manifest = tar.extractfile("microsoft-support-articles/manifest.jsonl")
        assert manifest is not None
        rows = [json.loads(line) for line in manifest.read().decode().splitlines()[:SAMPLE]]
        wanted = {f"microsoft-support-articles/{row['path']}" for row in rows}
        tar.extractall(dest, members=[m for m in tar.getmembers() if m.name in wanted], filter="data")
    return rows


def test_corpus_sample_imports_checks_indexes_and_reimports_unchanged(tmp_path: Path) -> None:
    rows = unpack_sample(tmp_path)
    source = tmp_path / "microsoft-support-articles"
    mapping = tmp_path / "categories.yml"
    mapping.write_text(category_map(rows), "utf-8")
    root = write_sample(tmp_path / "repo")
    args = [str(KB), "import", "markdown", str(source), "--root", str(root), "--category-map", str(mapping), "--owner", OWNER, "--format", "json"]
    args += ["--base-url", "https://learn.microsoft.com"]
    first = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["counts"]["created"] == SAMPLE and not [p for p in report["problems"] if p["rule"] == "unmapped-category"]
    check = subprocess.run([str(KB), "check", "--root", str(root), "--format", "json"], capture_output=True, text=True, timeout=300)
    assert [p for p in json.loads(check.stdout) if p["severity"] == "error"] == []
    repo = load_repository(root)
    imported = {a.meta.title: a for a in repo.articles if a.meta.source is not None}
    assert len(imported) == SAMPLE
    build_generation(Checked.unverified(repo), tmp_path / "ix")
    generation = open_current(tmp_path / "ix")
    try:
        title = rows[0]["title"]
        assert any(hit.title.startswith(title[:20]) for hit in generation.search(title.replace('"', " "), limit=20).hits)
    finally:
        generation.close()
    again = json.loads(subprocess.run(args, capture_output=True, text=True, timeout=300).stdout)
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": SAMPLE, "failed": 0}
