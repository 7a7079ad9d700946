"""The kb-check hook run by `pre-commit` itself in a repository `kb init` wrote: a broken tree
stops the commit with the positioned problem, a clean one passes. No network: the scaffold's
hook is a `repo: local` one running the installed `kb`, the same as this repository's
.pre-commit-hooks.yaml publishes for remote use (compared below)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from support import KB, ROOT

HOOK_KEYS = ("id", "name", "entry", "pass_filenames", "files")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "GIT_"))}
    env |= {
        "PATH": os.pathsep.join([str(KB.parent), env.get("PATH", "")]),
        "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home"),
        **{f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in (("NAME", "Author"), ("EMAIL", "author@example.com"))},
    }
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_pre_commit_runs_kb_check_on_a_scaffolded_repository(tmp_path: Path) -> None:
    root = tmp_path / "team-kb"
    assert _run([str(KB), "init", str(root)], tmp_path).returncode == 0
    assert _run(["git", "init", "-q"], root).returncode == 0
    tree = root / "guides" / "account-locked-out.yml"
    text = tree.read_text(encoding="utf-8")
    tree.write_text(text.replace("      yes: unlock\n", "      yes: unlok\n"), encoding="utf-8")
    line = text.splitlines().index("      yes: unlock") + 1
    assert _run(["git", "add", "-A"], root).returncode == 0

    broken = _run([sys.executable, "-m", "pre_commit", "run", "--all-files"], root)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "kb check" in broken.stdout and "Failed" in broken.stdout
    assert f"guides/account-locked-out.yml:{line}:12: error [unknown-node]" in broken.stdout
    assert _run([sys.executable, "-m", "pre_commit", "install"], root).returncode == 0  # then the hook runs on a real commit
    commit = _run(["git", "commit", "-q", "-m", "broken"], root)
    assert commit.returncode == 1 and "[unknown-node]" in commit.stdout + commit.stderr

    tree.write_text(text, encoding="utf-8")
    assert _run(["git", "add", "-A"], root).returncode == 0
    clean = _run(["git", "commit", "-q", "-m", "Knowledge base"], root)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "kb check" in clean.stdout + clean.stderr and "Passed" in clean.stdout + clean.stderr


def test_published_hook_is_the_scaffolds_hook(tmp_path: Path) -> None:
    published = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    scaffold = yaml.safe_load((ROOT / "search/cli/scaffold/common/dot-pre-commit-config.yaml").read_text(encoding="utf-8"))
    (local,) = scaffold["repos"][0]["hooks"]
    assert [h["id"] for h in published] == ["kb-check"]
    assert {k: published[0][k] for k in HOOK_KEYS} == {k: local[k] for k in HOOK_KEYS}
    assert (published[0]["language"], local["language"]) == ("python", "system")  # remote: pre-commit installs kb-guides; local: the installed kb
