"""The site as the service serves it (`kb serve`, a real server process over HTTP): gzip when the
client accepts it and not otherwise, cache headers (a year for Material's hashed assets,
revalidate for the rest), content ETags answered with 304, and a rebuilt site's changed file
fetched fresh while an unchanged one stays 304 (decision record 0029)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from search.checks import checked
from search.content.repository import load_repository
from search.docsite.build import build_site
from search.index import build_generation
from support.servers import LiveServer, start_server
from support.site import make_content

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
ARTICLE = "articles/vpn-reinstall/"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = make_content(tmp_path_factory.mktemp("serving") / "content")
    build_site(root, root / "site", strict=True)
    build_generation(checked(load_repository(root)), root / ".kb-index")
    live = start_server(root, tmp_path_factory.mktemp("logs") / "serving.log", KB_RATE_LIMIT_PER_MINUTE="0")
    yield live
    live.stop()


def _hashed_asset(site: Path) -> str:
    """Material's main bundle, whose name carries a content hash."""
    (bundle,) = (site / "assets" / "javascripts").glob("bundle.*.min.js")
    return f"/assets/javascripts/{bundle.name}"


def _paths(site: Path) -> list[str]:
    return ["/", f"/{ARTICLE}", "/assets/kb-guides/kb-guides.js", "/assets/kb-guides/kb-guides.css", "/search/search_index.json", _hashed_asset(site)]


def test_text_comes_gzipped_when_accepted_and_plain_otherwise(served: LiveServer) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as http:
        for path in _paths(served.root / "site"):
            file = served.root / "site" / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
            plain = http.get(path, headers=IDENTITY)
            assert plain.status_code == 200, path
            assert "content-encoding" not in plain.headers and plain.content == file.read_bytes(), path
            zipped = http.stream("GET", path, headers=GZIP)
            with zipped as answer:
                raw = b"".join(answer.iter_raw())
                assert answer.headers["content-encoding"] == "gzip", path
                assert "accept-encoding" in answer.headers["vary"].lower(), path
                assert gzip.decompress(raw) == file.read_bytes(), path
                assert len(raw) < len(plain.content) / 2, f"{path}: {len(raw)} of {len(plain.content)} bytes"
                assert answer.headers["etag"] == "W/" + plain.headers["etag"], "a compressed answer's ETag is weak"


def test_cache_headers_and_304_on_revalidation(served: LiveServer) -> None:
    site = served.root / "site"
    with httpx.Client(base_url=served.url, timeout=10) as http:
        for path in _paths(site):
            first = http.get(path, headers=GZIP)
            expected = "public, max-age=31536000, immutable" if path == _hashed_asset(site) else "no-cache"
            assert first.headers["cache-control"] == expected, path
            assert re.fullmatch(r'(W/)?"[0-9a-f]{32}"', first.headers["etag"]), first.headers["etag"]
            for headers in (GZIP, IDENTITY):  # the weak (gzip) and the strong tag both revalidate
                again = http.get(path, headers={**headers, "If-None-Match": first.headers["etag"]})
                assert again.status_code == 304 and again.content == b"", path
                assert again.headers["etag"] == first.headers["etag"].removeprefix("W/")
                assert again.headers["cache-control"] == expected
            other = http.get(path, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
            assert other.status_code == 200
        missing = http.get("/no-such-page/")
        assert missing.status_code == 404 and missing.headers["cache-control"] == "no-cache"


def test_a_rebuilt_site_is_picked_up_at_once(served: LiveServer) -> None:
    """Changed content: the page's ETag changes, so a revalidating browser gets the new page;
    the page script, unchanged by the rebuild, still answers 304 to the tag it had."""
    root = served.root
    with httpx.Client(base_url=served.url, timeout=10) as http:
        page = http.get(f"/{ARTICLE}", headers=IDENTITY)
        script = http.get("/assets/kb-guides/kb-guides.js", headers=IDENTITY)
        article = root / "kb" / "articles" / "vpn-reinstall.md"
        article.write_text(article.read_text(encoding="utf-8") + "\nRebuilt-marker: reinstall from the portal.\n", encoding="utf-8")
        build_site(root, root / "site", strict=True)

        fresh = http.get(f"/{ARTICLE}", headers={**IDENTITY, "If-None-Match": page.headers["etag"]})
        assert fresh.status_code == 200 and b"Rebuilt-marker" in fresh.content
        assert fresh.headers["etag"] != page.headers["etag"]
        unchanged = http.get("/assets/kb-guides/kb-guides.js", headers={**IDENTITY, "If-None-Match": script.headers["etag"]})
        assert unchanged.status_code == 304
