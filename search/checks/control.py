"""Control and bidirectional-override characters anywhere in content files.

NUL, ESC, BEL and the other C0/C1 controls have no place in guides: they garble terminals
(``kb walk``, transcripts pasted into tickets) and can break the tools that read exports. The
bidi overrides and isolates (U+202A..U+202E, U+2066..U+2069) make text display in an order other
than the one it is stored in ("Trojan Source"), so a reviewer approves what readers do not see.
Every content file is scanned as written, so Markdown bodies, YAML values, keys and
comments are all covered, each character reported at its own ``path:line:col``. YAML files that
the loader refused for such a character are reported by the loader under the same rule id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from ..content.problems import Problem
from ..content.repository import Repository
from ..content.yamlload import CONTROL_CHARACTER, describe_control
from . import rule

MAX_PER_FILE = 20
MAX_BYTES = 5_000_000  # the Markdown size cap: larger files are refused by the loader


def _files(repo: Repository) -> Iterator[Path]:
    """The content files the repository reads, loaded or not (a file refused by the schema still
    gets its characters reported); symlinks and special files are left to the loader's rules."""
    guides, kb = repo.root / "guides", repo.root / "kb"
    found = [*sorted(guides.glob("*.md")), *sorted(guides.glob("*.yml"))] if guides.is_dir() else []
    found += sorted(kb.rglob("*.md")) if kb.is_dir() else []
    for path in found:
        if not path.is_symlink() and path.is_file() and path.stat().st_size <= MAX_BYTES:
            yield path


@rule("control-character", "NUL, ESC, BEL or another control character (C0/C1 except tab and newline), or a bidi override/isolate (U+202A-U+202E, U+2066-U+2069), in any content text.")
def control_characters(repo: Repository, today: dt.date) -> Iterator[Problem]:
    for path in _files(repo):
        rel = path.relative_to(repo.root).as_posix()
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue  # the loader reported it
        found = 0
        for match in CONTROL_CHARACTER.finditer(text):
            start = match.start()
            line = text.count("\n", 0, start) + 1
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            yield Problem(rel, line, col, "control-character", describe_control(match.group()))
            found += 1
            if found >= MAX_PER_FILE:
                break
