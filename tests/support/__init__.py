"""Helpers shared by the test folders: paths, sample content, servers, walk routes, the browser.

Test folders import these as ``support.<module>`` (``tests/`` is on pytest's ``pythonpath``);
fixtures stay in each folder's ``conftest.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: shipped content, mkdocs.yml, .venv
KB = Path(sys.executable).parent / "kb"  # the console script of the interpreter running the tests
