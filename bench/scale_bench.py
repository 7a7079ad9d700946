"""Scale benchmark (not a test): the shared corpus imported and served at 1,000 / 5,000 / all articles.

For each size, in a fresh repository holding the shipped content:

1. ``kb import markdown`` of the first N manifest articles (a fixed shuffle: a stable sample),
   with the manifest's categories as the ``--category-map``; then a second import (must write nothing);
2. ``kb check`` (must find no errors): cold (writing its cache), warm, and after 10 edits (step 4);
3. ``kb index``: build time, documents/s (documents / the build's own seconds), generation size;
4. incremental re-index: 10 articles edited, then ``kb index`` again;
5. site build with the shipped mkdocs.yml (wall time, peak memory of the mkdocs process), and a
   plain mkdocs-material build of the same article files (same theme and Markdown extensions,
   no kb-guides plugin) as the memory baseline;
6. the service (uvicorn, one process) over that index: ``/api/search`` with snippets, one client,
   sequential requests of 1-3 title words: p50 / p99; then the service's RSS.

Targets (issue 16, this 2-core machine): index build >= 1,000 documents/s; incremental re-index
of 10 documents < 1 s at full size; search p99 <= 15 ms at full size; service RSS <= 500 MB;
site build peak memory <= 2x the plain mkdocs-material build. Each size ends with those figures
beside their targets. A failing step (a content error, a failed index build) is printed with its
problems and the steps that do not need it still run. Wall time on a shared machine is noisy:
CPU seconds are printed beside it, and ``nice`` keeps a rerun from disturbing others.

    .venv/bin/python bench/scale_bench.py                              # 1000, 5000, all
    .venv/bin/python bench/scale_bench.py --sizes 1000,all --no-site   # quicker
    nice -n 19 .venv/bin/python bench/scale_bench.py --sizes all --json figures.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_bench import free_port, get, make_queries, percentile, service_command, start, stop  # noqa: E402

from search.importers.corpus import BASE_URL, OWNER, category_map, manifest_rows  # noqa: E402
from search.index import open_current  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "microsoft-support-articles.tar.gz"
KB = Path(sys.executable).parent / "kb"
EDITED = 10


def run(args: list[str | Path], **kw: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - started, done


def measured(args: list[str | Path]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of the child, stderr."""
    started = time.perf_counter()
    proc = subprocess.Popen([str(a) for a in args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{args}: failed\n{stderr[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, stderr


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def subset(source: Path, rows: list[dict[str, str]], dest: Path) -> Path:
    """The rows' files, hard-linked into ``dest`` at their relative paths (a folder to import)."""
    for row in rows:
        target = dest / row["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source / row["path"], target)
    return dest


def plain_material(repo: Path, dest: Path) -> Path:
    """A plain mkdocs-material project over the same article files (no kb-guides plugin)."""
    shutil.copytree(repo / "kb" / "articles", dest / "docs")
    (dest / "docs" / "index.md").write_text("# Articles\n", encoding="utf-8")
    shipped = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    theme = shipped[shipped.index("theme:") : shipped.index("\n# A short")]
    markdown = shipped[shipped.index("markdown_extensions:") :]
    markdown = markdown[: markdown.index("\nvalidation:")] if "\nvalidation:" in markdown else markdown
    # A one-entry nav as ours has a short fixed one: Material's default nav of every page costs
    # time quadratic in the pages (bench/site_bench.py), which is not what is compared here.
    config = f"site_name: Plain\ndocs_dir: docs\n{theme}\nnav:\n  - index.md\nplugins:\n  - search:\n      lang: en\n{markdown}\n"
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest


def edit_articles(repo: Path, n: int) -> None:
    for path in sorted((repo / "kb/articles/imported").rglob("*.md"))[:n]:
        path.write_text(path.read_text("utf-8") + "\nEdited for the incremental re-index benchmark.\n", "utf-8")


def cpu_seconds() -> float:
    """User + system CPU of the finished child processes so far (their own children included):
    a build's figure that a machine shared with other work does not inflate, as it does wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def index_seconds(stdout: str) -> float:
    match = re.search(r"indexed in ([\d.]+) s", stdout)
    return float(match.group(1)) if match else float("nan")


def search_latency(repo: Path, index_dir: Path, work: Path, n: int) -> dict[str, float]:
    generation = open_current(index_dir)
    queries = make_queries(generation.titles, n)
    generation.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    paths = [f"/api/search?q={urllib.parse.quote_plus(q)}&limit=10&snippets=true" for q in queries]
    env = {"KB_ROOT": str(repo), "KB_INDEX_DIR": str(index_dir), "KB_SITE_DIR": str(work / "no-site"), "KB_RATE_LIMIT_PER_MINUTE": "0"}
    service, cold = start(service_command(port), env, base + paths[0], work / "service.log")
    try:
        for path in paths:  # warm, as a running service is
            get(base + path)
        times = []
        for path in paths * 2:
            started = time.perf_counter()
            status, _ = get(base + path)
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, path
        rss = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{service.pid}/status").read_text()).group(1)) / 1024  # type: ignore[union-attr]
    finally:
        stop(service)
    return {"cold_start_s": cold, "p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99), "rss_mb": rss, "requests": len(times)}


def timed(args: list[str | Path]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds, CPU seconds (the command and its workers) and the finished process."""
    cpu = cpu_seconds()
    wall, done = run(args)
    return wall, cpu_seconds() - cpu, done


def check_problems(done: subprocess.CompletedProcess[str]) -> tuple[int, list[str]]:
    """(problems, the errors as path:line:col rule) of a ``kb check --format json`` run; a run
    that printed no JSON counts as one error (its stderr's last line)."""
    try:
        found = json.loads(done.stdout)
    except ValueError:
        return 1, [(done.stderr.strip().splitlines() or ["kb check printed nothing"])[-1]]
    return len(found), [f"{p['path']}:{p['line']}:{p['col']} {p['rule']}" for p in found if p["severity"] == "error"]


def bench_size(source: Path, rows: list[dict[str, str]], work: Path, site: bool, queries: int) -> dict[str, object]:
    """Every figure of issue 16 for one size; a failing step is reported and the steps that do
    not need it still run (a content error stops the index, not the benchmark)."""
    n = len(rows)
    print(f"\n=== {n:,} articles ===", flush=True)
    repo = work / "repo"
    for folder in ("guides", "kb"):
        shutil.copytree(ROOT / folder, repo / folder)
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    mapping = work / "categories.yml"
    mapping.write_text(category_map(rows), "utf-8")
    source_dir = subset(source, rows, work / "source")
    imported: list[str | Path] = [KB, "import", "markdown", source_dir, "--root", repo, "--category-map", mapping]
    imported += ["--owner", OWNER, "--base-url", BASE_URL, "--format", "json"]
    seconds, import_cpu, done = timed(imported)
    report = json.loads(done.stdout)
    rules = Counter(p["rule"] for p in report["problems"])
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    print(
        f"  import:      {seconds:6.1f} s (CPU {import_cpu:.1f} s)  {report['counts']}, {len(report['problems']):,} problems, {len(errors)} errors", flush=True
    )
    print(f"               reported: {', '.join(f'{rule} {count:,}' for rule, count in rules.most_common())}", flush=True)
    again_s, again = run(imported)
    print(f"  re-import:   {again_s:6.1f} s  {json.loads(again.stdout)['counts']}", flush=True)
    result: dict[str, object] = {"articles": n, "import_s": seconds, "import_cpu_s": import_cpu, "import_counts": report["counts"], "reimport_s": again_s}

    check: list[str | Path] = [KB, "check", "--root", repo, "--format", "json"]
    check_s, check_cpu, checked = timed(check)  # cold: no .kb-cache yet, so it is written
    problems, check_errors = check_problems(checked)
    warm_s, warm_cpu, warm = timed(check)
    same = "same problems" if warm.stdout == checked.stdout else "DIFFERENT problems from the cold run"
    print(f"  kb check:    {check_s:6.1f} s cold (cache written, CPU {check_cpu:.1f} s), {warm_s:.1f} s warm (CPU {warm_cpu:.1f} s, {same})", flush=True)
    print(f"               {problems:,} problems, {len(check_errors)} errors{': ' + '; '.join(check_errors[:5]) if check_errors else ''}", flush=True)
    result |= {"check_s": check_s, "check_cpu_s": check_cpu, "check_warm_s": warm_s, "check_warm_cpu_s": warm_cpu, "check_problems": problems}
    result |= {"check_errors": len(check_errors)}

    index_dir = work / "index"
    wall, cpu, indexed = timed([KB, "index", "--root", repo, "--index-dir", index_dir])
    if indexed.returncode:
        print(
            f"  kb index:    failed ({indexed.stderr.strip().splitlines()[-1] if indexed.stderr.strip() else indexed.returncode}); index, search and RSS skipped"
        )
        result["index_failed"] = True
    else:
        build = index_seconds(indexed.stdout)
        generation = open_current(index_dir)
        documents = generation.counts["total"]
        size = folder_size(generation.path)
        generation.close()
        print(f"  kb index:    {wall:6.1f} s wall, build {build:.1f} s -> {documents / build:,.0f} documents/s, generation {size / 1e6:,.1f} MB", flush=True)
        print(f"               CPU {cpu:6.1f} s (kb index and its workers, start-up included) -> {documents / cpu:,.0f} documents per CPU-second", flush=True)
        result |= {"index_wall_s": wall, "index_build_s": build, "documents": documents, "docs_per_s": documents / build, "index_cpu_s": cpu}
        result |= {"index_mb": size / 1e6}
    edit_articles(repo, EDITED)
    edited_s, edited_cpu, edited = timed([KB, "check", "--root", repo])
    parsed = re.search(r"parsed [\d,]+ of [\d,]+ KB files", edited.stderr)
    print(f"  kb check after {EDITED} edits: {edited_s:6.1f} s, CPU {edited_cpu:.1f} s ({parsed.group(0) if parsed else '?'})", flush=True)
    result |= {"check_edited_s": edited_s, "check_edited_cpu_s": edited_cpu}
    if "index_failed" not in result:
        wall2, cpu2, reindexed = timed([KB, "index", "--root", repo, "--index-dir", index_dir])
        rebuild = index_seconds(reindexed.stdout)
        generation = open_current(index_dir)
        analysed, reused = generation.manifest.get("analysed"), generation.manifest.get("reused")
        write_s = generation.manifest.get("build_seconds")
        generation.close()
        print(
            f"  re-index after {EDITED} edits: build {rebuild:.2f} s (writing {write_s} s, validating the rest), kb index {wall2:.1f} s wall, CPU {cpu2:.1f} s"
            f" ({analysed} documents analysed, {reused} reused)",
            flush=True,
        )
        result |= {"reindex_wall_s": wall2, "reindex_build_s": rebuild, "reindex_write_s": write_s, "reindex_cpu_s": cpu2}
        result |= {"reindex_analysed": analysed, "reindex_reused": reused}

    if site:
        ours_s, ours_mb, _ = measured([sys.executable, "-m", "mkdocs", "build", "-q", "-f", repo / "mkdocs.yml", "-d", work / "site"])
        plain = plain_material(repo, work / "plain")
        plain_s, plain_mb, _ = measured([sys.executable, "-m", "mkdocs", "build", "-q", "-f", plain / "mkdocs.yml", "-d", work / "plain-site"])
        print(
            f"  site build:  {ours_s:6.1f} s, peak {ours_mb:,.0f} MB; plain mkdocs-material {plain_s:.1f} s, peak {plain_mb:,.0f} MB -> memory ratio {ours_mb / plain_mb:.2f}"
        )
        result |= {"site_s": ours_s, "site_peak_mb": ours_mb, "plain_site_s": plain_s, "plain_peak_mb": plain_mb, "site_memory_ratio": ours_mb / plain_mb}

    if "index_failed" not in result:
        latency = search_latency(repo, index_dir, work, queries)
        print(
            f"  /api/search: p50 {latency['p50_ms']:.1f} ms, p99 {latency['p99_ms']:.1f} ms ({latency['requests']} requests, snippets on); service RSS {latency['rss_mb']:,.0f} MB"
        )
        result |= {"search": latency}
    summary(result)
    return result


# (figure, its key in a size's results, the target, whether it is met, unit); the targets of issue 16 on this 2-core machine
TARGETS: list[tuple[str, Callable[[dict[str, Any]], float | None], str, Callable[[float, int], bool], str]] = [
    ("index build", lambda r: r.get("docs_per_s"), ">= 1,000 documents/s", lambda v, n: v >= 1000, "documents/s"),
    ("incremental re-index of 10 (build)", lambda r: r.get("reindex_build_s"), "< 1 s at full size", lambda v, n: v < 1, "s"),
    ("incremental re-index of 10 (kb index, CPU)", lambda r: r.get("reindex_cpu_s"), "none (the whole command)", lambda v, n: True, "s"),
    ("/api/search p99 with snippets", lambda r: (r.get("search") or {}).get("p99_ms"), "<= 15 ms at full size", lambda v, n: v <= 15, "ms"),
    ("service RSS after load", lambda r: (r.get("search") or {}).get("rss_mb"), "<= 500 MB", lambda v, n: v <= 500, "MB"),
    ("site build peak memory", lambda r: r.get("site_memory_ratio"), "<= 2x plain mkdocs-material", lambda v, n: v <= 2, "x plain"),
    ("kb check errors", lambda r: r.get("check_errors"), "0 (the import passes kb check)", lambda v, n: v == 0, ""),
]


def summary(result: dict[str, Any]) -> None:
    """The figures the issue sets targets for, each with its target and whether it is met."""
    print(f"  --- {result['articles']:,} articles: figure / target")
    for label, figure, target, met, unit in TARGETS:
        value = figure(result)
        shown = "not measured" if value is None else f"{value:,.2f} {unit}".rstrip()
        verdict = "" if value is None or target.startswith("none") else ("met" if met(value, result["articles"]) else "NOT MET")
        print(f"  {label:<44} {shown:>22}   target {target:<30} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", default="1000,5000,all", help="comma-separated article counts; all = the whole corpus")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-site", action="store_true", help="skip the site builds (the slowest part)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"skipped: {args.corpus} not found (../shared is absent in a plain clone); this benchmark needs the corpus")
        return
    figures: dict[str, object] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="kb-scale-") as tmp:
        work = Path(tmp)
        with tarfile.open(args.corpus) as tar:
            tar.extractall(work / "unpacked", filter="data")
        source = work / "unpacked" / "microsoft-support-articles"
        every = manifest_rows(source)
        for size in args.sizes.split(","):
            rows = every if size == "all" else every[: int(size)]
            figures[size] = bench_size(source, rows, work / f"n{len(rows)}", not args.no_site, args.queries)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
