"""The service as a real process over real HTTP: answers, reloads under load, OpenAPI fuzzing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.sample import write_sample
from support.servers import TOKEN, LiveServer, free_port, kb_executable, start_server
from support.zendesk import StandIn, service_env

PROBLEM = "application/problem+json"
HERE = Path(__file__).resolve().parent


def test_live_answers(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as http:
        diag = http.get("/api/diagnose", params={"category": "vpn", "priority": "urgent"})
        assert diag.status_code == 200 and diag.headers["content-type"] == "application/json"
        assert diag.json()["guides"][0]["id"] == "vpn-no-connect"
        search = http.get("/api/search", params={"q": "blue screen"}).json()
        assert search["hits"][0]["id"] == "blue-screen-after-update"
        assert "KB" in http.get("/").text  # the built site at /
        assert http.get("/api/openapi.json").json()["openapi"].startswith("3.")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nothing", 404),
        ("GET", "/api/diagnose?category=nowhere", 404),
        ("GET", "/api/diagnose", 422),
        ("GET", "/api/search?q=" + "x" * 10_000, 400),
        ("GET", "/api/search?q=%2A", 400),
        ("GET", "/api/search?q=((((((((((vpn))))))))))", 400),
        ("GET", "/api/guides/nope", 404),
        ("PATCH", "/api/search", 405),
        ("POST", "/api/admin/reload", 401),
    ],
)
def test_live_4xx_are_problems(live: LiveServer, method: str, path: str, status: int) -> None:
    r = httpx.request(method, live.url + path, timeout=10)
    assert r.status_code == status
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["status"] == status


def test_live_body_limit(live: LiveServer) -> None:
    r = httpx.post(live.url + "/api/admin/reload", content=b"x" * 100_000, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM


def test_reload_ten_times_under_load(tmp_path: Path) -> None:
    """kb index + (SIGHUP | admin endpoint), 10 times, while a client loops: 0 failures, generation never goes back."""
    root = write_sample(tmp_path / "content")
    build_generation(checked(load_repository(root)), root / ".kb-index")
    port = free_port()
    log = tmp_path / "serve.log"
    # the explicit reloads are under test (no self-reload), and it is a load test: one client at full speed
    env = {**os.environ, "KB_ADMIN_TOKEN": TOKEN, "KB_WATCH_INDEX": "false", "KB_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("KB_CONFIG", None)
    with open(log, "wb") as out:
        server = subprocess.Popen([*kb_executable(), "serve", "--root", str(root), "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, server, log)
        failures: list[str] = []
        seen: list[int] = []
        count = 0
        stop = threading.Event()

        def client() -> None:
            nonlocal count
            paths = ["/api/diagnose?category=vpn&priority=P2", "/api/search?q=vpn+client", "/api/health", "/api/categories"]
            with httpx.Client(base_url=url, timeout=10) as http:
                while not stop.is_set():
                    for path in paths:
                        try:
                            r = http.get(path)
                        except httpx.HTTPError as exc:
                            failures.append(f"{path}: {exc!r}")
                            continue
                        count += 1
                        if r.status_code != 200:
                            failures.append(f"{path}: {r.status_code} {r.text[:200]}")
                            continue
                        generation = r.json().get("generation")
                        if generation is not None:
                            if seen and generation < seen[-1]:
                                failures.append(f"generation went back from {seen[-1]} to {generation}")
                            seen.append(generation)

        thread = threading.Thread(target=client)
        thread.start()
        try:
            for i in range(10):
                article = root / "kb" / "articles" / f"reload-{i}.md"
                article.write_text(f"---\nid: reload-{i}\ntitle: Reload note {i}\nowner: Ops\nreviewed: 2026-01-01\n---\n\nReload number {i}.\n", "utf-8")
                done = subprocess.run([*kb_executable(), "index", "--root", str(root)], capture_output=True, text=True, env=env)
                assert done.returncode == 0, done.stderr
                expected = i + 2
                assert f"gen-{expected:06d}" in done.stdout
                if i % 2 == 0:
                    server.send_signal(signal.SIGHUP)
                else:
                    r = httpx.post(url + "/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
                    assert r.status_code == 200 and r.json() == {"generation": expected, "previous": expected - 1, "changed": True}
                _wait_generation(url, expected)
                time.sleep(0.2)
        finally:
            stop.set()
            thread.join(30)
        assert failures == []
        assert count > 100
        assert seen[-1] == 11 and seen == sorted(seen)
        health = httpx.get(url + "/api/health", timeout=10).json()
        assert health["documents"]["articles"] == 4 + 10
        assert sorted(p.name for p in (root / ".kb-index").iterdir() if p.name.startswith("gen-")) == ["gen-000010", "gen-000011"]
    finally:
        server.terminate()
        server.wait(10)


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"kb serve exited:\n{log.read_text()}")
        try:
            if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"kb serve did not start:\n{log.read_text()}")


def _wait_generation(url: str, expected: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if httpx.get(url + "/api/health", timeout=5).json()["generation"] == expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"generation {expected} not served after reload")


def test_schemathesis_against_own_openapi(live: LiveServer, tmp_path: Path) -> None:
    """`st run --checks all` on the service's own schema: no server errors, no schema violations,
    and (check ``ignored_auth``) every operation that declares the API key refuses requests without it."""
    keys = tmp_path / "keys.sqlite3"
    key = subprocess.run(
        [*kb_executable(), "api-key", "create", "schemathesis", "--keys-file", str(keys)], capture_output=True, text=True, check=True
    ).stdout.strip()
    with StandIn() as zendesk:  # Zendesk on, so the fuzzing reaches the Zendesk routes' own checks
        keyed = start_server(
            live.root,
            tmp_path / "keyed.log",
            KB_API_KEYS_FILE=str(keys),
            KB_REQUIRE_API_KEY="always",
            KB_RATE_LIMIT_PER_MINUTE="0",
            KB_RATE_LIMIT_ADMIN_FAILURES="1000",
            **{**service_env(zendesk, str(tmp_path / "outbox.sqlite")), "KB_SITE_URL": "/"},
        )
        try:
            _schemathesis(keyed, key)
        finally:
            keyed.stop()


def _schemathesis(live: LiveServer, key: str) -> None:
    st = Path(sys.executable).with_name("st")
    command = [str(st)] if st.exists() else [sys.executable, "-m", "schemathesis.cli"]
    done = subprocess.run(
        [
            *command,
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            f"{live.url}/api/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "30",
            "--seed",
            "20261127",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", "KB_TEST_API_KEY": key, "KB_TEST_ADMIN_TOKEN": TOKEN},
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "No issues found" in done.stdout
    assert live.process.poll() is None
    log = live.log.read_text()
    assert "Traceback" not in log and "Exception in ASGI application" not in log
