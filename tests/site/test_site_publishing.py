"""What is published, through the real `kb build` / `mkdocs build`, the built site and a real API
server: no file from outside the repository, drafts/retired/internal content per the policy, and
the front matter mkdocs shows is the one `kb check` read."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support import KB
from support.servers import LiveServer, start_server
from support.site import make_content

SECRET = "kb-secret-marker-7f3a9c1e5d"  # in the build's environment: it must reach no built file


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    return {**env, "NO_MKDOCS_2_WARNING": "1", "KB_ADMIN_TOKEN": SECRET, **extra}


def kb_build(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KB), "build", "--root", str(root), "--site-dir", str(root / "site"), "--index-dir", str(root / ".kb-index"), *args],
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=300,
    )


def _article(root: Path, name: str, front: str, body: str) -> None:
    (root / "kb/articles" / f"{name}.md").write_text(f"---\nid: {name}\n{front}\nowner: Service Desk\nreviewed: 2026-06-01\n---\n{body}", encoding="utf-8")


def _site_text(site: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file())


def _search_locations(site: Path) -> set[str]:
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    return {doc["location"].split("#")[0] for doc in index["docs"]}


# item 2: no file from outside the repository ---------------------------------------------------


def _hostile_files(root: Path) -> None:
    os.symlink("/proc/self/environ", root / "kb/env.txt")
    os.symlink("/etc/passwd", root / "kb/passwd.txt")
    os.symlink("/etc", root / "kb/etc")  # a linked folder: mkdocs walks into it
    os.symlink("/etc/passwd", root / "guides/passwd.md")
    os.symlink("nowhere.png", root / "kb/gone.png")
    (root / "kb/kb-config.toml").write_text(f'admin_token = "{SECRET}"\n', encoding="utf-8")
    (root / "kb/assets").mkdir()
    (root / "kb/assets/Deploy_Key.PEM.bak").write_text("not even a key\n", encoding="utf-8")
    (root / "kb/assets/logo.txt").write_text("a harmless asset\n", encoding="utf-8")


def test_kb_build_refuses_links_and_secrets_with_path_rule_and_fix(tmp_path: Path) -> None:
    root = make_content(tmp_path / "repo")
    _hostile_files(root)
    result = kb_build(root)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for expected in (
        "kb/env.txt:1:1: error [symlink-outside]",
        "kb/passwd.txt:1:1: error [symlink-outside]",
        "kb/etc:1:1: error [symlink-outside]",
        "guides/passwd.md:1:1: error [symlink-outside]",
        "kb/gone.png:1:1: error [symlink-dangling]",
        "kb/kb-config.toml:1:1: error [secret-file]",
        "kb/assets/Deploy_Key.PEM.bak:1:1: error [secret-file]",
    ):
        assert expected in result.stderr, result.stderr
    assert "remove the link" in result.stderr
    assert not (root / "site").exists()
    assert "root:x:0:0" not in result.stderr  # the link target was never read


def test_site_build_never_follows_links_or_copies_secrets_even_unchecked(tmp_path: Path) -> None:
    """With the checks off (`check: false`), mkdocs itself still publishes none of them."""
    root = make_content(tmp_path / "repo", check=False)
    _hostile_files(root)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(root / "site")], cwd=root, capture_output=True, text=True, env=_env(), timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    site = root / "site"
    names = {p.relative_to(site).as_posix() for p in site.rglob("*")}
    assert not {"env.txt", "passwd.txt", "etc", "gone.png", "kb-config.toml", "assets/Deploy_Key.PEM.bak"} & names
    assert "assets/logo.txt" in names  # ordinary static files are still published
    text = _site_text(site)
    assert SECRET not in text
    assert "root:x:0:0" not in text


# item 7: what is not published -----------------------------------------------------------------


def _policy_content(root: Path) -> Path:
    _article(root, "draft-note", "title: Draft only note\ncategory: accounts\ntags: [drafttag]\nstatus: draft", "\nThe zebradraft procedure.\n")
    _article(root, "old-note", "title: Retired old note\ncategory: accounts\ntags: [retiredtag]\nstatus: retired", "\nThe zebraretired procedure.\n")
    _article(
        root,
        "public-note",
        "title: Public note\ncategory: accounts\ntags: [publictag]\naudience: public",
        "\nThe zebrapublic procedure, see the [old note](old-note.md).\n",
    )
    guide = root / "guides/password-reset.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("articles: [password-rules]", "articles: [password-rules, old-note]"), encoding="utf-8")
    vpn = root / "guides/vpn.md"
    vpn.write_text(vpn.read_text(encoding="utf-8").replace("reviewed: 2026-06-01\n", "reviewed: 2026-06-01\nstatus: retired\n", 1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def policy_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _policy_content(make_content(tmp_path_factory.mktemp("policy") / "repo"))


@pytest.fixture(scope="module")
def default_build(policy_root: Path) -> Iterator[tuple[Path, LiveServer]]:
    result = kb_build(policy_root)
    assert result.returncode == 0, result.stderr
    server = start_server(policy_root, policy_root.parent / "server.log", KB_INDEX_DIR=str(policy_root / ".kb-index"), KB_SITE_DIR=str(policy_root / "site"))
    yield policy_root / "site", server
    server.stop()


def _api_ids(server: LiveServer, query: str) -> list[str]:
    response = httpx.get(f"{server.url}/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["hits"]]


def test_draft_is_nowhere_in_a_default_build(default_build: tuple[Path, LiveServer]) -> None:
    site, server = default_build
    assert not (site / "articles/draft-note").exists()
    assert "articles/draft-note/" not in _search_locations(site)
    for page in ("categories/accounts/index.html", "tags/index.html", "review/index.html"):
        assert "Draft only note" not in (site / page).read_text(encoding="utf-8"), page
    assert _api_ids(server, "zebradraft") == []
    assert httpx.get(f"{server.url}/api/articles/draft-note").status_code == 404
    diagnose = httpx.get(f"{server.url}/api/diagnose", params={"category": "accounts"}).text
    assert "draft-note" not in diagnose


def test_retired_page_is_reachable_with_a_banner_but_left_out_of_listings_and_search(default_build: tuple[Path, LiveServer]) -> None:
    site, server = default_build
    page = (site / "articles/old-note/index.html").read_text(encoding="utf-8")
    assert "kbg-banner--retired" in page
    assert "articles/old-note/" not in _search_locations(site)
    assert "retiredtag" not in (site / "tags/index.html").read_text(encoding="utf-8")
    assert "Retired old note" not in (site / "categories/accounts/index.html").read_text(encoding="utf-8")
    assert "Retired old note" not in (site / "guides/password-reset/index.html").read_text(encoding="utf-8")  # related articles
    assert _api_ids(server, "zebraretired") == []
    assert httpx.get(f"{server.url}/api/articles/old-note").status_code == 404  # the API holds listed articles only
    assert "old-note" not in httpx.get(f"{server.url}/api/diagnose", params={"category": "accounts"}).text


def test_retired_guide_keeps_its_page_and_walks_but_leaves_search(default_build: tuple[Path, LiveServer]) -> None:
    site, server = default_build
    assert "kbg-banner--retired" in (site / "guides/vpn/index.html").read_text(encoding="utf-8")
    assert not any(loc.startswith("guides/vpn/") for loc in _search_locations(site))
    assert "VPN will not connect" not in (site / "categories/network/vpn/index.html").read_text(encoding="utf-8")
    assert "vpn" not in _api_ids(server, "vpn connect")
    assert httpx.get(f"{server.url}/api/guides/vpn").status_code == 200  # walks in progress can finish
    assert [g["id"] for g in httpx.get(f"{server.url}/api/diagnose", params={"category": "network/vpn"}).json()["guides"]] == []
    assert "Public note" in (site / "categories/accounts/index.html").read_text(encoding="utf-8")


def test_preview_build_shows_drafts_with_a_banner(tmp_path: Path) -> None:
    root = _policy_content(make_content(tmp_path / "repo"))
    result = kb_build(root, "--preview")
    assert result.returncode == 0, result.stderr
    site = root / "site"
    assert "kbg-banner--draft" in (site / "articles/draft-note/index.html").read_text(encoding="utf-8")
    assert "articles/draft-note/" in _search_locations(site)
    assert "Draft only note" in (site / "categories/accounts/index.html").read_text(encoding="utf-8")
    manifest = json.loads(next((root / ".kb-index").glob("gen-*/manifest.json")).read_text(encoding="utf-8"))
    assert manifest["preview"] is True


def test_public_build_and_service_leave_internal_content_out_everywhere(tmp_path: Path) -> None:
    root = _policy_content(make_content(tmp_path / "repo"))
    refused = kb_build(root, KB_AUDIENCE="public")  # public pages still link to internal ones
    assert refused.returncode == 1
    assert "kb/index.md:4:30: error [link-to-unpublished]" in refused.stderr
    assert "audience: internal, and this is a public build" in refused.stderr
    for rel, link in (("kb/index.md", "[Reinstall the VPN client](articles/vpn-reinstall.md)"), ("kb/articles/public-note.md", "[old note](old-note.md)")):
        (root / rel).write_text((root / rel).read_text(encoding="utf-8").replace(link, "plain text"), encoding="utf-8")
    result = kb_build(root, KB_AUDIENCE="public")
    assert result.returncode == 0, result.stderr
    site = root / "site"
    assert (site / "articles/public-note/index.html").is_file()
    for internal in ("articles/password-rules", "articles/vpn-reinstall", "guides/vpn", "guides/password-reset"):
        assert not (site / internal).exists(), internal
    assert _search_locations(site) & {"articles/password-rules/", "guides/vpn/", "articles/vpn-reinstall/"} == set()
    accounts = (site / "categories/accounts/index.html").read_text(encoding="utf-8")
    assert "Password rules" not in accounts and "Public note" in accounts
    server = start_server(root, tmp_path / "server.log", KB_INDEX_DIR=str(root / ".kb-index"))
    try:
        assert _api_ids(server, "zebrapublic") == ["public-note"]
        assert _api_ids(server, "password") == []
        assert httpx.get(f"{server.url}/api/guides/vpn").status_code == 404
        assert httpx.get(f"{server.url}/api/articles/password-rules").status_code == 404
    finally:
        server.stop()


def test_link_to_a_draft_fails_the_build_with_its_rule(tmp_path: Path) -> None:
    root = _policy_content(make_content(tmp_path / "repo"))
    (root / "kb/articles/public-note.md").write_text(
        (root / "kb/articles/public-note.md").read_text(encoding="utf-8") + "Also [the draft](draft-note.md).\n", encoding="utf-8"
    )
    result = kb_build(root)
    assert result.returncode == 1
    assert "kb/articles/public-note.md:12:18: error [link-to-unpublished]" in result.stderr, result.stderr
    assert kb_build(root, "--preview").returncode == 0  # published in a preview: the link is fine


# item 8: one reader per file -------------------------------------------------------------------

TRAPS = {
    "trap-base60": ("title: 1:30\ntags: [yes, 012]", "1:30", ["yes", "012"]),
    "trap-bool": ("title: yes\ntags: [no, on]", "yes", ["no", "on"]),
    "trap-bad-date": ("title: 2024-02-30\ntags: [datetag, 1e3]", "2024-02-30", ["datetag", "1e3"]),
}


@pytest.fixture(scope="module")
def trap_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_content(tmp_path_factory.mktemp("traps") / "repo")
    for name, (front, _, _) in TRAPS.items():
        _article(root, name, f"{front}\ncategory: accounts", "\nNo heading here: the page title comes from the front matter.\n")
    # a body that starts like front matter: mkdocs must not take it as metadata
    _article(root, "trap-body-rule", "title: Real title\ncategory: accounts", "---\ntitle: Injected\n---\n\nText.\n")
    (root / "kb/about.md").write_text("---\ntitle: 012\n---\n\nA plain page: its front matter is read by the same loader.\n", encoding="utf-8")
    result = kb_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_site_shows_the_front_matter_kb_check_read(trap_site: Path, name: str) -> None:
    _, title, tags = TRAPS[name]
    page = (trap_site / "articles" / name / "index.html").read_text(encoding="utf-8")
    assert f"<title>{title} - " in page
    assert re.search(rf"<h1[^>]*>{re.escape(title)}</h1>", page), page[:2000]
    tags_page = html.unescape((trap_site / "tags/index.html").read_text(encoding="utf-8"))
    for tag in tags:
        assert f">{tag}<" in tags_page or f'"{tag}"' in tags_page or f"#{tag}" in tags_page, tag
    index = json.loads((trap_site / "search/search_index.json").read_text(encoding="utf-8"))
    entry = next(d for d in index["docs"] if d["location"] == f"articles/{name}/")
    assert entry["title"] == title
    assert entry.get("tags") == tags


def test_a_body_that_starts_like_front_matter_is_body(trap_site: Path) -> None:
    page = (trap_site / "articles/trap-body-rule/index.html").read_text(encoding="utf-8")
    assert "<title>Real title - " in page
    assert "Injected" in page  # shown as text, not taken as the title


def test_plain_page_front_matter_is_read_by_our_loader(trap_site: Path) -> None:
    page = (trap_site / "about/index.html").read_text(encoding="utf-8")
    assert "<title>012 - " in page  # YAML 1.1 would read 10 (octal), YAML 1.2 12; the author wrote 012


def test_public_service_refuses_an_index_built_for_the_internal_audience(default_build: tuple[Path, LiveServer], tmp_path: Path) -> None:
    site = default_build[0]
    root = site.parent
    server = start_server(root, tmp_path / "public.log", health=503, KB_INDEX_DIR=str(root / ".kb-index"), KB_AUDIENCE="public")
    try:
        for path in ("/api/health", "/api/search?q=password", "/api/articles/password-rules", "/api/guides/password-reset"):
            response = httpx.get(server.url + path)
            assert response.status_code == 503, (path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "kb index --audience public" in response.json()["detail"]
    finally:
        server.stop()
