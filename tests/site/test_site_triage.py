"""The Triage page in headless chromium, served like `kb serve` does: the built site at / and the
API under /api from one server process on one port. Suggestions equal POST /api/triage's (and
`kb triage`'s); the priority comes from the matrix in the page, also on a static-only server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from search.content import sitemap
from search.content.repository import Repository
from search.render.embed import script_json
from search.render.triage_page import DATA_ID, NOISE_FLOOR, triage_data, triage_page
from support import ROOT

pytestmark = pytest.mark.browser

SUBJECT = "Cannot conect to the VPN from the hotel"  # "conect": a typo the triage corrects
DESCRIPTION = "The AnyConect client says login failed since this morning."
IMPACT, URGENCY = "significant", "high"
NEEDS_SERVICE = "Suggestions need the search service (kb serve)"
XSS = "<img src=x onerror=window.__x=1>"


@pytest.fixture(scope="module")
def service(shipped_repo: Repository, shipped_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kb serve`` in-process: uvicorn on a free 127.0.0.1 port serving the shipped site and the API."""
    import uvicorn

    from search.api import Settings, create_app
    from search.checks import checked
    from search.index import build_generation

    index = tmp_path_factory.mktemp("triage") / "index"
    build_generation(checked(shipped_repo), index)
    app = create_app(Settings(root=ROOT, index_dir=index, site_dir=shipped_site))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the search service did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def _fill(page, subject: str = SUBJECT, description: str = DESCRIPTION, impact: str | None = IMPACT, urgency: str | None = URGENCY) -> None:
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Description").fill(description)
    if impact:
        page.get_by_label("Impact").select_option(impact)
    if urgency:
        page.get_by_label("Urgency").select_option(urgency)


def _answered_by(page, answer: object, status: int = 200, content_type: str = "application/json"):
    """The triage page after submitting the form to a server that answers ``answer`` (a hostile or failing API)."""
    page.route("**/api/triage", lambda route: route.fulfill(status=status, content_type=content_type, body=json.dumps(answer)))
    _fill(page)
    _submit_and_wait(page)
    return page


def _submit_and_wait(page) -> str:
    """Submit and wait for the suggestions box to settle; returns its state."""
    page.get_by_role("button", name="Suggest guides").click()
    box = page.locator('[data-kbg="suggestions"]')
    page.wait_for_function(
        "() => { const b = document.querySelector('[data-kbg=suggestions]'); return b.hasAttribute('data-state') && !b.hasAttribute('aria-busy'); }"
    )
    return box.get_attribute("data-state")


def _shown_suggestions(page) -> list[dict]:
    """The categories shown (the guides: test_site_one_search.py)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-kbg=suggestions] li[data-category]')).map(li => ({
            category: li.getAttribute('data-category'),
            title: li.querySelector('.kbg-triage-category').textContent,
            matched: Array.from(li.querySelectorAll('.kbg-triage-term')).map(c => c.textContent),
            href: li.querySelector('a.kbg-triage-category') ? li.querySelector('a.kbg-triage-category').href : null,
        }))"""
    )


def _shown_priority(page) -> dict:
    box = page.locator('[data-kbg="priority"]')
    facts = box.locator("dd[data-fact]")
    return {
        "id": box.get_attribute("data-priority"),
        "badge": box.locator(".kbg-prio").inner_text() if box.locator(".kbg-prio").count() else None,
        **{facts.nth(i).get_attribute("data-fact"): facts.nth(i).inner_text() for i in range(facts.count())},
    }


def _expected_priority(repo: Repository, impact: str, urgency: str) -> dict:
    pid = repo.priorities.matrix[impact][urgency]
    level = repo.priorities.levels[pid]
    return {
        "id": pid,
        "badge": pid,
        "zendesk": level.zendesk,
        "first-response": level.first_response,
        "resolution": level.resolution,
        "description": level.description,
    }


# -- the page source --------------------------------------------------------------------------


def test_page_embeds_the_matrix_safely_and_labels_every_input(shipped_repo: Repository) -> None:
    source = triage_page(shipped_repo)
    data = triage_data(shipped_repo)
    assert f'<script type="application/json" id="{DATA_ID}">{script_json(data)}</script>' in source
    assert data["matrix"] == {i: dict(row) for i, row in shipped_repo.priorities.matrix.items()}
    assert data["api"] == "../api/triage" and triage_data(shipped_repo, directory_urls=False)["api"] == "api/triage"
    assert data["categories"]["network/vpn"] == "../categories/network/vpn/"
    for name in ("subject", "description", "impact", "urgency"):
        assert f'<label for="kbg-triage-{name}">' in source and f'id="kbg-triage-{name}"' in source
    for level, description in [*shipped_repo.priorities.impact.items(), *shipped_repo.priorities.urgency.items()]:
        assert f'<option value="{level}">{level}: ' in source and description.split()[0] in source
    assert sitemap.TRIAGE_PAGE in sitemap.GENERATED_PAGES


def test_nav_lists_triage_after_categories(shipped_site: Path) -> None:
    import yaml

    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    titles = [next(iter(item)) for item in nav]
    assert titles[titles.index("Categories") + 1] == "Triage"
    assert (shipped_site / "triage" / "index.html").is_file()


# -- site and API on one origin ---------------------------------------------------------------


def test_suggestions_equal_the_api_and_cli_and_priority_the_matrix(shipped_repo: Repository, service: str, open_page) -> None:
    from click.testing import CliRunner

    from search.cli import main

    page = open_page(service + "triage/")
    _fill(page)
    expected_priority = _expected_priority(shipped_repo, IMPACT, URGENCY)
    assert _shown_priority(page) == expected_priority  # before any request: computed in the page
    assert _submit_and_wait(page) == "suggestions"

    api = httpx.post(service + "api/triage", json={"subject": SUBJECT, "description": DESCRIPTION, "impact": IMPACT, "urgency": URGENCY, "limit": 3}).json()
    assert api["categories"], "the ticket should match a category"
    assert any("~" in term for s in api["categories"] for term in s["matched"]), "the typo should be corrected"
    shown = _shown_suggestions(page)
    above = [s for s in api["categories"] if s["score"] >= NOISE_FLOOR]
    assert [s["category"] for s in shown] == [s["category"] for s in above]
    assert [(s["title"], s["matched"]) for s in shown] == [(s["title"], [t.replace("~", " → ") for t in s["matched"]]) for s in above]
    assert [s["href"] for s in shown] == [service + s["url"].lstrip("/") for s in above]
    assert api["priority"]["id"] == expected_priority["id"] == _shown_priority(page)["id"]
    assert api["priority"]["sla"]["first_response"] == _shown_priority(page)["first-response"]
    assert api["priority"]["sla"]["resolution"] == _shown_priority(page)["resolution"]
    assert api["priority"]["zendesk"] == _shown_priority(page)["zendesk"]

    cli = CliRunner().invoke(
        main, ["triage", "--root", str(ROOT), "--format", "json", "--no-ask", "--impact", IMPACT, "--urgency", URGENCY, SUBJECT, DESCRIPTION]
    )
    assert cli.exit_code == 0, cli.output
    out = json.loads(cli.output)
    assert [(s["category"], s["title"], s["score"], s["matched"]) for s in out["categories"]] == [
        (s["category"], s["title"], s["score"], s["matched"]) for s in api["categories"]
    ]
    assert out["priority"] == api["priority"]

    page.locator("li[data-category] a.kbg-triage-category").first.click()  # the link lands on the category page
    page.wait_for_url(shown[0]["href"])
    assert page.locator("article h1").inner_text() == shown[0]["title"]


def test_priority_follows_every_matrix_cell(shipped_repo: Repository, service: str, open_page) -> None:
    page = open_page(service + "triage/")
    assert _shown_priority(page)["id"] == ""  # nothing answered yet
    for impact in shipped_repo.priorities.impact:
        page.get_by_label("Impact").select_option(impact)
        for urgency in shipped_repo.priorities.urgency:
            page.get_by_label("Urgency").select_option(urgency)
            assert _shown_priority(page) == _expected_priority(shipped_repo, impact, urgency)
    page.get_by_label("Impact").select_option("")
    assert _shown_priority(page)["id"] == ""
    assert "Answer both priority questions" in page.locator('[data-kbg="priority"]').inner_text()


def test_keyboard_only(shipped_repo: Repository, service: str, open_page) -> None:
    page = open_page(service + "triage/")
    page.get_by_label("Subject").focus()
    page.keyboard.press("Enter")  # empty subject: said in the page, no request
    assert page.locator('[data-kbg="status"]').inner_text() == "Enter the ticket's subject."
    assert page.get_by_label("Subject").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "kbg-triage-subject"

    page.keyboard.type(SUBJECT)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "kbg-triage-description"
    page.keyboard.type(DESCRIPTION)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "kbg-triage-impact"
    page.keyboard.press("ArrowDown")  # the native selects are keyboard operable
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    first_impact, first_urgency = next(iter(shipped_repo.priorities.impact)), next(iter(shipped_repo.priorities.urgency))
    assert _shown_priority(page)["id"] == shipped_repo.priorities.matrix[first_impact][first_urgency]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('data-kbg')") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-kbg=suggestions]').getAttribute('data-state') === 'suggestions'"
    )  # a function: a string expression is eval'd, which the CSP forbids
    assert page.get_by_label("Subject").get_attribute("aria-invalid") is None
    assert page.evaluate("document.activeElement.getAttribute('data-kbg')") == "submit"  # focus stays put
    for _ in range(5):  # the results follow the form in tab order (after the priority's two links)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('[data-kbg=suggestions]') !== null"):
            break
    assert page.evaluate("document.activeElement.classList.contains('kbg-triage-title')")


def test_hostile_subject_does_not_run(service: str, open_page) -> None:
    page = open_page(service + "triage/")
    _fill(page, subject=f"{XSS} VPN {XSS}", description=f"</script><script>window.__x=1</script> {XSS}")
    assert _submit_and_wait(page) in ("suggestions", "message")
    assert page.evaluate("window.__x") is None
    assert page.locator(".kbg-triage img, .kbg-triage script:not([type='application/json'])").count() == 0


# -- static hosting: no API -------------------------------------------------------------------


def test_static_site_gives_the_priority_and_says_suggestions_need_the_service(shipped_repo: Repository, shipped_url: str, open_page) -> None:
    page = open_page(shipped_url + "triage/")
    _fill(page, impact="extensive", urgency="critical")
    assert _shown_priority(page) == _expected_priority(shipped_repo, "extensive", "critical")
    assert _submit_and_wait(page) == "unavailable"
    box = page.locator('[data-kbg="suggestions"]')
    assert NEEDS_SERVICE in box.inner_text()
    assert box.locator("li").count() == 0
    assert page.get_by_role("button", name="Suggest guides").is_enabled()
    assert _shown_priority(page) == _expected_priority(shipped_repo, "extensive", "critical")  # still shown


def test_hostile_api_answer_is_shown_as_text(shipped_url: str, open_page) -> None:
    """Whatever the service answers is text: titles, terms and links cannot become markup or script."""
    answer = {
        "categories": [
            {"category": f"evil{XSS}", "title": f"Title {XSS}</script>", "score": 1.5, "matched": [XSS, "a~b"], "url": "javascript:window.__x=1"},
            {"category": "network/vpn", "title": "VPN", "score": 1.0, "matched": [], "url": " JaVaScRiPt:window.__x=1"},
        ],
        "guides": [{"id": f"x{XSS}", "title": XSS, "category": f"evil{XSS}", "url": "javascript:window.__x=1", "score": 0.9}],
        "confidence": 0.9,
        "confident": True,
        "priority": None,
        "generation": 1,
    }
    page = _answered_by(open_page(shipped_url + "triage/"), answer)
    assert page.locator('[data-kbg="suggestions"]').get_attribute("data-state") == "suggestions"
    shown = _shown_suggestions(page)
    assert shown[0]["title"] == f"Title {XSS}</script>" and shown[0]["matched"] == [XSS, "a → b"]
    assert shown[0]["href"] is None  # a javascript: URL is not made a link
    assert shown[1]["href"] == shipped_url + "categories/network/vpn/"  # known categories link relatively
    guide = page.locator("li[data-guide] a.kbg-triage-title")
    assert (
        guide.inner_text() == XSS and guide.get_attribute("href") == "../guides/" + quote(f"x{XSS}", safe="") + "/?priority=P2"
    )  # a page of this site, whatever the id
    assert page.locator(".kbg-triage img").count() == 0
    page.locator(".kbg-triage-category").first.click()
    assert page.evaluate("window.__x") is None


@pytest.mark.parametrize("confident", [True, False])
def test_no_confident_match_is_said(shipped_url: str, open_page, confident: bool) -> None:
    answer = {
        "categories": [{"category": "printing", "title": "Printing and scanning", "score": 0.4, "matched": ["printr~printer"], "url": "/categories/printing/"}],
        "guides": [
            {"id": "printer-not-printing", "title": "Printer not printing", "category": "printing", "url": "/guides/printer-not-printing/", "score": 0.4}
        ],
        "confidence": 0.9 if confident else 0.2,
        "confident": confident,
        "priority": None,
        "generation": 1,
    }
    page = _answered_by(open_page(shipped_url + "triage/"), answer)
    assert page.locator('[data-kbg="suggestions"]').get_attribute("data-state") == "suggestions"
    assert [s["category"] for s in _shown_suggestions(page)] == ["printing"]  # listed either way
    said = page.locator('[data-kbg="suggestions"]').inner_text()
    assert ("No confident match" in said) is not confident
    assert page.locator('[data-kbg="status"]').inner_text() == ("1 guide suggested." if confident else "No confident match.")
    assert page.locator("li[data-guide]").count() == 1  # listed either way too


def test_service_problem_is_reported(shipped_url: str, open_page) -> None:
    problem = {"type": "about:blank", "title": "Index unavailable", "status": 503, "detail": "no index generation <b>yet</b>"}
    page = _answered_by(open_page(shipped_url + "triage/"), problem, status=503, content_type="application/problem+json")
    assert page.locator('[data-kbg="suggestions"]').get_attribute("data-state") == "message"
    assert "no index generation <b>yet</b>" in page.locator('[data-kbg="suggestions"]').inner_text()
