"""Per-file results kept between runs, keyed by the file's content (``kb check``'s cache).

``<root>/.kb-cache/check/NN.pickle`` (git-ignored), 256 shards by repository path: for each
content file, the digest of its bytes and what was worked out from them (the loaded document and
its loader problems, the per-file rules' findings, per-file facts the other rules recombine). A
run takes an entry only when the digest of the file as it is now, and the salt (the source of the
loader and the rules, the Python and pydantic versions), match: a cached result is the one a
fresh run would compute (decision record 0039). A run rewrites only the shards whose entries
changed: ten edited files rewrite at most ten of the 256, not the whole cache (0048).

Pickle runs code on load, and a pull request could commit a ``.kb-cache/`` file: each shard is
signed with HMAC-SHA256 under a key kept outside the repository (``~/.cache/kb-guides/``, mode
0600), and a shard that does not verify is ignored, never unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pydantic

CACHE_DIR = ".kb-cache"
SHARDS_DIR = "check"
SHARDS = 256
_LEGACY = "check.pickle"  # one file of everything (before 0048): removed when a sharded cache is written
_MAC_BYTES = 32

T = TypeVar("T")


def file_digest(path: Path) -> str | None:
    """A digest of the file's bytes (``None`` when it cannot be read: nothing is cached for it)."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


def code_salt(*packages: Path) -> str:
    """A digest of every module of ``packages`` and of the versions their results depend on."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{sys.version}\0{pydantic.VERSION}".encode())
    for package in packages:
        for module in sorted(package.glob("*.py")):
            h.update(module.name.encode() + b"\0" + module.read_bytes())
    return h.hexdigest()


@dataclass
class Counts:
    """What one kind of entry did in this run: taken from the cache, or worked out anew."""

    hits: int = 0
    misses: int = 0


@dataclass
class _Entries:
    salt: str
    items: dict[tuple[str, str], tuple[str, object]] = field(default_factory=dict)  # (kind, rel) -> (digest, value)


def shard_of(rel: str) -> int:
    """The shard holding ``rel``'s entries (every kind of entry of one file in one shard)."""
    return hashlib.blake2b(rel.encode(), digest_size=2).digest()[0] % SHARDS


class FileCache:
    """Entries by (kind, repository path), each valid for one digest of the file's content."""

    def __init__(self, root: Path, salt: str, key_dir: Path | None = None) -> None:
        self.folder = root / CACHE_DIR / SHARDS_DIR
        self.salt = salt
        self._key_dir = key_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb-guides"
        self._secret: bytes | None = None
        self._old: dict[tuple[str, str], tuple[str, object]] = {}
        for shard in range(SHARDS):
            self._old |= self._read(shard)
        self._new: dict[tuple[str, str], tuple[str, object]] = {}
        self.counts: dict[str, Counts] = {}
        self._dirty: set[int] = set()  # shards with an entry put in this run

    def get(self, kind: str, rel: str, digest: str | None, cls: type[T]) -> T | None:
        """The value stored for ``rel`` at this ``digest``, if any (and of type ``cls``)."""
        counts = self.counts.setdefault(kind, Counts())
        found = self._old.get((kind, rel))
        if digest is not None and found is not None and found[0] == digest and isinstance(found[1], cls):
            self._new[(kind, rel)] = found
            counts.hits += 1
            return found[1]
        counts.misses += 1
        return None

    def put(self, kind: str, rel: str, digest: str | None, value: object) -> None:
        if digest is not None:
            self._new[(kind, rel)] = (digest, value)
            self._dirty.add(shard_of(rel))

    def save(self) -> None:
        """Write the shards whose entries changed: one with an entry put in this run, or one
        holding an entry this run did not use (a file gone since is dropped). A repository that
        cannot be written to (a read-only checkout) is checked without a cache."""
        old: Counter[int] = Counter(shard_of(rel) for _, rel in self._old)
        new: dict[int, dict[tuple[str, str], tuple[str, object]]] = {}
        for key, entry in self._new.items():
            new.setdefault(shard_of(key[1]), {})[key] = entry
        stale = [s for s in range(SHARDS) if s in self._dirty or len(new.get(s, {})) != old[s]]
        if not stale:
            return  # every entry was used as it is: the files on disk say the same
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder.parent / ".gitignore").write_text("*\n", encoding="utf-8")  # never committed, wherever the repository is
            (self.folder.parent / _LEGACY).unlink(missing_ok=True)
        except OSError:
            return
        for shard in stale:
            body = pickle.dumps(_Entries(self.salt, new.get(shard, {})), protocol=pickle.HIGHEST_PROTOCOL)
            path = self._path(shard)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            try:
                partial.write_bytes(self._mac(body) + body)
                partial.replace(path)
            except OSError:
                partial.unlink(missing_ok=True)
                return

    def _path(self, shard: int) -> Path:
        return self.folder / f"{shard:03d}.pickle"

    def _read(self, shard: int) -> dict[tuple[str, str], tuple[str, object]]:
        try:
            raw = self._path(shard).read_bytes()
        except OSError:
            return {}
        mac, body = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(body)):
            return {}  # not written here (or damaged): never unpickled
        try:
            entries = pickle.loads(body)
        except Exception:  # a cache from other code that no longer unpickles: start afresh
            return {}
        return entries.items if isinstance(entries, _Entries) and entries.salt == self.salt else {}

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key(), body, hashlib.sha256).digest()

    def _key(self) -> bytes:
        if self._secret is None:
            self._secret = self._read_key()
        return self._secret

    def _read_key(self) -> bytes:
        path = self._key_dir / "cache-key"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            self._key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = secrets.token_bytes(32)
            try:
                with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                    f.write(key)
            except FileExistsError:  # another run made it meanwhile
                return path.read_bytes()
            return key
