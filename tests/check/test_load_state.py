"""Loading content leaves the interpreter as it found it."""

from __future__ import annotations

import gc
from pathlib import Path

from search.content.repository import load_repository

ROOT = Path(__file__).resolve().parents[2]


def test_loading_pauses_the_collector_only_while_it_loads() -> None:
    assert gc.isenabled()
    repo = load_repository(ROOT)
    assert repo.guides and gc.isenabled()
    gc.disable()
    try:
        load_repository(ROOT / "no-such-folder")
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
