"""Integrity of the served index and site (issue 9, items 4-6), through the real `kb` CLI, real
server processes over HTTP, a real index on disk and, for the full disk, a real tmpfs.

- a server pins what it serves: `kb index` never deletes it; the server follows a new generation
  by itself;
- a damaged CURRENT or a damaged file on a live server: never a 5xx, health "degraded" with the
  reason, an older intact generation answers, `kb index` repairs (every file of a generation
  zeroed, truncated, emptied or deleted: test_integrity_damaged_bytes.py and
  test_integrity_damaged_gone.py, on the session's ``two_generations``);
- `kb build` is all or nothing: killed during either step, or out of disk space under either
  the site or the index, neither the site nor the index changes; the next build cleans up and
  succeeds; the built site is readable by other users.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.index import open_current, read_current
from support.integrity import REQUESTS
from support.sample import write_sample
from support.servers import LiveServer, free_port, kb_executable, start_server

ROOT = Path(__file__).resolve().parents[2]
NEW_ARTICLE = "kb/articles/integrity-new.md"
NEW_TEXT = "---\nid: integrity-new\ntitle: Quokka adapter firmware\nowner: Ops\nreviewed: 2026-01-01\n---\n\nThe quokka adapter needs new firmware.\n"


def kb(*args: str, root: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    return subprocess.run([*kb_executable(), *args, "--root", str(root)], capture_output=True, text=True, env=env, timeout=timeout)


def _sample(root: Path, *, site: bool = False) -> Path:
    write_sample(root)
    if site:
        shutil.copyfile(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    return root


def _answers(url: str) -> dict[str, object]:
    """Status and body of every request kind, keyed by path."""
    out: dict[str, object] = {}
    with httpx.Client(base_url=url, timeout=20) as http:
        for method, path, body in REQUESTS:
            r = http.request(method, path, json=body)
            out[path] = (r.status_code, r.json())
    return out


@pytest.fixture()
def server_factory(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(root: Path, **env: str) -> LiveServer:
        server = start_server(root, tmp_path / f"server-{len(servers)}.log", **env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# -- item 4: no generation pulled from under a server ------------------------------------------


def test_kb_index_twice_never_deletes_the_generation_a_server_serves(tmp_path: Path, server_factory: Callable[..., LiveServer]) -> None:
    root = _sample(tmp_path / "content")
    assert kb("index", root=root).returncode == 0
    server = server_factory(root, KB_WATCH_INDEX="false")  # stays on gen 1 until told
    before = _answers(server.url)
    for expected in ("gen-000002", "gen-000003"):
        done = kb("index", root=root)
        assert done.returncode == 0 and expected in done.stdout, done.stderr
    index_dir = root / ".kb-index"
    assert (index_dir / "gen-000001").is_dir(), "a served generation was deleted"
    after = _answers(server.url)
    assert after == before  # walk, triage, search... all still answer from gen 1, unchanged
    health = after["/api/health"][1]  # type: ignore[index]
    assert health["status"] == "ok" and health["generation"] == 1
    server.stop()
    assert kb("index", root=root).returncode == 0
    assert sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-")) == ["gen-000003", "gen-000004"]
    assert list((index_dir / ".pins").iterdir()) == []  # the dead server's pin was removed


def test_server_follows_a_new_generation_without_sighup(tmp_path: Path, server_factory: Callable[..., LiveServer]) -> None:
    root = _sample(tmp_path / "content")
    assert kb("index", root=root).returncode == 0
    server = server_factory(root)
    assert httpx.get(server.url + "/api/search?q=quokka").json()["total"] == 0
    (root / NEW_ARTICLE).write_text(NEW_TEXT, "utf-8")
    assert kb("index", root=root).returncode == 0
    deadline = time.monotonic() + 10
    while httpx.get(server.url + "/api/health").json()["generation"] != 2:
        assert time.monotonic() < deadline, "the server did not notice the new generation"
        time.sleep(0.1)
    hits = httpx.get(server.url + "/api/search?q=quokka").json()["hits"]
    assert [h["id"] for h in hits] == ["integrity-new"]


# -- item 5: damaged index files -----------------------------------------------------------------


@pytest.mark.parametrize("pointer", [b"\xff\xfe\x00garbage", b"", b"gen-000099\n", b"../../etc\n"])
def test_damaged_current_pointer_falls_back_and_kb_index_repairs(two_generations: Path, tmp_path: Path, pointer: bytes) -> None:
    root = shutil.copytree(two_generations, tmp_path / "content")
    (root / ".kb-index" / "CURRENT").write_bytes(pointer)
    settings = Settings(root=root, site_dir=root / "no-site", watch_index=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for method, path, body in REQUESTS:
            assert client.request(method, path, json=body).status_code == 200, path
        health = client.get("/api/health").json()
        reason_part = "gen-000099 does not exist" if pointer == b"gen-000099\n" else "CURRENT is damaged"
        assert health["status"] == "degraded" and reason_part in health["reason"] and health["generation_name"] == "gen-000002", health
    done = kb("index", root=root)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    repaired = open_current(root / ".kb-index")  # numbers only grow, past what a damaged pointer named too
    assert repaired.number > 2 and repaired.counts["total"] == 7
    repaired.close()


def test_damaged_generation_on_a_live_server_then_kb_index_repairs(two_generations: Path, tmp_path: Path, server_factory: Callable[..., LiveServer]) -> None:
    root = shutil.copytree(two_generations, tmp_path / "content")
    # a segment gen-000002 shares with gen-000001 (copied apart here): the repair must not reuse it
    postings = next((root / ".kb-index" / "gen-000002" / "segments").glob("*/postings.bin"))
    postings.write_bytes(b"\0" * postings.stat().st_size)
    server = server_factory(root)
    answers = _answers(server.url)
    assert all(status == 200 for status, _ in answers.values()), answers  # type: ignore[misc]
    health = answers["/api/health"][1]  # type: ignore[index]
    assert health["status"] == "degraded" and "postings.bin does not match its checksum" in health["reason"], health
    done = kb("index", root=root)
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 10
    while (health := httpx.get(server.url + "/api/health").json())["status"] != "ok":
        assert time.monotonic() < deadline, health
        time.sleep(0.1)
    assert health["generation_name"] == "gen-000003" and health["reason"] is None


def test_kb_serve_starts_on_an_undecodable_current(two_generations: Path, tmp_path: Path) -> None:
    root = shutil.copytree(two_generations, tmp_path / "content")
    (root / ".kb-index" / "CURRENT").write_bytes(b"\xff\xfe\xfd")
    port = str(free_port())
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    with open(log, "wb") as out:
        process = subprocess.Popen([*kb_executable(), "serve", "--root", str(root), "--port", port], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).json()
                break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert health["status"] == "ok" and health["generation_name"] == "gen-000003", health  # it rebuilt the index
        assert "Traceback" not in log.read_text()
    finally:
        process.terminate()
        process.wait(15)


# -- item 6: all or nothing ----------------------------------------------------------------------


def _site_state(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _kill_when(process: subprocess.Popen[str], seen: Callable[[], bool], timeout: float = 120) -> None:
    """SIGKILL ``process`` at a moment when ``seen()`` holds (checked again while it is stopped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the build ended before the moment to kill it"
        if seen():
            process.send_signal(signal.SIGSTOP)
            if seen():
                process.kill()
                process.wait(10)
                return
            process.send_signal(signal.SIGCONT)
        time.sleep(0.005)
    pytest.fail("the moment to kill the build never came")


def test_kb_build_killed_during_either_step_changes_nothing(tmp_path: Path) -> None:
    root = _sample(tmp_path / "content", site=True)
    done = kb("build", root=root)
    assert done.returncode == 0, done.stderr
    site, index_dir = root / "site", root / ".kb-index"
    before = _site_state(site)
    (root / NEW_ARTICLE).write_text(NEW_TEXT, "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    moments = {
        "building the site": lambda: any(root.glob(".site.build-*")),
        "site built, index being written": lambda: any(root.glob(".site.build-*/index.html")) and any(index_dir.glob("tmp-gen-*")),
    }
    for moment, seen in moments.items():
        process = subprocess.Popen([*kb_executable(), "build", "--root", str(root)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        _kill_when(process, seen)
        assert read_current(index_dir) == "gen-000001", moment
        assert _site_state(site) == before, moment
    assert any(root.glob(".site.build-*"))  # what the kills left behind
    done = kb("build", root=root)
    assert done.returncode == 0, done.stderr
    assert not any(root.glob(".site.build-*")) and not any(index_dir.glob("tmp-*"))
    assert (site / "articles/integrity-new/index.html").is_file() and read_current(index_dir) == "gen-000002"
    modes = {(p.is_dir(), p.stat().st_mode & 0o777) for p in [site, *site.rglob("*")]}
    assert modes == {(True, 0o755), (False, 0o644)}  # readable by a web server running as another user


def _require_root() -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the full-disk tests mount a small tmpfs and need root (CI runs as root)")
        pytest.skip("the full-disk tests mount a small tmpfs and need root (CI runs them as root)")


@contextlib.contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True)
    assert mounted.returncode == 0, f"cannot mount a tmpfs at {path}: {mounted.stderr}"
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(folder: Path) -> Path:
    """Write a file into ``folder`` until its file system is full; return it (delete it to free the space)."""
    filler = folder / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\1" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


@pytest.mark.parametrize("full", ["site", "index"])
def test_full_disk_under_site_or_index_changes_nothing_then_next_build_succeeds(tmp_path: Path, full: str) -> None:
    _require_root()
    root = _sample(tmp_path / "content", site=True)
    with _tmpfs(tmp_path / "disk", "24m") as disk:
        site = (disk if full == "site" else tmp_path) / "out" / "site"
        index_dir = (disk if full == "index" else tmp_path) / "out" / "index"
        dirs = ["--site-dir", str(site), "--index-dir", str(index_dir)]
        assert kb("build", *dirs, root=root).returncode == 0
        before = _site_state(site)
        (root / NEW_ARTICLE).write_text(NEW_TEXT, "utf-8")
        filler = _fill(disk / "out")
        failed = kb("build", *dirs, root=root)
        assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr
        lines = [line for line in failed.stderr.splitlines() if "No space left on device" in line]
        assert len(lines) == 1 and str(disk) in lines[0], failed.stderr
        assert f"cannot write the {full}" in lines[0]
        assert _site_state(site) == before and read_current(index_dir) == "gen-000001"
        if full == "index":
            alone = kb("index", "--index-dir", str(index_dir), root=root)
            assert alone.returncode == 1 and "Traceback" not in alone.stderr and "No space left on device" in alone.stderr, alone.stderr
        filler.unlink()
        done = kb("build", *dirs, root=root)
        assert done.returncode == 0, done.stderr
        assert (site / "articles/integrity-new/index.html").is_file() and read_current(index_dir) == "gen-000002"
        assert not any(site.parent.glob(".site.build-*")) and not any(index_dir.glob("tmp-*"))
