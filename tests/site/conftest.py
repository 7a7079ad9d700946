"""Fixtures for the site tests: built sites, a local HTTP server, headless chromium.

The shipped site is built once per session into a temporary directory. Small content trees
are copied from ``tests/site/fixtures/`` (with the shipped mkdocs.yml) and changed per test.
Browser pages fail their test on any request to a host other than the local server and on any
script error.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from search.docsite.build import build_site
from support import ROOT
from support.a11y import AXE, AXE_VERSION
from support.site import RECORDERS, OffOriginGuard, serve_built


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content built once, strictly, like `kb build` does."""
    return build_site(ROOT, tmp_path_factory.mktemp("shipped") / "site", strict=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
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
def shipped_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A copy of the shipped content, built and served by a real ``kb serve`` (so the CSP applies);
    ``(root, base URL)``. Session-wide: the CSP test files share it on each worker."""
    tmp = tmp_path_factory.mktemp("shipped-csp")
    root = tmp / "content"
    root.mkdir()
    for name in ("kb", "guides"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for base in serve_built(root, tmp):
        yield root, base


@pytest.fixture
def open_page(browser: object) -> Iterator[Callable[..., object]]:
    """``open_page(url, clock_at=None, **context_options) -> page``; fails the test on foreign
    requests or script errors. ``clock_at`` installs Playwright's fake clock before the page loads:
    installing it later (``clock.set_fixed_time`` on a live page) swaps the timer functions under
    timers already running, and Material's RxJS then reports "executing a cancelled action"."""
    guard = OffOriginGuard()
    contexts: list[object] = []

    def open_(url: str, clock_at: object = None, **options: object) -> object:
        context = browser.new_context(**options)  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        if clock_at is not None:
            page.clock.install(time=clock_at)
        origin = re.match(r"^https?://[^/]+/", url).group(0)  # type: ignore[union-attr]
        guard.watch(page, origin)
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()  # type: ignore[attr-defined]
    assert guard.foreign == [], f"requests left the origin: {guard.foreign}"
    assert guard.errors == [], f"script errors: {guard.errors}"


@pytest.fixture
def recording_page(browser: object) -> Iterator[Callable[[str], object]]:
    """``open_page`` with support.site's RECORDERS installed before any page script runs; one
    context, one page at a time."""
    guard = OffOriginGuard()
    context = browser.new_context()  # type: ignore[attr-defined]
    context.add_init_script(RECORDERS)

    opened: list[object] = []

    def open_(url: str) -> object:
        while opened:
            opened.pop().close()  # type: ignore[attr-defined]
        page = context.new_page()
        opened.append(page)
        guard.watch(page, re.match(r"^https?://[^/]+/", url).group(0))  # type: ignore[union-attr]
        page.goto(url)
        return page

    yield open_
    context.close()
    assert guard.foreign == [], f"requests left the origin: {guard.foreign}"
    assert guard.errors == [], f"script errors: {guard.errors}"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script, at the version tests/ensure-axe.sh pins (the accessibility test files)."""
    script = AXE / "axe.min.js"
    if not script.exists() or json.loads((AXE / "package.json").read_text(encoding="utf-8"))["version"] != AXE_VERSION:
        pytest.fail(f"axe-core {AXE_VERSION} is not installed: run bash tests/ensure-axe.sh (make test does)")
    return script
