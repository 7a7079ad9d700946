"""Triage to a guide and one search, in headless chromium against real `kb serve`-style server
processes (the built site at / and the API under /api on one origin), and from plain files.

- Triage lists guides with their category and one confidence, hides noise, and a guide's link
  carries the priority into the walk.
- The site's search box answers with the API's ranking, typo tolerance and synonyms when the
  API answers; from file:// (and with an API key required) Material's static index answers.
- A hit on a step opens the guide with the walk at that step.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from search.render.triage_page import NOISE_FLOOR
from support import ROOT
from support.servers import LiveServer, start_server
from support.site import OffOriginGuard, search

pytestmark = pytest.mark.browser

SUBJECT = "Cannot conect to the VPN from the hotel"
IMPACT, URGENCY = "significant", "high"
HELP_QUERY = "lockout history sign-in log"  # only a help: text of account-locked-out says this


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("one-search") / "index"
    build_generation(checked(load_repository(ROOT)), path)
    return path


@pytest.fixture(scope="module")
def served(index: Path, shipped_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(
        ROOT, tmp_path_factory.mktemp("logs") / "open.log", KB_INDEX_DIR=str(index), KB_SITE_DIR=str(shipped_site), KB_REQUIRE_API_KEY="never"
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def keyed(index: Path, shipped_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(
        ROOT,
        tmp_path_factory.mktemp("logs") / "keyed.log",
        KB_INDEX_DIR=str(index),
        KB_SITE_DIR=str(shipped_site),
        KB_REQUIRE_API_KEY="always",
        KB_API_KEYS_FILE=str(tmp_path_factory.mktemp("keys") / "keys.sqlite3"),
    )
    yield server
    server.stop()


def _api_calls(page: object, path: str) -> list[str]:
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if f"/api/{path}" in r.url else None)  # type: ignore[attr-defined]
    return calls


def _walk_state(page: object) -> dict:
    page.wait_for_function("() => window.kbGuides && window.kbGuides.walks.length > 0")  # type: ignore[attr-defined]
    return page.evaluate("window.kbGuides.state()")  # type: ignore[attr-defined,no-any-return]


def _submit(page: object) -> None:
    page.get_by_role("button", name="Suggest guides").click()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const b = document.querySelector('[data-kbg=suggestions]'); return b.hasAttribute('data-state') && !b.hasAttribute('aria-busy'); }"
    )


def test_triage_lists_guides_with_confidence_and_carries_the_priority_into_the_walk(served: LiveServer, open_page) -> None:
    base = served.url + "/"
    page = open_page(base + "triage/")
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Impact").select_option(IMPACT)
    page.get_by_label("Urgency").select_option(URGENCY)
    pid = page.locator('[data-kbg="priority"]').get_attribute("data-priority")
    assert pid
    _submit(page)

    api = httpx.post(base + "api/triage", json={"subject": SUBJECT, "limit": 3}).json()
    assert api["confident"] and api["guides"]
    box = page.locator('[data-kbg="suggestions"]')
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-kbg=suggestions] li[data-guide]')).map(li => ({
            id: li.getAttribute('data-guide'), title: li.querySelector('.kbg-triage-title').textContent,
            href: li.querySelector('.kbg-triage-title').href, category: li.querySelector('.kbg-triage-category').textContent }))"""
    )
    expected = [g for g in api["guides"] if g["score"] >= NOISE_FLOOR]
    assert [s["id"] for s in shown] == [g["id"] for g in expected]  # ranked as the API ranks them, noise left out
    titles = {c.id: c.title for c in load_repository(ROOT).taxonomy.categories}
    assert [(s["title"], s["category"]) for s in shown] == [(g["title"], titles[g["category"]]) for g in expected]
    assert all(s["href"] == urljoin(base, g["url"].lstrip("/")) + f"?priority={pid}" for s, g in zip(shown, expected, strict=True))
    noise = [c["category"] for c in api["categories"] if c["score"] < NOISE_FLOOR]
    assert noise, "the ticket should have a low-scoring candidate to hide"
    assert all(box.locator(f'li[data-category="{c}"]').count() == 0 for c in noise)
    said = box.inner_text()
    assert f"Confidence {round(api['confidence'] * 100)}%" in said and "score" not in said
    assert "conect → connect" in said  # a corrected typo, said in words
    assert page.locator('[data-kbg="status"]').inner_text() == f"{len(shown)} guide{'s' if len(shown) > 1 else ''} suggested."

    page.get_by_label("Urgency").select_option("low")  # the links follow the priority
    other = page.locator('[data-kbg="priority"]').get_attribute("data-priority")
    assert other != pid and page.locator(".kbg-triage-title").first.get_attribute("href").endswith(f"?priority={other}")
    page.get_by_label("Urgency").select_option(URGENCY)

    page.locator("li[data-guide] .kbg-triage-title").first.click()
    page.wait_for_url(re.compile(re.escape(urljoin(base, expected[0]["url"].lstrip("/"))) + "$"))  # the parameter is taken, then dropped
    state = _walk_state(page)
    assert state["guide"] == expected[0]["id"] and state["priority"] == pid and state["path"] == []
    assert page.locator('.kbg-walk [data-kbg="priority"]').input_value() == pid
    assert f"Priority: {pid} " in state["transcript"]
    page.reload()  # the walk keeps it (sessionStorage), without the link
    assert _walk_state(page)["priority"] == pid


def test_triage_says_no_confident_match_plainly(served: LiveServer, open_page) -> None:
    page = open_page(served.url + "/triage/")
    page.get_by_label("Subject").fill("the weather is nice today")
    _submit(page)
    box = page.locator('[data-kbg="suggestions"]')
    assert box.locator("[data-confident=false]").inner_text() == "No confident match. Nothing matches well enough to suggest."
    assert box.locator("li").count() == 0  # every candidate is under the noise floor
    assert page.locator('[data-kbg="status"]').inner_text() == "No confident match."
    assert box.get_by_role("link", name="Categories").count() == 1


def test_site_box_has_the_api_typos_synonyms_and_ranking(served: LiveServer, open_page) -> None:
    base = served.url + "/"
    page = open_page(base)
    calls = _api_calls(page, "search")
    for query in ("vpm", "anyconnect"):
        api = httpx.get(base + "api/search", params={"q": query, "limit": 20}).json()
        assert api["hits"] and api["hits"][0]["type"] == "guide" and "vpn" in api["hits"][0]["id"], api
        results = search(page, query)
        page.wait_for_function(
            "first => document.querySelector('.md-search-result__item a') && document.querySelector('.md-search-result__item a').href.indexOf(first) !== -1",
            arg=api["hits"][0]["url"],
        )
        hrefs = [h.split("?")[0] for h in results.evaluate_all("links => links.map(a => a.href)") if "#" not in h]
        assert hrefs == [urljoin(base, h["url"].lstrip("/")) for h in api["hits"]][:10]  # the API's ranking (Material shows 10, more on scroll)
    assert any("q=vpm" in c for c in calls) and any("q=anyconnect" in c for c in calls)
    assert page.locator(".kbg-search-note").count() == 0


def test_step_hit_opens_the_walk_at_that_step(served: LiveServer, open_page) -> None:
    base = served.url + "/"
    api = httpx.get(base + "api/search", params={"q": HELP_QUERY}).json()
    step = api["hits"][0]["step"]
    assert api["hits"][0]["id"] == "account-locked-out" and step and step["number"] > 1  # found by its help: text
    page = open_page(base)
    search(page, HELP_QUERY)
    link = page.locator(f'.md-search-result__item a[href*="#node-{step["node"]}"]').first
    link.wait_for()
    assert f"Step {step['number']}:" in link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/guides/account-locked-out/\?.*walk="))
    state = _walk_state(page)
    assert state["current"] == step["node"] and len(state["path"]) >= 1
    assert page.locator('[data-kbg="current"]').get_attribute("data-node") == step["node"]
    assert "Opened at step" in state["notice"]


def test_from_files_the_static_index_answers_and_a_step_hit_opens_the_walk(shipped_site: Path, browser: object) -> None:
    guard = OffOriginGuard()
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        guard.watch(page, "file://")
        page.goto((shipped_site / "index.html").as_uri())
        results = search(page, "lockout history")
        hrefs = results.evaluate_all("links => links.map(a => a.href)")
        assert all(h.startswith("file://") for h in hrefs)
        item = page.locator(".md-search-result__item").filter(has=page.locator('a[href*="/guides/account-locked-out/"]')).first
        if item.locator("details").count():
            item.locator("details summary").click()  # Material folds a page's lesser sections
        step_link = item.locator('a[href*="#node-"]').first
        node = step_link.get_attribute("href").split("#node-")[1]
        step_link.click()
        page.wait_for_function("() => window.kbGuides && window.kbGuides.walks.length > 0")
        state = page.evaluate("window.kbGuides.state()")
        assert state["guide"] == "account-locked-out" and state["current"] == node
    finally:
        context.close()
    assert guard.foreign == [] and guard.errors == []


def test_with_a_key_required_search_falls_back_and_triage_says_why(keyed: LiveServer, open_page) -> None:
    base = keyed.url + "/"
    assert httpx.get(base + "api/search", params={"q": "vpn"}).status_code == 401
    page = open_page(base)
    results = search(page, "vpn")
    assert results.count() > 0  # Material's static index answered
    note = page.locator(".kbg-search-note")
    note.wait_for()
    assert "requires an API key" in note.inner_text()
    page.goto(base + "triage/")
    page.get_by_label("Subject").fill(SUBJECT)
    _submit(page)
    assert "requires an API key" in page.locator('[data-kbg="suggestions"]').inner_text()
