"""The git history of the content: commits that touched ``guides/`` and ``kb/``, and each file's
content version (the commit that last changed it).

Git runs as a subprocess with machine-readable output (``-z``), one ``git log`` call for a whole
range however many commits it holds (decision record 0022). Without git (a tarball of the
content, or no ``git`` program) there is no history: :func:`open_history` returns ``None`` and
versions fall back to a hash of the file's bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CONTENT_PATHS = ("guides", "kb")
_COMMIT_START, _FIELD = "\x1e", "\x1f"
_FORMAT = "--format=%x1e%H%x1f%aI%x1f%aN%x1f%aE%x1f%s"
# Quiet, stable output whatever the user's git configuration says.
_GIT_OPTIONS = ("-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "diff.renames=true", "--no-pager")


class GitError(Exception):
    """A git command failed (a bad revision, a damaged repository); the message is git's."""


@dataclass(frozen=True)
class FileChange:
    """One file a commit touched: ``status`` is A (added), M (modified), D (deleted) or R (renamed from ``old_path``)."""

    status: str
    path: str
    old_path: str | None = None


@dataclass(frozen=True)
class Commit:
    sha: str
    date: dt.datetime
    author: str
    email: str
    subject: str
    changes: tuple[FileChange, ...] = ()

    @property
    def short(self) -> str:
        return self.sha[:10]


@dataclass(frozen=True)
class ContentVersion:
    """What version of a document is shown: the commit that last changed its files (and its
    date), ``modified`` when the working copy differs from that commit, and always a hash of the
    bytes, which stands in for the commit without git."""

    digest: str
    commit: str | None = None
    date: dt.datetime | None = None
    modified: bool = False

    @property
    def token(self) -> str:
        """Changes exactly when the shown content changes (the browser's "changed since" key)."""
        return self.commit if self.commit and not self.modified else f"sha256:{self.digest}"

    @property
    def label(self) -> str:
        if self.commit is None:
            return f"content {self.digest[:12]}"
        when = f" of {self.date.date().isoformat()}" if self.date else ""
        return f"commit {self.commit[:10]}{when}" + (" with local changes" if self.modified else "")


@dataclass
class History:
    """Git access for one content root (a repository or a folder inside one)."""

    root: Path
    _versions: dict[str, tuple[str, dt.datetime]] | None = field(default=None, repr=False)
    _dirty: frozenset[str] | None = field(default=None, repr=False)

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        try:
            done = subprocess.run(["git", *_GIT_OPTIONS, "-C", str(self.root), *args], input=stdin, capture_output=True, check=False, env=_git_env())
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror or exc}") from None
        if done.returncode != 0:
            raise GitError(done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
        return done.stdout

    def log(self, *revisions: str, since: dt.datetime | None = None, limit: int | None = None) -> list[Commit]:
        """Commits touching the content, newest first, with the files each touched (renames found)."""
        args = ["log", "-z", "-M", "--name-status", "--relative", _FORMAT]
        if since is not None:
            args.append(f"--since={since.isoformat()}")
        if limit is not None:
            args.append(f"--max-count={limit}")
        return parse_log(self.git(*args, *(revisions or ("HEAD",)), "--", *CONTENT_PATHS).decode("utf-8", "replace"))

    def resolve(self, revision: str) -> str:
        """The commit a ref or sha names; :class:`GitError` when it names none."""
        if revision.startswith("-"):
            raise GitError(f'"{revision}" is not a revision')
        return self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}").decode().strip()

    def last_before(self, when: dt.datetime) -> str | None:
        """The newest commit (any path) made before ``when``: the base of a "since DATE" summary."""
        out = self.git("rev-list", "-1", f"--before={when.isoformat()}", "HEAD").decode().strip()
        return out or None

    def show(self, specs: Sequence[str]) -> dict[str, str | None]:
        """File texts at revisions (``REV:path`` relative to the root), all in one ``git cat-file`` call;
        ``None`` where the file did not exist."""
        if not specs:
            return {}
        prefix = self.git("rev-parse", "--show-prefix").decode().strip()
        wanted = [f"{spec.split(':', 1)[0]}:{prefix}{spec.split(':', 1)[1]}" for spec in specs]
        out = self.git("cat-file", "--batch", stdin="".join(f"{w}\n" for w in wanted).encode())
        texts: dict[str, str | None] = {}
        at = 0
        for spec in specs:
            end = out.index(b"\n", at)
            header = out[at:end].split()
            at = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                texts[spec] = out[at : at + size].decode("utf-8", "replace").replace("\r\n", "\n")
                at += size + 1
            else:
                texts[spec] = None
        return texts

    def versions(self, documents: Iterable[tuple[str, Sequence[str]]]) -> dict[str, ContentVersion]:
        """Content version of each document (key -> its files, relative to the root)."""
        if self._versions is None:
            self._versions, self._dirty = self._last_changes(), self._changed_files()
        result = {}
        for key, paths in documents:
            found = [self._versions[p] for p in paths if p in self._versions]
            sha, date = max(found, key=lambda v: v[1]) if found else (None, None)
            dirty = any(p in (self._dirty or ()) for p in paths) or len(found) < len(paths)
            result[key] = ContentVersion(_digest(self.root, paths), sha, date, modified=dirty and sha is not None)
        return result

    def _last_changes(self) -> dict[str, tuple[str, dt.datetime]]:
        """Path -> (sha, date) of the newest commit that touched it, from one ``git log``."""
        out = self.git("log", "-z", "--name-only", "--relative", "--format=%x1e%H%x1f%aI", "HEAD", "--", *CONTENT_PATHS).decode("utf-8", "replace")
        last: dict[str, tuple[str, dt.datetime]] = {}
        for chunk in out.split(_COMMIT_START)[1:]:
            header, *paths = chunk.split("\0")
            sha, date = header.split(_FIELD)
            when = dt.datetime.fromisoformat(date)
            for path in paths:
                path = path.lstrip("\n")
                if path and path not in last:
                    last[path] = (sha, when)
        return last

    def _changed_files(self) -> frozenset[str]:
        """Files that differ from HEAD in the working copy (edited, staged or untracked)."""
        edited = self.git("diff", "-z", "--name-only", "--relative", "HEAD", "--", *CONTENT_PATHS).decode("utf-8", "replace")
        untracked = self.git("ls-files", "-z", "--others", "--exclude-standard", "--", *CONTENT_PATHS).decode("utf-8", "replace")
        return frozenset(p for p in (edited + "\0" + untracked).split("\0") if p)


def open_history(root: Path) -> History | None:
    """The history of the content at ``root``, or ``None`` when it is not in a git work tree with
    at least one commit (a tarball), or git is not installed."""
    history = History(root)
    try:
        if history.git("rev-parse", "--is-inside-work-tree").strip() != b"true":
            return None
        history.git("rev-parse", "--verify", "--quiet", "HEAD")
    except GitError:
        return None
    return history


def content_versions(root: Path, documents: Iterable[tuple[str, Sequence[str]]], history: History | None = None) -> dict[str, ContentVersion]:
    """Versions from git where there is history, else content hashes alone."""
    docs = list(documents)
    history = history if history is not None else open_history(root)
    if history is not None:
        try:
            return history.versions(docs)
        except GitError:
            pass  # a damaged repository still gets hashes: versions never stop a build
    return {key: ContentVersion(_digest(root, paths)) for key, paths in docs}


def parse_log(out: str) -> list[Commit]:
    """Commits from ``git log -z --name-status`` output in :data:`_FORMAT`."""
    commits = []
    for chunk in out.split(_COMMIT_START)[1:]:
        header, *tokens = chunk.split("\0")
        sha, date, author, email, subject = header.split(_FIELD, 4)
        changes: list[FileChange] = []
        items = iter(t.lstrip("\n") for t in tokens)
        for status in items:
            if not status:
                continue
            if status[0] in "RC":
                old, new = next(items), next(items)
                changes.append(FileChange("R", new, old) if status[0] == "R" else FileChange("A", new))
            else:
                changes.append(FileChange(status[0], next(items)))
        commits.append(Commit(sha, dt.datetime.fromisoformat(date), author, email, subject, tuple(changes)))
    return commits


def _digest(root: Path, paths: Sequence[str]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        try:
            with open(os.path.join(root, path), "rb") as file:  # not pathlib: this runs for every document of a build
                sha.update(file.read())
        except OSError:
            sha.update(b"\0missing\0")
    return sha.hexdigest()


def _git_env() -> dict[str, str]:
    """The caller's environment without variables that would point git at another repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env["LC_ALL"] = "C"
    return env
