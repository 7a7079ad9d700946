"""Site build benchmark (not a test): what guide pages and the navigation cost as content grows.

1. Guides: N generated guides built with the kb-guides plugin, and in the same run a plain
   mkdocs-material site of N plain pages holding about as much text. Prints wall time, peak
   memory (the child's ru_maxrss) and output size of both, and the per-page cost ratio
   (target: a guide page costs at most 1.5x a plain page).
2. Navigation: 100 and 3,000 articles built with the shipped mkdocs.yml (our fixed, short nav);
   prints the per-page cost at both sizes and the ratio 3000/100 (target <= 1.3: linear).

Per-page cost is marginal: (build time at N pages - build time of the same site with one page)
/ (N - 1), so fixed costs (start-up, theme assets, imports, first use of each code path) do not
count as page costs. The machines are shared and their speed drifts by 10-20% within minutes, so
the builds compared with each other run interleaved (one of each, then again), REPEAT rounds
(the navigation builds NAV_REPEAT rounds: its small size's cost is the difference of two builds
a few tenths of a second apart), and each cost is the median over the rounds of the cost
measured within one round; the spread of the per-round ratios is printed beside the median.
Each cost is given twice: wall time, and CPU time (the build's and its git children's user +
system time, from ``wait4``), which other load on a shared machine inflates far less (it waits
for a core in wall time, not in CPU time). The load average is printed with each measurement.

    .venv/bin/python bench/site_bench.py                  # N = 100 and 1000; nav 100 and 3000
    .venv/bin/python bench/site_bench.py --guides 50 --nav 50,500   # quicker
    .venv/bin/python bench/site_bench.py --material-nav   # also Material's default nav (slow: quadratic)
    .venv/bin/python bench/site_bench.py --git 300        # content under git with 300 commits (changelog, versions)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORDS = [
    "user",
    "laptop",
    "network",
    "printer",
    "password",
    "account",
    "mailbox",
    "client",
    "server",
    "driver",
    "update",
    "restart",
    "connection",
    "adapter",
    "policy",
    "device",
    "screen",
    "message",
    "error",
    "queue",
    "licence",
    "portal",
    "browser",
    "token",
    "certificate",
    "cable",
    "dock",
    "monitor",
    "battery",
    "profile",
    "cache",
    "settings",
    "service",
    "ticket",
    "session",
    "check",
    "confirm",
    "open",
    "close",
    "select",
    "reinstall",
    "verify",
    "escalate",
    "report",
    "restore",
    "sync",
    "sign",
]
CATEGORIES = ["network", "network/vpn", "network/wifi", "accounts", "email", "printing", "hardware", "os", "software"]


@dataclass
class Result:
    """One build's runs (one per round: wall s, CPU s), the peak memory of its fastest run, its output's size."""

    label: str
    pages: int
    walls: list[float]
    cpus: list[float]
    peak_mb: float
    out_mb: float
    page_kb: float

    @property
    def seconds(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _q(value: str) -> str:
    return json.dumps(value)


def write_config(root: Path) -> None:
    """Taxonomy, priorities and escalation copied from the shipped content."""
    (root / "guides").mkdir(parents=True, exist_ok=True)
    (root / "kb/articles").mkdir(parents=True, exist_ok=True)
    for name in ("categories.yml", "priorities.yml", "escalation.yml"):
        shutil.copy(ROOT / "guides" / name, root / "guides" / name)
    (root / "kb/index.md").write_text("# Benchmark\n\nGenerated content.\n", encoding="utf-8")


def write_guide(root: Path, i: int, count: int, rng: random.Random) -> str:
    """A guide with a 15-node tree (questions, actions, resolutions, escalations, a link)."""
    gid = f"guide-{i:05d}"
    category = CATEGORIES[i % len(CATEGORIES)]
    nodes: list[str] = []
    steps = 5
    for k in range(steps):
        last = k == steps - 1
        nodes.append(
            f"  q{k}:\n    type: question\n    text: {_q(sentence(rng, 14) + ' ' + sentence(rng, 8))}\n"
            f"    help: {_q(sentence(rng, 16))}\n    answers:\n      yes: r{k}\n      no: {'esc' if last else f'a{k}'}\n"
        )
        nodes.append(
            f"  r{k}:\n    type: resolution\n    text: {_q(sentence(rng, 12))}\n    follow_up:\n      - {_q(sentence(rng, 8))}\n    user_note: {_q(sentence(rng, 12))}\n"
        )
        if not last:
            nxt = f"q{k + 1}" if k != 2 else "link"
            nodes.append(f"  a{k}:\n    type: action\n    text: {_q(sentence(rng, 18))}\n    next: {nxt}\n")
    nodes.append(f"  link:\n    type: question\n    text: {_q(sentence(rng, 10))}\n    answers:\n      yes: q3\n      no: other\n")
    other = f"guide-{(i + 1) % count:05d}"
    nodes.append(f"  other:\n    type: link\n    guide: {other}\n    text: {_q(sentence(rng, 8))}\n")
    step = {"network": "network-l2", "accounts": "identity-l2", "email": "messaging-l2"}.get(category.split("/")[0], "desktop-l2")
    nodes.append(f"  esc:\n    type: escalation\n    step: {step}\n    text: {_q(sentence(rng, 14))}\n    handoff:\n      - {_q(sentence(rng, 8))}\n")
    (root / "guides" / f"{gid}.yml").write_text("start: q0\nnodes:\n" + "".join(nodes), encoding="utf-8")
    front = [
        f"id: {gid}",
        f"title: {_q('Guide ' + str(i) + ': ' + sentence(rng, 5)[:-1])}",
        f"category: {category}",
        'version: "1.0"',
        "owner: Benchmark Team",
        "reviewed: 2026-06-01",
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]",
        f"summary: {_q(sentence(rng, 14))}",
        "symptoms:",
        *(f"  - {_q(sentence(rng, 10))}" for _ in range(2)),
        "gather:",
        *(f"  - {_q(sentence(rng, 8))}" for _ in range(3)),
    ]
    body = "\n\n".join(sentence(rng, 40) for _ in range(2))
    (root / "guides" / f"{gid}.md").write_text("---\n" + "\n".join(front) + "\n---\n\n" + body + "\n", encoding="utf-8")
    return gid


def guide_text_size(root: Path, gid: str) -> int:
    """Characters of prose in a guide (front matter values, body and tree text)."""
    text = (root / "guides" / f"{gid}.md").read_text(encoding="utf-8") + (root / "guides" / f"{gid}.yml").read_text(encoding="utf-8")
    return len(re.sub(r"(?m)^\s*[a-z_]+:\s*|[\"\[\]-]", " ", text))


def write_article(root: Path, i: int, rng: random.Random) -> None:
    category = CATEGORIES[i % len(CATEGORIES)]
    sections = "\n\n".join(f"## {title}\n\n{' '.join(sentence(rng, 22) for _ in range(3))}" for title in ("Issue", "Environment", "Resolution", "Cause"))
    (root / "kb/articles" / f"article-{i:05d}.md").write_text(
        f"---\nid: article-{i:05d}\ntitle: {_q('Article ' + str(i) + ': ' + sentence(rng, 5)[:-1])}\ncategory: {category}\n"
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\nowner: Benchmark Team\nreviewed: 2026-06-01\n---\n\n{sections}\n",
        encoding="utf-8",
    )


def guides_site(dest: Path, n: int) -> tuple[Path, int]:
    rng = random.Random(n)
    write_config(dest)
    ids = [write_guide(dest, i, max(n, 1), rng) for i in range(n)]
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("review_window_days: 30", "review_window_days: 30\n      today: 2026-11-01")
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    size = guide_text_size(dest, ids[0]) if ids else 0
    if GIT_COMMITS:
        commit_history(dest, GIT_COMMITS)
    return dest, size


NAV_PAGES = ("categories/index.md", "triage.md", "escalation.md", "priorities.md", "review.md", "tags.md")


def plain_site(dest: Path, n: int, chars: int) -> Path:
    """mkdocs-material configured like the guides site (theme, Markdown, validation, the same
    seven-entry nav, the search and tags plugins, the page script and style) with N plain pages
    holding about as much text, each with the front matter a guide page gets (title,
    description, two tags). The differences measured are then the guide pages, not the
    configuration: Material renders tags on every page that has them (about 1 ms a page).
    """
    rng = random.Random(n)
    (dest / "docs/pages").mkdir(parents=True)
    (dest / "docs/index.md").write_text("# Plain\n", encoding="utf-8")
    for nav_page in NAV_PAGES:
        (dest / "docs" / nav_page).parent.mkdir(parents=True, exist_ok=True)
        (dest / "docs" / nav_page).write_text(f"# {nav_page}\n\nText.\n", encoding="utf-8")
    assets = dest / "docs/assets/kb-guides"
    shutil.copytree(ROOT / "search/docsite/assets", assets)
    for i in range(n):
        front = f"---\ntitle: {_q('Page ' + str(i))}\ndescription: {_q(sentence(rng, 14))}\ntags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n---\n\n"
        parts, size = [f"# Page {i}"], 0
        while size < chars:
            para = " ".join(sentence(rng, 20) for _ in range(3))
            parts.append(("## " + sentence(rng, 4)[:-1] + "\n\n" if len(parts) % 3 == 1 else "") + para)
            size += len(para)
        (dest / f"docs/pages/page-{i:05d}.md").write_text(front + "\n\n".join(parts) + "\n", encoding="utf-8")
    shipped = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    theme = shipped[shipped.index("theme:") : shipped.index("\n# A short")]
    nav = shipped[shipped.index("nav:") : shipped.index("\nplugins:")]
    assets_config = shipped[shipped.index("extra_css:") : shipped.index("\nmarkdown_extensions:")]
    markdown = shipped[shipped.index("markdown_extensions:") :]
    (dest / "mkdocs.yml").write_text(
        f"site_name: Plain\ndocs_dir: docs\n{theme}\n{nav}\nplugins:\n  - search:\n      lang: en\n  - tags\n{assets_config}\n{markdown}", encoding="utf-8"
    )
    return dest


def articles_site(dest: Path, n: int, material_nav: bool = False) -> Path:
    rng = random.Random(n + 7)
    write_config(dest)
    for i in range(n):
        write_article(dest, i, rng)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("review_window_days: 30", "review_window_days: 30\n      today: 2026-11-01")
    if material_nav:
        config = re.sub(r"(?ms)^nav:\n(?:  - .*?\n)+", "", config)
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    if GIT_COMMITS:
        commit_history(dest, GIT_COMMITS)
    return dest


REPEAT = 3
NAV_REPEAT = 7
GIT_COMMITS = 0  # --git: content projects become git repositories with this many commits (the changelog's and versions' cost)


def commit_history(project: Path, commits: int) -> None:
    """The project as a git repository: everything in one commit, then ``commits`` small ones,
    each rewording one content file by one of four authors (so the What changed page, the feed
    and every page's content version come from a real history)."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org"}
    env |= {"GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.org"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "Generated content")
    files = sorted(p for p in (project / "guides").glob("guide-*.md")) or sorted((project / "kb/articles").glob("*.md"))
    for n in range(commits):
        target = files[n % len(files)]
        target.write_text(target.read_text(encoding="utf-8") + f"\nEdit {n}.\n", encoding="utf-8")
        author = ("Ada", "Bob", "Carol", "Dave")[n % 4]
        git(
            "-c",
            f"user.name={author}",
            "-c",
            f"user.email={author.lower()}@example.org",
            "commit",
            "-qam",
            f"Edit {n}",
            "--author",
            f"{author} <{author.lower()}@example.org>",
        )


@dataclass
class Build:
    label: str
    project: Path
    pages: int
    page_glob: str


def _build_once(b: Build) -> tuple[float, float, int]:
    out = b.project / "site"
    shutil.rmtree(out, ignore_errors=True)  # not timed: mkdocs would clean it first
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(b.project / "mkdocs.yml"), "-d", str(out)], env=env, stderr=subprocess.PIPE
    )
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{b.label}: build failed\n{stderr}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def build_all(builds: list[Build], rounds: int) -> list[Result]:
    """Each build ``rounds`` times in child processes, interleaved (one of each per round)."""
    runs: list[list[tuple[float, float, int]]] = [[] for _ in builds]
    for _ in range(rounds):
        for i, b in enumerate(builds):
            runs[i].append(_build_once(b))
    results = []
    for b, tries in zip(builds, runs, strict=True):
        maxrss = min(tries)[2]
        out = b.project / "site"
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        page_files = list(out.glob(b.page_glob))
        page_kb = sum(p.stat().st_size for p in page_files) / len(page_files) / 1024 if page_files else 0.0
        results.append(Result(b.label, b.pages, [t[0] for t in tries], [t[1] for t in tries], maxrss / 1024, size / 1e6, page_kb))
    return results


def breakdown(project: Path) -> tuple[float, float, float]:
    """ms per guide spent loading content, checking it and rendering the generated pages (in-process)."""
    import datetime as dt

    from search.checks import run_checks
    from search.content.repository import load_repository
    from search.render.site import generated_pages

    t0 = time.perf_counter()
    repo = load_repository(project)
    t1 = time.perf_counter()
    run_checks(repo, dt.date(2026, 11, 1))
    t2 = time.perf_counter()
    generated = generated_pages(repo, today=dt.date(2026, 11, 1))
    for render_late in generated.late.values():
        render_late().unindexed()
    t3 = time.perf_counter()
    n = max(len(repo.guides), 1)
    return (t1 - t0) * 1000 / n, (t2 - t1) * 1000 / n, (t3 - t2) * 1000 / n


def breakdown_in_child(project: Path) -> tuple[float, float, float]:
    """:func:`breakdown` in a child process: loading content here would inflate the peak memory
    that later children report (a forked child starts with its parent's pages)."""
    out = subprocess.run([sys.executable, __file__, "--breakdown", str(project)], capture_output=True, text=True, check=True).stdout
    load, check, render = json.loads(out)
    return load, check, render


def show(r: Result) -> None:
    print(
        f"  {r.label:<28} pages {r.pages:>5}  time {r.seconds:7.2f} s  cpu {r.cpu:7.2f} s  peak {r.peak_mb:7.1f} MB  output {r.out_mb:7.1f} MB  page {r.page_kb:6.1f} KB"
    )


def marginal_runs(r: Result, base: Result, cpu: bool = False) -> list[float]:
    """ms per page beyond the ``base`` build (the same site with fewer pages) in each round, wall or ``cpu`` time."""
    mine, theirs = (r.cpus, base.cpus) if cpu else (r.walls, base.walls)
    return [(a - b) / (r.pages - base.pages) * 1000 for a, b in zip(mine, theirs, strict=True)]


def marginal_ms(r: Result, base: Result, cpu: bool = False) -> float:
    """The median over the rounds of :func:`marginal_runs`."""
    return statistics.median(marginal_runs(r, base, cpu))


def spread(top: Result, top_base: Result, bottom: Result, bottom_base: Result, cpu: bool = False) -> str:
    """The lowest and highest per-round ratio of two marginal costs measured in the same rounds."""
    ratios = [a / b for a, b in zip(marginal_runs(top, top_base, cpu), marginal_runs(bottom, bottom_base, cpu), strict=True)]
    return f"{min(ratios):.2f}-{max(ratios):.2f}"


def load_average() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guides", default="100,1000", help="guide counts (comma-separated)")
    parser.add_argument("--nav", default="100,3000", help="article counts for the navigation benchmark (two numbers)")
    parser.add_argument("--material-nav", action="store_true", help="also build the articles with Material's default nav (quadratic)")
    parser.add_argument("--keep", type=Path, help="keep the generated projects in this folder")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
        help="where to build (default: /dev/shm, so disk writes do not blur the build's own cost)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the guide builds; the median counts")
    parser.add_argument("--nav-repeat", type=int, default=7, help="rounds of the navigation builds; the median counts")
    parser.add_argument("--git", type=int, default=0, metavar="COMMITS", help="make each content project a git repository with this many commits")
    parser.add_argument("--breakdown", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.breakdown:
        print(json.dumps(breakdown(args.breakdown)))
        return
    global REPEAT, NAV_REPEAT, GIT_COMMITS
    REPEAT, NAV_REPEAT, GIT_COMMITS = args.repeat, args.nav_repeat, args.git
    work = Path(tempfile.mkdtemp(prefix="site-bench-", dir=args.work)) if args.keep is None else args.keep
    print(f"building in {work}")
    work.mkdir(parents=True, exist_ok=True)
    try:
        print("Guides vs plain mkdocs-material pages (marginal cost per page; target ratio <= 1.5)")
        g1_project, _ = guides_site(work / "g-1", 1)
        for n in (int(x) for x in args.guides.split(",")):
            project, chars = guides_site(work / f"g-{n}", n)
            g1, p1, g, p = build_all(
                [
                    Build("guides site, 1 guide", g1_project, 1, "guides/*/index.html"),
                    Build("plain site, 1 page", plain_site(work / f"p-1-{n}", 1, chars), 1, "pages/*/index.html"),
                    Build(f"guides site ({chars} chars/guide)", project, n, "guides/*/index.html"),
                    Build("plain site", plain_site(work / f"p-{n}", n, chars), n, "pages/*/index.html"),
                ],
                REPEAT,
            )
            print(f"  ({REPEAT} rounds, medians; {load_average()})")
            for r in (g1, p1, g, p):
                show(r)
            gm, pm = marginal_ms(g, g1), marginal_ms(p, p1)
            gc, pc = marginal_ms(g, g1, cpu=True), marginal_ms(p, p1, cpu=True)
            print(
                f"  N={n}: guide page {gm:.1f} ms, plain page {pm:.1f} ms -> ratio {gm / pm:.2f}; page size ratio {g.page_kb / p.page_kb:.2f}; peak memory ratio {g.peak_mb / p.peak_mb:.2f}"
            )
            print(
                f"  N={n}: CPU time: guide page {gc:.1f} ms, plain page {pc:.1f} ms -> ratio {gc / pc:.2f}; per-round ratios wall {spread(g, g1, p, p1)}, CPU {spread(g, g1, p, p1, cpu=True)}"
            )
            load, check, render = breakdown_in_child(project)
            print(
                f"  N={n}: of a guide page, content load {load:.1f} ms + checks {check:.1f} ms (shared with kb check) + our rendering {render:.1f} ms; the rest is mkdocs and Material"
            )
            shutil.rmtree(project / "site", ignore_errors=True)

        small, large = (int(x) for x in args.nav.split(","))
        variants = [("fixed nav", False)] + ([("Material default nav", True)] if args.material_nav else [])
        for name, material in variants:
            print(f"\nArticles with the {name} (target ratio {large}/{small} <= 1.3)")
            builds = [Build(f"articles, {name}", articles_site(work / f"a{n}-{material}", n, material), n, "articles/*/index.html") for n in (1, small, large)]
            a1, *sized = build_all(builds, NAV_REPEAT)
            print(f"  ({NAV_REPEAT} rounds, medians; {load_average()})")
            show(a1)
            costs, cpu_costs = {}, {}
            for r in sized:
                show(r)
                costs[r.pages], cpu_costs[r.pages] = marginal_ms(r, a1), marginal_ms(r, a1, cpu=True)
                print(
                    f"  N={r.pages}: {costs[r.pages]:.2f} ms/page marginal, {r.seconds / r.pages * 1000:.2f} ms/page overall; CPU time {cpu_costs[r.pages]:.2f} ms/page marginal"
                )
            low, high = sized
            print(
                f"  per-page cost ratio {large}/{small}: {costs[large] / costs[small]:.2f}; CPU time {cpu_costs[large] / cpu_costs[small]:.2f};"
                f" per-round ratios wall {spread(high, a1, low, a1)}, CPU {spread(high, a1, low, a1, cpu=True)}"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
