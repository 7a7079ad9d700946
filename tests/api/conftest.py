from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.sample import write_sample
from support.servers import TOKEN, LiveServer, start_server
from support.zendesk import StandIn, service_env


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_sample(tmp_path_factory.mktemp("content"))
    build_generation(checked(load_repository(root)), root / ".kb-index")
    return root


@pytest.fixture(scope="module")
def settings(content: Path) -> Settings:
    return Settings(root=content, admin_token=TOKEN, cors_origins=["https://desk.example.com"], max_body_bytes=1024)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = write_sample(tmp_path_factory.mktemp("live"))
    build_generation(checked(load_repository(root)), root / ".kb-index")
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>KB</title><h1>Knowledge base</h1>", "utf-8")
    # schemathesis and the load tests send far more than a person: rate limiting is tested in test_ratelimit.py
    # Zendesk is on (against a stand-in), so schemathesis reaches the Zendesk routes' own checks.
    logs = tmp_path_factory.mktemp("logs")
    with StandIn() as zendesk:
        env = {**service_env(zendesk, str(logs / "outbox.sqlite")), "KB_SITE_URL": "/"}
        server = start_server(root, logs / "server.log", **env, KB_RATE_LIMIT_PER_MINUTE="0", KB_RATE_LIMIT_ADMIN_FAILURES="1000")
        yield server
        server.stop()
