from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support import ROOT
from support.servers import start_server


@pytest.fixture(scope="module")
def live_shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over real HTTP, as `kb serve` runs it, on a copy of the shipped content."""
    root = tmp_path_factory.mktemp("shipped")
    for folder in ("guides", "kb"):
        shutil.copytree(ROOT / folder, root / folder)
    build_generation(checked(load_repository(root)), root / ".kb-index")
    server = start_server(root, tmp_path_factory.mktemp("logs") / "server.log")
    yield server.url
    server.stop()
