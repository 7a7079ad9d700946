#!/usr/bin/env python3
"""What loaded content costs in memory (tracemalloc), with YAML positions built on first use
(decision record 0039) against built for every value (as the loader did before).

Prints, for the shipped guides (or --root): KB per decision tree and per guide front matter of
the loaded data and of the position tables, and the whole repository's load with and without
position tables. Not a test: figures only.

    .venv/bin/python bench/memory_bench.py
    .venv/bin/python bench/memory_bench.py --root /path/to/imported/repository
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.content.repository import load_repository  # noqa: E402
from search.content.yamlload import Document  # noqa: E402


def traced(build: object) -> tuple[object, int]:
    """What calling ``build`` allocates and keeps (bytes)."""
    gc.collect()
    tracemalloc.start()
    try:
        kept = build() if callable(build) else None
        gc.collect()
        return kept, tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def positions_cost(docs: list[Document]) -> int:
    """What building the position tables of ``docs`` adds (bytes)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for doc in docs:
            doc.positions  # noqa: B018  (built on first use)
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    repo, loaded = traced(lambda: load_repository(args.root))
    assert repo is not None
    guides, articles = repo.guides, repo.articles  # type: ignore[attr-defined]
    trees = [g.tree_doc for g in guides]
    fronts = [g.doc for g in guides]
    tree_tables = positions_cost(trees)
    front_tables = positions_cost(fronts)
    article_tables = positions_cost([a.doc for a in articles])
    text = sum(len(d.source) for d in trees) / max(1, len(trees))
    per = max(1, len(guides))
    print(f"{len(guides)} guides, {len(articles):,} articles under {args.root}")
    print(
        f"  position tables per guide:     {(tree_tables + front_tables) / per / 1024:6.1f} KB (tree {tree_tables / per / 1024:.1f}, front matter {front_tables / per / 1024:.1f});"
    )
    print(f"  kept instead (the YAML text):  {(text + sum(len(d.source) for d in fronts) / per) / 1024:6.1f} KB per guide")
    print(f"  position tables per article:   {article_tables / max(1, len(articles)) / 1024:6.1f} KB")
    print(
        f"  repository loaded:             {loaded / 1e6:6.1f} MB; with every position table built: {(loaded + tree_tables + front_tables + article_tables) / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
