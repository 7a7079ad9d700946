"""`kb review --done ID`: only the review date (and the reviewer) change in the file; every other
byte stays, whatever the comments, quoting and line ends. Run as the real `kb` program."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT
from support.servers import kb_executable

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
ARTICLE = "kb/articles/password-rules.md"
GUIDE = "guides/vpn-no-connect.md"


def kb(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*kb_executable(), *args, "--root", str(root)], capture_output=True, text=True, timeout=60)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return shutil.copytree(MINIMAL, tmp_path / "content")


UNUSUAL = (
    "---\n"
    "# reviewed: 2020-01-01 (a comment that looks like the field)\n"
    "id:   password-rules   # aligned, with a comment\n"
    "title: 'Password rules: what ''strong'' means'\n"
    "category: accounts\n"
    'owner: "Identity and Access"\n'
    "reviewed: '2025-03-10'   # quoted, with a comment after it\n"
    'reviewed_by: "Old Reviewer"  # kept in double quotes\n'
    "---\n"
    "\n"
    "## Issue\n"
    "\n"
    "reviewed: 2019-01-01 is body text, not front matter.\n"
)


def test_quoted_date_and_reviewer_with_comments_change_in_place(root: Path) -> None:
    article = root / ARTICLE
    article.write_bytes(UNUSUAL.encode())
    done = kb(root, "review", "--done", "password-rules", "--by", "Ana O'Neil", "--date", "2026-12-01")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{ARTICLE}: reviewed 2026-12-01 by Ana O'Neil\n"
    expected = UNUSUAL.replace("reviewed: '2025-03-10'", "reviewed: '2026-12-01'").replace('reviewed_by: "Old Reviewer"', 'reviewed_by: "Ana O\'Neil"')
    assert article.read_bytes() == expected.encode()


def test_crlf_file_keeps_its_line_ends_and_gets_the_reviewer_on_a_new_crlf_line(root: Path) -> None:
    guide = root / GUIDE
    original = guide.read_bytes().replace(b"\n", b"\r\n")
    guide.write_bytes(original)
    done = kb(root, "review", "--done", "vpn-no-connect", "--by", "Network Ops", "--date", "2026-12-02")
    assert done.returncode == 0, done.stderr
    expected = original.replace(b"reviewed: 2026-06-01\r\n", b"reviewed: 2026-12-02\r\nreviewed_by: Network Ops\r\n")
    assert guide.read_bytes() == expected
    assert kb(root, "check", "--strict").returncode == 0  # the file still loads as the same guide


def test_only_the_date_changes_without_by_and_the_mode_is_kept(root: Path) -> None:
    guide = root / GUIDE
    guide.chmod(0o640)
    original = guide.read_bytes()
    assert kb(root, "review", "--done", "vpn-no-connect", "--date", "2026-12-02").returncode == 0
    assert guide.read_bytes() == original.replace(b"reviewed: 2026-06-01", b"reviewed: 2026-12-02")
    assert guide.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in guide.parent.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_a_value_that_cannot_be_edited_in_place_is_refused_and_the_file_untouched(root: Path) -> None:
    article = root / ARTICLE
    flow = "---\n{id: password-rules, title: Password rules, owner: IAM, reviewed: 2025-03-10}\n---\n\n## Issue\n"
    article.write_text(flow, encoding="utf-8")
    done = kb(root, "review", "--done", "password-rules")
    assert done.returncode == 1
    assert '"reviewed" must be a one-line value on its own "reviewed:" line' in done.stderr
    assert article.read_text(encoding="utf-8") == flow


def test_an_unknown_id_is_a_usage_error_with_a_suggestion(root: Path) -> None:
    done = kb(root, "review", "--done", "vpn-no-conect")
    assert done.returncode == 2
    assert 'no guide or article "vpn-no-conect"' in done.stderr and "vpn-no-connect" in done.stderr
