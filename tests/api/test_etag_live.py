"""ETag / If-None-Match on the catalogue answers, against a real server process over HTTP."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.sample import write_sample
from support.servers import LiveServer, kb_executable, start_server

CATALOGUE = [
    "/api/categories",
    "/api/guides?limit=2",
    "/api/guides/vpn-no-connect",
    "/api/articles?category=network",
    "/api/articles/vpn-reinstall",
    "/api/escalation?category=vpn&priority=P2",
    "/api/diagnose?category=vpn&priority=P2",  # precomputed, served before routing once cached
    "/api/diagnose?category=vpn&priority=P2&q=client+error",
]
STRONG = re.compile(r'^"[0-9a-f]{16}-[0-9a-f]{16}"$')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = write_sample(tmp_path_factory.mktemp("etag"))
    build_generation(checked(load_repository(root)), root / ".kb-index")
    live = start_server(root, tmp_path_factory.mktemp("logs") / "etag.log", KB_RATE_LIMIT_PER_MINUTE="0")
    yield live
    live.stop()


@pytest.mark.parametrize("path", CATALOGUE)
def test_a_matching_if_none_match_is_304_without_a_body(server: LiveServer, path: str) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        first = http.get(path)
        again = http.get(path)  # diagnose: the second answer comes from the fast path
        assert first.status_code == again.status_code == 200
        tag = first.headers["etag"]
        assert STRONG.match(tag) and again.headers["etag"] == tag and again.content == first.content
        assert first.headers["cache-control"] == "private, no-cache"
        for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
            unchanged = http.get(path, headers={"If-None-Match": header})
            assert unchanged.status_code == 304, header
            assert unchanged.content == b"" and unchanged.headers["etag"] == tag and unchanged.headers["cache-control"] == "private, no-cache"
        changed = http.get(path, headers={"If-None-Match": '"0000000000000000-0000000000000000"'})
        assert changed.status_code == 200 and changed.content == first.content


def test_each_variant_has_its_own_tag(server: LiveServer) -> None:
    variants = [
        "/api/diagnose?category=vpn&priority=P1",
        "/api/diagnose?category=vpn&priority=P2",
        "/api/diagnose?category=accounts&priority=P2",
        "/api/diagnose?category=vpn&priority=P2&q=client",
        "/api/guides?limit=1",
        "/api/guides?limit=2",
        "/api/guides/vpn-no-connect",
        "/api/guides/password-reset",
        "/api/escalation",
    ]
    tags = [httpx.get(server.url + v, timeout=10).headers["etag"] for v in variants]
    assert len(set(tags)) == len(tags)
    # spellings of one variant share it: a tag and a category id, urgent and P1
    same = ["/api/diagnose?category=vpn&priority=urgent", "/api/diagnose?category=network/vpn&priority=P1"]
    assert {httpx.get(server.url + v, timeout=10).headers["etag"] for v in same} == {tags[0]}


def test_a_new_generation_changes_every_tag(server: LiveServer) -> None:
    before = {path: httpx.get(server.url + path, timeout=10).headers["etag"] for path in CATALOGUE}
    guide = server.root / "guides" / "vpn-no-connect.md"
    guide.write_text(guide.read_text("utf-8").replace("title: VPN will not connect", "title: VPN does not connect"), "utf-8")
    done = subprocess.run([*kb_executable(), "index", "--root", str(server.root)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 15
    while httpx.get(server.url + "/api/health", timeout=5).json()["generation"] != 2:
        assert time.monotonic() < deadline, "the server did not follow the new generation"
        time.sleep(0.1)
    for path, tag in before.items():
        response = httpx.get(server.url + path, headers={"If-None-Match": tag}, timeout=10)
        assert response.status_code == 200 and response.headers["etag"] != tag, path
