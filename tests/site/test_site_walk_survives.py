"""The step-through survives what a technician does in a browser (headless chromium, built sites):
reload, Back/Forward (one history entry per step), a visit to an article, a link node into
another guide (one walk, one transcript), a resume link opened later in a fresh browser, and a
resume link recorded on an older revision of the guide (replay what still applies, or restart).
Transcripts are compared byte for byte with the Python walk engine's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from search.content.repository import Repository, load_repository
from search.docsite.build import build_site
from search.workflow.resume import Segment, chain_text, format_token
from search.workflow.transcript import transcript_text
from search.workflow.walk import choices, walk
from support.recording import page_walk
from support.site import make_content

pytestmark = pytest.mark.browser

VPN_TO_ACTION = ["yes", "yes"]  # internet-works -> password-valid -> restart-client (an action)
VPN_TO_LINK = ["yes", "no"]  # ... -> reset-password, a link node into password-reset
NOTES = {0: "Hotel Wi-Fi, room 12", 1: "Error 809"}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory, serve: Callable[[Path], str]) -> tuple[Repository, str]:
    root = make_content(tmp_path_factory.mktemp("survive") / "content")
    return load_repository(root), serve(build_site(root, tmp_path_factory.mktemp("survive-site") / "site", strict=True))


def _answer(page, guide, answers: list[str]) -> None:
    """Answer by clicking each choice; each answer is one step of the walk."""
    for answer in answers:
        state = walk(guide, page.evaluate("kbGuides.state().path.map(p => p[1])"))
        page.locator('[data-kbg="choices"] .kbg-choice').nth(choices(state.node).index(answer)).click()


def _state(page) -> dict:
    return page.evaluate("kbGuides.state()")


def _answers(page) -> list[str]:
    return [step[1] for step in _state(page)["path"]]


def _fill_notes(page, guide) -> dict[str, str]:
    gathered = {guide.meta.gather[i].id: text for i, text in NOTES.items()}
    for item_id, text in gathered.items():
        page.fill(f'[data-gather-id="{item_id}"]', text)
    return gathered


def test_reload_keeps_answers_priority_and_notes(fixture_site, open_page) -> None:
    repo, base = fixture_site
    guide = repo.guide_by_id["vpn"]
    page = open_page(f"{base}guides/vpn/")
    gathered = _fill_notes(page, guide)
    page.select_option('[data-kbg="priority"]', "P2")
    _answer(page, guide, VPN_TO_ACTION)
    page.reload()
    assert _answers(page) == VPN_TO_ACTION
    assert _state(page)["priority"] == "P2"
    assert _state(page)["gathered"] == {item.id: gathered.get(item.id, "") for item in guide.meta.gather}
    assert _state(page)["transcript"] == transcript_text(page_walk(page, guide, VPN_TO_ACTION), repo, "P2", gathered)


def test_back_undoes_one_step_and_forward_redoes_it(fixture_site, open_page) -> None:
    repo, base = fixture_site
    guide = repo.guide_by_id["vpn"]
    page = open_page(f"{base}guides/vpn/")
    full = [*VPN_TO_ACTION, "done", "no"]  # to the escalation leaf
    _answer(page, guide, full)
    for undone in range(1, len(full) + 1):
        page.go_back()
        assert _answers(page) == full[:-undone]
        assert page.locator('[data-kbg="current"]').get_attribute("data-node") == walk(guide, full[:-undone]).current
    assert page.url == f"{base}guides/vpn/"  # the page as it was opened: the walk at its start
    page.go_forward()
    page.go_forward()
    assert _answers(page) == full[:2]
    assert _state(page)["transcript"] == transcript_text(page_walk(page, guide, full[:2]), repo)
    page.locator('[data-kbg="back"]').click()  # the walk's own Back is a step in the history too
    assert _answers(page) == full[:1]
    page.go_back()
    assert _answers(page) == full[:2]


def test_an_article_visit_and_back_returns_to_the_same_step(fixture_site, open_page) -> None:
    repo, base = fixture_site
    guide = repo.guide_by_id["vpn"]
    page = open_page(f"{base}guides/vpn/")
    gathered = _fill_notes(page, guide)
    page.select_option('[data-kbg="priority"]', "P3")
    _answer(page, guide, VPN_TO_ACTION)
    page.locator(".kbg-related a").first.click()
    page.wait_for_url("**/articles/**")
    page.go_back()
    assert _answers(page) == VPN_TO_ACTION
    assert _state(page)["transcript"] == transcript_text(page_walk(page, guide, VPN_TO_ACTION), repo, "P3", gathered)


def test_a_link_node_continues_the_same_walk_in_the_linked_guide(fixture_site, open_page) -> None:
    repo, base = fixture_site
    vpn, reset = repo.guide_by_id["vpn"], repo.guide_by_id["password-reset"]
    page = open_page(f"{base}guides/vpn/")
    gathered = _fill_notes(page, vpn)
    page.select_option('[data-kbg="priority"]', "P1")
    _answer(page, vpn, VPN_TO_LINK)
    onward = page.locator('[data-kbg="current"] .kbg-outcome--link a').get_attribute("href")
    page.keyboard.press("1")  # the first choice at a link leaf: continue in the linked guide
    page.wait_for_url("**/guides/password-reset/**")
    assert page.url.endswith(onward.removeprefix(".."))  # the step's own link continues the same walk too
    page.evaluate("kbGuides.walks[0].loading")
    state = _state(page)
    assert [{k: s[k] for k in ("guide", "revision", "answers")} for s in state["before"]] == [
        {"guide": "vpn", "revision": vpn.revision, "answers": VPN_TO_LINK}
    ]
    assert state["priority"] == "P1"  # the walk's priority came along
    _answer(page, reset, ["yes"])
    want = chain_text(
        [transcript_text(page_walk(page, vpn, VPN_TO_LINK, before=0), repo, "P1", gathered), transcript_text(page_walk(page, reset, ["yes"]), repo, "P1")]
    )
    assert _state(page)["transcript"] == want
    assert page.locator('[data-kbg="transcript"]').input_value() == want
    # Back: first the step in this guide, then into the first guide at the link node
    page.go_back()
    assert _answers(page) == []
    page.go_back()
    page.wait_for_url("**/guides/vpn/**")
    assert _answers(page) == VPN_TO_LINK
    assert _state(page)["before"] == []


def test_a_resume_link_opens_the_walk_in_a_fresh_browser(fixture_site, open_page) -> None:
    repo, base = fixture_site
    guide = repo.guide_by_id["vpn"]
    page = open_page(f"{base}guides/vpn/", permissions=["clipboard-read", "clipboard-write"])
    _answer(page, guide, VPN_TO_ACTION)
    page.click('[data-kbg="copy-link"]')
    page.wait_for_function("document.querySelector('[data-kbg=status]').textContent !== ''")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{base}guides/vpn/?walk=" + format_token([Segment("vpn", guide.revision, tuple(VPN_TO_ACTION))])
    later = open_page(link)  # another browser context: no sessionStorage, no history
    assert _answers(later) == VPN_TO_ACTION
    assert _state(later)["notice"] is None
    assert _state(later)["transcript"] == transcript_text(page_walk(later, guide, VPN_TO_ACTION), repo)


def test_a_resume_link_from_an_older_revision_offers_replay_or_restart(fixture_site, open_page, tmp_path: Path, serve: Callable[[Path], str]) -> None:
    repo, _ = fixture_site
    old = repo.guide_by_id["vpn"]
    recorded = [*VPN_TO_ACTION, "done"]
    token = format_token([Segment("vpn", old.revision, tuple(recorded))])
    # the guide changes: the webmail question's "yes" is reworded, so only the first answer still applies
    changed = make_content(tmp_path / "content")
    tree = changed / "guides" / "vpn.yml"
    tree.write_text(tree.read_text(encoding="utf-8").replace("      yes: restart-client", "      Yes, webmail works: restart-client"), encoding="utf-8")
    new_repo = load_repository(changed)
    new = new_repo.guide_by_id["vpn"]
    assert new.revision != old.revision
    new_base = serve(build_site(changed, tmp_path / "site", strict=True))

    page = open_page(f"{new_base}guides/vpn/?walk={token}")
    notice = page.locator('[data-kbg="notice"]')
    assert notice.is_visible()
    assert old.revision in notice.inner_text() and new.revision in notice.inner_text()
    assert "1 of the 3 answers still apply" in notice.inner_text()
    assert _answers(page) == []  # nothing replayed until the technician says so
    notice.get_by_role("button", name="Replay 1 answer").click()
    assert _answers(page) == ["yes"]
    assert not notice.is_visible()
    assert _state(page)["transcript"] == transcript_text(page_walk(page, new, ["yes"]), new_repo)
    assert _state(page)["token"] == format_token([Segment("vpn", new.revision, ("yes",))])

    page = open_page(f"{new_base}guides/vpn/?walk={token}")
    page.locator('[data-kbg="notice"]').get_by_role("button", name="Restart").click()
    assert _answers(page) == [] and _state(page)["notice"] is None
    page.keyboard.press("1")  # the walk goes on from the start
    assert _answers(page) == ["yes"]


def test_number_keys_answer_from_page_load_but_not_while_typing(fixture_site, open_page) -> None:
    repo, base = fixture_site
    guide = repo.guide_by_id["vpn"]
    page = open_page(f"{base}guides/vpn/")
    page.keyboard.press("1")  # nothing focused: the page has just loaded
    assert _answers(page) == ["yes"]
    field = page.locator(f'[data-gather-id="{guide.meta.gather[0].id}"]')
    field.click()
    page.keyboard.press("2")
    page.keyboard.press("Backspace")
    assert _answers(page) == ["yes"]  # typed into the field, not answered
    assert field.input_value() == ""
    page.locator("h1").click()  # focus back on the page
    page.keyboard.press("Backspace")
    assert _answers(page) == []


def test_other_scripts_hear_every_change_and_keep_data_per_step(fixture_site, open_page) -> None:
    """The hook other page-script parts use (e.g. to record notes and times per step): told of
    each change after it is rendered; per-step data survives a reload and goes with its step."""
    repo, base = fixture_site
    guide = repo.guide_by_id["vpn"]
    page = open_page(f"{base}guides/vpn/")
    page.evaluate(
        """window.heard = [];
        kbGuides.onWalkChange(function (walk, change) {
          heard.push([change.type, change.index === undefined ? null : change.index, walk.path.length]);
          if (change.type === "answer") { walk.stepData(change.index).note = "note " + change.index; walk.save(); }
        });"""
    )
    _answer(page, guide, VPN_TO_ACTION)
    page.go_back()
    page.locator('[data-kbg="priority"]').select_option("P4")
    assert page.evaluate("heard") == [["answer", 0, 1], ["answer", 1, 2], ["history", None, 1], ["priority", None, 1]]
    page.reload()
    assert page.evaluate("kbGuides.walks[0].stepData(0).note") == "note 0"
    _answer(page, guide, ["no"])  # a different answer at step 2: what was kept for the old one goes
    kept = page.evaluate("kbGuides.walks[0].store.steps.vpn[1]")
    assert kept["choice"] == "no" and kept["data"]["at"]  # a new entry (25-record.js carries the note its field showed)


def test_coming_back_by_a_plain_link_offers_the_walk_left_in_this_tab(fixture_site, open_page) -> None:
    repo, base = fixture_site
    guide = repo.guide_by_id["vpn"]
    page = open_page(f"{base}guides/vpn/")
    _answer(page, guide, VPN_TO_ACTION)
    page.goto(base)  # elsewhere on the site, then back to the guide by its plain address
    page.goto(f"{base}guides/vpn/")
    assert _answers(page) == []
    notice = page.locator('[data-kbg="notice"]')
    assert "after 2 steps" in notice.inner_text()
    notice.get_by_role("button", name="Resume it").click()
    assert _answers(page) == VPN_TO_ACTION
    page.go_back()  # resuming was one step in the history: Back is the plain page again
    assert _answers(page) == [] and _state(page)["notice"] is None


@pytest.mark.parametrize(
    ("token", "answers", "says"),
    [
        ("vpn@{rev}:yes,maybe,no", ["yes"], "followed as far as they apply (1 of 3)"),
        ("vpn@{rev}:yes%ZZ", [], "damaged or belongs to another guide"),
        ("password-reset@{rev}:yes", [], "damaged or belongs to another guide"),
    ],
)
def test_a_damaged_link_says_so_and_keeps_what_applies(fixture_site, open_page, token: str, answers: list[str], says: str) -> None:
    repo, base = fixture_site
    page = open_page(f"{base}guides/vpn/?walk=" + token.format(rev=repo.guide_by_id["vpn"].revision.replace("+", "%2B")))
    assert _answers(page) == answers
    assert says in page.locator('[data-kbg="notice"]').inner_text()
