#!/usr/bin/env python3
"""Benchmark `kb changes` over a long git history (target: 1,000 commits answered in under 2 s).

Generates, in a temporary folder, a content repository (tests/fixtures/minimal) and N commits
on top of it with `git fast-import` (fast, and the same objects `git commit` would make): eight
authors take turns; each commit rewords a node of a decision tree, re-points an answer now and
then, edits an article, and every 50th commit adds a guide, every 70th renames an article, every
90th deletes one. Then times, each REPEAT times (the fastest counts; the median is shown too):

- ``kb changes --since <first commit> --format json``, the real program (start-up included),
- ``kb changes --since <a date>`` (text), which also finds the base commit before the date,
- the summary in-process (``workflow.changes.summarize``), without the program's start-up,
- the git calls alone: ``git log --name-status`` over the range and the ``cat-file`` of the
  compared trees, to show what share of the time is git's.

    .venv/bin/python bench/changes_bench.py                 # 1,000 commits
    .venv/bin/python bench/changes_bench.py --commits 5000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KB = ROOT / ".venv" / "bin" / "kb"
AUTHORS = ["Ada Author", "Bob Builder", "Carol Cole", "Dave Dunn", "Eve Evans", "Finn Ford", "Gina Gold", "Hal Hill"]
EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z
TREE = "guides/vpn-no-connect.yml"


def git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=True, env=env).stdout


def generate(repo: Path, commits: int) -> tuple[str, str]:
    """The repository with ``commits`` commits after the initial one; (initial sha, a date half-way)."""
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    env = {"GIT_AUTHOR_DATE": f"{EPOCH} +0000", "GIT_COMMITTER_DATE": f"{EPOCH} +0000"}
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Ada Author", "-c", "user.email=ada@example.org", "commit", "-qm", "Initial content"],
        check=True,
        env={**os.environ, **env, "GIT_CONFIG_GLOBAL": os.devnull},
    )
    initial = git(repo, "rev-parse", "HEAD").decode().strip()
    tree = (repo / TREE).read_text(encoding="utf-8")
    article = (repo / "kb/articles/vpn-reinstall.md").read_text(encoding="utf-8")
    stream: list[bytes] = []
    articles = ["kb/articles/vpn-reinstall.md"]
    for n in range(1, commits + 1):
        author = AUTHORS[n % len(AUTHORS)]
        when = EPOCH + n * 3600
        ops: list[str] = []
        tree_n = tree.replace("text: Does the VPN connect now?", f"text: Does the VPN connect now (check {n})?")
        if n % 3 == 0:
            tree_n = tree_n.replace("      no: escalate\n", "      no: resolved\n")
        ops.append(_modify(TREE, tree_n))
        ops.append(_modify(articles[-1], article + f"\nEdit {n}.\n"))
        if n % 50 == 0:
            ops.append(_modify(f"guides/generated-{n}.yml", tree))
        if n % 70 == 0:
            new = f"kb/articles/vpn-reinstall-{n}.md"
            ops.append(f"R {articles[-1]} {new}\n")
            articles.append(new)
        if n % 90 == 0 and len(articles) > 1:
            ops.append(f"D {articles.pop(0)}\n")
        message = f"Edit {n}: reword the VPN check".encode()
        email = author.lower().replace(" ", ".") + "@example.org"
        head = f"commit refs/heads/main\nmark :{n}\nauthor {author} <{email}> {when} +0000\ncommitter {author} <{email}> {when} +0000\ndata {len(message)}\n"
        stream.append(head.encode() + message + b"\n" + (f"from {initial}\n" if n == 1 else "").encode() + "".join(ops).encode() + b"\n")
    git(repo, "fast-import", "--quiet", stdin=b"".join(stream))
    git(repo, "reset", "-q", "--hard", "main")
    return initial, time.strftime("%Y-%m-%d", time.gmtime(EPOCH + commits * 3600 // 2))


def _modify(path: str, text: str) -> str:
    data = text.encode("utf-8")
    return f"M 100644 inline {path}\ndata {len(data)}\n{text}\n"


def best_of(repeat: int, run: object) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from search.content.history import open_history
    from search.workflow.changes import summarize

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "content"
        start = time.perf_counter()
        initial, middle = generate(repo, args.commits)
        count = int(git(repo, "rev-list", "--count", "HEAD"))
        print(f"generated {count} commits in {time.perf_counter() - start:.1f} s")

        def cli_json() -> None:
            out = subprocess.run([str(KB), "changes", "--root", str(repo), "--since", initial, "--format", "json"], capture_output=True, check=True).stdout
            summary = json.loads(out)
            assert len(summary["commits"]) == args.commits, len(summary["commits"])

        def cli_date() -> None:
            subprocess.run([str(KB), "changes", "--root", str(repo), "--since", middle], capture_output=True, check=True)

        def in_process() -> None:
            summarize(repo, initial)

        history = open_history(repo)
        assert history is not None

        def git_only() -> None:
            history.log(f"{initial}..HEAD")
            history.show([f"{initial}:{TREE}", f"HEAD:{TREE}"])

        for label, run in (
            (f"kb changes --since <first commit> --format json ({args.commits} commits)", cli_json),
            (f"kb changes --since {middle} (text, about half the commits)", cli_date),
            ("summary in-process (no program start-up)", in_process),
            ("git log + cat-file alone", git_only),
        ):
            best, median = best_of(args.repeat, run)
            print(f"{label:<70} best {best:6.3f} s  median {median:6.3f} s")
        print("target: kb changes over 1,000 commits under 2 s")


if __name__ == "__main__":
    main()
