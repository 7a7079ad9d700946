"""The package as a team gets it: a wheel built from this checkout, installed into a fresh
virtual environment that has nothing of the checkout (no editable install, no content files).

The wheel is built from a copy of the sources, so the checkout gets no build/ folder and no file
left there from an earlier build can slip in. Dependencies come from a wheelhouse kept in the
project's .venv: the first run fills it through pip (the registry), later runs install offline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from support import ROOT

PIP = [sys.executable, "-m", "pip"]
WHEELHOUSE = Path(sys.prefix) / "kb-wheelhouse"
SOURCES = ("pyproject.toml", "README.md", "search", "guides", "kb", "mkdocs.yml")  # the wheel's starter links to guides/, kb/, mkdocs.yml


def _run(args: list[str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def build_wheel(work: Path) -> Path:
    """``pip wheel`` of a copy of the package sources; the path of the kb_guides wheel."""
    src = work / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    _run([*PIP, "wheel", "--no-deps", "--quiet", "--wheel-dir", str(work / "dist"), str(src)])
    (wheel,) = (work / "dist").glob("kb_guides-*.whl")
    return wheel


def install_into_fresh_venv(wheel: Path, venv: Path) -> Path:
    """A new virtual environment with ``wheel`` and its dependencies; its bin/ folder."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    offline = [*PIP, "--python", str(python), "install", "--quiet", "--no-compile", "--no-index", "--find-links", str(WHEELHOUSE), str(wheel)]
    if subprocess.run(offline, capture_output=True, timeout=600).returncode != 0:  # a first run, or the dependencies changed
        _run([*PIP, "wheel", "--quiet", "--wheel-dir", str(WHEELHOUSE), "--find-links", str(WHEELHOUSE), str(wheel)])
        for ours in WHEELHOUSE.glob("kb_guides-*.whl"):
            ours.unlink()  # the house keeps dependencies only; each run installs the wheel it built
        _run(offline)
    return venv / "bin"
