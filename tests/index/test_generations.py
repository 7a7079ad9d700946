"""Index generations: build, validate, atomic switch, keep the previous, clean leftovers."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from search.checks import checked
from search.content.problems import ContentError
from search.content.repository import Repository, load_repository
from search.index import BuildError, IndexUnavailable, build_generation, open_current, read_current
from search.index.lifecycle import build as build_mod


def _gens(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-"))


def test_first_build_creates_generation_and_pointer(repo: Repository, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    result = build_generation(checked(repo), index_dir)
    assert (result.generation, result.name, result.previous) == (1, "gen-000001", None)
    assert (result.guides, result.articles) == (3, 4)
    assert read_current(index_dir) == "gen-000001"
    assert (index_dir / "CURRENT").read_text() == "gen-000001\n"
    gen = open_current(index_dir)
    try:
        assert gen.counts == {"guides": 3, "articles": 4, "total": 7}
        assert gen.content_version == repo.content_version
    finally:
        gen.close()


def test_previous_generation_kept_older_ones_deleted(repo: Repository, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    for expected in range(1, 5):
        result = build_generation(checked(repo), index_dir)
        assert result.generation == expected
    assert read_current(index_dir) == "gen-000004"
    assert _gens(index_dir) == ["gen-000003", "gen-000004"]


def test_switch_happens_only_after_validation(repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = tmp_path / "ix"
    build_generation(checked(repo), index_dir)
    seen: list[str | None] = []
    real = build_mod.validate_generation

    def spy(path: Path, name: str, expected: dict) -> None:
        seen.append(read_current(index_dir))  # still the old one while the new is validated
        assert path.name.startswith("tmp-gen-000002")
        real(path, name, expected)

    monkeypatch.setattr(build_mod, "validate_generation", spy)
    build_generation(checked(repo), index_dir)
    assert seen == ["gen-000001"]
    assert read_current(index_dir) == "gen-000002"


def test_failed_build_leaves_current_untouched(repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = tmp_path / "ix"
    build_generation(checked(repo), index_dir)
    gen = open_current(index_dir)
    before = sorted(os.listdir(index_dir))

    def explode(path: Path, docs: list) -> int:
        path.mkdir(parents=True)
        (path / "postings.bin").write_bytes(b"\0" * 100)
        raise OSError("disk full (simulated) in the middle of a segment write")

    monkeypatch.setattr(build_mod, "write_segment", explode)
    with pytest.raises(BuildError, match="disk full"):
        build_generation(checked(repo), index_dir, incremental=False)
    assert read_current(index_dir) == "gen-000001"
    assert sorted(os.listdir(index_dir)) == before  # no tmp dir, no new generation
    assert gen.search("vpn").total > 0  # what was served still answers
    gen.close()
    monkeypatch.undo()
    assert build_generation(checked(repo), index_dir).generation == 2


def test_failed_validation_leaves_current_untouched(repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = tmp_path / "ix"
    build_generation(checked(repo), index_dir)

    def reject(path: Path, name: str, expected: dict) -> None:
        raise BuildError("smoke query failed (simulated)")

    monkeypatch.setattr(build_mod, "validate_generation", reject)
    with pytest.raises(BuildError):
        build_generation(checked(repo), index_dir)
    assert read_current(index_dir) == "gen-000001"
    assert _gens(index_dir) == ["gen-000001"]
    assert not [p for p in index_dir.iterdir() if p.name.startswith("tmp-")]


def test_interrupted_build_leftovers_are_cleaned(repo: Repository, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build_generation(checked(repo), index_dir)
    build_generation(checked(repo), index_dir)
    # what a kill -9 leaves behind: a half-written tmp dir, a pointer temp file, a renamed but
    # never switched generation, and an old generation
    (index_dir / "tmp-gen-000003-99999").mkdir()
    (index_dir / "tmp-gen-000003-99999" / "MAIN_x.seg").write_bytes(b"partial")
    (index_dir / "CURRENT.tmp-99999").write_text("gen-000003\n")
    (index_dir / "gen-000003").mkdir()
    (index_dir / "gen-000000").mkdir()
    result = build_generation(checked(repo), index_dir)
    assert result.generation == 4  # numbers never go back, even past a discarded generation
    assert sorted(os.listdir(index_dir)) == [".lock", "CURRENT", "gen-000002", "gen-000004"]


def test_missing_pointer_keeps_numbering_monotonic(repo: Repository, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build_generation(checked(repo), index_dir)
    build_generation(checked(repo), index_dir)
    (index_dir / "CURRENT").unlink()
    with pytest.raises(IndexUnavailable):
        open_current(index_dir)
    assert build_generation(checked(repo), index_dir).generation == 3


def test_content_with_errors_is_not_indexed(content: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build_generation(checked(load_repository(content)), index_dir)
    (content / "guides" / "vpn-no-connect.yml").write_text("nodes:\n  a:\n    type: question\n    text: Q?\n    answers:\n      yes: nowhere\n", "utf-8")
    with pytest.raises(ContentError) as caught:
        build_generation(checked(load_repository(content)), index_dir)
    assert any(p.rule == "unknown-node" for p in caught.value.problems)
    assert read_current(index_dir) == "gen-000001"
    assert _gens(index_dir) == ["gen-000001"]


def test_concurrent_builds_get_distinct_generations(repo: Repository, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(build_generation(checked(repo), index_dir).generation)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [1, 2, 3]
    assert read_current(index_dir) == "gen-000003"


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match="kb index"):
        open_current(tmp_path / "nothing")


def test_pointer_to_missing_generation_is_a_clear_error(repo: Repository, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build_generation(checked(repo), index_dir)
    (index_dir / "CURRENT").write_text("gen-000042\n")
    with pytest.raises(IndexUnavailable, match="gen-000042"):
        open_current(index_dir)


def test_generation_files(repo: Repository, tmp_path: Path) -> None:
    result = build_generation(checked(repo), tmp_path / "ix")
    names = sorted(p.name for p in result.path.iterdir())
    assert names == [
        "catalog",
        "catalog.json",
        "content",
        "docs.json",
        "manifest.json",
        "segments",
        "synonyms.json",
        "triage.json",
        "vocabulary.json",
        "words.json",
    ]
    snapshot = sorted(p.relative_to(result.path / "content").as_posix() for p in (result.path / "content").rglob("*") if p.is_file())
    assert snapshot == sorted([*repo.config_docs, *(p for g in repo.guides for p in (g.path, g.tree_path))])


def test_service_start_removes_leftovers_of_interrupted_builds(repo: Repository, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from search.api import Settings, create_app

    index_dir = tmp_path / "ix"
    served = build_generation(checked(repo), index_dir)
    (index_dir / "tmp-gen-000002-99999").mkdir()  # a build killed before it renamed its directory
    (index_dir / "tmp-gen-000002-99999" / "docs.json").write_text("{")
    (index_dir / "CURRENT.tmp-99999").write_text("gen-000002\n")  # killed before os.replace
    with TestClient(create_app(Settings(root=tmp_path, index_dir=index_dir, site_dir=tmp_path / "none"))) as client:
        assert client.get("/api/health").json()["generation_name"] == served.name
    assert sorted(p.name for p in index_dir.iterdir() if not p.name.startswith(".")) == ["CURRENT", served.name]


def test_service_start_leaves_a_running_build_alone(repo: Repository, tmp_path: Path) -> None:
    import fcntl

    from search.index import clean_leftovers

    index_dir = tmp_path / "ix"
    build_generation(checked(repo), index_dir)
    (index_dir / "tmp-gen-000002-4242").mkdir()
    with open(index_dir / ".lock", "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a running `kb index` does
        assert clean_leftovers(index_dir) == []
    assert (index_dir / "tmp-gen-000002-4242").is_dir()
    assert clean_leftovers(index_dir) == ["tmp-gen-000002-4242"]
