"""`kb start`, the README's main job, as a user runs it: check, build site + index, serve both."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from support import KB, ROOT
from support.servers import free_port


def _copy_shipped(dest: Path) -> Path:
    for item in ("guides", "kb", "mkdocs.yml"):
        source = ROOT / item
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, dest / item)
    return dest


def _start(root: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen([str(KB), "start", "--port", str(port)], cwd=root, stdout=out, stderr=subprocess.STDOUT)


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kb start exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"kb start did not serve {url} in {timeout} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_start_serves_site_and_api_then_keeps_the_last_good_build(tmp_path: Path) -> None:
    root = _copy_shipped(tmp_path / "content")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(root, port, tmp_path / "first.log")
    try:
        _wait(base + "/api/health", process, tmp_path / "first.log")
        home = httpx.get(base + "/")
        assert home.status_code == 200 and "<html" in home.text.lower()
        guide = httpx.get(base + "/guides/vpn-cannot-connect/")
        assert guide.status_code == 200
        health = httpx.get(base + "/api/health").json()
        assert health["documents"]["guides"] == len(list((root / "guides").glob("*.md")))
        diagnosis = httpx.get(base + "/api/diagnose", params={"category": "network/vpn", "priority": "P2"})
        assert diagnosis.status_code == 200 and diagnosis.json()["guides"]
    finally:
        _stop(process)
    log = (tmp_path / "first.log").read_text()
    assert "[1/3]" in log and "[2/3]" in log and "[3/3]" in log
    built = (root / "site" / "guides" / "vpn-cannot-connect" / "index.html").read_bytes()

    # Break a tree: kb start reports it, does not touch the last good build, and serves it.
    tree = root / "guides" / "vpn-cannot-connect.yml"
    tree.write_text(tree.read_text().replace("next: connects-after-restart", "next: connects-after-restrat"))
    port = free_port()
    process = _start(root, port, tmp_path / "second.log")
    try:
        _wait(f"http://127.0.0.1:{port}/api/health", process, tmp_path / "second.log")
        assert httpx.get(f"http://127.0.0.1:{port}/guides/vpn-cannot-connect/").status_code == 200
    finally:
        _stop(process)
    log = (tmp_path / "second.log").read_text()
    assert "guides/vpn-cannot-connect.yml:" in log and "[unknown-node]" in log and 'did you mean "connects-after-restart"' in log
    assert "serving the last good site and index" in log
    assert (root / "site" / "guides" / "vpn-cannot-connect" / "index.html").read_bytes() == built


def test_start_with_errors_and_no_earlier_build_serves_nothing(tmp_path: Path) -> None:
    root = _copy_shipped(tmp_path / "content")
    (root / "guides" / "escalation.yml").unlink()
    result = subprocess.run([str(KB), "start", "--port", str(free_port())], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "guides/escalation.yml:1:1: error [missing-file]" in result.stderr
    assert "nothing to serve yet" in result.stderr
    assert "Traceback" not in result.stderr


def test_kb_start_help_names_what_it_does() -> None:
    result = subprocess.run([str(KB), "start", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--port" in result.stdout and "last good" in result.stdout
