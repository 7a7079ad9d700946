from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.content.repository import load_repository
from search.index import build_generation

from index.sample import write_sample

TOKEN = "test-admin-token-0123456789"


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_sample(tmp_path_factory.mktemp("content"))
    build_generation(load_repository(root), root / ".kb-index")
    return root


@pytest.fixture(scope="module")
def settings(content: Path) -> Settings:
    return Settings(root=content, admin_token=TOKEN, cors_origins=["https://desk.example.com"], max_body_bytes=1024)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def start_server(root: Path, log: Path, *, uvicorn_args: tuple[str, ...] = (), **env: str) -> LiveServer:
    """`python -m uvicorn --factory search.api:create_app` on a free port, settings from KB_*."""
    port = free_port()
    environment = {**os.environ, "KB_ROOT": str(root), "KB_ADMIN_TOKEN": TOKEN, **env}
    environment.pop("KB_CONFIG", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "search.api:create_app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *uvicorn_args],
            cwd=root,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, root, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(server.url + "/api/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not answer in 30 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = write_sample(tmp_path_factory.mktemp("live"))
    build_generation(load_repository(root), root / ".kb-index")
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>KB</title><h1>Knowledge base</h1>", "utf-8")
    # schemathesis and the load tests send far more than a person: rate limiting is tested in test_ratelimit.py
    server = start_server(root, tmp_path_factory.mktemp("logs") / "server.log", KB_RATE_LIMIT_PER_MINUTE="0", KB_RATE_LIMIT_ADMIN_FAILURES="1000")
    yield server
    server.stop()


def kb_executable() -> list[str]:
    exe = Path(sys.executable).with_name("kb")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "search.cli"]


def copy_content(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".kb-index", "site"))
    return dest
