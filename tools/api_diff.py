"""Answer every API question about the shipped content with the code of two git revisions and compare.

Refactors promise "the same API answers"; this proves it byte for byte for every category and
priority (diagnose, escalation), every guide and article, every leaf of every guide's tree (the
walk API, with priority, gathered notes and ticket details), categories, search and triage:

    .venv/bin/python tools/api_diff.py            # HEAD's code against the working tree's
    .venv/bin/python tools/api_diff.py f2c4908    # an older revision against the working tree

Both use the working tree's content. Exit 0 when every answer is identical, 1 with the first
differing answers shown.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a child process with PYTHONPATH=<code>: prints one "question<TAB>answer" line per answer.
DUMP = r"""
import json, shutil, sys, tempfile
from pathlib import Path
from fastapi.testclient import TestClient
from search.api import Settings, create_app
from search.content.repository import load_repository
from search.index import build_generation
try:
    from search.checks import checked
except ImportError:  # revisions before the Checked contract
    checked = lambda repo: repo
src = Path(sys.argv[1])
root = Path(tempfile.mkdtemp()) / "content"
for folder in ("guides", "kb"):
    shutil.copytree(src / folder, root / folder)
build_generation(checked(load_repository(root)), root / ".kb-index")
repo = load_repository(root)
settings = {"root": root}
for name, value in (("rate_limit_per_minute", 0), ("watch_index", False)):
    if name in Settings.model_fields:
        settings[name] = value
def show(question, response):
    print(question + "\t" + str(response.status_code) + " " + response.text.replace("\n", "\\n"))
with TestClient(create_app(Settings(**settings))) as api:
    show("categories", api.get("/api/categories"))
    show("escalation", api.get("/api/escalation"))
    for category in repo.taxonomy.categories:
        for priority in ("", "P1", "P2", "P3", "P4", "urgent", "low"):
            query = f"/api/diagnose?category={category.id}" + (f"&priority={priority}" if priority else "")
            show(query, api.get(query))
        show("escalation " + category.id, api.get(f"/api/escalation?category={category.id}"))
        show("diagnose q " + category.id, api.get(f"/api/diagnose?category={category.id}&q=password+vpn+printer"))
    for guide in repo.guides:
        show("guide " + guide.id, api.get(f"/api/guides/{guide.id}"))
        body = {"priority": "P2", "gathered": ["noted"] * len(guide.meta.gather), "ticket": {"ticket_id": "42", "requester": "Ann", "technician": "Bo"}}
        todo = [[]]
        while todo:  # every path to every leaf (a node is entered once per path)
            answers = todo.pop()
            response = api.post(f"/api/guides/{guide.id}/walk", json={**body, "answers": answers})
            show(f"walk {guide.id} {answers}", response)
            state = response.json()
            if response.status_code == 200 and not state["finished"] and len(answers) < 60:
                for choice in state["current"]["choices"]:
                    todo.append([*answers, choice])
    for article in repo.articles:
        show("article " + article.id, api.get(f"/api/articles/{article.id}"))
    for query in ("vpn", "password reset", "printer offline", "outlok", "blue screen"):
        show("search " + query, api.get("/api/search", params={"q": query}))
    show("triage", api.post("/api/triage", json={"subject": "VPN will not connect", "description": "from the hotel", "impact": "minor", "urgency": "high"}))
"""


def dump(code: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(code), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-c", DUMP, str(ROOT)], env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
    return done.stdout.splitlines()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ref", nargs="?", default="HEAD", help="git revision whose code is the baseline (default HEAD)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="api-diff-") as tmp:
        old_code = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(old_code), args.ref], cwd=ROOT, check=True)
        try:
            old = dump(old_code)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_code)], cwd=ROOT, check=False)
    new = dump(ROOT)
    if old == new:
        print(f"identical: {len(new)} answers from {args.ref} and from the working tree")
        return 0
    differing = [(a, b) for a, b in zip(old, new, strict=False) if a != b]
    print(f"{len(differing) + abs(len(old) - len(new))} of {max(len(old), len(new))} answers differ between {args.ref} and the working tree:")
    for a, b in differing[:3]:
        print(f"  {args.ref}: {a[:400]}\n  new: {b[:400]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
