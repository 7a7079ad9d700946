"""Which files of the content folders may be read and published: one walk that never follows links.

mkdocs copies every file of ``docs_dir`` and follows symbolic links, so a link to
``/proc/self/environ`` or a configuration file holding a token would end up on the web server.
The loader, the site plugin and the checks all take the file list from :func:`scan`, which walks
``kb/`` and ``guides/`` without following links and sorts every entry into one kind.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path

CONTENT_DIRS = ("kb", "guides")

# File names that hold configuration or secrets and are never content (matched case-insensitively
# against the name and against the name without backup suffixes such as ``.bak`` or ``~``).
# Precise on purpose: a screenshot called reset-password.png or token-expiry.png is content.
SECRET_NAMES = (
    "*.toml",
    "*.env",
    ".env",
    ".env.*",
    "*.ini",
    "*.cfg",
    "*.conf",
    "*.properties",
    "*.pem",
    "*.key",
    "*.csr",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.ppk",
    "*.gpg",
    "*.pgp",
    "*.asc",
    "*.kdbx",
    "*.kdb",
    "*.agilekeychain",
    "*.tfstate",
    "*.tfvars",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*.ovpn",
    ".htpasswd",
    ".htaccess",
    ".netrc",
    ".pgpass",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".dockercfg",
    "credentials",
    "credentials.*",
    "secret.*",
    "secrets.*",
    "*.secret",
    "*.secrets",
    "passwords.*",
    "*.token",
    "kb-config*",
    "mkdocs.y*ml",
    "*.sqlite*",
    "*.db",
)
BACKUP_SUFFIX = re.compile(r"(?i)(~|\.(bak|backup|old|orig|save|saved|swp|swo|tmp|copy|dist|sample|example|\d+))$")
_SECRET_RE = re.compile("|".join(fnmatch.translate(p) for p in SECRET_NAMES), re.IGNORECASE)


class Kind(Enum):
    FILE = "file"  # a regular file: may be read and published
    LINK = "link"  # a symbolic link (to a file or a folder): never followed
    SPECIAL = "special"  # a FIFO, socket or device: never opened


@dataclass(frozen=True)
class Entry:
    """One entry of a content folder; ``target`` is a link's text, ``inside`` whether it stays in the repository."""

    rel: str
    kind: Kind
    target: str = ""
    inside: bool = True
    dangling: bool = False


@dataclass
class ContentFiles:
    """Every entry of ``kb/`` and ``guides/`` (relative paths); only ``files`` are ever read."""

    entries: list[Entry] = field(default_factory=list)

    @cached_property
    def files(self) -> frozenset[str]:
        """Regular files (computed once: the loader asks for every guide's tree)."""
        return frozenset(e.rel for e in self.entries if e.kind is Kind.FILE)

    @cached_property
    def not_files(self) -> frozenset[str]:
        return frozenset(e.rel for e in self.entries if e.kind is not Kind.FILE)

    def published_static(self, docs: str = "kb") -> set[str]:
        """Files of the docs folder that mkdocs may copy as they are (paths relative to ``docs``):
        regular, not Markdown (pages are rendered from the loaded content), no secret-like name."""
        prefix = docs.rstrip("/") + "/"
        return {
            e.rel[len(prefix) :]
            for e in self.entries
            if e.kind is Kind.FILE and e.rel.startswith(prefix) and not e.rel.endswith(".md") and not is_secret_name(e.rel.rsplit("/", 1)[-1])
        }

    def under(self, folder: str, suffix: str, recursive: bool = True) -> list[str]:
        """Regular files in ``folder`` ending in ``suffix``, sorted (top level only unless ``recursive``)."""
        prefix = folder.rstrip("/") + "/"
        return sorted(
            e.rel
            for e in self.entries
            if e.kind is Kind.FILE and e.rel.startswith(prefix) and e.rel.endswith(suffix) and (recursive or "/" not in e.rel[len(prefix) :])
        )


def is_secret_name(name: str) -> bool:
    """Whether a file name looks like configuration or a secret (see ``SECRET_NAMES``). Markdown
    files are content (an article may well be called ``reset-password.md``), never secrets."""
    if name.lower().endswith(".md"):
        return False
    while True:
        if _SECRET_RE.match(name):
            return True
        stripped = BACKUP_SUFFIX.sub("", name)
        if stripped == name or not stripped:
            return False
        name = stripped


def scan(root: Path) -> ContentFiles:
    """Walk the content folders without following links; a content folder that is itself a link is reported, not entered."""
    found = ContentFiles()
    real_root = os.path.realpath(root)
    for top in CONTENT_DIRS:
        path = root / top
        if path.is_symlink():
            found.entries.append(_link(root, real_root, top))
            continue
        if not path.is_dir():
            continue
        for current, dirs, names in os.walk(path, followlinks=False):
            rel_dir = Path(current).relative_to(root).as_posix()
            for name in sorted(dirs):
                if os.path.islink(os.path.join(current, name)):
                    found.entries.append(_link(root, real_root, f"{rel_dir}/{name}"))
            dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(current, d)))
            for name in sorted(names):
                found.entries.append(_entry(root, real_root, f"{rel_dir}/{name}"))
    return found


def _entry(root: Path, real_root: str, rel: str) -> Entry:
    try:
        mode = os.lstat(root / rel).st_mode
    except OSError:
        return Entry(rel, Kind.SPECIAL)
    if stat.S_ISLNK(mode):
        return _link(root, real_root, rel)
    return Entry(rel, Kind.FILE if stat.S_ISREG(mode) else Kind.SPECIAL)


def _link(root: Path, real_root: str, rel: str) -> Entry:
    path = root / rel
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    resolved = os.path.realpath(path)
    inside = resolved == real_root or resolved.startswith(real_root + os.sep)
    return Entry(rel, Kind.LINK, target, inside, dangling=not os.path.exists(path))
