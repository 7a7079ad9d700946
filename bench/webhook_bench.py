"""Benchmark of the Zendesk webhook (not a test): answer time under a burst, and the outbox drain rate.

On a copy of the shipped content with its index, the service (uvicorn, one process) and the
stand-in Zendesk of the tests (tests/support/zendesk.py, in a process of its own):

- sends a burst of N signed deliveries (default 200, signed beforehand) from C concurrent
  connections of one asyncio client and prints the answer time p50 / p99 / max (target: p99 <= 50
  ms; the note is composed and posted after the answer), beside the same burst of
  ``GET /api/health`` as the machine's baseline (shared machines are noisy: compare the two);
- then times the outbox draining those N jobs (two Zendesk calls each: Add Tags, then the ticket
  update with the note) and prints jobs/s, with the default 2 worker threads and with 8;
- for each outbox backend asked for: the SQLite file, and/or a PostgreSQL database in a
  throwaway local cluster (tests/support/postgres.py, fsync on, over TCP to 127.0.0.1).

Usage: .venv/bin/python bench/webhook_bench.py [--deliveries 200] [--clients 20] [--outbox sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from api_bench import free_port, percentile, service_command, start, stop  # noqa: E402

from search.checks import checked  # noqa: E402
from search.content.repository import load_repository  # noqa: E402
from search.index import build_generation  # noqa: E402
from support.postgres import Cluster  # noqa: E402
from support.servers import TOKEN  # noqa: E402
from support.zendesk import service_env, signed_headers  # noqa: E402

TAGS = ["vpn", "outlook", "printer", "wifi", "password", "mfa", "windows", "laptop"]


def bodies(n: int) -> list[bytes]:
    return [
        json.dumps(
            {"ticket": {"id": str(10_000 + i), "subject": f"Ticket {i}", "description": "", "priority": "Normal", "tags": f"{TAGS[i % len(TAGS)]} other"}}
        ).encode()
        for i in range(n)
    ]


def burst(url: str, payloads: list[bytes], clients: int, run: str, method: str = "POST") -> list[float]:
    """Answer times (seconds) of all requests, sent at once over ``clients`` connections."""
    signed = [(body, signed_headers(body, invocation=f"{run}-{i}")) for i, body in enumerate(payloads)]

    async def main() -> list[float]:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        gate = asyncio.Semaphore(clients)  # time each request from when a connection is free for it
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:

            async def send(i: int) -> float:
                body, headers = signed[i]
                async with gate:
                    started = time.perf_counter()
                    if method == "POST":
                        r = await client.post(url, content=body, headers=headers)
                    else:
                        r = await client.get(url)
                    elapsed = time.perf_counter() - started
                if r.status_code not in (200, 202):
                    raise RuntimeError(f"request {i}: {r.status_code} {r.text[:300]}")
                return elapsed

            return list(await asyncio.gather(*(send(i) for i in range(len(signed)))))

    return asyncio.run(main())


def summary(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"p50 {statistics.median(ms):.1f} ms, p99 {percentile(ms, 99):.1f} ms, max {ms[-1]:.1f} ms"


def drained(base: str, count: int, started: float, timeout: float = 300) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = httpx.get(base + "/api/admin/zendesk/outbox", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
        if answer["sent"] + answer["dead"] >= count:
            if answer["dead"]:
                raise RuntimeError(f"{answer['dead']} dead jobs: {answer['dead_jobs'][:2]}")
            return time.perf_counter() - started
        time.sleep(0.02)
    raise RuntimeError("the outbox did not drain")


STAND_IN = """
import sys, time
sys.path.insert(0, sys.argv[1])
from support.zendesk import StandIn
with StandIn() as zendesk:
    print(zendesk.url, flush=True)
    while True:
        time.sleep(3600)
"""


def run(content: Path, workdir: Path, deliveries: int, clients: int, workers: int, outbox: str, label: str) -> None:
    stand_in = subprocess.Popen([sys.executable, "-c", STAND_IN, str(ROOT / "tests")], stdout=subprocess.PIPE, text=True)
    assert stand_in.stdout is not None
    zendesk_url = stand_in.stdout.readline().strip()
    port = free_port()
    env = {
        "KB_ROOT": str(content),
        **service_env(zendesk_url, outbox, KB_ZENDESK_WORKERS=str(workers)),
        "KB_ADMIN_TOKEN": TOKEN,
        "KB_RATE_LIMIT_PER_MINUTE": "0",
    }
    process, _ = start(service_command(port), env, f"http://127.0.0.1:{port}/api/health", workdir / f"server-{label}-{workers}.log")
    base = f"http://127.0.0.1:{port}"
    try:
        url = base + "/api/integrations/zendesk/webhook"
        burst(url, bodies(20), 4, f"warm-{workers}")  # warm up: connections, first index use
        drained(base, 20, time.perf_counter())
        baseline = burst(base + "/api/health", bodies(deliveries), clients, "health", method="GET")
        started = time.perf_counter()
        times = burst(url, bodies(deliveries), clients, f"burst-{workers}")
        answered = time.perf_counter() - started
        seconds = drained(base, 20 + deliveries, started)
        print(f"{label} workers={workers}: {deliveries} deliveries over {clients} connections at once, answered in {answered:.2f} s: {summary(times)}")
        print(f"{label} workers={workers}: baseline, {deliveries} x GET /api/health the same way: {summary(baseline)}")
        print(
            f"{label} workers={workers}: outbox drained {deliveries} jobs ({2 * deliveries} Zendesk calls) in {seconds:.2f} s: {deliveries / seconds:.0f} jobs/s"
        )
    finally:
        stop(process)
        stand_in.terminate()
        stand_in.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--outbox", choices=["sqlite", "postgresql", "both"], default="sqlite", help="outbox backend(s) to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        content = workdir / "content"
        shutil.copytree(ROOT / "guides", content / "guides")
        shutil.copytree(ROOT / "kb", content / "kb")
        build_generation(checked(load_repository(content)), content / ".kb-index")
        if args.outbox in ("sqlite", "both"):
            for workers in (2, 8):
                run(content, workdir, args.deliveries, args.clients, workers, str(workdir / f"outbox-{workers}.sqlite"), "sqlite")
        if args.outbox in ("postgresql", "both"):
            with Cluster(fsync=True) as postgres:
                for workers in (2, 8):
                    run(content, workdir, args.deliveries, args.clients, workers, postgres.new_database(), "postgresql")


if __name__ == "__main__":
    main()
