"""Calibration: from an engine score to the probability that the match is relevant, per direction.

Fitted on held-out evaluation data: every query's top candidates scored with out-of-fold weights
(weights that never saw that query's supplier), labelled by the award data — relevant when the
candidate is the one that actually won (the tender a supplier actually won). A person judges more
matches relevant than the one winner, so these probabilities are a cautious lower bound.
Isotonic regression (monotone: a higher score never reads as a lower grade). The expected
calibration error (ECE) is measured out of sample: the map is fitted on four fifths of the queries
and scored on the fifth it did not see.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import GroupKFold

from matcher.ranking.calibration import DEFAULT_GRADES, QUERY_MAP, Calibrator

TOP = 10
BINS = 10


@dataclass
class Pairs:
    """Top candidates of every query: engine score, relevant or not, query group (supplier)."""

    scores: np.ndarray
    labels: np.ndarray
    groups: np.ndarray


def top_pairs(scores: np.ndarray, relevant: np.ndarray, groups: np.ndarray, top: int = TOP) -> Pairs:
    """The `top` best-scored candidates of each query (what a person is shown), with their labels."""
    out_scores, out_labels, out_groups = [], [], []
    for q in range(scores.shape[0]):
        order = np.argsort(-scores[q], kind="stable")[:top]
        out_scores.append(scores[q][order])
        out_labels.append(relevant[q][order])
        out_groups.append(np.full(len(order), groups[q]))
    return Pairs(np.concatenate(out_scores), np.concatenate(out_labels).astype(float), np.concatenate(out_groups))


def fit_map(scores: np.ndarray, labels: np.ndarray) -> IsotonicRegression:
    return IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(scores, labels)


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Weighted mean gap between mean predicted probability and observed rate, over equal-count bins."""
    order = np.argsort(probabilities, kind="stable")
    total = 0.0
    for chunk in np.array_split(order, bins):
        if len(chunk):
            total += len(chunk) * abs(float(probabilities[chunk].mean()) - float(labels[chunk].mean()))
    return total / max(len(probabilities), 1)


def cross_fitted(pairs: Pairs, folds: int = 5) -> np.ndarray:
    """Probabilities of each pair from a map fitted on the other folds' queries."""
    out = np.zeros(len(pairs.scores))
    for train, test in GroupKFold(n_splits=folds).split(pairs.scores, groups=pairs.groups):
        out[test] = fit_map(pairs.scores[train], pairs.labels[train]).predict(pairs.scores[test])
    return out


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> list[dict[str, float]]:
    order = np.argsort(probabilities, kind="stable")
    return [
        {
            "mean_probability": round(float(probabilities[c].mean()), 4),
            "observed_rate": round(float(labels[c].mean()), 4),
            "count": len(c),
        }
        for c in np.array_split(order, bins)
        if len(c)
    ]


def calibration_document(maps: dict[str, IsotonicRegression], source: str, version: str) -> dict[str, Any]:
    """The JSON that `Calibrator.load` reads: the isotonic steps per direction and the grade cuts."""
    document: dict[str, Any] = {
        "version": version,
        "description": (
            f"Isotonic map from engine score to probability of relevance (award proxy: the candidate "
            f"that actually won), fitted on out-of-fold scores of {Path(source).name}."
        ),
        "grades": dict(DEFAULT_GRADES),
        "supplier_for_query": dict(QUERY_MAP),
    }
    for direction, model in maps.items():
        document[direction] = {
            "x": [round(float(v), 6) for v in model.X_thresholds_],
            "y": [round(float(v), 6) for v in model.y_thresholds_],
        }
    return document


def save(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def diagram(curves: dict[str, list[dict[str, float]]], ece: dict[str, float], path: Path) -> Path:
    """Reliability diagram (PNG): predicted probability against observed rate, per side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 5))
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    for side, points in curves.items():
        axis.plot(
            [p["mean_probability"] for p in points],
            [p["observed_rate"] for p in points],
            marker="o",
            label=f"{side} (ECE {ece[side]:.3f})",
        )
    top = max([0.05] + [max(p["mean_probability"], p["observed_rate"]) for pts in curves.values() for p in pts])
    axis.set_xlim(0, min(1.0, top * 1.1))
    axis.set_ylim(0, min(1.0, top * 1.1))
    axis.set_xlabel("predicted probability of relevance")
    axis.set_ylabel("observed rate (award proxy)")
    axis.set_title("Reliability of the calibrated grades")
    axis.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def grade_counts(probabilities: Sequence[float], calibrator: Calibrator) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in probabilities:
        grade = calibrator.grade_of(float(p)) or "below floor"
        counts[grade] = counts.get(grade, 0) + 1
    return counts


def fit_calibration(training: Any, source: str, version: str) -> dict[str, Any]:
    """Isotonic maps fitted on all out-of-fold top-10 pairs of a training run (one per direction)."""
    maps = {}
    for direction, (scores, relevant, groups) in training.held_out_scores.items():
        pairs = top_pairs(scores, relevant, groups)
        maps[direction] = fit_map(pairs.scores, pairs.labels)
    return calibration_document(maps, source, version)
