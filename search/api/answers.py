"""Answers the service serialises once per index generation (decision record 0004).

``GET /api/diagnose`` without ``q`` depends only on the generation, the category and the
priority, so its JSON bytes are kept here and served again, by the route and, before routing, by
the ``DiagnoseFastPath`` middleware; the category list likewise. The cache belongs to the
generation's lifetime: when a reload drops a generation, its answers go with it.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from dataclasses import dataclass, field
from functools import cached_property

from .. import __version__
from ..content.models import PriorityId
from ..index import Generation

DiagnoseKey = tuple[str, PriorityId | None]  # (category id, priority id or none)
# Answers may change with any new generation, and with API keys they are the caller's: a client
# (never a shared cache) may keep them, and revalidates each time (a 304 costs no body).
CACHE_CONTROL = "private, no-cache"


@dataclass(frozen=True)
class Cached:
    body: bytes
    etag: str

    @cached_property
    def headers(self) -> list[tuple[bytes, bytes]]:
        """The 200 answer's headers, made once (the fast path sends them as they are)."""
        return [(b"content-length", str(len(self.body)).encode()), (b"content-type", b"application/json"), *self.validators]

    @cached_property
    def validators(self) -> list[tuple[bytes, bytes]]:
        """The headers a 304 repeats."""
        return [(b"etag", self.etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]


@dataclass
class Answers:
    """One generation's serialised answers, with their entity tags."""

    diagnose: dict[DiagnoseKey, Cached] = field(default_factory=dict)
    categories: Cached | None = None
    listed_guides: list[str] | None = None  # ids of the guides lists show, sorted
    listed_articles: list[str] | None = None
    etag_base: str = ""


def etag(gen: Generation, site_url: str, *variant: object) -> str:
    """A strong entity tag for one answer: the generation's checksums, the service version and
    site URL prefix (both shape the bytes), and the request's variant (route and parameters)."""
    answers = answers_for(gen)
    if not answers.etag_base:
        files = json.dumps(gen.manifest.get("files", {}), sort_keys=True)
        answers.etag_base = hashlib.sha256(f"{files}|{__version__}|{site_url}".encode()).hexdigest()[:16]
    return f'"{answers.etag_base}-{hashlib.blake2b(repr(variant).encode(), digest_size=8).hexdigest()}"'


_by_generation: weakref.WeakKeyDictionary[Generation, Answers] = weakref.WeakKeyDictionary()


def answers_for(gen: Generation) -> Answers:
    """The answer cache of ``gen`` (made on first use)."""
    found = _by_generation.get(gen)
    if found is None:
        found = _by_generation.setdefault(gen, Answers())
    return found


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 If-None-Match: ``*`` or any listed tag equal to ``tag`` (weak comparison)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(candidate.strip().removeprefix("W/") == tag for candidate in if_none_match.split(","))
