"""deploy/: the container image and the replicas-behind-a-proxy example agree with each other and
with the service (ports, health path, settings names, files copied), and, where a container
engine answers, the image builds and three replicas answer through the proxy."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from search.api import create_app
from search.api.settings import Settings, load_settings
from support import KB, ROOT
from support.installed import SOURCES
from support.servers import LiveServer, free_port, wait_ready

DEPLOY = ROOT / "deploy"
CONTAINERFILE = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
CADDYFILE = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
SETTINGS = {f"KB_{name.upper()}" for name in Settings.model_fields}


def _instructions(keyword: str) -> list[str]:
    """Each ``keyword`` instruction's arguments, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", CONTAINERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(keyword + " ")]


def test_image_runs_the_service_as_a_non_root_user_with_a_health_check_on_a_real_route(tmp_path: Path) -> None:
    (user,) = _instructions("USER")
    assert user not in {"root", "0"}
    assert re.search(rf"useradd --system --uid \d+ .* {user}\b", CONTAINERFILE)
    (expose,) = _instructions("EXPOSE")
    (cmd,) = _instructions("CMD")
    assert yaml.safe_load(cmd) == ["kb", "serve", "--host", "0.0.0.0", "--port", expose]
    (health,) = _instructions("HEALTHCHECK")
    assert f"http://127.0.0.1:{expose}/api/health" in health
    paths = create_app(load_settings(root=tmp_path)).openapi()["paths"]
    assert "get" in paths["/api/health"]
    assert "chmod -R a-w /srv/kb" in CONTAINERFILE  # built as root, read-only for the service


def test_image_settings_and_copied_files_exist() -> None:
    env = " ".join(_instructions("ENV"))
    names = set(re.findall(r"\b(KB_[A-Z_]+)=", env))
    assert names and names <= SETTINGS
    for copy in _instructions("COPY"):
        args = shlex.split(copy)
        if args[0].startswith("--from="):
            continue
        for source in args[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    wheel_stage = CONTAINERFILE.split("FROM scratch AS content")[0]
    copied = {source for copy in re.findall(r"^COPY (.+) \S+$", wheel_stage, re.MULTILINE) for source in copy.split()}
    assert copied == set(SOURCES)  # what tests/adoption builds the tested wheel from
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", "site", ".kb-index"} <= set(ignored)


def test_compose_replicas_behind_the_proxy_match_the_image_and_the_caddyfile() -> None:
    services = COMPOSE["services"]
    replicas = sorted(name for name in services if name != "proxy")
    assert len(replicas) >= 2
    (expose,) = _instructions("EXPOSE")
    for name in replicas:
        service = services[name]
        assert service["read_only"] is True and "kb-state:/var/lib/kb" in service["volumes"]
        assert set(service["environment"]) <= SETTINGS
        assert any("/api/health" in part for part in service["healthcheck"]["test"])
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", CADDYFILE)
    assert upstreams and upstreams.group(1).split() == [f"{name}:{expose}" for name in replicas]
    assert re.search(r"health_uri /api/health\b", CADDYFILE)
    proxy = services["proxy"]
    assert set(proxy["depends_on"]) == set(replicas)
    assert all(dep["condition"] == "service_healthy" for dep in proxy["depends_on"].values())
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    (proxy_address,) = [net["ipv4_address"] for net in proxy["networks"].values()]
    assert yaml.safe_load(services[replicas[0]]["environment"]["KB_TRUSTED_PROXIES"]) == [proxy_address]
    listen = re.search(r"^:(\d+) \{", CADDYFILE, re.MULTILINE)
    assert listen and proxy["ports"] == [f"{listen.group(1)}:{listen.group(1)}"]


def _engine_problem() -> str | None:
    if shutil.which("docker") is None:
        return "no docker client on PATH"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        return f"no container engine answers `docker info`: {(info.stderr.strip().splitlines() or ['?'])[-1]}"
    if subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60).returncode != 0:
        return "docker compose is not installed"
    return None


def test_image_builds_and_replicas_answer_through_the_proxy() -> None:
    if problem := _engine_problem():
        pytest.skip(f"needs a container engine: {problem}")
    compose = ["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "-p", "kb-guides-test"]
    subprocess.run(["docker", "build", "-f", str(DEPLOY / "Containerfile"), "-t", "kb-guides-test", str(ROOT)], check=True, timeout=1800)
    env = {**os.environ, "KB_IMAGE": "kb-guides-test"}
    try:
        subprocess.run([*compose, "up", "-d", "--wait"], check=True, timeout=600, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get("http://127.0.0.1:8080/api/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the proxy did not answer in 60 s"
            time.sleep(0.5)
        assert health.json()["status"] == "ok"
        home = httpx.get("http://127.0.0.1:8080/")
        assert home.status_code == 200 and "content-security-policy" in home.headers
        user = subprocess.run([*compose, "exec", "-T", "kb-1", "id", "-u"], capture_output=True, text=True, check=True, env=env)
        assert user.stdout.strip() != "0"
    finally:
        subprocess.run([*compose, "down", "-v"], timeout=300, env=env)


def test_service_serves_a_build_mounted_read_only(tmp_path: Path) -> None:
    """As in the image: the site and index read-only (a read-only bind mount stops even root), state elsewhere."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) to mount the build read-only")
    root, state = tmp_path / "kb", tmp_path / "state"
    for args in (["init", str(root)], ["build", "--root", str(root)]):
        subprocess.run([str(KB), *args], check=True, capture_output=True, timeout=300)
    state.mkdir()
    port = free_port()
    script = f'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && cd "$1" && exec "$2" serve --port {port}'
    env = {**os.environ, "KB_ROOT": str(root), "KB_API_KEYS_FILE": str(state / "keys.sqlite3"), "KB_ZENDESK_OUTBOX": str(state / "outbox.sqlite")}
    with open(tmp_path / "serve.log", "wb") as log:
        process = subprocess.Popen(["unshare", "-m", "sh", "-c", script, "sh", str(root), str(KB)], env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, root, tmp_path / "serve.log")
    try:
        wait_ready(server)
        assert httpx.get(server.url + "/guides/account-locked-out/").status_code == 200
        assert [g["id"] for g in httpx.get(server.url + "/api/diagnose", params={"category": "accounts"}).json()["guides"]] == ["account-locked-out"]
        assert "Read-only file system" in server.log.read_text()  # the mount held: the service could not even pin its generation
    finally:
        server.stop()
