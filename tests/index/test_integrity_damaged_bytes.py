"""Every file of the current generation with its bytes damaged in place (zeroed, truncated): never
a 5xx, health "degraded" naming the file, the older intact generation answers (issue 9, item 5).
The kinds that leave no bytes are in test_integrity_damaged_gone.py: one file per pair, so the
two xdist workers share the slow cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.integrity import assert_every_damaged_file_falls_back


@pytest.mark.parametrize("how", ["zeroed", "truncated"])
def test_every_damaged_file_of_the_current_generation_falls_back_never_500(two_generations: Path, tmp_path: Path, how: str) -> None:
    assert_every_damaged_file_falls_back(two_generations, tmp_path, how)
