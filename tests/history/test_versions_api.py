"""The API returns each guide's and article's content version (the commit that last changed it),
from an index built over a real git history, by a real `kb serve` process over HTTP."""

from __future__ import annotations

import httpx
import pytest

from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.history import Scenario
from support.servers import start_server


def test_guide_and_article_carry_the_commit_that_last_changed_them(history: Scenario, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = history.repo.path
    index = tmp_path_factory.mktemp("index") / ".kb-index"
    build_generation(checked(load_repository(root)), index)
    live = start_server(root, tmp_path_factory.mktemp("logs") / "versions.log", KB_RATE_LIMIT_PER_MINUTE="0", KB_INDEX_DIR=str(index))
    try:
        with httpx.Client(base_url=live.url, timeout=10) as http:
            guide = http.get("/api/guides/vpn-no-connect").json()["content_version"]
            article = http.get("/api/articles/vpn-reinstall").json()["content_version"]
            untouched = http.get("/api/guides/password-reset").json()["content_version"]
            listed = http.get("/api/diagnose", params={"category": "network/vpn"}).json()
    finally:
        live.stop()
    assert {k: guide[k] for k in ("commit", "date", "modified")} == {"commit": history.delete, "date": "2026-04-20T09:00:00+00:00", "modified": False}
    assert article["commit"] == history.rename  # renamed: the rename is its last change
    assert untouched["commit"] == history.delete  # its related-articles list changed in Dave's commit
    assert len(guide["digest"]) == 64
    assert listed["guides"][0]["content_version"]["commit"] == history.delete
