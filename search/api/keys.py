"""API keys for read access: named, revocable, stored as SHA-256 digests in a SQLite file (decision record 0014).

A key is ``kbk_`` plus 43 URL-safe characters (256 random bits). Only its digest is stored:
with that much entropy a fast hash is as good as a slow one (nobody can enumerate 2^256
inputs), and it keeps the per-request check at a microsecond. The file is managed by
``kb api-key create|list|revoke`` (:class:`KeyStore`); the service holds the active digests in
memory (:class:`KeyTable`) and re-reads them when the file changes, so a key created or revoked
works in every worker within a second, without a restart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("search.api")

KEY_PREFIX = "kbk_"
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}\Z")
CHECK_SECONDS = 1.0  # how often the service looks at the file
TOUCH_SECONDS = 60.0  # "last used" is written at most once a minute per key
SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    name TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    last_used TEXT,
    revoked TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_active_name ON api_keys (name) WHERE revoked IS NULL;
"""


class ApiKeyError(ValueError):
    """A key operation that cannot be done, said in one line with what to do instead."""


@dataclass(frozen=True)
class KeyInfo:
    name: str
    created: str
    last_used: str | None
    revoked: str | None


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class KeyStore:
    """The key file, for ``kb api-key`` (and the service's "last used" writes)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _db(self, *, create: bool = False) -> Iterator[sqlite3.Connection]:
        if create and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # digests only, but nobody else's business
        elif not self.path.is_file():
            raise ApiKeyError(f"no API key file at {self.path}; create a key with: kb api-key create NAME")
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.executescript(SCHEMA)
            yield db
        except sqlite3.DatabaseError as exc:
            raise ApiKeyError(f"{self.path} is not a usable API key file ({exc}); move it away and create the keys again") from None
        finally:
            db.close()

    def create(self, name: str) -> str:
        """A new key named ``name``; returns it in clear (the only time it exists outside the caller)."""
        if not NAME.match(name):
            raise ApiKeyError(f'"{name[:80]}" is not a key name: use 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit')
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db(create=True) as db:
            try:
                db.execute("INSERT INTO api_keys (name, digest, created) VALUES (?, ?, ?)", (name, digest(key).hex(), _now()))
            except sqlite3.IntegrityError:
                raise ApiKeyError(f'a key named "{name}" exists; revoke it first (kb api-key revoke {name}) or choose another name') from None
        return key

    def keys(self) -> list[KeyInfo]:
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT name, created, last_used, revoked FROM api_keys ORDER BY revoked IS NOT NULL, name, created").fetchall()
        return [KeyInfo(*row) for row in rows]

    def revoke(self, name: str) -> None:
        with self._db() as db:
            if db.execute("UPDATE api_keys SET revoked = ? WHERE name = ? AND revoked IS NULL", (_now(), name)).rowcount == 0:
                active = [r[0] for r in db.execute("SELECT name FROM api_keys WHERE revoked IS NULL ORDER BY name")]
                raise ApiKeyError(f'no active key named "{name[:80]}"; active keys: {", ".join(active) or "none"}')

    def touch(self, names: list[str]) -> None:
        """Record that these keys were used now (called off the event loop)."""
        try:
            with self._db() as db:
                db.executemany("UPDATE api_keys SET last_used = ? WHERE name = ? AND revoked IS NULL", [(_now(), n) for n in names])
        except (ApiKeyError, sqlite3.Error, OSError) as exc:  # a read-only file: keys still work, "last used" is not kept
            log.warning("cannot record API key use in %s: %s", self.path, exc)


@dataclass(frozen=True)
class _Active:
    name: str
    digest: bytes


class KeyTable:
    """The active keys as the service checks them: re-read when the file's identity changes.

    The file is looked at (one ``stat`` and a 4-byte read of SQLite's change counter, which every
    commit increments) at most once every ``CHECK_SECONDS``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = KeyStore(path)
        self._keys: tuple[_Active, ...] = ()
        self._identity: tuple[int, int, int, bytes] | None = None
        self._next_check = 0.0
        self._touched: dict[str, float] = {}
        self.error: str | None = None

    @property
    def has_keys(self) -> bool:
        """Whether any active key exists (then every protected request needs one); true while the file is unreadable."""
        return bool(self._keys) or self.error is not None

    def refresh(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if now < self._next_check:
            return
        self._next_check = now + CHECK_SECONDS
        identity = self._file_identity()
        if identity == self._identity:
            return
        self._identity = identity
        if identity is None:
            self._keys, self.error = (), None
            return
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=2)
            try:
                rows = db.execute("SELECT name, digest FROM api_keys WHERE revoked IS NULL").fetchall()
            finally:
                db.close()
            self._keys, self.error = tuple(_Active(name, bytes.fromhex(hexdigest)) for name, hexdigest in rows), None
        except (sqlite3.Error, ValueError) as exc:
            # Fail closed: a damaged key file must not open the API to everyone.
            self._keys, self.error = (), f"the API key file {self.path} cannot be read ({exc})"
            self._identity = None  # try again at the next check
            log.error("%s; every protected request is refused until it is fixed", self.error)

    def _file_identity(self) -> tuple[int, int, int, bytes] | None:
        try:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())
                header = handle.read(28)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size, header[24:28])

    def match(self, presented: str) -> str | None:
        """The name of the active key ``presented`` is, compared in constant time with every key."""
        candidate = digest(presented)
        found = None
        for key in self._keys:
            if hmac.compare_digest(candidate, key.digest):
                found = key.name
        return found

    def due_for_touch(self, name: str, now: float) -> bool:
        """True at most once every ``TOUCH_SECONDS`` per key: time to write its "last used"."""
        if now - self._touched.get(name, -TOUCH_SECONDS) < TOUCH_SECONDS:
            return False
        self._touched[name] = now
        return True
