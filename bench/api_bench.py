"""Benchmark of the search service (not a test): throughput, latency and cold start, with wrk.

For each data set (the shipped content; the shared Microsoft corpus of 8,168 real articles
imported as KB articles when ../shared is present):

- builds an index generation (timed);
- starts our service and bench/ceiling_app.py (a bare FastAPI app answering a constant JSON body
  of the same size as a diagnosis) with uvicorn on 127.0.0.1;
- loads each with wrk for a bounded time: the ceiling, /api/diagnose by category, and
  /api/search with snippets cycling through 200 queries (one connection, so p99 is service
  time, and 16 connections for throughput);
- prints req/s, p99 and the diagnose/ceiling ratio (target >= 0.80) and search p99 (target <= 15 ms);
- compares search p99 with tantivy (if the `tantivy` package can be imported: pip install
  tantivy) on the same documents and queries, both in-process, snippets included;
- measures cold start: process start to the first answered search.

Usage: .venv/bin/python bench/api_bench.py [--duration 10] [--skip-corpus] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # support.servers: how tests and benchmarks start servers

from search.checks import run_checks  # noqa: E402
from search.content.repository import Checked, load_repository  # noqa: E402
from search.importers.corpus import import_corpus  # noqa: E402
from search.index import build_generation, open_current  # noqa: E402
from search.index.engine.schema import analyze  # noqa: E402
from support import servers  # noqa: E402
from support.servers import free_port  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "microsoft-support-articles.tar.gz"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
STOP = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "for",
    "and",
    "or",
    "with",
    "when",
    "you",
    "is",
    "not",
    "can",
    "be",
    "by",
    "from",
    "how",
    "your",
    "does",
    "that",
    "this",
    "are",
    "as",
    "at",
    "it",
    "if",
    "use",
    "using",
}
LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def service_command(port: int, *extra: str) -> list[str]:
    """Our service under uvicorn on 127.0.0.1:``port``, as the benchmarks run it (settings from KB_*)."""
    return servers.service_command(port, "--no-access-log", *extra)


def start(args: list[str], env: dict[str, str], probe: str, log: Path) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server; returns it and the seconds from process start to the first 200 on ``probe``."""
    out = open(log, "wb")  # noqa: SIM115  (the server writes to it until it is stopped)
    started = time.perf_counter()
    process = subprocess.Popen(args, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = started + 60
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            status, _ = get(probe, timeout=2)
            if status == 200:
                return process, time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"server did not answer in 60 s: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, duration: int, connections: int, paths: list[str] | None = None) -> dict[str, float]:
    """Run wrk; returns req/s and latency percentiles in ms."""
    env = dict(os.environ)
    cmd = [WRK, "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "5s"]
    with tempfile.TemporaryDirectory() as tmp:
        if paths:
            (Path(tmp) / "paths.txt").write_text("\n".join(paths) + "\n")
            (Path(tmp) / "cycle.lua").write_text(LUA)
            env["BENCH_PATHS"] = str(Path(tmp) / "paths.txt")
            cmd += ["-s", str(Path(tmp) / "cycle.lua")]
        done = subprocess.run([*cmd, url], capture_output=True, text=True, env=env, timeout=duration + 60)
    text = done.stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if m:
            value = float(m.group(1))
            result[f"p{pct}"] = value / 1000 if m.group(2) == "us" else value * 1000 if m.group(2) == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    result["non2xx"] = float(errors.group(1)) if errors else 0.0
    if socket_errors:
        print(f"    wrk socket errors: {socket_errors.group(1)}")
    return result


def make_queries(titles: list[str], n: int = 200, seed: int = 7) -> list[str]:
    """n queries of 1-3 words drawn from document titles (deterministic)."""
    rng = random.Random(seed)
    queries: list[str] = []
    pool = list(titles)
    rng.shuffle(pool)
    while len(queries) < n and pool:
        for title in pool:
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", title.lower()) if w not in STOP and len(w) > 2 and analyze(w)]
            if words:
                k = rng.choice([1, 2, 2, 3])
                queries.append(" ".join(rng.sample(words, min(k, len(words)))))
            if len(queries) >= n:
                break
    return queries


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def inprocess_ours(index_dir: Path, queries: list[str]) -> dict[str, float]:
    gen = open_current(index_dir)
    try:
        for q in queries:  # warm-up pass (term caches, page cache), as a running service has
            gen.search(q, limit=10)
        times = []
        for q in queries:
            t = time.perf_counter()
            gen.search(q, limit=10)
            times.append((time.perf_counter() - t) * 1000)
    finally:
        gen.close()
    return {"p50": statistics.median(times), "p99": percentile(times, 99), "max": max(times)}


def inprocess_tantivy(index_dir: Path, queries: list[str], workdir: Path) -> dict[str, float] | str:
    try:
        import tantivy
    except ImportError:
        return "tantivy is not installed (pip install tantivy into the venv to compare)"
    gen = open_current(index_dir)
    try:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("title", stored=True)
        builder.add_text_field("body", stored=True)
        schema = builder.build()
        path = workdir / "tantivy"
        path.mkdir()
        index = tantivy.Index(schema, path=str(path))
        writer = index.writer(heap_size=256_000_000)
        started = time.perf_counter()
        for docnum in range(len(gen.ids)):
            writer.add_document(tantivy.Document(title=gen.titles[docnum], body=gen.text_of(docnum)[:200_000]))
        writer.commit()
        writer.wait_merging_threads()
        build = time.perf_counter() - started
    finally:
        gen.close()
    index.reload()
    searcher = index.searcher()

    def run(q: str) -> None:
        query = index.parse_query(re.sub(r"[^\w\s]", " ", q), ["title", "body"])
        hits = searcher.search(query, 10).hits
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
        for _, address in hits:
            snippets.snippet_from_doc(searcher.doc(address)).fragment()

    for q in queries:
        run(q)
    times = []
    for q in queries:
        t = time.perf_counter()
        run(q)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50": statistics.median(times), "p99": percentile(times, 99), "max": max(times), "build_s": build}


def bench_dataset(name: str, content: Path, work: Path, duration: int) -> dict[str, object]:
    print(f"\n=== {name} ===")
    repo = load_repository(content)
    errors = [p for p in run_checks(repo) if p.severity.value == "error"]
    if errors:
        print(f"  skipped: content has {len(errors)} errors, e.g. {errors[0].format()}")
        return {"skipped": True}
    index_dir = work / ".kb-index"
    t = time.perf_counter()
    built = build_generation(Checked.unverified(repo), index_dir)  # the imported corpus: checking 8,000 articles would dominate the set-up
    print(f"  index: {built.name}, {built.guides} guides + {built.articles} articles, built in {time.perf_counter() - t:.1f} s")

    gen = open_current(index_dir)
    categories = [c for c, e in gen.catalog.categories.items() if e.guides]
    category = "network/vpn" if "network/vpn" in categories else categories[0]
    queries = make_queries(gen.titles)
    gen.close()
    diagnose_path = f"/api/diagnose?category={urllib.parse.quote(category, safe='')}&priority=P2"
    search_paths = [f"/api/search?q={urllib.parse.quote_plus(q)}&limit=10" for q in queries]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # rate limiting off: wrk is one client at full speed, and the limiter is not what is measured
    env = {"KB_ROOT": str(content), "KB_INDEX_DIR": str(index_dir), "KB_SITE_DIR": str(work / "no-site"), "KB_RATE_LIMIT_PER_MINUTE": "0"}
    ours, cold = start(
        service_command(port),
        env,
        base + search_paths[0],
        work / "service.log",
    )
    results: dict[str, object] = {"cold_start_s": cold, "documents": built.guides + built.articles, "category": category}
    try:
        status, body = get(base + diagnose_path)
        assert status == 200, body[:300]
        size = len(body)
        for path in search_paths:  # warm the service as a running one is
            get(base + path)
        ceiling_port = free_port()
        ceiling, _ = start(
            servers.service_command(ceiling_port, "--app-dir", str(ROOT / "bench"), "--no-access-log", app="ceiling_app:create_app"),
            {"CEILING_BYTES": str(size)},
            f"http://127.0.0.1:{ceiling_port}/api/diagnose",
            work / "ceiling.log",
        )
        try:
            _, ceiling_body = get(f"http://127.0.0.1:{ceiling_port}/api/diagnose")
            print(f"  diagnosis answer for {category} P2: {size} bytes (ceiling body {len(ceiling_body)} bytes)")
            results["ceiling"] = wrk(f"http://127.0.0.1:{ceiling_port}/api/diagnose", duration, 16)
        finally:
            stop(ceiling)
        results["diagnose"] = wrk(base + diagnose_path, duration, 16)
        results["search_c1"] = wrk(base, duration, 1, search_paths)
        results["search_c16"] = wrk(base, duration, 16, search_paths)
    finally:
        stop(ours)
    results["inprocess_ours"] = inprocess_ours(index_dir, queries)
    results["inprocess_tantivy"] = inprocess_tantivy(index_dir, queries, work)
    report(results)
    return results


def report(r: dict[str, object]) -> None:
    def line(label: str, m: dict[str, float]) -> str:
        return f"  {label:<38} {m['rps']:>9.0f} req/s   p50 {m.get('p50', float('nan')):6.2f} ms   p99 {m.get('p99', float('nan')):6.2f} ms" + (
            f"   non-2xx {m['non2xx']:.0f}" if m.get("non2xx") else ""
        )

    print(line("ceiling (bare FastAPI, 16 conns)", r["ceiling"]))  # type: ignore[arg-type]
    print(line("/api/diagnose by category (16 conns)", r["diagnose"]))  # type: ignore[arg-type]
    print(line("/api/search + snippets (1 conn)", r["search_c1"]))  # type: ignore[arg-type]
    print(line("/api/search + snippets (16 conns)", r["search_c16"]))  # type: ignore[arg-type]
    ratio = r["diagnose"]["rps"] / r["ceiling"]["rps"]  # type: ignore[index]
    print(f"  diagnose / ceiling req/s: {ratio:.2f} (target >= 0.80)")
    print(f"  search p99 over HTTP, 1 connection: {r['search_c1']['p99']:.2f} ms (target <= 15 ms)")  # type: ignore[index]
    ours = r["inprocess_ours"]
    print(f"  in-process search p50/p99/max (ours, snippets):    {ours['p50']:.2f} / {ours['p99']:.2f} / {ours['max']:.2f} ms")  # type: ignore[index]
    tv = r["inprocess_tantivy"]
    if isinstance(tv, str):
        print(f"  tantivy: {tv}")
    else:
        print(
            f"  in-process search p50/p99/max (tantivy, snippets): {tv['p50']:.2f} / {tv['p99']:.2f} / {tv['max']:.2f} ms (tantivy index built in {tv['build_s']:.1f} s)"
        )
        print(f"  ours / tantivy p99: {ours['p99'] / tv['p99']:.1f}x")  # type: ignore[index]
    print(f"  cold start (process start -> first answered search): {r['cold_start_s']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not Path(WRK).exists():
        sys.exit("wrk is not installed (apt-get install wrk)")
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="kb-api-bench-") as tmp:
        work = Path(tmp)
        shipped = work / "shipped"
        shipped.mkdir()
        for folder in ("guides", "kb"):
            shutil.copytree(ROOT / folder, shipped / folder)
        figures["shipped"] = bench_dataset("shipped content", shipped, shipped, args.duration)
        if args.skip_corpus:
            print("\ncorpus skipped (--skip-corpus)")
        elif not args.corpus.is_file():
            print(f"\ncorpus skipped: {args.corpus} not found (../shared is absent in a plain clone)")
        else:
            unpacked = work / "unpacked"
            with tarfile.open(args.corpus) as tar:
                tar.extractall(unpacked, filter="data")
            corpus = work / "corpus"
            base = shipped if not figures["shipped"].get("skipped") else None  # type: ignore[union-attr]
            t = time.perf_counter()
            report_ = import_corpus(unpacked / "microsoft-support-articles", corpus, base=base)
            print(f"\nimported {report_.count('created')} articles in {len(report_.categories_added)} new categories in {time.perf_counter() - t:.1f} s")
            shutil.rmtree(corpus / ".kb-index", ignore_errors=True)
            figures["corpus"] = bench_dataset("Microsoft support corpus", corpus, corpus, args.duration)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
