"""API keys for read access: `kb api-key` on a real SQLite file, a real server process over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.sample import write_sample
from support.servers import TOKEN, LiveServer, free_port, kb_executable, start_server

PROBLEM = "application/problem+json"
PROTECTED = ["/api/categories", "/api/diagnose?category=vpn&priority=P2", "/api/search?q=vpn", "/api/guides/vpn-no-connect", "/api/escalation"]
OPEN = ["/api/health", "/api/openapi.json", "/api/docs", "/"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = write_sample(tmp_path / "content")
    build_generation(checked(load_repository(root)), root / ".kb-index")
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("<!doctype html><title>KB</title>", "utf-8")
    return root


def kb(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    return subprocess.run([*kb_executable(), *args], cwd=root, env=env, capture_output=True, text=True, timeout=60)


def create_key(root: Path, name: str) -> str:
    done = kb(root, "api-key", "create", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    """The service looks at the key file once a second: a change shows within that."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the service did not follow the key file"
        time.sleep(0.1)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def server(root: Path, tmp_path: Path) -> Iterator[LiveServer]:
    live = start_server(root, tmp_path / "server.log", KB_RATE_LIMIT_ADMIN_FAILURES="1000")
    yield live
    live.stop()


def assert_401(response: httpx.Response, challenge: str = "Bearer") -> dict[str, object]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == challenge
    body: dict[str, object] = response.json()
    assert body["status"] == 401 and body["type"] == "urn:kb-guides:problem:unauthenticated"
    return body


def test_keys_are_stored_as_digests_listed_by_name_and_misuse_is_one_line(root: Path) -> None:
    first = create_key(root, "zendesk")
    second = create_key(root, "jira-sm")
    assert first.startswith("kbk_") and len(first) == 47 and first != second
    path = root / ".kb-index" / "api-keys.sqlite3"
    data = path.read_bytes()
    assert first.encode() not in data and second.encode() not in data
    assert hashlib.sha256(first.encode()).hexdigest().encode() in data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    listed = json.loads(kb(root, "api-key", "list", "--format", "json").stdout)
    assert [k["name"] for k in listed] == ["jira-sm", "zendesk"]
    assert all(k["created"].endswith("Z") and k["last_used"] is None and k["revoked"] is None for k in listed)
    assert first not in json.dumps(listed)
    for args, message in [
        (("create", "zendesk"), 'a key named "zendesk" exists; revoke it first'),
        (("create", "Zendesk Prod"), "is not a key name"),
        (("revoke", "nope"), 'no active key named "nope"; active keys: jira-sm, zendesk'),
    ]:
        done = kb(root, "api-key", *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert kb(root, "api-key", "revoke", "zendesk").returncode == 0
    after = json.loads(kb(root, "api-key", "list", "--format", "json").stdout)
    assert [(k["name"], k["revoked"] is not None) for k in after] == [("jira-sm", False), ("zendesk", True)]
    again = create_key(root, "zendesk")  # a revoked name can be used again, with a new key
    assert again not in (first, second)


def test_keys_are_required_once_one_exists_and_the_service_follows_the_file(root: Path, server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        _follows_the_file(root, http)
    assert server.process.poll() is None and "Traceback" not in server.log.read_text()


def _follows_the_file(root: Path, http: httpx.Client) -> None:
    assert all(http.get(p).status_code == 200 for p in PROTECTED)  # localhost, no keys: open
    first = create_key(root, "zendesk")
    eventually(lambda: http.get("/api/categories").status_code == 401)
    for path in PROTECTED:
        body = assert_401(http.get(path))
        assert "Authorization: Bearer" in str(body["detail"])
        assert http.get(path, headers=bearer(first)).status_code == 200
        assert_401(http.get(path, headers=bearer("kbk_" + "x" * 43)), 'Bearer error="invalid_token"')
        assert_401(http.get(path, headers={"Authorization": f"Basic {first}"}))
    # the precomputed diagnose answer is served before routing: it is behind the key too
    assert_401(http.get("/api/diagnose", params={"category": "vpn", "priority": "P2"}))
    assert_401(http.post("/api/triage", json={"subject": "vpn"}))
    assert_401(http.post("/api/guides/vpn-no-connect/walk", json={"answers": []}))
    assert all(http.get(p).status_code == 200 for p in OPEN)
    assert http.post("/api/admin/reload", headers=bearer(TOKEN)).status_code == 200  # the admin token stays separate
    assert http.post("/api/admin/reload", headers=bearer(first)).status_code == 403
    second = create_key(root, "jira-sm")
    eventually(lambda: http.get("/api/categories", headers=bearer(second)).status_code == 200)
    assert kb(root, "api-key", "revoke", "zendesk").returncode == 0
    eventually(lambda: http.get("/api/categories", headers=bearer(first)).status_code == 401)
    assert http.get("/api/categories", headers=bearer(second)).status_code == 200
    used = {k["name"]: k for k in json.loads(kb(root, "api-key", "list", "--format", "json").stdout)}
    eventually(lambda: json.loads(kb(root, "api-key", "list", "--format", "json").stdout)[0]["last_used"] is not None)
    assert used["zendesk"]["revoked"] is not None


def test_wrong_keys_spend_the_failure_budget_and_missing_ones_do_not(root: Path, tmp_path: Path) -> None:
    key = create_key(root, "zendesk")
    live = start_server(root, tmp_path / "budget.log", KB_RATE_LIMIT_ADMIN_FAILURES="3")
    try:
        with httpx.Client(base_url=live.url, timeout=10) as http:
            _spend_the_budget(key, http)
    finally:
        live.stop()


def _spend_the_budget(key: str, http: httpx.Client) -> None:
    assert all(http.get("/api/categories").status_code == 401 for _ in range(10))  # no credential: guesses nothing
    assert http.get("/api/categories", headers=bearer(key)).status_code == 200
    assert [http.get("/api/categories", headers=bearer(f"kbk_guess{n}")).status_code for n in range(3)] == [401] * 3
    refused = http.get("/api/categories", headers=bearer(key))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["type"] == "urn:kb-guides:problem:rate-limited"
    assert http.post("/api/admin/reload", headers=bearer(TOKEN)).status_code == 429  # one budget for both credentials


def _own_address() -> str:
    """This machine's address on its network interface (not loopback): where other machines reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        address: str = probe.getsockname()[0]
    assert not address.startswith("127."), "the test needs a network interface besides loopback"
    return address


def test_kb_serve_on_every_interface_warns_and_refuses_other_machines_until_a_key_exists(root: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*kb_executable(), "serve", "--host", "0.0.0.0", "--port", str(port)], cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        local = f"http://127.0.0.1:{port}"
        remote = f"http://{_own_address()}:{port}"
        eventually(lambda: _answers(local + "/api/health"), seconds=30)
        eventually(lambda: "WARNING" in log.read_text())
        assert "WARNING: listening on 0.0.0.0 with no API keys: requests from other machines get 401" in log.read_text()
        assert _status(local + "/api/categories") == 200  # this machine: no key needed yet
        body = assert_401(_get(remote + "/api/categories"))
        assert "kb api-key create NAME" in str(body["detail"]) and "KB_REQUIRE_API_KEY=never" in str(body["detail"])
        assert _status(remote + "/api/health") == 200 and _status(remote + "/") == 200
        key = create_key(root, "zendesk")
        eventually(lambda: _status(remote + "/api/categories", key) == 200)
        assert_401(_get(local + "/api/categories"))  # a key exists: needed from here too
    finally:
        process.terminate()
        process.wait(10)


def _get(url: str, key: str | None = None) -> httpx.Response:
    with httpx.Client(timeout=5) as http:
        response = http.get(url, headers=bearer(key) if key else {})
        response.read()
        return response


def _status(url: str, key: str | None = None) -> int:
    return _get(url, key).status_code


def _answers(url: str) -> bool:
    try:
        return _status(url) == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize(("mode", "with_key", "status"), [("always", False, 401), ("never", True, 200), ("auto", False, 200), ("auto", True, 401)])
def test_require_api_key_modes(root: Path, mode: str, with_key: bool, status: int) -> None:
    """In process the client has no IP address: it is on this machine, like a Unix socket."""
    if with_key:
        create_key(root, "zendesk")
    settings = Settings(root=root, require_api_key=mode)  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/categories").status_code == status
        assert client.get("/api/health").status_code == 200


def test_an_unreadable_key_file_refuses_every_read(root: Path) -> None:
    """Fail closed: a damaged key file must not open the API to everyone."""
    (root / ".kb-index" / "api-keys.sqlite3").write_bytes(b"not a database" * 100)
    with TestClient(create_app(Settings(root=root))) as client:
        body = assert_401(client.get("/api/categories"))
        assert "api-keys.sqlite3 cannot be read" in str(body["detail"])
        assert client.get("/api/health").status_code == 200
    done = kb(root, "api-key", "list")
    assert done.returncode == 2 and "is not a usable API key file" in done.stderr


def test_openapi_declares_the_key_on_protected_operations_only(root: Path) -> None:
    with TestClient(create_app(Settings(root=root))) as client:
        schema = client.get("/api/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["ApiKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer") and "kb api-key create" in scheme["description"]
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            declared = operation.get("security", [])
            if path in ("/api/health", "/api/integrations/zendesk/webhook") or path.startswith("/api/admin/"):
                assert {"ApiKey": []} not in declared, path
            else:
                assert declared == [{"ApiKey": []}], path
                assert operation["responses"]["401"]["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_key_file_setting_names_another_file(root: Path, tmp_path: Path) -> None:
    other = tmp_path / "secrets" / "keys.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    done = subprocess.run(
        [*kb_executable(), "api-key", "create", "zendesk"], cwd=root, env={**env, "KB_API_KEYS_FILE": str(other)}, capture_output=True, text=True
    )
    assert done.returncode == 0 and other.is_file() and not (root / ".kb-index" / "api-keys.sqlite3").exists()
    with TestClient(create_app(Settings(root=root, api_keys_file=other))) as client:
        assert client.get("/api/categories").status_code == 401
        assert client.get("/api/categories", headers=bearer(done.stdout.strip())).status_code == 200
