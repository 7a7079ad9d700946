"""Invalid settings end every command that reads them with one line and exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.servers import kb_executable

BAD = {
    "short admin token": ({"KB_ADMIN_TOKEN": "short"}, "KB_ADMIN_TOKEN"),
    "missing config file": ({"KB_CONFIG": "/nonexistent/kb.toml"}, "KB_CONFIG"),
    "config not TOML": ({"KB_CONFIG": "BAD_TOML"}, "not valid TOML"),
    "body limit not a number": ({"KB_MAX_BODY_BYTES": "lots"}, "KB_MAX_BODY_BYTES"),
    "negative body limit": ({"KB_MAX_BODY_BYTES": "-1"}, "KB_MAX_BODY_BYTES"),
    "origins not JSON": ({"KB_CORS_ORIGINS": "https://a.example"}, "KB_CORS_ORIGINS"),
    "proxy not an address": ({"KB_TRUSTED_PROXIES": '["proxy.example"]'}, "KB_TRUSTED_PROXIES"),
}


def _env(tmp_path: Path, values: dict[str, str]) -> dict[str, str]:
    bad_toml = tmp_path / "kb.toml"
    bad_toml.write_text('admin_token = "unterminated\n', "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    return {**env, **{k: str(bad_toml) if v == "BAD_TOML" else v for k, v in values.items()}}


def _assert_one_line(done: subprocess.CompletedProcess[str], mentions: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "invalid settings" in lines[0] and mentions in lines[0], done.stderr


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["build"], ["start", "--port", "0"]])
def test_kb_commands(case: str, command: list[str], tmp_path: Path) -> None:
    values, mentions = BAD[case]
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [*kb_executable(), *command, "--root", str(root)], env=_env(tmp_path, values), capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    _assert_one_line(done, mentions)


@pytest.mark.parametrize("case", list(BAD))
def test_uvicorn_factory(case: str, tmp_path: Path) -> None:
    values, mentions = BAD[case]
    command = [sys.executable, "-m", "uvicorn", "--factory", "search.api:create_app", "--port", "0"]
    done = subprocess.run(command, env=_env(tmp_path, values), capture_output=True, text=True, timeout=60, cwd=tmp_path)
    _assert_one_line(done, mentions)
