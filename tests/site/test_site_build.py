"""Building the site: strict builds of the shipped content, failing fixtures, the atomic swap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from search.content import sitemap
from search.content.repository import load_repository
from search.docsite.build import SiteBuildError, build_site
from support import ROOT
from support.site import make_content


def test_mkdocs_build_strict_passes_on_shipped_content(tmp_path: Path) -> None:
    # the plain mkdocs command line, exactly as an author would run it
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "index.html").is_file()


def test_shipped_site_has_every_generated_page(shipped_site: Path) -> None:
    repo = load_repository(ROOT)
    expected = [sitemap.guide_src(g.id) for g in repo.guides]
    expected += [sitemap.category_src(c.id) for c in repo.taxonomy.categories]
    expected += [*sitemap.GENERATED_PAGES, "tags.md"]
    expected += [sitemap.article_src(a.path) for a in repo.articles]
    missing = [src for src in expected if not (shipped_site / sitemap.page_url(src) / "index.html").is_file()]
    assert missing == []
    assert (shipped_site / "assets/kb-guides/kb-guides.js").is_file()
    assert (shipped_site / "assets/kb-guides/kb-guides.css").is_file()


def test_search_index_covers_articles_and_guides(shipped_site: Path) -> None:
    import html
    import json

    from search.render import markup

    index = json.loads((shipped_site / "search/search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    repo = load_repository(ROOT)
    for guide in repo.guides:
        assert sitemap.page_url(sitemap.guide_src(guide.id)) in locations
    for article in repo.articles:
        assert sitemap.page_url(sitemap.article_src(article.path)) in locations
    # every step is its own search result (title: number, kind, text), so a search lands on it
    by_location = {doc["location"]: doc for doc in index["docs"]}
    for guide in repo.guides:
        for node_id, node in guide.tree.nodes.items():
            doc = by_location[f"{sitemap.page_url(sitemap.guide_src(guide.id))}#node-{node_id}"]
            assert html.escape(markup.plain(getattr(node, "text", None)), quote=False) in doc["title"]
            assert doc["tags"] == list(guide.meta.tags) if guide.meta.tags else "tags" not in doc
        # the step-through, step list and diagram sections would be empty results: left out
        page = sitemap.page_url(sitemap.guide_src(guide.id))
        assert {f"{page}#step-through", f"{page}#all-steps", f"{page}#diagram"}.isdisjoint(by_location)
        assert f"{page}#symptoms" in by_location


def test_no_page_loads_anything_from_another_host(shipped_site: Path) -> None:
    from search.render.offline import external_loads

    offenders = {str(p.relative_to(shipped_site)): external_loads(p.read_text(encoding="utf-8")) for p in shipped_site.rglob("*.html")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_fixture_builds_and_links_to_node_anchors(tmp_path: Path) -> None:
    site = build_site(make_content(tmp_path / "content"), tmp_path / "site")
    page = (site / "articles/vpn-reinstall/index.html").read_text(encoding="utf-8")
    assert 'href="../../guides/vpn/#node-restart-client"' in page
    assert "kbg-article-meta" in page  # category, owner and review date under the title


def _add_article(root: Path, body: str) -> None:
    (root / "kb/articles/extra.md").write_text(
        "---\nid: extra\ntitle: Extra\ncategory: network\nowner: Network Operations\nreviewed: 2026-06-01\n---\n\n## Issue\n\n" + body + "\n",
        encoding="utf-8",
    )


def test_broken_link_fails_the_build(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    _add_article(root, "See [the missing page](missing.md).")
    with pytest.raises(SiteBuildError) as failed:
        build_site(root, tmp_path / "site")
    assert [p.rule for p in failed.value.problems] == ["broken-link"]
    assert "kb/articles/extra.md:" in str(failed.value) and "missing.md" in str(failed.value)
    assert not (tmp_path / "site").exists()


def test_broken_link_fails_the_build_even_without_the_content_check(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content", check=False)
    _add_article(root, "See [the missing page](missing.md).")
    with pytest.raises(SiteBuildError) as failed:
        build_site(root, tmp_path / "site")
    assert any("missing.md" in m for m in failed.value.messages)


@pytest.mark.parametrize(
    "link",
    ["../guides/vpn.md#node-no-such-step", "password-rules.md#no-such-heading"],
    ids=["guide-node", "article-heading"],
)
def test_broken_anchor_fails_the_build(tmp_path: Path, link: str) -> None:
    root = make_content(tmp_path / "content")
    _add_article(root, f"See [this]({link}).")
    with pytest.raises(SiteBuildError) as failed:
        build_site(root, tmp_path / "site")
    anchor = link.split("#")[1]
    assert any(anchor in m for m in failed.value.messages), failed.value.messages


def test_broken_anchor_is_only_a_warning_when_not_strict(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    _add_article(root, "See [this](password-rules.md#no-such-heading).")
    assert (build_site(root, tmp_path / "site", strict=False) / "articles/extra/index.html").is_file()


def test_failed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    site = build_site(root, tmp_path / "site")
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    _add_article(root, "See [this](password-rules.md#no-such-heading).")
    with pytest.raises(SiteBuildError):
        build_site(root, site)
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == [".site.lock"]  # no staging left behind


def test_successful_rebuild_replaces_the_site(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    site = build_site(root, tmp_path / "site")
    (site / "stale.html").write_text("old", encoding="utf-8")
    _add_article(root, "A new article.")
    build_site(root, site)
    assert (site / "articles/extra/index.html").is_file()
    assert not (site / "stale.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == [".site.lock"]


def test_content_warnings_do_not_fail_a_strict_build(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    guide = root / "guides/vpn.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("reviewed: 2026-06-01", "reviewed: 2019-01-01"), encoding="utf-8")
    site = build_site(root, tmp_path / "site", strict=True)
    review = (site / "review/index.html").read_text(encoding="utf-8")
    assert "VPN will not connect" in review and "overdue by" in review


def test_content_errors_fail_with_their_positions(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    tree = root / "guides/vpn.yml"
    tree.write_text(tree.read_text(encoding="utf-8").replace("next: connects", "next: connect"), encoding="utf-8")
    with pytest.raises(SiteBuildError) as failed:
        build_site(root, tmp_path / "site")
    assert "unknown-node" in [p.rule for p in failed.value.problems]
    assert 'guides/vpn.yml:29:11: error [unknown-node] node "restart-client" points to unknown node "connect"' in str(failed.value)


def test_builds_leave_the_collector_thawed(tmp_path: Path) -> None:
    import gc

    # the plugin freezes the loaded content for the build; a build that ends or fails thaws it
    build_site(make_content(tmp_path / "ok"), tmp_path / "site-ok")
    assert gc.get_freeze_count() == 0
    root = make_content(tmp_path / "broken")
    tree = root / "guides/vpn.yml"
    tree.write_text(tree.read_text(encoding="utf-8").replace("next: connects", "next: connect"), encoding="utf-8")
    with pytest.raises(SiteBuildError):
        build_site(root, tmp_path / "site-broken")
    assert gc.get_freeze_count() == 0


def test_a_build_lets_go_of_its_content_when_it_ends(tmp_path: Path) -> None:
    """The plugin drops the content and the guide pages' renderers before it thaws them, so they
    are freed at once instead of walked by every later full collection (the interpreter's exit
    too: about a second of a 1,000-guide build). mkdocs keeps the plugin until the process ends."""
    import gc

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page
    from mkdocs.utils.templates import TemplateContext

    from search.docsite.plugin import GuidesPlugin

    root = make_content(tmp_path / "content")
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    plugin = config.plugins["kb-guides"]
    assert isinstance(plugin, GuidesPlugin)
    pages: list[Page] = []

    class Pages(BasePlugin):  # type: ignore[type-arg]  # mkdocs's generic plugin base
        def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation) -> TemplateContext:
            pages.append(page)
            return context

    config.plugins["pages"] = Pages()
    build(config)
    assert (tmp_path / "site/guides/vpn/index.html").is_file()
    assert (plugin.repo, plugin.site, plugin.pages, plugin.late, plugin.articles) == (None, None, None, {}, {})
    assert plugin.errors == [] and gc.get_freeze_count() == 0
    # each page's HTML is dropped once written, not held until the build ends (peak memory)
    assert len(pages) > 10 and [p.file.src_uri for p in pages if p.content is not None] == []


def test_site_without_the_search_plugin_still_builds_guide_pages(tmp_path: Path) -> None:
    root = make_content(tmp_path / "content")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - search:\n      lang: en\n" in text
    config.write_text(text.replace("  - search:\n      lang: en\n", ""), encoding="utf-8")
    site = build_site(root, tmp_path / "site")
    assert 'id="node-restart-client"' in (site / "guides/vpn/index.html").read_text(encoding="utf-8")
    assert not (site / "search/search_index.json").exists()


def test_swap_without_atomic_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from search.docsite import build as build_module

    monkeypatch.setattr(build_module, "_exchange", lambda a, b: False)  # platforms without renameat2
    root = make_content(tmp_path / "content")
    site = build_site(root, tmp_path / "site")
    (site / "stale.html").write_text("old", encoding="utf-8")
    build_site(root, site)
    assert (site / "index.html").is_file() and not (site / "stale.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == [".site.lock"]


def test_build_needs_no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the build opened a network connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert (build_site(make_content(tmp_path / "content"), tmp_path / "site") / "guides/vpn/index.html").is_file()


def test_the_shipped_page_script_is_its_feature_files_in_order(shipped_site: Path) -> None:
    from search.docsite.bundle import page_script, script_parts

    names = [p.name for p in script_parts()]
    assert names == sorted(names) and names[0] == "00-core.js" and names[-1] == "90-init.js"
    shipped = (shipped_site / "assets/kb-guides/kb-guides.js").read_text(encoding="utf-8")
    assert shipped == page_script()
    assert shipped.startswith("/* kb-guides:") and shipped.rstrip().endswith("})();")
    for marker in ("function drawDiagram(", "function Walk(", "function Triage(", "window.kbGuides = {"):
        assert shipped.count(marker) == 1, marker
