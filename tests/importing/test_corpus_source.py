"""The shared corpus as an import source (bench and triage evaluation use it): its manifest is the
file list and the category mapping, a caller may map its categories onto the desk's taxonomy and
hold articles out."""

from __future__ import annotations

import json
from pathlib import Path

from search.content.repository import load_repository
from search.importers.corpus import import_corpus
from support.sample import write_sample


def test_manifest_categories_map_to_the_taxonomy_and_held_out_articles_stay_out(tmp_path: Path) -> None:
    src = tmp_path / "src"
    rows = [
        ("Windows/Printing/spooler.md", "windows/printing", "Spooler stops", "The print spooler stops."),
        ("Windows/Printing/held-out.md", "windows/printing", "Held out", "Kept for evaluation."),
        ("Windows/Setup/setup.md", "windows/setup", "Setup fails", "Setup fails."),
        ("Sql/backup.md", "sql", "Backup fails", "A database backup fails."),
    ]
    for path, _, title, body in rows:
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(f"---\ntitle: {title}\n---\n{body}\n", "utf-8")
    (src / "manifest.jsonl").write_text("".join(json.dumps({"path": p, "category": c, "title": t}) + "\n" for p, c, t, _ in rows), "utf-8")
    areas = {"windows/printing": "printing", "windows/setup": "os"}
    report = import_corpus(src, tmp_path / "dest", base=write_sample(tmp_path / "base"), category_of=areas.get, exclude={"Windows/Printing/held-out.md"})
    assert report.count("created") == 3 and report.categories_added == ["sql"]  # mapped categories add none
    repo = load_repository(tmp_path / "dest")
    imported = {a.id: a.meta.category for a in repo.articles if a.meta.source is not None}
    assert imported == {"spooler": "printing", "setup": "os", "backup": "sql"}
