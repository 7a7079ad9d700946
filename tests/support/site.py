"""Site test helpers: fixture content trees, headless chromium settings, page helpers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from search.content.repository import Checked, load_repository
from search.docsite.build import build_site
from search.index import build_generation

from . import ROOT
from .servers import free_port

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


# Installed before any page script runs (``recording_page`` in tests/site/conftest.py): records
# what a payload would call and every Content-Security-Policy violation of the page.
RECORDERS = """
window.__pwned = []; window.__pwn = n => window.__pwned.push(n);
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


def kb_serve(root: Path, log: Path) -> Iterator[str]:
    """A real ``kb serve`` process on ``root`` (site and index built); yields its base URL."""
    port = free_port()
    kb = Path(sys.executable).with_name("kb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    with open(log, "wb") as out:
        process = subprocess.Popen([str(kb), "serve", "--root", str(root), "--port", str(port)], cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(base + "api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(15)


def serve_built(root: Path, tmp: Path) -> Iterator[str]:
    """Build ``root``'s site and index, then ``kb serve`` it (see kb_serve)."""
    build_site(root, root / "site", strict=False)
    # built with the checks off on purpose: the renderer and the CSP are under test, not the linter
    build_generation(Checked.unverified(load_repository(root)), root / ".kb-index")
    yield from kb_serve(root, tmp / "server.log")


def built_pages(site: Path) -> list[str]:
    """Every page of a built site, as paths relative to its base URL ("" for the home page)."""
    return sorted(p.parent.relative_to(site).as_posix() + "/" if p.parent != site else "" for p in site.rglob("index.html"))


def assert_no_csp_violation(recording_page: Callable[[str], object], base: str, paths: list[str]) -> None:
    """Each of ``paths`` under ``base`` opened in one page of ``recording_page``: no CSP violation."""
    page = recording_page(base)
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
    for path in paths:
        page.goto(base + path)  # type: ignore[attr-defined]
        page.wait_for_timeout(30)  # type: ignore[attr-defined]
        assert page.evaluate("window.__csp") == [], path  # type: ignore[attr-defined]


VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


def assert_the_first_answer_is_on_the_first_screen(shipped_url: str, open_page: Callable[..., object], viewport: str) -> None:
    """On every shipped guide page at ``viewport`` (a key of VIEWPORTS), the first answer is on the
    first screen, below Material's header, and the page has not scrolled."""
    width, height = VIEWPORTS[viewport]
    guides = sorted(load_repository(ROOT).guide_by_id)
    page = open_page(shipped_url, viewport={"width": width, "height": height})
    header = page.locator(".md-header").bounding_box()  # type: ignore[attr-defined]
    assert header is not None
    late = {}
    for guide_id in guides:
        page.goto(f"{shipped_url}guides/{guide_id}/")  # type: ignore[attr-defined]
        box = page.locator('[data-kbg="choices"] .kbg-choice').first.bounding_box()  # type: ignore[attr-defined]
        assert box is not None, guide_id
        assert page.evaluate("window.scrollY") == 0  # type: ignore[attr-defined]
        if not (box["y"] >= header["y"] + header["height"] and box["y"] + box["height"] <= height):
            late[guide_id] = box
    assert late == {}, f"first answer not on the first {width}x{height} screen: {late}"
