"""Triage accuracy, abstention and calibration on the labelled sets.

Usage: .venv/bin/python bench/triage_eval.py [--split dev|test|all] [--set written|corpus|noise ...]
       [--misses] [--index-dir DIR] [--corpus TARBALL]

Three sets, each split in a ``dev`` half (the only one ``bench/triage_fit.py`` fits the model
on, and the only one whose misses are read while tuning) and a ``test`` half (reported):

- **written**: ``tests/triage/tickets.yml``, tickets written for the tests; within each category
  they alternate dev, test, dev, ... in file order;
- **corpus**: titles and symptom text of real Microsoft support articles, labelled by product
  area (drawn afresh each run by ``bench/triage_corpus_set.py``, a copy written to ``bench/out/``);
- **noise**: ``tests/triage/noise.yml``, text that is no ticket; alternating dev/test.

Triage runs against an index generation of this checkout's content (built in a temporary folder,
or reused from ``--index-dir``). For each set it prints top-1 and top-3 accuracy (of the ranking,
confident or not), the abstention rate ("no confident match"), the accuracy of the confident
answers, per-category top-1/top-3, the most frequent confusion pairs and a calibration table
(confidence bins against the share correct); for the noise set, the abstention rate. The keyword
scorer alone (``search.content.triage``, the triage before issue 14) is shown for comparison.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

WRITTEN = ROOT / "tests" / "triage" / "tickets.yml"
NOISE = ROOT / "tests" / "triage" / "noise.yml"
SPLITS = ("dev", "test")
CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def _alternate(tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: Counter[str] = Counter()
    for ticket in tickets:
        ticket.setdefault("split", SPLITS[seen[ticket["category"]] % 2])
        seen[ticket["category"]] += 1
    return tickets


def load_tickets(path: Path = WRITTEN) -> list[dict[str, Any]]:
    """The written set, each ticket with its ``split``."""
    return _alternate(yaml.safe_load(path.read_text(encoding="utf-8"))["tickets"])


def load_noise(path: Path = NOISE) -> list[dict[str, Any]]:
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))["noise"]
    return [{"category": None, "subject": text, "description": "", "split": SPLITS[i % 2]} for i, text in enumerate(texts)]


def load_corpus_set(corpus: Path | None = None) -> list[dict[str, Any]] | None:
    """The corpus set, drawn afresh from the tarball (1-2 s: a kept copy went stale when the area
    mapping changed) and written to bench/out/ to read; None without the shared corpus."""
    import triage_corpus_set as corpus_set

    tarball = corpus or corpus_set.DEFAULT_CORPUS
    if not tarball.is_file():
        return None
    tickets = corpus_set.build(tarball)
    corpus_set.write(tickets, corpus_set.DEFAULT_OUT)
    return tickets


def ticket_text(ticket: dict[str, Any]) -> str:
    return f"{ticket['subject']}\n{ticket['description']}"


@contextmanager
def shipped_generation(index_dir: Path | None = None) -> Iterator[Any]:
    """An opened index generation of this checkout's content (built unless ``index_dir`` has one)."""
    from search.content.repository import Checked, load_repository
    from search.index import build_generation, open_current, read_current

    with tempfile.TemporaryDirectory(prefix="kb-triage-eval-") as tmp:
        target = index_dir or Path(tmp)
        if read_current(target) is None:
            build_generation(Checked.unverified(load_repository(ROOT)), target)
        gen = open_current(target)
        try:
            yield gen
        finally:
            gen.close()


def build_corpus_index(workdir: Path, corpus: Path, held_out: list[dict[str, Any]]) -> Path:
    """An index of this checkout's content plus the corpus articles of the desk's categories
    (``coverage.AREAS``) as KB articles, leaving out every article of the corpus set (and the
    areas mapped to no desk category); reused when ``workdir`` has it (delete it after content
    changes)."""
    import shutil
    import tarfile

    from coverage import area_category, read_manifest

    from search.content.repository import Checked, load_repository
    from search.importers.corpus import import_corpus
    from search.index import build_generation, read_current

    index_dir = workdir / "index"
    if read_current(index_dir) is not None:
        return index_dir
    unpacked = workdir / "unpacked"
    if not unpacked.is_dir():
        with tarfile.open(corpus) as tar:
            tar.extractall(unpacked, filter="data")
    shipped = workdir / "shipped"
    shutil.rmtree(shipped, ignore_errors=True)
    for folder in ("guides", "kb"):
        shutil.copytree(ROOT / folder, shipped / folder)
    content = workdir / "content"
    shutil.rmtree(content, ignore_errors=True)
    exclude = {t["source"] for t in held_out} | {row["path"] for row in read_manifest(corpus) if area_category(row["category"]) is None}
    import_corpus(unpacked / "microsoft-support-articles", content, base=shipped, category_of=area_category, exclude=exclude)
    build_generation(Checked.unverified(load_repository(content)), index_dir)
    return index_dir


@dataclass
class Outcome:
    ticket: dict[str, Any]
    ranked: list[str]
    confidence: float
    confident: bool

    @property
    def expected(self) -> str | None:
        return self.ticket["category"]

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] == self.expected

    @property
    def top3(self) -> bool:
        return self.expected in self.ranked[:3]


@dataclass
class SetResult:
    outcomes: list[Outcome] = field(default_factory=list)

    def rate(self, test: str) -> float:
        values = [getattr(o, test) for o in self.outcomes]
        return sum(values) / len(values) if values else 0.0

    @property
    def abstained(self) -> float:
        return sum(not o.confident for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def confident_accuracy(self) -> float:
        answered = [o for o in self.outcomes if o.confident]
        return sum(o.top1 for o in answered) / len(answered) if answered else 0.0

    def per_category(self) -> dict[str, tuple[int, int, int]]:
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for o in self.outcomes:
            row = table[str(o.expected)]
            row[0] += 1
            row[1] += o.top1
            row[2] += o.top3
        return {c: (n, t1, t3) for c, (n, t1, t3) in sorted(table.items())}

    def confusions(self, limit: int = 12) -> list[tuple[tuple[str, str], int]]:
        pairs = Counter((str(o.expected), o.ranked[0] if o.ranked else "(none)") for o in self.outcomes if not o.top1)
        return pairs.most_common(limit)

    def calibration(self) -> list[tuple[float, float, int, float]]:
        """(low, high, count, share correct) per confidence bin of the top category."""
        rows = []
        for low, high in itertools.pairwise(CALIBRATION_BINS):
            inside = [o for o in self.outcomes if low <= o.confidence < high]
            rows.append((low, min(high, 1.0), len(inside), sum(o.top1 for o in inside) / len(inside) if inside else float("nan")))
        return rows

    @property
    def expected_calibration_error(self) -> float:
        n = len(self.outcomes) or 1
        total = 0.0
        for low, high in itertools.pairwise(CALIBRATION_BINS):
            inside = [o for o in self.outcomes if low <= o.confidence < high]
            if inside:
                total += len(inside) / n * abs(sum(o.confidence for o in inside) / len(inside) - sum(o.top1 for o in inside) / len(inside))
        return total


def evaluate(gen: Any, tickets: list[dict[str, Any]]) -> SetResult:
    """Triage every ticket against the generation (search.index.triage)."""
    from search.index.triage import triage

    result = SetResult()
    for ticket in tickets:
        answer = triage(gen, ticket_text(ticket), 3)
        result.outcomes.append(Outcome(ticket, [c.category for c in answer.categories], answer.confidence, answer.confident))
    return result


def evaluate_keywords(gen: Any, tickets: list[dict[str, Any]]) -> SetResult:
    """The keyword scorer alone (the triage before issue 14): no confidence, so never abstains on a match."""
    result = SetResult()
    for ticket in tickets:
        ranked = [s.category for s in gen.triage.suggest(ticket_text(ticket), 3)]
        result.outcomes.append(Outcome(ticket, ranked, 1.0 if ranked else 0.0, bool(ranked)))
    return result


def check_held_apart(gen: Any, tickets: list[dict[str, Any]]) -> None:
    """No corpus ticket may be a document of the index triage draws evidence from."""
    titles = {t.strip().lower() for t in gen.titles}
    shared = [t["subject"] for t in tickets if t["subject"].strip().lower() in titles]
    if shared:
        raise SystemExit(f"corpus tickets that are also documents of the index: {shared[:5]}")


def report(name: str, result: SetResult, baseline: SetResult | None, misses: bool) -> None:
    n = len(result.outcomes)
    if result.outcomes and result.outcomes[0].expected is None:
        print(f"\n== {name}: {n} texts ==")
        print(f"abstention (no confident match): {result.abstained:.1%}")
        if baseline is not None:
            print(f"  keyword scorer alone: answered {1 - baseline.abstained:.1%} of them with a category")
        if misses:
            for o in result.outcomes:
                if o.confident:
                    print(f"  answered {o.ranked[0]} ({o.confidence:.2f}): {o.ticket['subject']!r}")
        return
    print(f"\n== {name}: {n} tickets ==")
    print(f"top-1 accuracy: {result.rate('top1'):.1%}")
    print(f"top-3 accuracy: {result.rate('top3'):.1%}")
    print(f"abstention (no confident match): {result.abstained:.1%}; accuracy of the confident answers: {result.confident_accuracy:.1%}")
    if baseline is not None:
        print(f"  keyword scorer alone: top-1 {baseline.rate('top1'):.1%}, top-3 {baseline.rate('top3'):.1%}")
    print(f"calibration (top category's confidence -> share correct), ECE {result.expected_calibration_error:.3f}:")
    for low, high, count, share in result.calibration():
        print(f"  {low:.1f}-{high:.1f}: {count:4} tickets, {'-' if count == 0 else f'{share:.0%}'} correct")
    print("per category: tickets, top-1, top-3")
    for category, (total, t1, t3) in result.per_category().items():
        print(f"  {category:<20} {total:4} {t1 / total:6.0%} {t3 / total:6.0%}")
    pairs = result.confusions()
    if pairs:
        print("confusions (expected -> ranked first): " + "; ".join(f"{a} -> {b} x{k}" for (a, b), k in pairs))
    if misses:
        for o in result.outcomes:
            if not o.top1:
                flag = " " if o.top3 else "*"
                print(f"  {flag} {o.expected} -> {o.ranked} ({o.confidence:.2f}): {o.ticket['subject']!r}")


def corpus_evidence(workdir: Path, corpus: Path | None, held_out: list[dict[str, Any]], tickets: list[dict[str, Any]], misses: bool) -> None:
    """The corpus set against a knowledge base that holds the rest of the corpus (the desk that
    imported it): what triage does when evidence is plentiful, every ticket's own article left out."""
    import triage_corpus_set as corpus_set

    from search.index import open_current

    index_dir = build_corpus_index(workdir, corpus or corpus_set.DEFAULT_CORPUS, held_out)
    gen = open_current(index_dir)
    try:
        check_held_apart(gen, held_out)
        print(f"\n(corpus evidence: generation of {gen.counts['guides']} guides, {gen.counts['articles']} articles, the corpus set's own articles left out)")
        report("corpus, with the corpus as evidence", evaluate(gen, tickets), evaluate_keywords(gen, tickets), misses)
    finally:
        gen.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--set", dest="sets", action="append", choices=["written", "corpus", "noise"], help="(repeatable; default all three)")
    parser.add_argument("--misses", action="store_true", help="also list every ticket not ranked first (noise: every confident answer)")
    parser.add_argument("--index-dir", type=Path, help="reuse (or build once into) this index folder")
    parser.add_argument("--corpus", type=Path, help="the shared corpus tarball (default ../shared/corpus/...)")
    parser.add_argument(
        "--corpus-evidence",
        type=Path,
        metavar="WORKDIR",
        help="also triage the corpus set against the shipped content plus the corpus's other desk-area articles (built into WORKDIR once, a few minutes)",
    )
    args = parser.parse_args(argv)
    sets = args.sets or ["written", "corpus", "noise"]

    def pick(tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return tickets if args.split == "all" else [t for t in tickets if t["split"] == args.split]

    with shipped_generation(args.index_dir) as gen:
        print(f"index: generation {gen.number}, {gen.counts['guides']} guides, {gen.counts['articles']} articles; split: {args.split}")
        for name in sets:
            if name == "written":
                tickets = pick(load_tickets())
            elif name == "noise":
                tickets = pick(load_noise())
            else:
                loaded = load_corpus_set(args.corpus)
                if loaded is None:
                    print("\n== corpus: skipped, ../shared/corpus is absent ==")
                    continue
                check_held_apart(gen, loaded)
                tickets = pick(loaded)
                if args.corpus_evidence is not None:
                    corpus_evidence(args.corpus_evidence, args.corpus, loaded, tickets, args.misses)
            report(name, evaluate(gen, tickets), evaluate_keywords(gen, tickets), args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
