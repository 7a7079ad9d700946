"""The site from a content repository with a real git history (built by the test): the "What
changed" page, its Atom feed read back by feedparser, each page's content version, the
"changed since you last opened it" note in chromium, and a build without git."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from search.docsite.build import build_site
from support.history import Scenario, build_history


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_history(tmp_path_factory.mktemp("history") / "content")


@pytest.fixture(scope="module")
def site(history: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(history.repo.path, tmp_path_factory.mktemp("site") / "site", strict=True)


def sections(html: str) -> list[str]:
    return re.findall(r'<section class="kbg-change" id="commit-([0-9a-f]{10})">', html)


def test_changelog_lists_commits_newest_first_with_author_message_and_documents(site: Path, history: Scenario) -> None:
    html = (site / "changes" / "index.html").read_text(encoding="utf-8")
    assert sections(html) == [history.delete[:10], history.rename[:10], history.tree_edit[:10], history.initial[:10]]
    carol = html[html.index(f'id="commit-{history.rename[:10]}"') :].split("</section>", 1)[0]
    assert '<time datetime="2026-03-15T09:00:00+00:00">2026-03-15</time> Rename the VPN client article' in carol
    assert "By Carol Cole" in carol
    assert '<li>Guide <a href="../guides/vpn-no-connect/">VPN will not connect</a></li>' in carol
    assert '<li>Article <a href="../articles/vpn-client-reinstall/">Reinstall the VPN client</a></li>' in carol
    dave = html[html.index(f'id="commit-{history.delete[:10]}"') :].split("</section>", 1)[0]
    assert "<li>Article password-rules <small>(no longer published)</small></li>" in dave  # deleted: no broken link
    assert '<a href="../changes.xml" type="application/atom+xml">Atom feed</a>' in html


def test_the_atom_feed_is_valid_and_reads_back(site: Path, history: Scenario) -> None:
    feed = feedparser.parse((site / "changes.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Knowledge base: what changed"
    assert [(e.id, e.title, e.author) for e in feed.entries] == [
        (f"urn:kb-guides:commit:{history.delete}", "Retire the password rules; NetOps queue renamed", "Dave Dunn"),
        (f"urn:kb-guides:commit:{history.rename}", "Rename the VPN client article", "Carol Cole"),
        (f"urn:kb-guides:commit:{history.tree_edit}", "Reword the VPN check and add a client step", "Bob Builder"),
        (f"urn:kb-guides:commit:{history.initial}", "Initial content", "Ada Author"),
    ]
    carol = feed.entries[1]
    assert carol.updated == "2026-03-15T09:00:00+00:00"
    assert carol.link == f"changes/#commit-{history.rename[:10]}"
    assert "article Reinstall the VPN client <articles/vpn-client-reinstall/>" in carol.summary
    assert feed.feed.updated == "2026-04-20T09:00:00+00:00"  # the newest commit: the same history gives the same feed


def test_each_page_shows_the_commit_that_last_changed_it(site: Path, history: Scenario) -> None:
    guide = (site / "guides" / "vpn-no-connect" / "index.html").read_text(encoding="utf-8")
    assert f'data-kb-version="{history.delete}" data-kb-doc="guides/vpn-no-connect.md">Content version <code>{history.delete[:10]}</code>' in guide
    assert '<time datetime="2026-04-20T09:00:00+00:00">2026-04-20</time>' in guide
    article = (site / "articles" / "vpn-client-reinstall" / "index.html").read_text(encoding="utf-8")
    assert f'data-kb-version="{history.rename}" data-kb-doc="kb/articles/vpn-client-reinstall.md">Content version <code>{history.rename[:10]}</code>' in article


def test_a_page_edited_but_not_committed_says_so(history: Scenario, tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(history.repo.path, copy)
    article = copy / "kb" / "articles" / "vpn-client-reinstall.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    html = (build_site(copy, tmp_path / "site", strict=True) / "articles" / "vpn-client-reinstall" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'data-kb-version="sha256:[0-9a-f]{64}"', html)  # not the commit's: the browser sees a change
    assert "with local changes" in html


def test_without_git_versions_are_content_hashes_and_the_changelog_says_there_is_no_history(history: Scenario, tmp_path: Path) -> None:
    tarball = shutil.copytree(history.repo.path, tmp_path / "unpacked", ignore=shutil.ignore_patterns(".git"))
    built = build_site(tarball, tmp_path / "site", strict=True)
    assert "There is no change history" in (built / "changes" / "index.html").read_text(encoding="utf-8")
    feed = feedparser.parse((built / "changes.xml").read_bytes())
    assert feed.bozo == 0 and feed.entries == []
    guide = (built / "guides" / "vpn-no-connect" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'data-kb-version="sha256:[0-9a-f]{64}" data-kb-doc="guides/vpn-no-connect.md">Content version <code>[0-9a-f]{12}</code></span>', guide)


@pytest.mark.browser
def test_a_page_says_changed_since_you_last_opened_it_once(site: Path, serve: Callable[[Path], str], open_page: Callable[..., object]) -> None:
    url = serve(site) + "guides/vpn-no-connect/"
    page = open_page(url)
    note = ".kbg-banner--changed"
    assert page.locator(note).count() == 0  # type: ignore[attr-defined]  # first visit: nothing to compare
    page.reload()  # type: ignore[attr-defined]
    assert page.locator(note).count() == 0  # type: ignore[attr-defined]  # same version
    page.evaluate('localStorage.setItem("kbg-seen:guides/vpn-no-connect.md", "an-older-commit")')  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    assert page.locator(note).inner_text().startswith("Changed since you last opened it.")  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    assert page.locator(note).count() == 0  # type: ignore[attr-defined]  # seen now
    other = open_page(url.replace("guides/vpn-no-connect/", "articles/vpn-client-reinstall/"))
    assert other.evaluate('localStorage.getItem("kbg-seen:kb/articles/vpn-client-reinstall.md")') == re.search(  # type: ignore[attr-defined]
        r'data-kb-version="([^"]+)" data-kb-doc="kb/articles/vpn-client-reinstall.md"', (site / "articles" / "vpn-client-reinstall" / "index.html").read_text()
    ).group(1)  # type: ignore[union-attr]
