"""Real server processes for the tests: the service as `kb serve` runs it, on a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

TOKEN = "test-admin-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_command(port: int, *extra: str, app: str = "search.api:create_app") -> list[str]:
    """``python -m uvicorn --factory APP`` on 127.0.0.1:``port``, quiet; the one spelling of it for
    the tests and the benchmarks (``bench/`` imports it)."""
    return [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *extra]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    root: Path
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_server(root: Path, log: Path, health: int = 200, *, uvicorn_args: tuple[str, ...] = (), **env: str) -> LiveServer:
    """`python -m uvicorn --factory search.api:create_app` on a free port, settings from KB_*;
    ready when /api/health answers ``health`` (a service that must refuse its index answers 503)."""
    port = free_port()
    environment = {**os.environ, "KB_ROOT": str(root), "KB_ADMIN_TOKEN": TOKEN, **env}
    environment.pop("KB_CONFIG", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            service_command(port, *uvicorn_args),
            cwd=root,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return wait_ready(LiveServer(f"http://127.0.0.1:{port}", process, root, log), health)


def wait_ready(server: LiveServer, health: int = 200) -> LiveServer:
    """``server`` once /api/health answers ``health``; its log in the failure when it exits or stays silent for 30 s."""
    process, log = server.process, server.log
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(server.url + "/api/health", timeout=1).status_code == health:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not answer in 30 s:\n{log.read_text()}")


def kb_executable() -> list[str]:
    exe = Path(sys.executable).with_name("kb")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "search.cli"]


def create_api_key(keys_file: Path, name: str) -> str:
    """A new API key in ``keys_file``, made the way an administrator does: ``kb api-key create``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    done = subprocess.run([*kb_executable(), "api-key", "create", name, "--keys-file", str(keys_file)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def copy_content(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".kb-index", "site"))
    return dest


def start_shipped(work: Path, **env: str) -> LiveServer:
    """The service over the shipped guides and articles of this checkout, indexed into ``work``,
    rate limit off (the tests that walk every leaf send far more than a person). It reads the
    checkout itself, not a copy: its git history gives the guides' content versions, the same as
    the site built from the checkout and ``kb walk --root`` quote in transcripts."""
    from search.checks import checked
    from search.content.repository import load_repository
    from search.index import build_generation

    root = Path(__file__).resolve().parents[2]
    build_generation(checked(load_repository(root)), work / "index")
    settings = {"KB_INDEX_DIR": str(work / "index"), "KB_SITE_DIR": str(work / "no-site"), "KB_RATE_LIMIT_PER_MINUTE": "0"}
    return start_server(root, work / "server.log", **{**settings, **env})


@contextmanager
def shipped_client(work: Path) -> Iterator[httpx.Client]:
    """An HTTP client of :func:`start_shipped`'s service (the server stops when the block ends)."""
    server = start_shipped(work)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client
    finally:
        server.stop()
