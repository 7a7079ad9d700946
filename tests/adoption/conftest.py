"""One wheel built and installed into a fresh virtual environment per session (about 30 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.installed import build_wheel, install_into_fresh_venv


@pytest.fixture(scope="session")
def installed_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh virtual environment holding only the kb-guides wheel and its dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    return install_into_fresh_venv(build_wheel(work), work / "venv")
