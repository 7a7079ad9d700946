"""Triage accuracy on the labelled ticket set (tests/triage/tickets.yml).

Usage: .venv/bin/python bench/triage_eval.py [--root REPO] [--tickets FILE]

Prints top-1 and top-3 accuracy of ``Triage(repo).suggest`` and, for every miss, the expected
category with the top three suggestions. tests/triage/test_triage.py holds the same figures to
their floors (top-3 >= 0.90, top-1 >= 0.70).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent
DEFAULT_TICKETS = DEFAULT_ROOT / "tests" / "triage" / "tickets.yml"


@dataclass
class Result:
    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[dict, list]] = field(default_factory=list)  # (ticket, top-3 suggestions), not top-1

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def load_tickets(path: Path = DEFAULT_TICKETS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["tickets"]


def ticket_text(ticket: dict) -> str:
    return f"{ticket['subject']}\n{ticket['description']}"


def evaluate(repo, tickets: list[dict]) -> Result:
    from search.content.triage import Triage

    triage = Triage(repo)
    result = Result()
    for ticket in tickets:
        suggestions = triage.suggest(ticket_text(ticket), 3)
        ranked = [s.category for s in suggestions]
        result.total += 1
        result.top1 += bool(ranked) and ranked[0] == ticket["category"]
        result.top3 += ticket["category"] in ranked
        if not ranked or ranked[0] != ticket["category"]:
            result.misses.append((ticket, suggestions))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="content repository (default: this checkout)")
    parser.add_argument("--tickets", type=Path, default=DEFAULT_TICKETS, help="labelled ticket set (YAML)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(DEFAULT_ROOT))
    from search.content.repository import load_repository

    repo = load_repository(args.root)
    result = evaluate(repo, load_tickets(args.tickets))
    print(f"tickets: {result.total}  guides: {len(repo.guides)}  articles: {len(repo.articles)}")
    print(f"top-1 accuracy: {result.top1}/{result.total} = {result.top1_rate:.1%}")
    print(f"top-3 accuracy: {result.top3}/{result.total} = {result.top3_rate:.1%}")
    if result.misses:
        print("\nNot ranked first (expected -> top 3; * = not in the top 3 at all):")
        for ticket, suggestions in result.misses:
            ranked = [s.category for s in suggestions]
            flag = " " if ticket["category"] in ranked else "*"
            shown = "; ".join(f"{s.category} {s.score:g} [{', '.join(s.matched)}]" for s in suggestions) or "no suggestion"
            print(f"{flag} {ticket['subject']!r}: expected {ticket['category']} -> {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
