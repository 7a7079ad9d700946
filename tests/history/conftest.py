"""A content repository with a known git history, built once for the folder."""

from __future__ import annotations

import pytest

from support.history import Scenario, build_history


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_history(tmp_path_factory.mktemp("history") / "content")
