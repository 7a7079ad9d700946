"""Fit triage's ranking and confidence models on the dev halves (prints ``MODEL`` for search/index/triage.py).

Usage: .venv/bin/python bench/triage_fit.py [--index-dir DIR] [--write]
(--write replaces the ``MODEL = ...`` line of search/index/triage.py with the fitted one.)

Both models are L2-regularised logistic regressions (Newton's method, pure Python: a few
thousand rows of under ten features):

- **rank**: one row per candidate category of each dev ticket of the written set, labelled 1 for
  the ticket's category; candidates are ranked by it;
- **confidence**: one row per dev ticket and per dev noise text, the best candidate's features,
  labelled 1 when it is the ticket's category (never for noise);
- **threshold**: the least confidence that answers; chosen on the dev halves as the smallest value
  that abstains on at least ``NOISE_ABSTENTION`` of the noise texts, so that as few real tickets
  as possible go unanswered.

Only the dev halves are read (``bench/triage_eval.py --split test`` reports the other halves).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import triage_eval  # noqa: E402

from search.index import triage as T  # noqa: E402

L2 = 0.5
NOISE_ABSTENTION = 1.0
FOLDS = 5


def fit_logistic(rows: list[tuple[float, ...]], labels: list[int], l2: float = L2, steps: int = 50) -> tuple[float, ...]:
    """Intercept and weights minimising log-loss + l2/2 |w|^2 (intercept not penalised)."""
    d = len(rows[0]) + 1
    w = [0.0] * d
    data = [(1.0, *r) for r in rows]
    for _ in range(steps):
        grad = [l2 * w[j] if j else 0.0 for j in range(d)]
        hess = [[(l2 if i == j and i else 0.0) for j in range(d)] for i in range(d)]
        for x, y in zip(data, labels, strict=True):
            z = sum(a * b for a, b in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(min(z, 60), -60)))
            g = p - y
            h = p * (1 - p)
            for i in range(d):
                grad[i] += g * x[i]
                hx = h * x[i]
                row = hess[i]
                for j in range(d):
                    row[j] += hx * x[j]
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return tuple(round(v, 4) for v in w)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            m[col][col] = 1e-12
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(gen: Any) -> T.Model:
    tickets = [t for t in triage_eval.load_tickets() if t["split"] == "dev"]
    noise = [t for t in triage_eval.load_noise() if t["split"] == "dev"]
    found = [(t, T.candidates(gen, triage_eval.ticket_text(t))[0]) for t in tickets + noise]
    rank_rows: list[tuple[float, ...]] = []
    rank_labels: list[int] = []
    for ticket, cands in found:
        if ticket["category"] is None:
            continue
        for cand, row in zip(cands, T.rank_features(cands), strict=True):
            rank_rows.append(row)
            rank_labels.append(int(cand.category == ticket["category"]))
    rank = fit_logistic(rank_rows, rank_labels)
    interim = T.Model(rank=rank, confidence=(0.0,) * (len(T.CONFIDENCE_FEATURES) + 1), threshold=0.5)
    conf_rows: list[tuple[float, ...]] = []
    conf_labels: list[int] = []
    for ticket, cands in found:
        if not cands:
            conf_rows.append((-10.0,) + (0.0,) * (len(T.CONFIDENCE_FEATURES) - 1))  # what triage answers without any candidate: confidence 0
            conf_labels.append(0)
            continue
        ranked = T.score(cands, interim)
        best, logit = ranked[0]
        conf_rows.append(T.confidence_features(best, logit, ranked[1][1] if len(ranked) > 1 else None))
        conf_labels.append(int(best.category == ticket["category"]))
    confidence = fit_logistic(conf_rows, conf_labels)
    noise = [i for i, (t, _) in enumerate(found) if t["category"] is None]
    noise_scores = sorted(out_of_fold(conf_rows, conf_labels, noise), reverse=True)
    allowed = int(len(noise_scores) * (1 - NOISE_ABSTENTION))  # noise texts that may still be answered
    threshold = noise_scores[allowed] + 1e-4 if noise_scores else 0.5
    return T.Model(rank=rank, confidence=confidence, threshold=round(threshold, 4))


def out_of_fold(rows: list[tuple[float, ...]], labels: list[int], wanted: list[int]) -> list[float]:
    """Confidence of the ``wanted`` rows, each scored by a model fitted without its fold: a text the
    model was fitted on scores lower than an unseen one, so a threshold over in-fold noise scores
    answers too many unseen noise texts."""
    scores: list[float] = []
    for fold in range(FOLDS):
        held = {i for i in wanted if i % FOLDS == fold}
        kept = [i for i in range(len(rows)) if i not in held]
        weights = fit_logistic([rows[i] for i in kept], [labels[i] for i in kept])
        scores.extend(T._logistic(T._linear(weights, rows[i])) for i in sorted(held))
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="reuse (or build once into) this index folder")
    parser.add_argument("--write", action="store_true", help="write the fitted MODEL into search/index/triage.py")
    args = parser.parse_args(argv)
    with triage_eval.shipped_generation(args.index_dir) as gen:
        model = fit(gen)
    line = f"MODEL = Model(rank={model.rank}, confidence={model.confidence}, threshold={model.threshold})"
    print(line)
    if args.write:
        source = Path(T.__file__)
        text, count = re.subn(r"^MODEL = Model\((?:.*\)|\n(?:    .*\n)*\))$", line, source.read_text("utf-8"), flags=re.M)
        if count != 1:
            raise SystemExit(f"{source}: no single MODEL = Model(...) line to replace")
        source.write_text(text, "utf-8")
        print(f"written to {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
