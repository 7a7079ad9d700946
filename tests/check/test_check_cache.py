"""`kb check`'s cache (decision record 0039): a cached run reports exactly what a fresh run does,
and re-parses only the files that changed.

The repository has many problems at once: every broken-case overlay of tests/fixtures/broken laid
beside the minimal repository under its own file name (so per-file findings of many rules, and
cross-file ones such as duplicate ids, are all in one output).
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

from check.casekit import BROKEN, MINIMAL, TODAY
from search.content.cache import FileCache, shard_of


def _many_problems(root: Path) -> Path:
    shutil.copytree(MINIMAL, root, ignore=shutil.ignore_patterns(".kb-cache"))  # other tests check the fixture in place
    for case in sorted(BROKEN.iterdir()):
        for overlay in case.rglob("*"):
            rel = overlay.relative_to(case)
            if rel.parts[:2] == ("kb", "articles") and rel.suffix == ".md":
                shutil.copy(overlay, root / "kb" / "articles" / f"{case.name}-{rel.name}")
            elif rel.parts[0] == "guides" and len(rel.parts) == 2 and (MINIMAL / "guides" / f"{rel.stem}.md").is_file():
                md = overlay if rel.suffix == ".md" else case / "guides" / f"{rel.stem}.md"
                tree = overlay if rel.suffix == ".yml" else case / "guides" / f"{rel.stem}.yml"
                shutil.copy(md if md.is_file() else MINIMAL / "guides" / f"{rel.stem}.md", root / "guides" / f"{case.name}.md")
                shutil.copy(tree if tree.is_file() else MINIMAL / "guides" / f"{rel.stem}.yml", root / "guides" / f"{case.name}.yml")
    return root


def _check(root: Path, env: dict[str, str], *args: str) -> tuple[str, int | None]:
    """The report of the real command (path:line:col lines), and how many KB files it parsed (None: no cache)."""
    done = subprocess.run(
        [sys.executable, "-m", "search.cli", "check", "--root", str(root), "--today", TODAY, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    parsed = re.search(r"parsed ([\d,]+) of ([\d,]+) KB files", done.stderr)
    return done.stdout, int(parsed.group(1).replace(",", "")) if parsed else None


def test_a_cached_run_reports_what_a_fresh_run_does(tmp_path: Path) -> None:
    root = _many_problems(tmp_path / "repo")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home-cache")}  # where the signing key is kept
    files = len(list((root / "kb").rglob("*.md")))

    fresh, parsed = _check(root, env, "--no-cache")
    assert parsed is None and not (root / ".kb-cache").exists()
    rules = set(re.findall(r"\[([a-z-]+)\]", fresh))
    assert {"raw-html", "javascript-link", "unknown-node", "cycle", "gather-id", "duplicate-id", "schema", "broken-link"} <= rules, rules

    assert _check(root, env) == (fresh, files)  # cold: everything parsed, then cached
    assert _check(root, env) == (fresh, 0)  # warm: nothing parsed
    assert (root / ".kb-cache" / ".gitignore").read_text() == "*\n"

    article = root / "kb" / "articles" / "vpn-reinstall.md"
    article.write_text(article.read_text() + "\nSee <b>this</b> and [the guide](../guides/password-rest.md).\n")
    tree = root / "guides" / "vpn-no-connect.yml"
    tree.write_text(tree.read_text().replace("start:", "start: nowhere\nformer_start:", 1))
    edited, parsed = _check(root, env)
    assert parsed == 1  # the article (guides are parsed every run; their rules' findings are cached by both files)
    assert edited == _check(root, env, "--no-cache")[0] != fresh
    found = set(re.findall(r"^(\S+?):\d+:\d+: \w+ \[([a-z-]+)\]", edited, re.MULTILINE))
    assert {("kb/articles/vpn-reinstall.md", "raw-html"), ("guides/vpn-no-connect.yml", "unknown-node")} <= found

    (root / "kb" / "articles" / "password-rules.md").unlink()  # a deleted file's entries go; its links now break
    assert _check(root, env) == (_check(root, env, "--no-cache")[0], 0)

    # A year on, everything is overdue: where each "reviewed:" is written is a per-file fact the
    # cache keeps (0048); moving the key in one file moves its report, as a fresh run finds.
    late = ("--today", "2027-12-01")
    overdue = _check(root, env, *late, "--no-cache")[0]
    assert overdue.count("[review-overdue]") > 10
    assert _check(root, env, *late)[0] == overdue
    article.write_text(article.read_text().replace("\nreviewed:", "\n# reviewed once more below\nreviewed:", 1))
    moved = _check(root, env, *late)[0]
    assert moved == _check(root, env, *late, "--no-cache")[0] != overdue


def test_only_the_shards_of_changed_files_are_rewritten(tmp_path: Path) -> None:
    """Ten edited files of thousands rewrite at most ten of the cache's shards, not all of it."""
    paths = [f"kb/articles/a{n}.md" for n in range(200)]
    cache = FileCache(tmp_path, "salt", key_dir=tmp_path / "keys")
    for path in paths:
        cache.put("load", path, "d1", (path,))
    cache.save()
    shards = {p.name: p.stat().st_ino for p in (tmp_path / ".kb-cache" / "check").iterdir()}
    assert len(shards) > 50  # (a shard no path falls in is not written)
    again = FileCache(tmp_path, "salt", key_dir=tmp_path / "keys")
    for path in paths[1:]:
        assert again.get("load", path, "d1", tuple) == (path,)
    again.put("load", paths[0], "d2", ("edited",))
    again.save()
    rewritten = {p.name for p in (tmp_path / ".kb-cache" / "check").iterdir() if p.stat().st_ino != shards[p.name]}
    assert rewritten == {f"{shard_of(paths[0]):03d}.pickle"}
    assert FileCache(tmp_path, "salt", key_dir=tmp_path / "keys").get("load", paths[0], "d2", tuple) == ("edited",)


def test_a_cache_file_not_written_here_is_never_unpickled(tmp_path: Path) -> None:
    """A pull request can commit .kb-cache/: without this machine's key its pickle is not loaded."""
    marker = tmp_path / "ran"
    (tmp_path / "repo" / ".kb-cache" / "check").mkdir(parents=True)

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    body = pickle.dumps(Payload())
    (tmp_path / "repo" / ".kb-cache" / "check" / f"{shard_of('kb/a.md'):03d}.pickle").write_bytes(b"\0" * 32 + body)
    cache = FileCache(tmp_path / "repo", "salt", key_dir=tmp_path / "keys")
    assert cache.get("load", "kb/a.md", "digest", object) is None and not marker.exists()

    cache.put("load", "kb/a.md", "digest", ("value",))
    cache.save()
    assert (tmp_path / "keys" / "cache-key").stat().st_mode & 0o777 == 0o600
    assert FileCache(tmp_path / "repo", "salt", key_dir=tmp_path / "keys").get("load", "kb/a.md", "digest", tuple) == ("value",)
    assert FileCache(tmp_path / "repo", "salt", key_dir=tmp_path / "keys").get("load", "kb/a.md", "other digest", tuple) is None
    assert FileCache(tmp_path / "repo", "new code", key_dir=tmp_path / "keys").get("load", "kb/a.md", "digest", tuple) is None
    assert FileCache(tmp_path / "repo", "salt", key_dir=tmp_path / "other-keys").get("load", "kb/a.md", "digest", tuple) is None
