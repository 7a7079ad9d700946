from __future__ import annotations

from pathlib import Path

import pytest

from search.checks import checked
from search.content.repository import Repository, load_repository
from search.index import Generation, build_generation, open_current
from support.sample import write_sample


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    return write_sample(tmp_path / "content")


@pytest.fixture()
def repo(content: Path) -> Repository:
    return load_repository(content)


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> Generation:
    root = write_sample(tmp_path_factory.mktemp("content"))
    index_dir = root / ".kb-index"
    build_generation(checked(load_repository(root)), index_dir)
    gen = open_current(index_dir)
    yield gen
    gen.close()


@pytest.fixture(scope="session")
def two_generations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content root whose index holds gen 1 and gen 2 (current); each test copies it, none
    changes it. Session-wide: the integrity tests of several files share it on each worker."""
    root = write_sample(tmp_path_factory.mktemp("pristine"))
    repo = load_repository(root)
    build_generation(checked(repo), root / ".kb-index")
    build_generation(checked(repo), root / ".kb-index")
    return root
