"""A team adopting the platform: the wheel installed into a fresh virtual environment, `kb init`
(skeleton and starter) in an empty folder, then `kb check`, `kb build` and `kb serve` there, with
the site and the API checked over HTTP. Nothing of this checkout is on the path or on disk there."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from support import ROOT
from support.servers import LiveServer, free_port, wait_ready


def installed_env(bin_dir: Path) -> dict[str, str]:
    """The environment of someone who installed the wheel: its bin/ first, no KB_* or project venv."""
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not Path(p).is_relative_to(ROOT)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "VIRTUAL_ENV", "PYTHON"))}
    return {**env, "PATH": os.pathsep.join([str(bin_dir), *path])}


def kb(bin_dir: Path, *args: str, cwd: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(bin_dir / "kb"), *args], cwd=cwd, env=installed_env(bin_dir), capture_output=True, text=True, timeout=300)
    assert done.returncode == code, f"kb {' '.join(args)} exited {done.returncode}, not {code}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@contextmanager
def kb_serve(bin_dir: Path, root: Path, log: Path) -> Iterator[LiveServer]:
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(bin_dir / "kb"), "serve", "--port", str(port)], cwd=root, env=installed_env(bin_dir), stdout=out, stderr=subprocess.STDOUT
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, root, log)
    try:
        yield wait_ready(server)
    finally:
        server.stop()


def test_the_installed_package_is_the_wheel_alone(installed_bin: Path) -> None:
    where = subprocess.run([str(installed_bin / "python"), "-c", "import search; print(search.__file__)"], capture_output=True, text=True, cwd="/", check=True)
    assert Path(where.stdout.strip()).is_relative_to(installed_bin.parent), where.stdout
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert kb(installed_bin, "--version", cwd=Path("/")).stdout.strip() == f"kb, version {version}"


def test_init_skeleton_then_check_build_serve(installed_bin: Path, tmp_path: Path) -> None:
    said = json.loads(kb(installed_bin, "init", "team-kb", "--format", "json", cwd=tmp_path).stdout)
    root = tmp_path / "team-kb"
    assert said["form"] == "skeleton" and said["overwritten"] == []
    expected = {
        *(".github/workflows/kb.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml", ".gitignore", "README.md", "mkdocs.yml"),
        *(f"guides/{name}.yml" for name in ("categories", "priorities", "escalation", "synonyms", "templates")),
        *("guides/account-locked-out.md", "guides/account-locked-out.yml", "kb/index.md", "kb/articles/unlock-your-account.md"),
        "schemas/tree.schema.json",
    }
    assert expected <= set(said["created"])
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert on_disk == set(said["created"])
    assert f'pip install "kb-guides=={said["version"]}"' in (root / ".github/workflows/kb.yml").read_text()

    checked = kb(installed_bin, "check", "--strict", cwd=root)
    assert "1 guides, 1 articles checked: 0 errors, 0 warnings" in checked.stderr
    kb(installed_bin, "build", cwd=root)
    with kb_serve(installed_bin, root, tmp_path / "serve.log") as server:
        home = httpx.get(server.url + "/")
        assert home.status_code == 200 and "IT Service Desk knowledge base" in home.text
        guide = httpx.get(server.url + "/guides/account-locked-out/")
        assert guide.status_code == 200 and "Account is locked out" in guide.text
        assert 'src="../../assets/kb-guides/kb-guides.js' in guide.text  # the page script shipped in the wheel
        assert httpx.get(server.url + "/assets/kb-guides/kb-guides.js").status_code == 200
        health = httpx.get(server.url + "/api/health").json()
        assert health["status"] == "ok" and health["documents"] == {"guides": 1, "articles": 1, "total": 2}
        diagnosis = httpx.get(server.url + "/api/diagnose", params={"category": "accounts", "priority": "P2"}).json()
        assert [g["id"] for g in diagnosis["guides"]] == ["account-locked-out"]
        assert [a["id"] for a in diagnosis["articles"]] == ["unlock-your-account"]
        assert [step["team"] for step in diagnosis["escalation"][0]["steps"]][:2] == ["Service Desk", "Identity and Access"]

    refused = kb(installed_bin, "init", "team-kb", cwd=tmp_path, code=2)
    assert "already has README.md" in refused.stderr and "--force" in refused.stderr
    (root / "guides" / "categories.yml").write_text("broken: [", encoding="utf-8")
    forced = kb(installed_bin, "init", "team-kb", "--force", cwd=tmp_path)
    assert "guides/ (7 files)  (overwritten)" in forced.stdout
    kb(installed_bin, "check", "--strict", cwd=root)


def test_init_starter_then_check_build_serve(installed_bin: Path, tmp_path: Path) -> None:
    root = tmp_path / "starter"
    said = kb(installed_bin, "init", str(root), "--starter", cwd=tmp_path).stdout
    shipped_guides = len(list((ROOT / "guides").glob("*.md")))
    assert f"into {root} (starter content" in said and "kb start" in said
    assert len(list((root / "guides").glob("*.md"))) == shipped_guides
    kb(installed_bin, "check", "--strict", cwd=root)
    kb(installed_bin, "build", cwd=root)
    with kb_serve(installed_bin, root, tmp_path / "serve.log") as server:
        assert httpx.get(server.url + "/api/health").json()["documents"]["guides"] == shipped_guides
        page = httpx.get(server.url + "/guides/vpn-cannot-connect/")
        assert page.status_code == 200 and "VPN" in page.text
        guide = httpx.get(server.url + "/api/guides/vpn-cannot-connect").json()
        assert guide["category"] == "network/vpn" and guide["tree"]
