"""What `kb init` writes for CI, read as GitHub Actions and GitLab CI read it, and the GitLab
code-quality report `kb check --format gitlab` gives them (project's own `kb`, no wheel needed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from search import __version__
from support import KB


def _kb(*args: str, cwd: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(KB), *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scaffold") / "team-kb"
    _kb("init", str(root), cwd=root.parent)
    return root


def test_github_workflow_checks_then_builds_once_and_keeps_site_and_index(scaffolded: Path) -> None:
    workflow = yaml.load((scaffolded / ".github/workflows/kb.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # "on" stays a key
    assert set(workflow["on"]) == {"push", "pull_request"}
    (job,) = workflow["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == [f'pip install "kb-guides=={__version__}"', "kb check --strict --format github", "kb build"]
    (upload,) = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"].split() == ["site/", ".kb-index/"] and upload["with"]["include-hidden-files"] == "true"
    (checkout,) = [step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == "0"  # the history for "What changed"


def test_gitlab_pipeline_reports_code_quality_and_keeps_site_and_index(scaffolded: Path) -> None:
    pipeline = yaml.safe_load((scaffolded / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert pipeline["default"]["before_script"] == [f'pip install "kb-guides=={__version__}"']
    check = pipeline["kb-check"]
    report = check["artifacts"]["reports"]["codequality"]
    assert check["script"][0].startswith(f"kb check --strict --format gitlab > {report} ")
    assert check["artifacts"]["when"] == "always"  # the report of a failed check is what a merge request shows
    assert pipeline["kb-build"]["script"] == ["kb build"] and pipeline["kb-build"]["artifacts"]["paths"] == ["site/", ".kb-index/"]
    assert pipeline["stages"] == ["check", "build"]


def test_gitlab_format_is_a_code_quality_report_with_fingerprints_that_survive_moved_lines(scaffolded: Path, tmp_path: Path) -> None:
    assert json.loads(_kb("check", "--strict", "--format", "gitlab", cwd=scaffolded).stdout) == []
    root = tmp_path / "broken"
    _kb("init", str(root), cwd=tmp_path)
    tree = root / "guides" / "account-locked-out.yml"
    text = tree.read_text(encoding="utf-8").replace("step: identity-l2", "step: identity-l3")
    tree.write_text(text, encoding="utf-8")
    first = json.loads(_kb("check", "--format", "gitlab", cwd=root, code=1).stdout)
    assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in first] == [
        ("unknown-escalation-step", "major", "guides/account-locked-out.yml")
    ] * 2
    lines = text.splitlines()
    assert [i["location"]["lines"]["begin"] for i in first] == [n for n, line in enumerate(lines, 1) if "identity-l3" in line]
    assert all(i["type"] == "issue" and "identity-l3" in i["description"] for i in first)
    assert len({i["fingerprint"] for i in first}) == 2
    tree.write_text("# a comment moves every line down\n" + text, encoding="utf-8")
    moved = json.loads(_kb("check", "--format", "gitlab", cwd=root, code=1).stdout)
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in first]
    assert [i["location"]["lines"]["begin"] for i in moved] == [i["location"]["lines"]["begin"] + 1 for i in first]


def test_init_refuses_a_file_and_writes_nothing_into_a_taken_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert "is a file" in _kb("init", "file", cwd=tmp_path, code=2).stderr
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "mkdocs.yml").write_text("site_name: ours\n", encoding="utf-8")
    refused = _kb("init", str(taken), "--starter", cwd=tmp_path, code=2)
    assert "already has mkdocs.yml" in refused.stderr
    assert [p.name for p in taken.iterdir()] == ["mkdocs.yml"] and (taken / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: ours\n"
