"""Shared by every test folder: where the repository is."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout: the shipped content (guides/, kb/) and .venv/ live here."""
    return REPO_ROOT
