#!/usr/bin/env python3
"""Benchmark `kb check` against `yamllint -d relaxed` on a large generated content repository.

Generates, in a temporary folder, N guides (each a valid 50-node decision tree: a chain of
actions and questions with resolution leaves and an escalation at the end) and M KB articles
(a few KB of Markdown with front matter and links), plus the config files copied from this
repository's guides/ folder. Then times, in the same run:

- ``kb check --today 2026-11-27`` over the whole repository (trees, guides, articles, config),
- ``kb check`` over the same repository without the articles (the same YAML as yamllint, plus
  the guides' front matter),
- ``yamllint -d relaxed`` over the YAML files: the tree files and the config files.

and prints wall times, files checked and the ratio kb/yamllint. When kb check is slower than
yamllint, it profiles kb check in-process (cProfile) and prints where the time goes.

    .venv/bin/python bench/check_bench.py                  # 1,000 guides, 10,000 articles
    .venv/bin/python bench/check_bench.py --guides 100 --articles 500
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.content.taxonomy import is_within  # noqa: E402
from search.content.yamlload import load_yaml  # noqa: E402

TODAY = "2026-11-27"
CONFIG_NAMES = ("categories.yml", "priorities.yml", "escalation.yml", "synonyms.yml", "templates.yml")
TREE_NODES = 50

WORDS = [
    "user",
    "laptop",
    "network",
    "password",
    "account",
    "printer",
    "driver",
    "update",
    "restart",
    "client",
    "server",
    "mailbox",
    "outlook",
    "teams",
    "vpn",
    "gateway",
    "certificate",
    "token",
    "session",
    "profile",
    "cache",
    "browser",
    "policy",
    "device",
    "screen",
    "dock",
    "cable",
    "adapter",
    "battery",
    "firmware",
    "licence",
    "installer",
    "registry",
    "service",
    "queue",
    "ticket",
    "error",
    "message",
    "log",
    "event",
    "timeout",
    "connection",
    "address",
    "proxy",
    "firewall",
    "backup",
    "folder",
    "share",
    "drive",
]


def sentence(rng: random.Random, words: int = 12) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


def bin_path(name: str) -> str:
    """A console script of this interpreter's venv (falls back to the repository's .venv)."""
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} not found; install the test extras: pip install -e '.[test]'")
    return found


# ------------------------------------------------------------------------------------ generation


def tree_yaml(rng: random.Random, step: str) -> str:
    """A valid tree of exactly TREE_NODES nodes: a, q, a, q, ..., a -> escalation, each q with a resolution leaf."""
    chain = TREE_NODES // 3 * 2 + 1  # 33 chain nodes (17 actions, 16 questions) + 16 leaves + 1 escalation = 50
    lines = ["# yaml-language-server: $schema=../schemas/tree.schema.json", "start: step-01", "nodes:"]
    for i in range(1, chain + 1):
        node, following = f"step-{i:02d}", (f"step-{i + 1:02d}" if i < chain else "escalate")
        if i % 2:  # action
            lines += [f"  {node}:", "    type: action", f"    text: {sentence(rng)}", f"    help: {sentence(rng, 20)}", f"    next: {following}"]
        else:  # question with a resolution leaf
            leaf = f"fixed-{i:02d}"
            lines += [f"  {node}:", "    type: question", f"    text: {sentence(rng)[:-1]}?", "    answers:", f"      yes: {leaf}", f"      no: {following}"]
            lines += [
                f"  {leaf}:",
                "    type: resolution",
                f"    text: {sentence(rng)}",
                "    follow_up:",
                f"      - {sentence(rng, 6)}",
                f"    user_note: {sentence(rng)}",
            ]
    lines += ["  escalate:", "    type: escalation", f"    step: {step}", f"    text: {sentence(rng)}", "    handoff:", f"      - {sentence(rng, 8)}"]
    text = "\n".join(lines) + "\n"
    assert text.count("\n    type: ") == TREE_NODES
    return text


def guide_md(rng: random.Random, guide_id: str, category: str, related: list[str]) -> str:
    return f"""---
id: {guide_id}
title: {sentence(rng, 6)[:-1]}
category: {category}
version: "1.{rng.randint(0, 20)}"
owner: Service Desk
reviewed: 2026-06-01
tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]
summary: {sentence(rng)}
symptoms:
  - {sentence(rng)}
  - {sentence(rng)}
gather:
  - {sentence(rng, 8)}
  - {sentence(rng, 8)}
articles: [{", ".join(related)}]
---

{paragraph(rng)}
{f"{chr(10)}See [the first related article](../articles/{related[0]}.md) before escalating.{chr(10)}" if related else ""}"""


def article_md(rng: random.Random, article_id: str, category: str, other: str, guide_id: str) -> str:
    return f"""---
id: {article_id}
title: {sentence(rng, 7)[:-1]}
category: {category}
tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}, {rng.choice(WORDS)}]
owner: Service Desk
reviewed: 2026-06-01
status: published
audience: internal
---

## Issue

{paragraph(rng, 4)}

## Environment

Company laptops (Windows 11, macOS 14 and later). {paragraph(rng, 2)}

## Resolution

1. {sentence(rng)}
2. {sentence(rng)} Run `ipconfig /flushdns` and check the `<adapter>` name.
3. {sentence(rng)}

```powershell
Get-NetAdapter | Where-Object Status -eq "Up"   # <b>not HTML</b>, it is code
```

{paragraph(rng, 6)}

{paragraph(rng, 6)}

If that does not help, see [the related article]({other}.md) or follow the
[troubleshooting guide](../guides/{guide_id}.md).

## Cause

{paragraph(rng, 5)}
"""


def generate(out: Path, guides: int, articles: int, seed: int = 7) -> dict[str, list[Path]]:
    """Write the repository; return the YAML files yamllint should see."""
    rng = random.Random(seed)
    (out / "guides").mkdir(parents=True)
    (out / "kb" / "articles").mkdir(parents=True)
    config = []
    for name in CONFIG_NAMES:
        if (ROOT / "guides" / name).is_file():
            shutil.copy(ROOT / "guides" / name, out / "guides" / name)
            config.append(out / "guides" / name)
    categories = [c["id"] for c in load_yaml((out / "guides" / "categories.yml").read_text(encoding="utf-8")).data["categories"]]
    steps = load_yaml((out / "guides" / "escalation.yml").read_text(encoding="utf-8")).data["steps"]

    def step_for(category: str) -> str:
        serving = [s for s, step in steps.items() if step.get("categories") and any(is_within(category, c) for c in step["categories"])]
        return serving[0] if serving else next(iter(steps))

    article_ids = [f"article-{i:05d}" for i in range(max(articles, 1))]
    guide_ids = [f"guide-{i:04d}" for i in range(max(guides, 1))]
    trees = []
    for i, guide_id in enumerate(guide_ids[:guides]):
        category = categories[i % len(categories)]
        related = [article_ids[(i * 3 + k) % len(article_ids)] for k in range(3)] if articles else []
        (out / "guides" / f"{guide_id}.md").write_text(guide_md(rng, guide_id, category, related), encoding="utf-8")
        tree = out / "guides" / f"{guide_id}.yml"
        tree.write_text(tree_yaml(rng, step_for(category)), encoding="utf-8")
        trees.append(tree)
    for i, article_id in enumerate(article_ids[:articles]):
        other = article_ids[(i * 7 + 1) % articles]
        text = article_md(rng, article_id, categories[i % len(categories)], other, guide_ids[i % max(guides, 1)])
        (out / "kb" / "articles" / f"{article_id}.md").write_text(text, encoding="utf-8")
    return {"trees": trees, "config": config}


# ------------------------------------------------------------------------------------- timing


def timed(cmd: list[str], repeat: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    best, done = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - started)
    assert done is not None
    return best, done


def profile_kb(root: Path, top: int) -> str:
    """Where kb check spends its time, in-process: top functions and time per package."""
    from search.checks import run_checks
    from search.content.repository import load_repository

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    repo = load_repository(root)
    loaded = time.perf_counter()
    problems = run_checks(repo, dt.date.fromisoformat(TODAY))
    profiler.disable()
    finished = time.perf_counter()
    stream = io.StringIO()
    print(f"in-process (profiled): load {loaded - started:.2f}s, checks {finished - loaded:.2f}s, {len(problems)} problems", file=stream)
    stats = pstats.Stats(profiler, stream=stream)
    by_area: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_area[_area(filename)] += tottime
    total = sum(by_area.values()) or 1.0
    print("own time by area:", file=stream)
    for area, seconds in sorted(by_area.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {seconds:7.2f}s {seconds / total:6.1%}  {area}", file=stream)
    print(f"top {top} functions by cumulative time:", file=stream)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"top {top} functions by own time:", file=stream)
    stats.sort_stats("tottime").print_stats(top)
    return stream.getvalue()


def _area(filename: str) -> str:
    path = filename.replace("\\", "/")
    if "/search/" in path:
        return "search/" + path.split("/search/", 1)[1]
    for marker in ("site-packages/", "lib/python3"):
        if marker in path:
            rest = path.split(marker, 1)[1].lstrip("/")
            return rest.split("/", 1)[0] if marker == "site-packages/" else "stdlib:" + rest.split("/")[-1]
    return path if path.startswith("<") or path == "~" else path.rsplit("/", 1)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guides", type=int, default=1000, help="number of guides (default 1000)")
    parser.add_argument("--articles", type=int, default=10000, help="number of articles (default 10000)")
    parser.add_argument("--repeat", type=int, default=1, help="time each command this many times, keep the best (default 1)")
    parser.add_argument(
        "--profile", choices=("auto", "always", "never"), default="auto", help="profile kb check: when slower than yamllint (auto), always, or never"
    )
    parser.add_argument("--top", type=int, default=25, help="functions to list in the profile (default 25)")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it (default: a temporary folder)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kb-bench-")) if args.keep is None else args.keep
    if args.keep is not None and work.exists():
        shutil.rmtree(work)
    try:
        full, guides_only = work / "full", work / "guides-only"
        started = time.perf_counter()
        files = generate(full, args.guides, args.articles)
        generate(guides_only, args.guides, 0)
        yaml_files = files["trees"] + files["config"]
        size = sum(p.stat().st_size for p in yaml_files)
        md_size = sum(p.stat().st_size for p in (full / "kb" / "articles").glob("*.md"))
        print(f"generated in {time.perf_counter() - started:.1f}s under {work}")
        print(
            f"  {args.guides} guides x {TREE_NODES} nodes, {args.articles} articles ({md_size / 1e6:.1f} MB Markdown), "
            f"{len(yaml_files)} YAML files ({len(files['trees'])} trees + {len(files['config'])} config, {size / 1e6:.1f} MB)"
        )

        kb, yamllint = bin_path("kb"), bin_path("yamllint")
        kb_full_s, kb_full = timed([kb, "check", "--root", str(full), "--today", TODAY], args.repeat)
        kb_yaml_s, kb_yaml = timed([kb, "check", "--root", str(guides_only), "--today", TODAY], args.repeat)
        yl_s, yl = timed([yamllint, "-d", "relaxed", "-f", "parsable", *map(str, yaml_files)], args.repeat)

        for label, done in (("kb check (full)", kb_full), ("kb check (guides only)", kb_yaml)):
            if done.returncode not in (0, 1) or "Traceback" in done.stderr:
                print(f"{label} failed ({done.returncode}):\n{done.stderr[-2000:]}", file=sys.stderr)
                return 1
        yl_problems = len(yl.stdout.splitlines())
        kb_full_files = args.guides * 2 + args.articles + len(files["config"])
        kb_yaml_files = args.guides * 2 + len(files["config"])

        print()
        print(f"{'tool':<34}{'files':>8}{'wall s':>10}{'files/s':>10}  result")
        print(
            f"{'kb check (guides + articles)':<34}{kb_full_files:>8}{kb_full_s:>10.2f}{kb_full_files / kb_full_s:>10.0f}  exit {kb_full.returncode}: {kb_full.stderr.strip().splitlines()[-1]}"
        )
        print(
            f"{'kb check (guides only)':<34}{kb_yaml_files:>8}{kb_yaml_s:>10.2f}{kb_yaml_files / kb_yaml_s:>10.0f}  exit {kb_yaml.returncode}: {kb_yaml.stderr.strip().splitlines()[-1]}"
        )
        print(
            f"{'yamllint -d relaxed (YAML only)':<34}{len(yaml_files):>8}{yl_s:>10.2f}{len(yaml_files) / yl_s:>10.0f}  exit {yl.returncode}: {yl_problems} findings"
        )
        print()
        print(f"ratio kb/yamllint, same YAML files (guides only): {kb_yaml_s / yl_s:.2f}")
        print(f"ratio kb/yamllint, kb also checking {args.articles} articles: {kb_full_s / yl_s:.2f}")
        if kb_full.returncode != 0:
            print("note: kb check reported errors on the generated content:\n" + kb_full.stdout[:2000])

        slower = kb_full_s > yl_s or kb_yaml_s > yl_s
        if args.profile == "always" or (args.profile == "auto" and slower):
            print()
            print("kb check is slower than yamllint; profile of the full repository:" if slower else "profile of the full repository:")
            print(profile_kb(full, args.top))
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
