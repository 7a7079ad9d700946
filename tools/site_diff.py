"""Build the shipped content's site with the code of two git revisions and compare the output.

Refactors promise "no behaviour change"; this proves it for the site byte for byte:

    .venv/bin/python tools/site_diff.py            # HEAD's code against the working tree's
    .venv/bin/python tools/site_diff.py f2c4908    # an older revision against the working tree

Both builds use the working tree's content (kb/, guides/, mkdocs.yml) on the same day, so only
the code differs. Exit 0 when every file is identical, 1 with the differing files listed.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOLATILE = {"sitemap.xml.gz"}  # gzip header holds the build time


def build(code: Path, content: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(code), "NO_MKDOCS_2_WARNING": "1"}
    config = content / "mkdocs.yml"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config), "-d", str(out)], env=env, check=True, cwd=content)


def compare(a: Path, b: Path) -> list[str]:
    differing: list[str] = []
    names = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} | {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    for rel in sorted(names):
        if rel.name in VOLATILE:
            continue
        left, right = a / rel, b / rel
        if not left.exists() or not right.exists():
            differing.append(f"{rel}: only in {'the new build' if right.exists() else 'the old build'}")
        elif not filecmp.cmp(left, right, shallow=False):
            differing.append(str(rel))
    return differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ref", nargs="?", default="HEAD", help="git revision whose code is the baseline (default HEAD)")
    parser.add_argument("--show", type=int, default=3, help="print a diff of the first N differing text files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="site-diff-") as tmp:
        work = Path(tmp)
        old_code = work / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(old_code), args.ref], cwd=ROOT, check=True)
        try:
            content = work / "content"
            content.mkdir()
            for name in ("kb", "guides"):
                shutil.copytree(ROOT / name, content / name)
            shutil.copy(ROOT / "mkdocs.yml", content / "mkdocs.yml")
            build(old_code, content, work / "site-old")
            build(ROOT, content, work / "site-new")
            differing = compare(work / "site-old", work / "site-new")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_code)], cwd=ROOT, check=False)
        files = len([p for p in (work / "site-new").rglob("*") if p.is_file()])
        if not differing:
            print(f"identical: {files} files built by {args.ref} and by the working tree")
            return 0
        print(f"{len(differing)} of {files} files differ between {args.ref} and the working tree:")
        for rel in differing:
            print(f"  {rel}")
        for rel in [d for d in differing if not d.endswith(("only in the new build", "only in the old build"))][: args.show]:
            old, new = (work / f"site-{side}" / rel for side in ("old", "new"))
            try:
                diff = difflib.unified_diff(old.read_text().splitlines(), new.read_text().splitlines(), f"{args.ref}/{rel}", f"new/{rel}", lineterm="", n=1)
                print("\n".join(list(diff)[:40]))
            except UnicodeDecodeError:
                pass
        return 1


if __name__ == "__main__":
    sys.exit(main())
