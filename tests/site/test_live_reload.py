"""`mkdocs serve` (the authors' live preview) rebuilds when a guide, its tree or an article changes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.servers import free_port
from support.site import make_content


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = make_content(tmp_path / "content")
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=root, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _until(lambda: httpx.get(url, timeout=1).status_code == 200, tmp_path / "serve.log")
        yield root, url
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def _until(condition, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"condition not met in {timeout} s:\n{log.read_text(errors='replace')}")


def test_preview_rebuilds_when_a_guide_its_tree_or_an_article_changes(preview: tuple[Path, str], tmp_path: Path) -> None:
    root, url = preview
    log = tmp_path / "serve.log"
    guide_md = next(p for p in sorted((root / "guides").glob("*.md")))
    guide_id = guide_md.stem
    page = f"{url}guides/{guide_id}/"
    assert httpx.get(page).status_code == 200

    guide_md.write_text(guide_md.read_text().replace("title: ", "title: Renamed ", 1))
    _until(lambda: "Renamed " in httpx.get(page, timeout=2).text, log)

    tree = root / "guides" / f"{guide_id}.yml"
    source = tree.read_text()
    first_text = next(line for line in source.splitlines() if line.strip().startswith("text: "))
    tree.write_text(source.replace(first_text, first_text.replace("text: ", "text: Live-edited ", 1), 1))
    _until(lambda: "Live-edited " in httpx.get(page, timeout=2).text, log)

    article = next(p for p in sorted((root / "kb" / "articles").glob("*.md")))
    article.write_text(article.read_text().replace("## Resolution", "## Resolution\n\nFreshly added sentence.", 1))
    _until(lambda: "Freshly added sentence." in httpx.get(f"{url}articles/{article.stem}/", timeout=2).text, log)
