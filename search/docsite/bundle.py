"""The page script, kept as one source file per feature and shipped as one file.

``scripts/`` holds the script in feature order: ``00-core.js`` (the shared helpers and the
transcript, opening the one function scope), ``10-diagram.js``, ``20-walk.js`` (the
step-through), ``30-triage.js`` and ``90-init.js`` (wiring, closing the scope). The files are
parts of that one scope, not modules: the site must work offline, in old browsers and with no
build tool, and one file is one request. The plugin writes their concatenation, in name order,
as ``assets/kb-guides/kb-guides.js`` (decision record 0007).
"""

from __future__ import annotations

from pathlib import Path

SCRIPTS_DIR = Path(__file__).parent / "scripts"
BUNDLE_NAME = "kb-guides.js"


def script_parts() -> list[Path]:
    """The feature files, in the order they are concatenated."""
    return sorted(SCRIPTS_DIR.glob("*.js"))


def page_script() -> str:
    """The shipped page script: every feature file, in order."""
    return "".join(part.read_text(encoding="utf-8") for part in script_parts())
