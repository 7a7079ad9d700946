"""Incremental and parallel index builds (issue 16): same answers as a full serial build, only
changed documents analysed, a failed build leaves the served generation as it was."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

import search.index.lifecycle.build as build_mod
from search.checks import checked
from search.content.repository import load_repository
from search.index import BuildError, Generation, build_generation, open_current, read_current
from search.index.answers.catalog import article_part
from search.index.engine.segments import SEGMENTS_DIR
from support.sample import write_sample

WORDS = ["printer", "driver", "queue", "spooler", "network", "update", "laptop", "screen", "wireless", "certificate", "token", "mailbox"]
QUERIES = [
    "vpn",
    "password",
    "blue screen",
    '"blue screen"',
    '"print spooler"',
    "reinstall client",
    "windows OR vpn",
    "vpn -client",
    "upd*",
    "prin*",
    "category:accounts password",
    "type:article printer",
    "printer driver queue",
    "phone",
    "passwrd",
    "spooler certificate",
    "tag:printing",
    "mailbox OR token OR wireless",
]


def _article(n: int, extra: str = "") -> str:
    words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(n % 5 + 2))
    return f"""
        ---
        id: printing-{n}
        title: Printing problem {n} {WORDS[n % len(WORDS)]}
        category: os
        tags: [printing, {WORDS[(n * 7) % len(WORDS)]}]
        owner: Desktop Support
        reviewed: 2026-06-01
        ---

        ## Issue

        The {words} stops after the print spooler restarts. {extra}

        ## Resolution

        Clear the queue, reinstall the driver {n} times if needed, and restart the {WORDS[(n * 3) % len(WORDS)]}.
    """


def _content(root: Path, count: int = 14) -> Path:
    return write_sample(root, {f"kb/articles/printing-{n}.md": _article(n) for n in range(count)})


def _answers(gen: Generation) -> list[object]:
    answers: list[object] = []
    for query in QUERIES:
        result = gen.search(query, limit=50)
        hits = [(h.type, h.id, h.title, h.score, h.url, h.category, h.snippet.text, h.snippet.matches, h.title_matches) for h in result.hits]
        answers.append((query, hits, result.total, result.facets, result.suggestion, result.corrected, result.relaxed))
    return answers


def _edit(root: Path) -> None:
    """Two bodies changed, one title changed, one article deleted, one added."""
    for n in (3, 9):
        path = root / f"kb/articles/printing-{n}.md"
        path.write_text(path.read_text("utf-8").replace("Clear the queue", "Clear the blue screen queue of the wireless spooler"), "utf-8")
    path = root / "kb/articles/printing-5.md"
    path.write_text(path.read_text("utf-8").replace("title: Printing problem 5", "title: Mailbox problem 5"), "utf-8")
    (root / "kb/articles/printing-7.md").unlink()
    (root / "kb/articles/printing-new.md").write_text(
        textwrap.dedent(_article(40, "A new certificate token text.")).lstrip().replace("printing-40", "printing-new"), "utf-8"
    )


def _segment_inodes(path: Path) -> dict[str, int]:
    return {p.relative_to(path).as_posix(): p.stat().st_ino for p in (path / SEGMENTS_DIR).rglob("*") if p.is_file()}


def test_incremental_build_answers_as_a_full_build_and_analyses_only_changes(tmp_path: Path) -> None:
    root = _content(tmp_path / "content")
    index_dir = tmp_path / "ix"
    first = build_generation(checked(load_repository(root)), index_dir)
    _edit(root)
    repo = load_repository(root)
    second = build_generation(checked(repo), index_dir)
    manifest = json.loads((second.path / "manifest.json").read_text())
    # 4 changed or new documents analysed (3 edited + 1 added); the deleted one is only marked
    assert (manifest["analysed"], manifest["reused"], manifest["documents"]) == (4, 17, 21)
    shared = _segment_inodes(first.path).items() & _segment_inodes(second.path).items()
    # every segment of gen 1 is linked into gen 2, not copied
    assert {name.split("/")[1] for name, _ in shared} == {p.name for p in (first.path / SEGMENTS_DIR).iterdir()}
    full_dir = tmp_path / "full"
    full = build_generation(checked(repo), full_dir, incremental=False)
    assert json.loads((full.path / "manifest.json").read_text())["analysed"] == 21
    incremental, reference = open_current(index_dir), open_current(full_dir)
    try:
        assert sorted(zip(incremental.types, incremental.ids, strict=True)) == sorted(zip(reference.types, reference.ids, strict=True))
        assert "printing-7" not in incremental.ids and "printing-new" in incremental.ids
        assert _answers(incremental) == _answers(reference)
        assert (second.path / "vocabulary.json").read_bytes() == (full.path / "vocabulary.json").read_bytes()
        assert incremental.catalog == reference.catalog
        assert incremental.search("mailbox problem").hits[0].id == "printing-5"
    finally:
        incremental.close()
        reference.close()
    for name in ("catalog.json", "triage.json"):  # the precomputed answers and triage state too, byte for byte
        assert (second.path / name).read_bytes() == (full.path / name).read_bytes(), name
    parts = sorted(p.name for p in (full.path / "catalog").iterdir())
    assert sorted(p.name for p in (second.path / "catalog").iterdir()) == parts and len(parts) > 5
    for part in parts:  # the article entries' parts: linked when none of their articles changed, else rebuilt
        assert (second.path / "catalog" / part).read_bytes() == (full.path / "catalog" / part).read_bytes(), part
    edited = {article_part(f"kb/articles/printing-{n}.md") + ".json" for n in (3, 5, 7, 9, "new")}
    before = {p.name: p.stat().st_ino for p in (first.path / "catalog").iterdir()}
    linked = {p for p in parts if (second.path / "catalog" / p).stat().st_ino == before.get(p)}
    assert linked == set(parts) - edited and linked
    third = build_generation(checked(repo), index_dir)  # nothing changed: nothing analysed
    assert json.loads((third.path / "manifest.json").read_text())["analysed"] == 0


def test_triage_state_is_reused_while_its_inputs_are_unchanged(tmp_path: Path) -> None:
    """A body edit links the previous triage.json (the same file); a title edit rebuilds it; each
    equals what a full build writes."""
    root = _content(tmp_path / "content")
    index_dir = tmp_path / "ix"
    first = build_generation(checked(load_repository(root)), index_dir)
    path = root / "kb/articles/printing-3.md"
    path.write_text(path.read_text("utf-8").replace("Clear the queue", "Clear the whole queue"), "utf-8")
    body_edit = build_generation(checked(load_repository(root)), index_dir)
    assert (body_edit.path / "triage.json").stat().st_ino == (first.path / "triage.json").stat().st_ino
    path.write_text(path.read_text("utf-8").replace("title: Printing problem 3", "title: Scanner problem 3"), "utf-8")
    repo = load_repository(root)
    title_edit = build_generation(checked(repo), index_dir)
    assert (title_edit.path / "triage.json").stat().st_ino != (body_edit.path / "triage.json").stat().st_ino
    assert "scanner" in json.loads((title_edit.path / "triage.json").read_text())["vocab"]
    full = build_generation(checked(repo), tmp_path / "full", incremental=False)
    assert (title_edit.path / "triage.json").read_bytes() == (full.path / "triage.json").read_bytes()
    served = open_current(index_dir)  # the linked and rewritten files pass the manifest's checksums
    served.close()


def test_too_many_deletions_make_a_full_build(tmp_path: Path) -> None:
    root = _content(tmp_path / "content")
    index_dir = tmp_path / "ix"
    build_generation(checked(load_repository(root)), index_dir)
    for n in range(8):
        (root / f"kb/articles/printing-{n}.md").unlink()
    result = build_generation(checked(load_repository(root)), index_dir)
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert (manifest["analysed"], manifest["reused"], manifest["segments"]) == (13, 0, 1)  # no segment full of deleted documents kept


def test_failed_incremental_build_leaves_the_previous_generation_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _content(tmp_path / "content")
    index_dir = tmp_path / "ix"
    first = build_generation(checked(load_repository(root)), index_dir)
    served = open_current(index_dir)
    before = _answers(served)
    files = {p: p.read_bytes() for p in first.path.rglob("*") if p.is_file()}
    _edit(root)

    def explode(path: Path, docs: list[object]) -> int:
        path.mkdir(parents=True)
        (path / "postings.bin").write_bytes(b"\0" * 64)
        raise OSError("disk full (simulated) while writing the changed documents")

    monkeypatch.setattr(build_mod, "write_segment", explode)
    try:
        with pytest.raises(BuildError, match="disk full"):
            build_generation(checked(load_repository(root)), index_dir)
        assert read_current(index_dir) == first.name
        assert sorted(p.name for p in index_dir.iterdir() if not p.name.startswith(".")) == ["CURRENT", first.name]
        assert {p: p.read_bytes() for p in first.path.rglob("*") if p.is_file()} == files  # shared segments untouched
        assert _answers(served) == before
        again = open_current(index_dir)  # and a fresh open (verifying every checksum) serves it too
        assert _answers(again) == before
        again.close()
    finally:
        served.close()
    monkeypatch.undo()
    assert json.loads((build_generation(checked(load_repository(root)), index_dir).path / "manifest.json").read_text())["analysed"] == 4


def test_parallel_build_holds_the_same_documents_as_a_serial_one(tmp_path: Path) -> None:
    repo = load_repository(_content(tmp_path / "content", count=30))
    serial = build_generation(checked(repo), tmp_path / "serial", procs=1)
    parallel = build_generation(checked(repo), tmp_path / "parallel", procs=2)
    assert len(os.listdir(serial.path / SEGMENTS_DIR)) == 1 and len(os.listdir(parallel.path / SEGMENTS_DIR)) == 2
    one, two = open_current(tmp_path / "serial"), open_current(tmp_path / "parallel")
    try:
        assert (one.ids, one.types, one.titles, one.urls, one.rank) == (two.ids, two.types, two.titles, two.urls, two.rank)
        assert [one.text_of(n) for n in range(len(one.ids))] == [two.text_of(n) for n in range(len(two.ids))]
        assert [one.markdown_of(n) for n in range(len(one.ids))] == [two.markdown_of(n) for n in range(len(two.ids))]
        assert _answers(one) == _answers(two)
        assert (serial.path / "vocabulary.json").read_bytes() == (parallel.path / "vocabulary.json").read_bytes()
    finally:
        one.close()
        two.close()
