"""Importing third-party Markdown articles: the result passes kb check and indexes."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from search.checks import run_checks
from search.content.repository import Checked, load_repository
from search.importers.corpus import category_id, import_articles, sanitize_markdown
from search.index import build_generation, open_current
from support.sample import write_sample

SHARED_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "microsoft-support-articles.tar.gz"


def test_sanitize_markdown() -> None:
    body = "\n".join(
        [
            "Use <b>bold</b> and <!-- a comment -->.",
            "See [the other page](../other/page.md) and [docs](/windows/x) and [web](https://example.com).",
            "![diagram](media/x.png) and [bad](javascript:alert(1))",
            "`<code>` stays",
            "```xml",
            "<config/>",
            "```",
        ]
    )
    out = sanitize_markdown(body)
    assert "\\<b>bold\\</b>" in out and "\\<!-- a comment -->" in out
    assert "the other page and" in out
    assert "[docs](https://learn.microsoft.com/windows/x)" in out
    assert "[web](https://example.com)" in out
    assert "diagram and" in out and "javascript:" not in out
    assert "`<code>` stays" in out and "\n<config/>\n" in out


def test_sanitize_markdown_drops_control_characters_in_prose_and_code() -> None:
    out = sanitize_markdown("Caf\x9d wifi\u202e drops\n```\ncode\x1b[0m\n```")
    assert out == "Caf wifi drops\n```\ncode[0m\n```"


def test_category_ids() -> None:
    assert category_id("Windows Server/Networking") == "windows-server/networking"
    assert category_id("a/b/c") == "a/b"
    assert category_id("") == "imported"


def test_import_folder_passes_checks(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "Exchange" / "Online").mkdir(parents=True)
    (src / "Exchange" / "Online" / "mail-stuck.md").write_text(
        "---\ntitle: Mail <stuck> in outbox\nms.date: 03/15/2023\n---\n# Mail stuck\n\nSee [this](../x.md). <div>html</div>\n", "utf-8"
    )
    (src / "Exchange" / "mail-stuck.md").write_text("---\ntitle: Another\n---\nText with a <br> tag.\n", "utf-8")
    dest = tmp_path / "dest"
    report = import_articles(src, dest, base=write_sample(tmp_path / "base"))
    assert report.articles == 2
    assert report.categories == ["exchange", "exchange/online"]
    repo = load_repository(dest)
    errors = [p.format() for p in run_checks(repo) if p.severity.value == "error"]
    assert errors == []
    assert {a.id for a in repo.articles} >= {"mail-stuck", "mail-stuck-2"}
    article = repo.article_by_id["mail-stuck"]
    assert article.meta.title == "Mail ‹stuck› in outbox" and str(article.meta.reviewed) == "2023-03-15"


def test_import_maps_folders_to_the_taxonomy_and_leaves_out_held_out_articles(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for folder in ("Windows/Printing", "Windows/Setup", "Sql"):
        (src / folder).mkdir(parents=True)
    (src / "Windows" / "Printing" / "spooler.md").write_text("---\ntitle: Spooler stops\n---\nThe print spooler stops.\n", "utf-8")
    (src / "Windows" / "Printing" / "held-out.md").write_text("---\ntitle: Held out\n---\nKept for evaluation.\n", "utf-8")
    (src / "Windows" / "Setup" / "setup.md").write_text("---\ntitle: Setup fails\n---\nSetup fails.\n", "utf-8")
    (src / "Sql" / "backup.md").write_text("---\ntitle: Backup fails\n---\nA database backup fails.\n", "utf-8")
    areas = {"Windows/Printing": "printing", "Windows/Setup": "os"}
    report = import_articles(src, tmp_path / "dest", base=write_sample(tmp_path / "base"), category_of=areas.get, exclude={"Windows/Printing/held-out.md"})
    assert report.articles == 3 and report.categories == ["sql"]  # mapped folders add no category
    repo = load_repository(tmp_path / "dest")
    assert {a.id: a.meta.category for a in repo.articles if a.id in {"spooler", "setup", "backup", "held-out"}} == {
        "spooler": "printing",
        "setup": "os",
        "backup": "sql",
    }
    assert [p.format() for p in run_checks(repo) if p.severity.value == "error"] == []


@pytest.mark.skipif(not SHARED_CORPUS.is_file(), reason=f"shared corpus not present at {SHARED_CORPUS} (plain clone without ../shared)")
def test_real_corpus_sample_imports_cleanly_and_indexes(tmp_path: Path) -> None:
    with tarfile.open(SHARED_CORPUS) as tar:
        tar.extractall(tmp_path, filter="data")
    source = tmp_path / "microsoft-support-articles"
    rows = [json.loads(line) for line in (source / "manifest.jsonl").read_text("utf-8").splitlines()[:300]]
    dest = tmp_path / "repo"
    report = import_articles(source, dest, base=write_sample(tmp_path / "base"), limit=300)
    assert report.articles == 300
    repo = load_repository(dest)
    assert [p.format() for p in run_checks(repo) if p.severity.value == "error"] == []
    build_generation(Checked.unverified(repo), tmp_path / "ix")
    gen = open_current(tmp_path / "ix")
    try:
        title = rows[0]["title"]
        assert any(h.title.startswith(title[:20]) for h in gen.search(title.replace('"', " "), limit=20).hits)
    finally:
        gen.close()
