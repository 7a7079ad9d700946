"""Shared by every test folder: where the repository is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from search.content.repository import Repository, load_repository
from support import ROOT
from support.servers import shipped_client
from support.site import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout: the shipped content (guides/, kb/) and .venv/ live here."""
    return ROOT


@pytest.fixture(scope="session")
def shipped_repo() -> Repository:
    """The shipped content (guides/, kb/), loaded once; tests read it, never change it."""
    return load_repository(ROOT)


@pytest.fixture(scope="session")
def shipped_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """An HTTP client of a real service over the shipped content (one per session and worker)."""
    with shipped_client(tmp_path_factory.mktemp("shipped-api")) as client:
        yield client


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless chromium, once per session (site and Zendesk app tests)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run tests/ensure-chromium.sh (as root) or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()
