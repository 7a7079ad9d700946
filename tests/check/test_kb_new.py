"""`kb new guide|article ID`: a file from the template, with the schema header, that kb check passes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from support import KB

from .casekit import make_repo


def kb(root: Path, *args: str, code: int = 0, preview: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KB_PREVIEW": "1"} if preview else None
    done = subprocess.run([str(KB), *args, "--root", str(root)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


def test_new_guide_and_article_pass_kb_check_strict(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    guide = kb(root, "new", "guide", "vpn-drops-hourly", "--category", "vpn", "--owner", "Network: Operations", "--format", "json")
    assert json.loads(guide.stdout) == ["guides/vpn-drops-hourly.md", "guides/vpn-drops-hourly.yml"]
    article = kb(root, "new", "article", "vpn-split-tunnel", "--category", "network/vpn", "--owner", "Network Operations", "--title", "Split tunnelling")
    assert article.stdout.splitlines() == ["kb/articles/vpn-split-tunnel.md"]
    tree = (root / "guides/vpn-drops-hourly.yml").read_text(encoding="utf-8")
    assert tree.startswith("# yaml-language-server: $schema=../schemas/tree.schema.json\n") and "step: network-l2" in tree
    assert (root / "guides/vpn-drops-hourly.md").read_text(encoding="utf-8").split("\n")[
        1
    ] == "# yaml-language-server: $schema=../schemas/guide-front-matter.schema.json"
    text = (root / "kb/articles/vpn-split-tunnel.md").read_text(encoding="utf-8")
    assert [line for line in text.split("\n") if line.startswith("## ")] == ["## Issue", "## Environment", "## Resolution", "## Cause"]
    assert 'title: "Split tunnelling"' in text and "status: draft" in text
    assert kb(root, "check", "--strict").stderr.endswith("3 guides, 3 articles checked: 0 errors, 0 warnings\n")
    walked = json.loads(kb(root, "walk", "vpn-drops-hourly", "--format", "json", "--answer", "no", preview=True).stdout)  # a draft: in the index with --preview
    assert walked["outcome"]["type"] == "escalation"  # the template's tree is walkable as it is


def test_new_refuses_to_overwrite_or_reuse_and_suggests_categories(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    before = (root / "guides/password-reset.md").read_bytes()
    assert (
        '"password-reset" is already the id of guides/password-reset.md'
        in kb(root, "new", "article", "password-reset", "--category", "accounts", "--owner", "x", code=2).stderr
    )
    (root / "kb/articles/half-written.md").write_text("not yet a valid article\n", encoding="utf-8")  # no id loads from it, the file is still there
    assert (
        "kb/articles/half-written.md already exists; kb new overwrites nothing"
        in kb(root, "new", "article", "half-written", "--category", "accounts", "--owner", "x", code=2).stderr
    )
    assert 'unknown category "acounts" (did you mean "accounts"' in kb(root, "new", "guide", "x-y", "--category", "acounts", "--owner", "x", code=2).stderr
    assert "is not a kebab-case id" in kb(root, "new", "guide", "Bad Id", "--category", "accounts", "--owner", "x", code=2).stderr
    assert (root / "guides/password-reset.md").read_bytes() == before and not (root / "guides/x-y.md").exists()
