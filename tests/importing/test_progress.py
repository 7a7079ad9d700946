"""Progress of long commands: a live bar on a terminal (a real pseudo-terminal), plain lines in a
log, and nothing at all for work that ends within the quiet period."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pexpect

from search.cli.progress import ProgressDisplay
from support import KB
from support.sample import write_sample

from .test_markdown_import import FIXTURE


def test_plain_lines_at_the_start_each_tenth_and_the_end() -> None:
    out = io.StringIO()
    with ProgressDisplay("index", out, live=False, quiet_for=0) as progress:
        for done in range(0, 201):
            progress("indexing", done, 200)
        progress("indexing", 200, 200)  # a repeated end prints nothing more
    lines = out.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [f"index: indexing {n:,}/200" for n in (0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200)]
    assert re.fullmatch(r"index: indexing 100/200 \(50%\), [\d,]+/s, about [\d,]+ s left", lines[5])
    assert re.fullmatch(r"index: indexing 200/200 \(100%\), [\d,]+/s in [\d.]+ s", lines[-1])


def test_short_work_prints_nothing_in_a_log(tmp_path: Path) -> None:
    out = io.StringIO()
    with ProgressDisplay("check", out, live=False) as progress:
        for done in range(0, 11):
            progress("loading", done, 10)
    assert out.getvalue() == ""
    root = write_sample(tmp_path / "repo")
    done = subprocess.run([str(KB), "import", "markdown", str(FIXTURE), "--root", str(root)], capture_output=True, text=True, timeout=120)
    assert "import:" not in done.stderr.replace("markdown import:", "") and "\x1b[" not in done.stderr


def test_a_terminal_gets_a_live_bar_with_counts(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    child = pexpect.spawn(str(KB), ["import", "markdown", str(FIXTURE), "--root", str(root)], encoding="utf-8", timeout=60, dimensions=(40, 160))
    child.expect(pexpect.EOF)
    screen = child.before or ""
    assert "import: reading" in screen and "10/10" in screen and "import: writing" in screen and "8/8" in screen
    assert "━" in screen  # rich's bar
    check = pexpect.spawn(str(KB), ["check", "--root", str(root)], encoding="utf-8", timeout=60, dimensions=(40, 160))
    check.expect(pexpect.EOF)
    assert "check: loading" in (check.before or "") and "check: checking" in (check.before or "")
