"""The sidebar app in headless chromium, from opening a ticket to inserting the transcript.

The app is the zip `kb zendesk-app` writes, unzipped and served like Zendesk serves it (with a
strict CSP); the ZAF SDK URL is answered with a stand-in `ZAFClient` that records every call;
`client.request()` goes through a local stand-in of Zendesk's proxy, which fills the secure API
key server-side, to a real kb-guides service process with a built index. The browser never
talks to any other host and never holds the key. What the app shows and inserts is compared with
the answers of the same API asked directly.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from search.checks import checked
from search.content.repository import Repository
from search.index import build_generation
from support import KB, ROOT
from support.servers import LiveServer, create_api_key, start_server
from support.site import route_to
from support.zaf import BrowserGuard, ZafHost
from support.zendesk import StandIn, service_env

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=window.__x=1>"
TICKET = {
    "ticket.id": 4711,
    "ticket.subject": "VPN keeps failing at the hotel",
    "ticket.description": "The client says the connection timed out.",
    "ticket.tags": ["vip", "vpn"],
    "ticket.priority": "high",
    "ticket.requester.name": f"Robin {XSS}",
    "currentUser.name": "Tess Technician",
}


@pytest.fixture(scope="module")
def zendesk() -> Iterator[StandIn]:
    with StandIn() as zd:
        yield zd


@pytest.fixture(scope="module")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys") / "api-keys.sqlite3"


@pytest.fixture(scope="module")
def api_key(keys_file: Path) -> str:
    """A key in the service's key file: from then on every read needs one, as in a real deployment."""
    return create_api_key(keys_file, "zendesk-app")


@pytest.fixture(scope="module")
def service(shipped_repo: Repository, zendesk: StandIn, keys_file: Path, api_key: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service requiring the API key, its write-back pointed at a stand-in Zendesk."""
    tmp = tmp_path_factory.mktemp("service")
    build_generation(checked(shipped_repo), tmp / "index")
    env = {"KB_INDEX_DIR": str(tmp / "index"), "KB_API_KEYS_FILE": str(keys_file), **service_env(zendesk, str(tmp / "outbox.sqlite3"))}
    server = start_server(ROOT, tmp / "server.log", **env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(service: LiveServer, api_key: str) -> Iterator[httpx.Client]:
    """The same service asked directly, with the key, for what the app should show."""
    with httpx.Client(base_url=service.url, headers={"Authorization": f"Bearer {api_key}"}, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def host(service: LiveServer, api_key: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZafHost]:
    """The zip `kb zendesk-app` writes for this service, unzipped and served with Zendesk's proxy."""
    tmp = tmp_path_factory.mktemp("app")
    done = subprocess.run(
        [str(KB), "zendesk-app", "--api-url", service.url, "--author-email", "desk@example.com", "--out", str(tmp / "app.zip")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp / "app.zip") as archive:
        archive.extractall(tmp / "app")
    zaf = ZafHost(tmp / "app", {"api_key": api_key})
    yield zaf
    zaf.stop()


@pytest.fixture
def open_sidebar(browser: Any, host: ZafHost, api_key: str) -> Iterator[Callable[..., Any]]:
    """``open_sidebar(ticket_data, settings) -> page``: the app opened on a ticket; fails on foreign requests, script errors or CSP violations."""
    opened: list[tuple[Any, Any, BrowserGuard, list[str]]] = []

    def open_(data: dict[str, Any], settings: dict[str, Any]) -> Any:
        context = browser.new_context()
        guard = BrowserGuard(host, data, settings)
        guard.attach(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(host.origin + "/assets/iframe.html")
        opened.append((context, page, guard, errors))
        return page

    yield open_
    for context, page, guard, errors in opened:
        assert guard.foreign == [], f"requests left the local servers: {guard.foreign}"
        assert guard.sdk_loads == 1
        assert errors == [], f"script errors: {errors}"
        assert page.evaluate("window.__csp") == [], "Content-Security-Policy violations"
        assert page.evaluate("window.__zaf.violations") == []
        assert api_key not in page.content()
        context.close()
    assert host.refused == [], f"the proxy refused: {host.refused}"


def settled(page: Any) -> None:
    page.wait_for_function("() => document.querySelector('[data-kbz=app]').getAttribute('aria-busy') === 'false'")


def walk_body(answers: list[str], guide: dict[str, Any], data: dict[str, Any], gathered: dict[str, str]) -> dict[str, Any]:
    return {
        "answers": answers,
        "revision": guide["revision"],
        "priority": data["ticket.priority"],
        "gathered": gathered,
        "ticket": {"ticket_id": str(data["ticket.id"]), "requester": data["ticket.requester.name"], "technician": data["currentUser.name"]},
    }


def walk_to(page: Any, repo: Repository, guide_id: str, node_type: str) -> list[str]:
    """Click through the tree to the nearest node of ``node_type``; returns the answers given."""
    answers = route_to(repo.guide_by_id[guide_id], node_type)
    assert answers is not None, f"{guide_id} has no {node_type}"
    for number, answer in enumerate(answers, 1):
        heading = page.locator('[data-kbz="step-heading"]')
        assert heading.inner_text().startswith(f"Step {number}:")
        label = "Done" if answer == "done" else answer
        page.locator('[data-kbz="choices"]').get_by_role("button", name=label, exact=True).click()
        settled(page)
    return answers


def test_from_opening_a_ticket_to_inserting_the_transcript(
    open_sidebar: Callable[..., Any], service: LiveServer, host: ZafHost, shipped_repo: Repository, api: httpx.Client, api_key: str
) -> None:
    proxied_before = len(host.proxied)
    page = open_sidebar(TICKET, {"api_url": service.url})
    page.locator('[data-kbz="guide-list"] li').first.wait_for()
    settled(page)

    # the category comes from the ticket's tag, the priority from the ticket
    assert page.get_by_label("Category").input_value() == "network/vpn"
    assert page.locator('[data-kbz="category-source"]').inner_text() == 'From the ticket tag "vpn".'
    assert page.get_by_label("Priority").input_value() == "high"
    assert page.locator('[data-kbz="sla"]').inner_text().startswith("P2 ")
    expected = api.get("/api/diagnose", params={"category": "network/vpn", "priority": "high", "q": TICKET["ticket.subject"]}).json()
    shown = page.locator('[data-kbz="guide-list"] li').evaluate_all("items => items.map(li => li.getAttribute('data-guide'))")
    assert shown == [g["id"] for g in expected["guides"]]
    links = page.locator('[data-kbz="articles"] a')
    assert links.all_inner_texts() == [a["title"] for a in expected["articles"]] and expected["articles"]
    assert links.evaluate_all("links => links.map(a => a.href)") == [urljoin(service.url, a["url"]) for a in expected["articles"]]
    guide = expected["guides"][0]
    assert page.locator('[data-kbz="guide-title"]').inner_text() == guide["title"]
    assert page.locator('[data-kbz="first-steps"] li').all_inner_texts() == [s["text"] for s in guide["steps"][:3]]

    # information gathered, then the walk: the first step by keyboard, the others by clicking
    first = guide["gather_items"][0]
    gathered = {first["id"]: "Hotel Wi-Fi, room 12"}
    page.get_by_label(first["text"]).fill(gathered[first["id"]])
    page.get_by_role("button", name="Walk this guide").click()
    settled(page)
    assert page.evaluate("document.activeElement.dataset.kbz") == "node-text"
    answers = route_to(shipped_repo.guide_by_id[guide["id"]], "resolution")
    assert answers
    page.keyboard.press("Tab")
    first = "Done" if answers[0] == "done" else answers[0]
    assert page.evaluate("document.activeElement.textContent") == page.locator('[data-kbz="choices"] button').first.inner_text()
    page.locator('[data-kbz="choices"]').get_by_role("button", name=first, exact=True).focus()
    page.keyboard.press("Enter")
    settled(page)
    page.get_by_role("button", name="Back").click()
    settled(page)
    assert walk_to(page, shipped_repo, guide["id"], "resolution") == answers
    assert page.locator('[data-kbz="outcome-title"]').inner_text() == "Resolved"

    answer = api.post(f"/api/guides/{guide['id']}/walk", json=walk_body(answers, guide, TICKET, gathered)).json()
    assert answer["finished"] and answer["outcome"]["type"] == "resolution"
    assert page.locator('[data-kbz="note"]').text_content() == answer["transcript"]
    assert "Hotel Wi-Fi, room 12" in answer["transcript"]
    reply = answer["messages"]["resolution"]["body"]
    assert page.locator('[data-kbz="reply"]').text_content() == reply
    assert XSS in reply  # shown as text, never run
    assert page.evaluate("window.__x") is None

    page.get_by_role("button", name="Insert as internal note").click()
    page.get_by_text("Inserted as an internal note").wait_for()
    page.get_by_role("button", name="Insert as public reply").click()
    page.get_by_text("Inserted as a public reply").wait_for()
    calls = page.evaluate("window.__zaf.calls")
    editor = [(c["kind"], c["name"], c["args"]) for c in calls if c["kind"] in ("set", "invoke") and c["name"] != "resize"]
    assert editor == [
        ("set", "ticket.comment.type", ["internalNote"]),
        ("invoke", "ticket.comment.appendText", [answer["transcript"]]),
        ("set", "ticket.comment.type", ["publicReply"]),
        ("invoke", "ticket.comment.appendText", [reply]),
    ]
    assert any(c["kind"] == "invoke" and c["name"] == "resize" for c in calls)
    fields = next(c["name"] for c in calls if c["kind"] == "get")
    assert {"ticket.id", "ticket.subject", "ticket.description", "ticket.tags", "ticket.priority"} <= set(fields)

    # every API call went through the proxy to the service, with the key filled in there only
    proxied = host.proxied[proxied_before:]
    assert [(p.method, p.url.split("?")[0].removeprefix(service.url)) for p in proxied] == [
        ("GET", "/api/categories"),  # no triage: the ticket's tag names the category
        ("GET", "/api/diagnose"),
        *[("POST", f"/api/guides/{guide['id']}/walk")] * (len(answers) + 3),
    ]
    assert all(p.headers["Authorization"] == f"Bearer {api_key}" and p.status == 200 for p in proxied)
    requested = [c["args"][0] for c in calls if c["kind"] == "request"]
    assert all(r["secure"] is True and r["headers"]["Authorization"] == "Bearer {{setting.api_key}}" for r in requested)


def test_an_untagged_ticket_is_triaged_and_an_escalation_offers_escalate(
    open_sidebar: Callable[..., Any], service: LiveServer, host: ZafHost, shipped_repo: Repository, api: httpx.Client, api_key: str, zendesk: StandIn
) -> None:
    data = {**TICKET, "ticket.id": 4712, "ticket.tags": [], "ticket.priority": None, "ticket.subject": "Cannot conect to the VPN from the hotel"}
    page = open_sidebar(data, {"api_url": service.url})
    page.locator('[data-kbz="guide-list"] li').first.wait_for()
    settled(page)
    triage = api.post("/api/triage", json={"subject": data["ticket.subject"], "description": data["ticket.description"], "limit": 3}).json()
    top = triage["categories"][0]
    assert page.get_by_label("Category").input_value() == top["category"]
    assert page.locator('[data-kbz="category-source"]').inner_text().startswith("Suggested from the ticket's text")
    assert page.get_by_label("Priority").input_value() == ""
    assert page.locator('[data-kbz="sla"]').inner_text() == ""
    suggested = page.locator('[data-kbz="category"] optgroup[label="Suggested"] option').evaluate_all("options => options.map(o => o.value)")
    assert suggested == [s["category"] for s in triage["categories"]]

    guide_id = page.locator('[data-kbz="guide-list"] li').first.get_attribute("data-guide")
    page.get_by_role("button", name="Walk this guide").click()
    settled(page)
    answers = walk_to(page, shipped_repo, guide_id, "escalation")
    guide = api.get(f"/api/guides/{guide_id}").json()
    body = {**walk_body(answers, guide, data, {}), "priority": None}
    answer = api.post(f"/api/guides/{guide_id}/walk", json=body).json()
    assert page.locator('[data-kbz="outcome-title"]').inner_text().startswith(f"Escalate to {answer['outcome']['escalation']['team']}")
    assert page.locator('[data-kbz="note"]').text_content() == answer["messages"]["escalation"]["body"]
    assert not page.locator('[data-kbz="reply-box"]').is_visible()

    before = len(host.proxied)
    page.get_by_role("button", name="Escalate").click()
    settled(page)
    sent = host.proxied[before:]
    assert [(p.method, p.url) for p in sent] == [("POST", f"{service.url}/api/integrations/zendesk/tickets/4712/escalate")]
    assert sent[0].headers["Authorization"] == f"Bearer {api_key}"
    assert json.loads(sent[0].body or "{}") == {**body, "guide_id": guide_id}
    assert sent[0].status == 202
    assert page.locator('[data-kbz="status"]').inner_text().startswith("Escalation queued")
    # the service's outbox carries it to Zendesk: one internal note on ticket 4712
    (update,) = zendesk.wait_for("PUT", r"/tickets/4712\.json")
    assert update.json["ticket"]["comment"]["public"] is False  # type: ignore[index]


def test_a_ticket_no_category_fits_waits_for_the_technicians_choice(open_sidebar: Callable[..., Any], service: LiveServer, host: ZafHost) -> None:
    data = {**TICKET, "ticket.tags": ["vip"], "ticket.subject": "zzqx", "ticket.description": ""}
    page = open_sidebar(data, {"api_url": service.url})
    page.get_by_text("Choose a category to see its guides.").wait_for()
    settled(page)
    assert page.get_by_label("Category").input_value() == ""
    assert page.locator('[data-kbz="category-source"]').inner_text() == "No category found: choose one."
    assert not page.locator('[data-kbz="guides"]').is_visible()
    before = len(host.proxied)
    page.get_by_label("Category").select_option("printing")
    page.locator('[data-kbz="guide-list"] li').first.wait_for()
    settled(page)
    assert page.locator('[data-kbz="category-source"]').inner_text() == "Chosen by you."
    assert [p.url.split("?")[1] for p in host.proxied[before:]] == ["category=printing&priority=high&q=zzqx"]


def test_without_the_service_url_the_app_says_what_to_set(open_sidebar: Callable[..., Any], host: ZafHost) -> None:
    before = len(host.proxied)
    page = open_sidebar(TICKET, {})
    settled(page)
    assert page.get_by_role("status").inner_text() == "Set the kb-guides service URL (api_url) in the app's settings."
    assert len(host.proxied) == before
