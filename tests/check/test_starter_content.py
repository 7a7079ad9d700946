"""The content shipped in this repository passes its own strictest check."""

from __future__ import annotations

from search.content.repository import load_repository

from .casekit import ROOT, run_check, run_kb


def test_shipped_content_passes_kb_check_strict() -> None:
    result = run_check(ROOT, "--strict")  # --today is fixed (casekit.TODAY) so the test does not age
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == "", "kb check --strict reports problems in the shipped content:\n" + result.stdout
    assert result.exit_code == 0


def test_shipped_content_passes_make_check_in_a_real_process() -> None:
    """What `make check` runs: `kb check --strict` from the repository root, with today's date."""
    done = run_kb("check", "--strict", cwd=ROOT)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stdout + done.stderr


def test_shipped_content_has_guides_and_articles() -> None:
    repo = load_repository(ROOT)
    assert repo.guides and repo.articles
    assert repo.taxonomy is not None and repo.priorities is not None and repo.escalation is not None
