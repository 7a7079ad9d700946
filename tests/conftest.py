"""Shared by every test folder: where the repository is."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import ROOT


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout: the shipped content (guides/, kb/) and .venv/ live here."""
    return ROOT
