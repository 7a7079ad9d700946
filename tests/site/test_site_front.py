"""The way in (headless chromium, built sites): the start page puts search and triage first,
then every listed guide under its category, incidents and service requests apart, the guides
changed last (from git) and the reviews due; the list of every guide filters by category and
tag without JavaScript (links to sections) and with it (a filter kept in the URL); guide and
article pages whose review is overdue on the build date carry a banner, retired pages theirs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from search.content import sitemap
from search.content.publishing import listed
from search.content.taxonomy import CategoryIndex, is_within
from search.docsite.build import build_site
from support.gitrepo import GitRepo

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 12, 1)  # the fixture site's build date (the plugin's `today` option)


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory, serve: Callable[[Path], str]) -> str:
    """The minimal content under git, built as of TODAY: password-reset changed last and overdue
    (reviewed 2025-06-01, yearly), vpn-no-connect changed before it and not due, the article
    password-rules overdue (every 90 days), the article vpn-reinstall retired."""
    repo = GitRepo(tmp_path_factory.mktemp("front") / "content")
    config = repo.read("mkdocs.yml")
    config, count = re.subn(r"(?m)^(\s+)review_window_days: 30$", rf"\g<0>\n\1today: {TODAY.isoformat()}", config)
    assert count == 1
    vpn = repo.read("guides/vpn-no-connect.md").replace("Check the internet", "First check the internet")
    repo.commit("VPN: reword", "Bo Editor", "2026-03-01T09:00:00+00:00", write={"mkdocs.yml": config, "guides/vpn-no-connect.md": vpn})
    reset = repo.read("guides/password-reset.md").replace("reviewed: 2026-03-10", "reviewed: 2025-06-01")
    rules = repo.read("kb/articles/password-rules.md").replace("reviewed: 2026-03-10", "reviewed: 2026-03-10\nreview_every_days: 90")
    retired = repo.read("kb/articles/vpn-reinstall.md").replace("reviewed:", "status: retired\nreviewed:")
    writes = {"guides/password-reset.md": reset, "kb/articles/password-rules.md": rules, "kb/articles/vpn-reinstall.md": retired}
    repo.commit("Password reset: older review", "Cy Editor", "2026-04-01T09:00:00+00:00", write=writes)
    return serve(build_site(repo.path, tmp_path_factory.mktemp("front-site") / "site", strict=True))


def _texts(locator: object) -> list[str]:
    return [" ".join(t.split()) for t in locator.all_inner_texts()]  # type: ignore[attr-defined]


def _hrefs(scope: object, selector: str) -> list[str]:
    """The paths of the links ``selector`` finds within ``scope`` (a page or a locator)."""
    links = scope.locator(selector)  # type: ignore[attr-defined]
    return links.evaluate_all("els => els.map(e => new URL(e.getAttribute('href'), location.href).pathname)")  # type: ignore[no-any-return]


def _guide_path(base: str, guide_id: str) -> str:
    return "/" + sitemap.page_url(sitemap.guide_src(guide_id))


def test_start_page_search_and_triage_first_then_every_guide_by_kind(shipped_url, shipped_repo, open_page) -> None:
    page = open_page(shipped_url)
    # the first fields of the page's content are the search box, then the triage box
    fields = page.eval_on_selector_all(".md-content input", "els => els.map(e => e.name)")
    assert fields[:2] == ["q", "subject"]
    assert page.locator(".md-nav__link", has_text="All guides").count() >= 1

    categories = CategoryIndex(shipped_repo.taxonomy)
    guides = listed(shipped_repo.guides, shipped_repo.policy)
    for kind, title in (("incident", "Incidents"), ("request", "Service requests")):
        group = page.locator(f"#kbg-start-{kind} + .kbg-start-cards")
        assert page.locator(f"#kbg-start-{kind}").inner_text() == title
        shown = _hrefs(page, f"#kbg-start-{kind} + .kbg-start-cards .kbg-docs a")
        expected = [g for g in guides if categories.kind_of(g.meta.category) == kind]
        assert sorted(shown) == sorted(_guide_path(shipped_url, g.id) for g in expected)
        # each card is a top-level category holding exactly its guides (sub-categories included)
        for card in group.locator(".kbg-start-card").all():
            category_id = card.locator("h3 a").get_attribute("href").rstrip("/").split("categories/")[-1]
            in_card = _hrefs(card, ".kbg-docs a")
            assert sorted(in_card) == sorted(_guide_path(shipped_url, g.id) for g in guides if g.meta.category and is_within(g.meta.category, category_id))

    # changed recently: newest first, guides only
    days = page.locator(".kbg-start-recent .kbg-docs small").all_inner_texts()
    assert 0 < len(days) <= 8 and days == sorted(days, reverse=True)

    # the search box opens Material's search with the words typed; the triage box the Triage page with the subject
    page.fill("#kbg-start-q", "printer")
    page.press("#kbg-start-q", "Enter")
    page.locator(".md-search-result__item").first.wait_for()
    assert page.input_value(".md-search__input") == "printer"
    page.goto(shipped_url)
    page.fill("#kbg-start-subject", "Outlook stuck in outbox")
    page.press("#kbg-start-subject", "Enter")
    page.wait_for_url(re.compile(r"/triage/\?subject="))
    assert page.input_value('[data-kbg="triage"] [data-kbg="subject"]') == "Outlook stuck in outbox"


def test_start_page_recent_changes_and_reviews_due(history_site, open_page) -> None:
    page = open_page(history_site)
    recent = page.locator(".kbg-start-recent .kbg-docs li")
    assert _texts(recent) == ["Reset a forgotten or expired password 2026-04-01", "VPN will not connect 2026-03-01"]
    due = _texts(page.locator(".kbg-start-due .kbg-docs li"))
    # password-reset: due 2026-06-01; password-rules: due 2026-06-08; the retired article is never due
    assert due == [
        f"Reset a forgotten or expired password guide, Identity and Access: overdue by {(TODAY - dt.date(2026, 6, 1)).days} days",
        f"Password rules article, Identity and Access: overdue by {(TODAY - dt.date(2026, 6, 8)).days} days",
    ]
    assert page.locator(".kbg-start-due time").get_attribute("datetime") == TODAY.isoformat()
    # kb/index.md's own title and text stay: the box under the title, the sections after the text
    assert page.locator("h1").inner_text().rstrip("¶") == "Test knowledge base"
    order = page.evaluate(
        "() => [...document.querySelectorAll('.md-content h1, .md-content .kbg-start-box, .md-content a[href*=escalation], .md-content .kbg-start')]"
        ".map(e => e.tagName === 'H1' ? 'title' : e.tagName === 'A' ? 'text' : e.className)"
    )
    assert order[:4] == ["title", "kbg-start-box", "text", "kbg-start"]


def test_freshness_banners(history_site, open_page) -> None:
    page = open_page(f"{history_site}guides/password-reset/")
    banner = page.locator(".kbg-banner--overdue")
    assert banner.count() == 1
    days = (TODAY - dt.date(2026, 6, 1)).days
    text = " ".join(banner.inner_text().split())
    assert "last reviewed on 2025-06-01" in text and "due for review on 2026-06-01" in text and f"{days} days before this site was built (2026-12-01)" in text
    assert "Owner: Identity and Access" in text
    # a banner is not a search result: the guide's search entry has no banner words
    page.goto(f"{history_site}guides/vpn-no-connect/")
    assert page.locator(".kbg-banner").count() == 0
    page.goto(f"{history_site}articles/password-rules/")
    article = " ".join(page.locator(".kbg-banner--overdue").inner_text().split())  # through the content sanitizer
    assert f"due for review on 2026-06-08, {(TODAY - dt.date(2026, 6, 8)).days} days before this site was built" in article
    page.goto(f"{history_site}articles/vpn-reinstall/")
    assert page.locator(".kbg-banner--retired").count() == 1
    assert page.locator(".kbg-banner--overdue").count() == 0  # retired content is never due


def test_guide_list_without_javascript(shipped_url, shipped_repo, open_page) -> None:
    page = open_page(f"{shipped_url}guides/", java_script_enabled=False)
    guides = listed(shipped_repo.guides, shipped_repo.policy)
    assert page.locator('[data-kbg="guide-filter"]').is_hidden()  # the filter needs the script
    rows = _hrefs(page, '[data-kbg="guide-rows"] tr td:first-child a')
    assert sorted(rows) == sorted(_guide_path(shipped_url, g.id) for g in guides)
    # a category's link jumps to its section, which lists exactly its own guides
    vpn = page.locator(".kbg-list-nav a", has_text="VPN and remote access")
    vpn.click()
    assert page.url.endswith("#category-network--vpn")
    section = page.locator("#category-network--vpn").locator("xpath=..")
    assert 0 <= section.locator("h3").evaluate("e => e.getBoundingClientRect().top") < 150  # scrolled to it, under the header
    assert sorted(_hrefs(section, ".kbg-docs a")) == sorted(_guide_path(shipped_url, g.id) for g in guides if g.meta.category == "network/vpn")
    # a tag link in a row jumps to the tag's section with every guide carrying the tag
    tag = next(t for g in guides for t in g.meta.tags)
    page.locator('[data-kbg="guide-rows"] a.kbg-tag', has_text=tag).first.click()
    anchor = page.url.split("#")[1]
    assert page.locator(f"#{anchor}").inner_text() == tag
    tagged = _hrefs(page.locator(f"#{anchor}").locator("xpath=.."), ".kbg-docs a")
    assert sorted(tagged) == sorted(_guide_path(shipped_url, g.id) for g in guides if tag in g.meta.tags)
    # request categories are listed apart, under their own heading
    request_links = page.locator(".kbg-list-nav .kbg-subhead", has_text="Service requests").locator("xpath=following-sibling::ul[1]//a")
    assert request_links.count() >= 1


def test_guide_list_filter_with_javascript(shipped_url, shipped_repo, open_page) -> None:
    guides = listed(shipped_repo.guides, shipped_repo.policy)
    page = open_page(f"{shipped_url}guides/?category=network")
    visible = _hrefs(page, '[data-kbg="guide-rows"] tr:not([hidden]) td:first-child a')
    assert sorted(visible) == sorted(_guide_path(shipped_url, g.id) for g in guides if g.meta.category and is_within(g.meta.category, "network"))
    tag = next(t for g in guides if g.meta.category and is_within(g.meta.category, "network") for t in g.meta.tags)
    page.select_option('[data-kbg="filter-tag"]', tag)
    visible = _hrefs(page, '[data-kbg="guide-rows"] tr:not([hidden]) td:first-child a')
    wanted = [g for g in guides if g.meta.category and is_within(g.meta.category, "network") and tag in g.meta.tags]
    assert sorted(visible) == sorted(_guide_path(shipped_url, g.id) for g in wanted)
    assert page.locator('[data-kbg="filter-status"]').inner_text() == f"{len(wanted)} of {len(guides)} guides shown"
    assert "category=network" in page.url and "tag=" in page.url  # a filtered list can be linked
    page.click('[data-kbg="guide-filter"] button[type="reset"]')
    page.wait_for_function("() => !location.search")
    assert page.locator('[data-kbg="guide-rows"] tr[hidden]').count() == 0
