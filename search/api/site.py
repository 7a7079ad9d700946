"""The built site at ``/``: static files, gzip-compressed, with cache headers (decision record 0029).

A rebuilt site replaces the site folder at once (``search.docsite.build.swap_in``), so what a
browser cached must never hide a new build:

- Material's own assets carry a content hash in their names (``bundle.<hash>.min.js``): cached
  for a year, ``immutable``; a new Material version has new names.
- Everything else (pages, our ``assets/kb-guides/*``, the search index) is ``no-cache``: the
  browser keeps its copy but asks each time, and gets ``304 Not Modified`` while the file is
  unchanged. The ``ETag`` is a hash of the file's bytes (computed once per file version), so a
  rebuild that leaves a file as it was keeps its ETag and a changed file is fetched fresh.

Compression is Starlette's ``GZipMiddleware`` around the site only: text types over 500 bytes
when the client accepts gzip; the ETag of a compressed answer is weak (``W/``), as the bytes
differ from the file's, and revalidation compares weakly.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Material's fingerprinted assets: assets/javascripts/bundle.a5f9d56c.min.js,
# assets/javascripts/workers/search.<hash>.min.js, assets/stylesheets/main.<hash>.min.css...
HASHED_NAME = re.compile(r"(?:^|/)assets/(?:javascripts|stylesheets)/(?:[\w-]+/)*[\w-]+\.[0-9a-f]{8,}\.min\.(?:js|css)$")


def cache_control(path: str) -> str:
    """``Cache-Control`` for a site path: a year for content-hashed names, revalidate otherwise."""
    return IMMUTABLE if HASHED_NAME.search(path) else REVALIDATE


@lru_cache(maxsize=4096)
def content_tag(path: str, mtime_ns: int, size: int) -> str:
    """A strong ETag from the file's bytes; keyed by (path, mtime, size), so read once per version."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return f'"{digest.hexdigest()}"'


def _matches(if_none_match: str, tag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): a ``W/`` prefix on either side does not matter."""
    if if_none_match.strip() == "*":
        return True
    return tag in (candidate.strip().removeprefix("W/") for candidate in if_none_match.split(","))


class SiteFiles(StaticFiles):
    """Starlette's static files with content ETags, ``Cache-Control`` and weak revalidation."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200) -> Response:
        tag = content_tag(os.fspath(full_path), stat_result.st_mtime_ns, stat_result.st_size)
        headers = {"etag": tag, "cache-control": cache_control(scope["path"])}
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result, headers=headers)
        if_none_match = Headers(scope=scope).get("if-none-match")
        if status_code == 200 and if_none_match is not None and _matches(if_none_match, tag):
            not_modified = NotModifiedResponse(response.headers)
            not_modified.headers["vary"] = "Accept-Encoding"
            return not_modified
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("cache-control", REVALIDATE)  # the 404 page and redirects too
        return response


class WeakCompressedTags:
    """Marks the ETag of a gzip-compressed answer weak: its bytes are not the file's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_weak(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                if headers.get("content-encoding") and headers.get("etag", "").startswith('"'):
                    message["headers"] = [(k, b"W/" + v if k == b"etag" else v) for k, v in message["headers"]]
            await send(message)

        await self.app(scope, receive, send_weak)


def site_app(directory: os.PathLike[str] | str) -> ASGIApp:
    """The site's ASGI app: files, cache headers, gzip."""
    return WeakCompressedTags(GZipMiddleware(SiteFiles(directory=directory, html=True)))
