"""Site test helpers: fixture content trees, headless chromium settings, page helpers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from . import ROOT

FIXTURES = ROOT / "tests" / "site" / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def make_content(dest: Path, fixture: str = "basic", *, check: bool = True) -> Path:
    """Copy a fixture content tree and the shipped mkdocs.yml to ``dest``; return ``dest``."""
    shutil.copytree(FIXTURES / fixture, dest)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if not check:
        config, count = re.subn(r"(?m)^(\s+)check: true$", r"\1check: false", config)
        assert count == 1, "mkdocs.yml must set the kb-guides option `check: true` on its own line"
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest


class OffOriginGuard:
    """Records requests to other hosts and script errors of every page opened through it."""

    def __init__(self) -> None:
        self.foreign: list[str] = []
        self.errors: list[str] = []

    def watch(self, page: object, origin: str) -> None:
        def on_request(request: object) -> None:
            url = request.url  # type: ignore[attr-defined]
            if not (url.startswith(origin) or url.startswith(("data:", "blob:", "about:"))):
                self.foreign.append(url)

        page.on("request", on_request)  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: self.errors.append(str(error)))  # type: ignore[attr-defined]


def route_to(guide: object, node_type: str) -> list[str] | None:
    """Shortest list of choices from the start to a node of ``node_type`` (walk engine semantics)."""
    tree = guide.tree  # type: ignore[attr-defined]
    queue: list[tuple[str, list[str]]] = [(tree.start_id, [])]
    seen = {tree.start_id}
    while queue:
        node_id, answers = queue.pop(0)
        node = tree.nodes[node_id]
        if node.type == node_type:
            return answers
        for choice, target in node.out_edges():
            if target in tree.nodes and target not in seen:
                seen.add(target)
                queue.append((target, [*answers, choice]))
    return None


def search(page: object, term: str, timeout_s: float = 15) -> object:
    """Type ``term`` into Material's search and return the result links locator.

    The search worker builds its index after the page loads and drops queries typed before it
    is ready, so the query is retyped until results show.
    """
    import time

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(".md-search__input").first  # type: ignore[attr-defined]
    box.click()
    results = page.locator(".md-search-result__item a")  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout_s
    while True:
        box.fill("")
        box.type(term, delay=20)
        try:
            results.first.wait_for(timeout=500)
            return results
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
