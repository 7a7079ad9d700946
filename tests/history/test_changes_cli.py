"""`kb changes`: what changed since a date or revision, from a real git history built by the test
(four authors, a tree edited in two commits, an article renamed, another deleted), run as the
real `kb` program."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from support.history import Scenario
from support.servers import kb_executable


def kb(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*kb_executable(), "changes", "--root", str(root), *args], capture_output=True, text=True, timeout=60)


def changes_json(root: Path, since: str) -> dict:  # type: ignore[type-arg]
    done = kb(root, "--since", since, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_commits_since_a_revision_newest_first_with_the_documents_each_touched(history: Scenario) -> None:
    summary = changes_json(history.repo.path, history.initial)
    assert summary["base"] == history.initial and summary["history"] is True
    assert [(c["sha"], c["author"], c["message"]) for c in summary["commits"]] == [
        (history.delete, "Dave Dunn", "Retire the password rules; NetOps queue renamed"),
        (history.rename, "Carol Cole", "Rename the VPN client article"),
        (history.tree_edit, "Bob Builder", "Reword the VPN check and add a client step"),
    ]
    assert [(d["kind"], d["id"]) for d in summary["commits"][1]["documents"]] == [
        ("guide", "vpn-no-connect"),
        ("article", "vpn-client-reinstall"),
        ("page", "index"),
    ]
    assert summary["commits"][2]["date"] == "2026-02-10T09:00:00Z"


def test_each_document_once_with_its_net_change_over_the_range(history: Scenario) -> None:
    summary = changes_json(history.repo.path, history.initial)
    documents = {(d["kind"], d["id"]): (d["status"], d["old_path"], d["commits"]) for d in summary["documents"]}
    assert documents == {
        ("guide", "password-reset"): ("modified", None, 1),
        ("guide", "vpn-no-connect"): ("modified", None, 3),
        ("article", "password-rules"): ("removed", None, 1),
        ("article", "vpn-client-reinstall"): ("renamed", "kb/articles/vpn-reinstall.md", 1),
        ("page", "index"): ("modified", None, 1),
        ("settings", "escalation.yml"): ("modified", None, 1),
        ("settings", "priorities.yml"): ("modified", None, 1),
    }


def test_a_tree_is_compared_in_meaning_across_both_edits(history: Scenario) -> None:
    summary = changes_json(history.repo.path, history.initial)
    tree = next(d["tree"] for d in summary["documents"] if d["id"] == "vpn-no-connect")
    assert tree["added"] == ["check-client"] and tree["removed"] == [] and tree["retyped"] == [] and tree["start"] is None
    assert [(c["item"], c["field"], c["old"], c["new"]) for c in tree["reworded"]] == [
        ("connects", "text", "Does the VPN connect now?", "Does the VPN connect after the restart?"),
        ("resolved", "text", "A stale VPN session was cleared by restarting.", "Restarting cleared a stale VPN session."),
    ]
    assert tree["repointed"] == [{"node": "connects", "answer": "no", "old": "escalate", "new": "check-client"}]
    assert [(c["item"], c["old"], c["new"]) for c in tree["escalations"]] == [("escalate", "network-l2", "identity-l2")]
    assert summary["escalation"]["changed"] == [{"item": "network-l2", "field": "queue", "old": "NetOps", "new": "Network Ops"}]
    assert summary["priorities"]["changed"] == [{"item": "P3", "field": "resolution", "old": "3d", "new": "5d"}]


def test_since_a_date_starts_after_the_last_commit_before_it(history: Scenario) -> None:
    summary = changes_json(history.repo.path, "2026-03-01")
    assert summary["base"] == history.tree_edit
    assert [c["author"] for c in summary["commits"]] == ["Dave Dunn", "Carol Cole"]
    tree = next(d["tree"] for d in summary["documents"] if d["id"] == "vpn-no-connect")
    assert tree["added"] == [] and tree["repointed"] == [] and [c["item"] for c in tree["reworded"]] == ["resolved"]  # only Dave's edit


def test_text_and_markdown_summaries_for_staff(history: Scenario) -> None:
    text = kb(history.repo.path, "--since", history.initial).stdout
    assert text.startswith(f"Knowledge base changes since {history.initial}\n")
    assert "3 commits, 7 documents changed." in text
    assert "- vpn-no-connect modified, 3 commits\n  * node check-client added\n" in text
    assert '  * node connects: answer "no" now leads to check-client (was escalate)\n' in text
    assert "  * escalation at escalate now goes to step identity-l2 (was network-l2)\n" in text
    assert "- vpn-client-reinstall renamed (was kb/articles/vpn-reinstall.md), 1 commit\n" in text
    assert "- 2026-03-15 Carol Cole: Rename the VPN client article (" in text
    md = kb(history.repo.path, "--since", history.initial, "--format", "markdown", "--site-url", "https://kb.example.org/").stdout
    assert md.startswith(f"# Knowledge base changes since {history.initial}\n")
    assert "- `vpn-no-connect` modified, 3 commits https://kb.example.org/guides/vpn-no-connect/\n  - node `check-client` added\n" in md
    assert "- `password-rules` removed, 1 commit\n" in md  # a removed page has no link
    assert '- `P3` resolution: "3d" -> "5d"\n' in md


def test_an_unknown_revision_is_a_usage_error_naming_what_to_pass(history: Scenario) -> None:
    done = kb(history.repo.path, "--since", "no-such-tag")
    assert done.returncode == 2
    assert '"no-such-tag" is neither a date (YYYY-MM-DD) nor a git revision' in done.stderr
    assert "Traceback" not in done.stderr
    assert kb(history.repo.path, "--since", "--output=x").returncode == 2  # never passed to git as an option


def test_without_git_there_is_no_history_instead_of_a_failure(history: Scenario, tmp_path: Path) -> None:
    tarball = shutil.copytree(history.repo.path, tmp_path / "unpacked", ignore=shutil.ignore_patterns(".git"))
    done = kb(tarball, "--since", "2026-01-01")
    assert done.returncode == 0, done.stderr
    assert "no history" in done.stdout
    assert json.loads(kb(tarball, "--since", "2026-01-01", "--format", "json").stdout)["history"] is False
