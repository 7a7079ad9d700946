"""A content repository under git, built by a test: commits by named authors at fixed dates."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from support import ROOT

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"


class GitRepo:
    """``tests/fixtures/minimal`` and the shipped mkdocs.yml copied into ``path`` as the first commit; each :meth:`commit`
    writes, renames and deletes files and commits them as the given author at the given date."""

    def __init__(self, path: Path, author: str = "Ada Author", date: str = "2026-01-05T10:00:00+00:00") -> None:
        self.path = path
        shutil.copytree(MINIMAL, path, dirs_exist_ok=True)
        shutil.copy(ROOT / "mkdocs.yml", path / "mkdocs.yml")
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self._commit("Initial content", author, date)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full_env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
        return subprocess.run(["git", "-C", str(self.path), *args], check=True, capture_output=True, text=True, env=full_env).stdout

    def commit(
        self,
        message: str,
        author: str,
        date: str,
        write: dict[str, str] | None = None,
        rename: dict[str, str] | None = None,
        delete: tuple[str, ...] = (),
    ) -> str:
        """Change the files, commit, and return the new commit's sha."""
        for old, new in (rename or {}).items():
            self.git("mv", old, new)
        for rel, text in (write or {}).items():
            (self.path / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.path / rel).write_text(text, encoding="utf-8")
        for rel in delete:
            self.git("rm", "-q", rel)
        self.git("add", "-A")
        return self._commit(message, author, date)

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text(encoding="utf-8")

    def _commit(self, message: str, author: str, date: str) -> str:
        email = author.lower().replace(" ", ".") + "@example.org"
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": date,
        }
        self.git("commit", "-q", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()
