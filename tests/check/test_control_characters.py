"""NUL, ESC, BEL, C1 controls and bidi overrides in any content text: `kb check` names each at path:line:col."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .casekit import TODAY, make_repo

KB = Path(sys.executable).parent / "kb"
CHARS = {"NUL": "\x00", "BEL": "\x07", "ESC": "\x1b", "C1": "\x9b", "DEL": "\x7f", "RLO": "\u202e", "LRI": "\u2066", "PDI": "\u2069"}


def _inject(root: Path, rel: str, anchor: str, char: str, *, after: bool = True) -> tuple[int, int]:
    """Put ``char`` just after (or before) ``anchor`` in ``rel``; return its 1-based line and column."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    at = text.index(anchor) + (len(anchor) if after else 0)
    path.write_text(text[:at] + char + text[at:], encoding="utf-8")
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _check(root: Path) -> tuple[int, list[dict], str]:
    done = subprocess.run([str(KB), "check", "--root", str(root), "--today", TODAY, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


PLACES = {
    "markdown body": ("kb/articles/vpn-reinstall.md", "Reinstall"),
    "front matter value": ("kb/articles/vpn-reinstall.md", "title: "),
    "tree text": ("guides/vpn-no-connect.yml", "text: Does the VPN"),
    "tree key": ("guides/vpn-no-connect.yml", "  connects"),
    "config value": ("guides/escalation.yml", "team: "),
    "yaml comment": (
        "guides/categories.yml",
        "\n",
    ),
}


@pytest.mark.parametrize("name", list(CHARS))
@pytest.mark.parametrize("place", list(PLACES))
def test_each_character_is_reported_at_its_position(tmp_path: Path, place: str, name: str) -> None:
    root = make_repo(tmp_path)
    rel, anchor = PLACES[place]
    if place == "yaml comment":
        (root / rel).write_text("# categories " + "\n" + (root / rel).read_text(encoding="utf-8"), encoding="utf-8")
        anchor = "# categories "
    line, col = _inject(root, rel, anchor, CHARS[name])
    code, problems, _ = _check(root)
    assert code == 1
    found = [(p["path"], p["line"], p["col"], p["rule"]) for p in problems]
    if place == "tree key":  # the key is also no longer the node id its references name (a schema problem)
        assert found[0] == (rel, line, col, "control-character") and all(rule != "control-character" for *_, rule in found[1:]), problems
    else:
        assert found == [(rel, line, col, "control-character")], problems
    assert f"U+{ord(CHARS[name]):04X}" in problems[0]["message"] and "remove it" in problems[0]["message"]


def test_tab_newline_and_crlf_are_fine(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = root / "kb" / "articles" / "vpn-reinstall.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n").replace(b"Reinstall", b"Re\tinstall", 1))
    code, problems, _ = _check(root)
    assert code == 0 and problems == []


def test_many_characters_in_one_file_are_capped(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = root / "kb" / "articles" / "vpn-reinstall.md"
    path.write_text(path.read_text(encoding="utf-8") + "\x1b" * 500 + "\n", encoding="utf-8")
    _, problems, _ = _check(root)
    assert 1 <= len([p for p in problems if p["rule"] == "control-character"]) <= 20
