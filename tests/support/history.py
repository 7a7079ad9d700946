"""A content repository with a known history (shared by the history, site and API tests).

Four commits by four authors: the initial content; a tree edited (a node reworded, an answer
re-pointed to a new node, an escalation leaf sent to another step); an article renamed; an
article deleted, the tree edited again, the escalation protocol and the priority targets changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from support.gitrepo import GitRepo

TREE = "guides/vpn-no-connect.yml"


@dataclass(frozen=True)
class Scenario:
    repo: GitRepo
    initial: str
    tree_edit: str
    rename: str
    delete: str


def build_history(path: Path) -> Scenario:
    repo = GitRepo(path)
    initial = repo.git("rev-parse", "HEAD").strip()
    tree = (
        repo.read(TREE)
        .replace("text: Does the VPN connect now?", "text: Does the VPN connect after the restart?")
        .replace("      no: escalate\n", "      no: check-client\n")
        .replace("  escalate:\n", "  check-client:\n    type: action\n    text: Check the VPN client version.\n    next: escalate\n  escalate:\n")
        .replace("step: network-l2", "step: identity-l2")
    )
    tree_edit = repo.commit("Reword the VPN check and add a client step", "Bob Builder", "2026-02-10T09:00:00+00:00", write={TREE: tree})
    guide = repo.read("guides/vpn-no-connect.md").replace("../articles/vpn-reinstall.md", "../articles/vpn-client-reinstall.md")
    index = repo.read("kb/index.md").replace("articles/vpn-reinstall.md", "articles/vpn-client-reinstall.md")
    rename = repo.commit(
        "Rename the VPN client article",
        "Carol Cole",
        "2026-03-15T09:00:00+00:00",
        rename={"kb/articles/vpn-reinstall.md": "kb/articles/vpn-client-reinstall.md"},
        write={"guides/vpn-no-connect.md": guide, "kb/index.md": index},
    )
    delete = repo.commit(
        "Retire the password rules; NetOps queue renamed",
        "Dave Dunn",
        "2026-04-20T09:00:00+00:00",
        delete=("kb/articles/password-rules.md",),
        write={
            "guides/password-reset.md": repo.read("guides/password-reset.md").replace("articles: [password-rules]", "articles: []"),
            "guides/escalation.yml": repo.read("guides/escalation.yml").replace("queue: NetOps", "queue: Network Ops"),
            "guides/priorities.yml": repo.read("guides/priorities.yml").replace("resolution: 3d", "resolution: 5d"),
            TREE: repo.read(TREE).replace("text: A stale VPN session was cleared by restarting.", "text: Restarting cleared a stale VPN session."),
        },
    )
    return Scenario(repo, initial, tree_edit, rename, delete)
