"""Fixtures for the site tests: built sites, a local HTTP server, headless chromium.

The shipped site is built once per session into a temporary directory. Small content trees
are copied from ``tests/site/fixtures/`` (with the shipped mkdocs.yml) and changed per test.
Browser pages fail their test on any request to a host other than the local server and on any
script error.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from search.docsite.build import build_site

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
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


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content built once, strictly, like `kb build` does."""
    return build_site(ROOT, tmp_path_factory.mktemp("shipped") / "site", strict=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Path], str]]:
    """``serve(site_dir) -> base URL``: a threaded static server on 127.0.0.1 per directory."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(site: Path) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def shipped_url(shipped_site: Path, serve: Callable[[Path], str]) -> str:
    return serve(shipped_site)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run tests/ensure-chromium.sh (as root) or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


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


@pytest.fixture
def open_page(browser: object) -> Iterator[Callable[..., object]]:
    """``open_page(url, **context_options) -> page``; fails the test on foreign requests or script errors."""
    guard = OffOriginGuard()
    contexts: list[object] = []

    def open_(url: str, **options: object) -> object:
        context = browser.new_context(**options)  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        origin = re.match(r"^https?://[^/]+/", url).group(0)  # type: ignore[union-attr]
        guard.watch(page, origin)
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()  # type: ignore[attr-defined]
    assert guard.foreign == [], f"requests left the origin: {guard.foreign}"
    assert guard.errors == [], f"script errors: {guard.errors}"


def route_to(guide: object, node_type: str) -> list[str] | None:
    """Shortest list of choices from the start to a node of ``node_type`` (walk engine semantics)."""
    from search.workflow.walk import choices

    tree = guide.tree  # type: ignore[attr-defined]
    queue: list[tuple[str, list[str]]] = [(tree.start_id, [])]
    seen = {tree.start_id}
    while queue:
        node_id, answers = queue.pop(0)
        node = tree.nodes[node_id]
        if node.type == node_type:
            return answers
        for choice in choices(node):
            target = node.answers[choice] if node.type == "question" else node.next
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
