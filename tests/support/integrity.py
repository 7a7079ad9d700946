"""Damaged-index helpers shared by the integrity test files of tests/index (one file per damage
kind pair, so the two xdist workers share the slow cases): the request kinds every case asks, the
damage itself and the check that the service falls back to the older intact generation."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.index.generation import MANIFEST, generation_files

REQUESTS: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", "/api/health", None),
    ("GET", "/api/search?q=vpn", None),
    ("GET", "/api/diagnose?category=network/vpn&priority=high", None),
    ("GET", "/api/categories", None),
    ("GET", "/api/guides/vpn-no-connect", None),
    ("POST", "/api/guides/vpn-no-connect/walk", {"answers": []}),
    ("POST", "/api/triage", {"subject": "vpn does not connect from the hotel"}),
]


def _damage(file: Path, how: str) -> bool:
    """Damage ``file``; False when ``how`` cannot change it (zeroing or truncating an empty file)."""
    size = file.stat().st_size
    if how == "deleted":
        file.unlink()
    elif how == "emptied":
        file.write_bytes(b"")
    elif size == 0:
        return False
    elif how == "zeroed":
        file.write_bytes(b"\0" * size)
    elif how == "truncated":
        with open(file, "r+b") as handle:
            handle.truncate(size // 2)
    return size > 0 or how == "deleted"


def _assert_degraded(client: TestClient, reason_part: str) -> None:
    for method, path, body in REQUESTS:
        r = client.request(method, path, json=body)
        assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
    health = client.get("/api/health").json()
    assert health["status"] == "degraded" and health["generation_name"] == "gen-000001", health
    assert reason_part in health["reason"] and "serving gen-000001" in health["reason"], health


def assert_every_damaged_file_falls_back(two_generations: Path, tmp_path: Path, how: str) -> None:
    """Each file of gen 2 (and its manifest) damaged ``how`` in its own copy of ``two_generations``:
    every request kind answers 200 from gen 1, health is degraded and names the file."""
    current = two_generations / ".kb-index" / "gen-000002"
    files = [p.relative_to(current).as_posix() for p in generation_files(current)] + [MANIFEST]
    names = {rel.rsplit("/", 1)[-1] for rel in files}
    assert len(files) > 15 and {"text.bin", "postings.bin", "terms.json", "meta.json", "triage.json", "words.json"} <= names
    damaged = 0
    for rel in files:
        root = tmp_path / rel.replace("/", "_")
        shutil.copytree(two_generations, root)
        if not _damage(root / ".kb-index" / "gen-000002" / rel, how):
            continue
        damaged += 1
        settings = Settings(root=root, site_dir=root / "no-site", watch_index=False)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            _assert_degraded(client, rel)
    empty = sum((current / rel).stat().st_size == 0 for rel in files)  # Whoosh's lock files: nothing to zero, cut or empty
    assert damaged == len(files) - (0 if how == "deleted" else empty)
