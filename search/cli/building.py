"""``kb build`` / ``kb start``: check, build the site and a new index generation, switch both.

All or nothing: the site is built into a staging folder, the index generation is written and
validated, and only then is the site swapped in, just before ``CURRENT`` points at the new
generation. Any failure leaves the site and index that were served exactly as they were.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ..checks import run_checks
from ..content.problems import Severity
from ..content.progress import Progress, no_progress
from ..content.repository import Checked, load_repository
from ..docsite.build import SiteBuildError, site_lock, stage_site, swap_in
from ..index import BuildError, BuildResult, build_generation


def build_site_and_index(root: Path, site_dir: Path, index_dir: Path, say: Callable[[str], None], progress: Progress = no_progress) -> bool:
    """Check, build, switch; report steps and problems through ``say``, work done through
    ``progress``. False when anything failed (nothing served changed then)."""
    started = time.monotonic()
    say("[1/3] checking content ...")
    repo = load_repository(root, progress=progress)
    problems = run_checks(repo, progress=progress)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    for problem in problems:
        say(problem.format())
    say(f"      {len(repo.guides)} guides, {len(repo.articles)} articles: {len(errors)} errors, {len(problems) - len(errors)} warnings")
    if errors:
        return False
    try:
        result = _build_and_switch(Checked(repo, tuple(problems)), root, site_dir, index_dir, say, progress)
    except SiteBuildError as exc:
        say(f"site build failed; the previous site and index are unchanged:\n{exc}")
        return False
    except BuildError as exc:
        say(f"index build failed; the previous site and index are unchanged: {exc}")
        return False
    say(f"done in {time.monotonic() - started:.1f} s: site {site_dir}, index {result.name} (content version {result.content_version})")
    return True


def _build_and_switch(content: Checked, root: Path, site_dir: Path, index_dir: Path, say: Callable[[str], None], progress: Progress) -> BuildResult:
    with site_lock(site_dir):
        say(f"[2/3] building the site for {site_dir} ...")
        staging = stage_site(root, site_dir, progress=progress)

        def swap() -> None:
            try:
                swap_in(staging, site_dir)
            except OSError as exc:
                raise SiteBuildError(f"cannot swap the new site in: {exc.filename or site_dir}: {exc.strerror or exc}", []) from exc

        try:
            say(f"[3/3] building the search index in {index_dir}, then switching site and index ...")
            return build_generation(content, index_dir, progress=progress, before_switch=swap)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # the unused build, or after the swap the previous site
