"""Learn the ranking weights from award data: pairwise logistic regression on the engine's features.

Features come from `Engine.supplier_matrix` / `Engine.tender_matrix`, the very functions ranking
calls, for every (query, candidate) pair of the hold-out split. For each query the winner is
compared with every other candidate (feature differences), so a logistic regression without
intercept learns one linear weight per feature: exactly what `LinearScorer` applies, and each
contribution stays readable in the explanations. Weights are kept non-negative: every feature is
a "more is better" signal (similarity, same place, track record), and a negative weight would only
learn an artefact of the protocol (e.g. every supplier, big or small, has exactly one held-out
award, so raw popularity looks harmful; other lots of the same operation look like near-copies).

Cross-validation is by supplier (GroupKFold): the queries of a fold's suppliers — their held-out
tender on the buyer side, their own recommendations on the startup side — are never seen when
fitting the weights they are scored with. Features that never vary within a query in this data
(deadline, SME reservation, eligibility…: every held-out tender looks alike there) cannot be
learned; they keep their hand-set weights.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from sklearn.model_selection import GroupKFold

from matcher.evaluation.metrics import Metrics, summarize
from matcher.evaluation.protocol import EVAL_NOW, Split, startup_id
from matcher.ranking.features import QUERY_FEATURES, SUPPLIER_FEATURES, TENDER_FEATURES, row_variants
from matcher.ranking.scoring import DIRECTIONS, VARIANT_FEATURES, WORKS, variant_name, weight_of

# Free-text supplier search is not what award data measures (a typed need, often in Arabic or
# English, against profiles in any language): its weights stay hand-set, meaning first.
TRAINED = ("supplier_for_tender", "tender_for_startup")
DEFAULT_C = 1.0
HARD_NEGATIVES = 50
# Award data is French only, so it cannot value the one signal that crosses languages (an Arabic
# query against French profiles shares no term with them): meaning keeps at least this share.
SEMANTIC_FLOOR = 0.15
SIDE_OF = {"supplier_for_tender": "buyer", "tender_for_startup": "startup"}
# Kept at its hand-set weight (0) whatever the data says: a count of past public contracts favours
# incumbents over first references (benchmarks/bench_track_record.py); it feeds the explanation's
# "2 verified public contracts in IT services" note. The share features (track_region…) are learned.
NOT_LEARNED = ("track_record",)


@dataclass
class Queries:
    """One direction's training data: features[q, c, f], relevant[q, c], group (supplier) per query."""

    direction: str
    names: tuple[str, ...]
    features: np.ndarray
    relevant: np.ndarray
    groups: np.ndarray

    def learnable(self) -> list[int]:
        """Columns that vary within at least one query (the others carry no ranking signal here)."""
        spread = self.features.max(axis=1) - self.features.min(axis=1)
        return [
            i for i in range(len(self.names)) if float(spread[:, i].max()) > 1e-6 and self.names[i] not in NOT_LEARNED
        ]


@dataclass
class Training:
    weights: dict[str, dict[str, float]]
    cv: dict[str, Metrics]
    folds: int
    seed: int
    queries: dict[str, int] = field(default_factory=dict)
    boosted: dict[str, Metrics] = field(default_factory=dict)
    # per direction: out-of-fold scores, relevance and supplier group of every (query, candidate) pair
    held_out_scores: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)


def collect(engine: Any, data: Split, now: datetime = EVAL_NOW) -> dict[str, Queries]:
    """Feature tensors for every (query, candidate) pair, from the engine's own feature code."""
    supplier_ids = [startup_id(key) for key in data.suppliers]
    group_of = {startup_id(key): position for position, key in enumerate(data.suppliers)}
    tender_ids = sorted(data.winners)
    out: dict[str, Queries] = {}

    buyer, buyer_rel, buyer_groups, works = [], [], [], []
    for tender_id in tender_ids:
        tender = engine.tender(tender_id)
        winners = {startup_id(w) for w in data.winners[tender_id]}
        records, _, matrix = engine.supplier_matrix(tender, tender.text, supplier_ids, now)
        works.append([variant == WORKS for variant in row_variants(tender, records)])
        buyer.append(matrix)
        buyer_rel.append(np.array([s in winners for s in supplier_ids]))
        buyer_groups.append(min(group_of[w] for w in winners))
    out["supplier_for_tender"] = with_variants(
        Queries("supplier_for_tender", SUPPLIER_FEATURES, np.stack(buyer), np.stack(buyer_rel), np.array(buyer_groups)),
        {WORKS: np.array(works, dtype=bool)},
    )

    startup, startup_rel = [], []
    for key in data.suppliers:
        record = engine.startup(startup_id(key))
        _, _, matrix = engine.tender_matrix(record, tender_ids, now)
        startup.append(matrix)
        startup_rel.append(np.array([t == data.tender_of(key) for t in tender_ids]))
    out["tender_for_startup"] = Queries(
        "tender_for_startup",
        TENDER_FEATURES,
        np.stack(startup),
        np.stack(startup_rel),
        np.array([group_of[startup_id(k)] for k in data.suppliers]),
    )
    return out


def with_variants(queries: Queries, members: dict[str, np.ndarray]) -> Queries:
    """Each variant feature (`scoring.VARIANT_FEATURES`) split in two columns: `name` for the other
    pairs and `name@variant` for the variant's own (`members[variant]`: a flag per query and
    candidate), so the pairwise fit learns one weight each, exactly as `LinearScorer` applies them."""
    features, names = queries.features.copy(), list(queries.names)
    extra = []
    for variant, features_of_variant in VARIANT_FEATURES.get(queries.direction, {}).items():
        inside = members[variant]
        for name in features_of_variant:
            column = names.index(name)
            extra.append(np.where(inside, features[:, :, column], 0.0))
            features[:, :, column] = np.where(inside, 0.0, features[:, :, column])
            names.append(variant_name(name, variant))
    if not extra:
        return queries
    stacked = np.concatenate([features, np.stack(extra, axis=2).astype(features.dtype)], axis=2)
    return Queries(queries.direction, tuple(names), stacked, queries.relevant, queries.groups)


def _pairs(
    queries: Queries, rows: np.ndarray, columns: list[int], weights: np.ndarray | None = None, top: int = 0
) -> np.ndarray:
    """Winner-minus-other feature differences (one row per pair); with `weights`, only the `top`
    highest-scoring others of each query (the ones that actually compete for the first places)."""
    diffs = []
    for q in rows:
        positives = np.flatnonzero(queries.relevant[q])
        if len(positives) == 0:
            continue
        negatives = np.flatnonzero(~queries.relevant[q])
        block = queries.features[q][:, columns]
        if weights is not None and top > 0:
            negatives = negatives[np.argsort(-(block[negatives] @ weights), kind="stable")[:top]]
        for p in positives:
            diffs.append(block[p][None, :] - block[negatives])
    if not diffs:
        raise ValueError(f"{queries.direction}: no query with a relevant candidate to learn from")
    return np.vstack(diffs).astype(np.float64)


def fit(
    queries: Queries, rows: np.ndarray, columns: list[int], c: float = DEFAULT_C, hard: int = HARD_NEGATIVES
) -> np.ndarray:
    """Pairwise logistic regression, then refitted on each query's `hard` strongest other candidates.

    The second pass spends the model's capacity where HR@10 and MRR@10 are decided: against the
    candidates that the first weights put near the top. Returned weights sum to 1, with the
    semantic floor applied (cross-validation scores exactly these weights).
    """
    weights = _logistic(_pairs(queries, rows, columns), c)
    if hard > 0:
        weights = _logistic(_pairs(queries, rows, columns, weights, hard), c)
    return with_semantic_floor(weights, [queries.names[i] for i in columns])


def with_semantic_floor(weights: np.ndarray, names: Sequence[str], floor: float = SEMANTIC_FLOOR) -> np.ndarray:
    """Weights summing to 1, 'semantic' raised to `floor` (the others scaled down) when below it."""
    total = float(weights.sum())
    out = weights / total if total > 0 else np.full(len(weights), 1.0 / max(len(weights), 1))
    if "semantic" in names:
        i = list(names).index("semantic")
        if out[i] < floor:
            rest = float(out.sum() - out[i])
            out = out * ((1.0 - floor) / rest) if rest > 0 else out
            out[i] = floor
    return out


def _logistic(x: np.ndarray, c: float) -> np.ndarray:
    """Minimise sum(log(1 + exp(-w·d))) + |w|²/(2C) over differences d with w ≥ 0 and no intercept:
    scikit-learn's LogisticRegression on (d, 1) and (-d, 0), plus the sign constraint."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        margin = x @ w
        value = float(np.logaddexp(0.0, -margin).sum() + (w @ w) / (2 * c))
        gradient = -(x * (0.5 * (1.0 - np.tanh(margin / 2)))[:, None]).sum(axis=0) + w / c
        return value, gradient

    width = x.shape[1]
    result = minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * width)
    return np.asarray(result.x, dtype=np.float64)


def ranks(queries: Queries, rows: np.ndarray, columns: list[int], weights: np.ndarray) -> list[int | None]:
    """Rank (1-based, top 10) of the first relevant candidate under these weights; stable ties."""
    out: list[int | None] = []
    for q in rows:
        scores = queries.features[q][:, columns] @ weights
        order = np.argsort(-scores, kind="stable")[:10]
        hits = np.flatnonzero(queries.relevant[q][order])
        out.append(int(hits[0]) + 1 if len(hits) else None)
    return out


def cross_validate(queries: Queries, folds: int, c: float = DEFAULT_C) -> Metrics:
    """Out-of-fold ranks with folds over suppliers."""
    columns = queries.learnable()
    every = np.arange(len(queries.groups))
    collected: list[int | None] = []
    for train, test in GroupKFold(n_splits=folds).split(every, groups=queries.groups):
        weights = fit(queries, train, columns, c)
        collected.extend(ranks(queries, test, columns, weights))
    return summarize(collected)


def out_of_fold_scores(queries: Queries, folds: int, prior: dict[str, float], c: float = DEFAULT_C) -> np.ndarray:
    """Score of every (query, candidate) pair under weights fitted without that query's supplier fold,
    on the scale the engine uses (learned weights scaled as `to_weights` does, hand-set ones kept)."""
    columns = queries.learnable()
    every = np.arange(len(queries.groups))
    scores = np.zeros(queries.relevant.shape, dtype=np.float64)
    for train_rows, test in GroupKFold(n_splits=folds).split(every, groups=queries.groups):
        table = to_weights(queries.names, columns, fit(queries, train_rows, columns, c), prior)
        vector = np.array([weight_of(table, name) for name in queries.names])
        scores[test] = queries.features[test] @ vector
    return scores


def cross_validate_boosted(queries: Queries, folds: int, seed: int = 7) -> Metrics:
    """Out-of-fold ranks of gradient-boosted trees (scikit-learn HistGradientBoosting), folds over suppliers.

    Pointwise (winner vs others) on each training query's candidates, ranked by predicted
    probability: the comparison the model card reports against the linear model.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    columns = queries.learnable()
    every = np.arange(len(queries.groups))
    collected: list[int | None] = []
    for train_rows, test in GroupKFold(n_splits=folds).split(every, groups=queries.groups):
        x = queries.features[train_rows][:, :, columns].reshape(-1, len(columns))
        y = queries.relevant[train_rows].reshape(-1)
        model = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, class_weight="balanced", random_state=seed
        ).fit(x, y)
        for q in test:
            scores = model.predict_proba(queries.features[q][:, columns])[:, 1]
            order = np.argsort(-scores, kind="stable")[:10]
            hits = np.flatnonzero(queries.relevant[q][order])
            collected.append(int(hits[0]) + 1 if len(hits) else None)
    return summarize(collected)


def to_weights(
    names: Sequence[str], columns: list[int], coefficients: np.ndarray, prior: dict[str, float]
) -> dict[str, float]:
    """Learned weights scaled so that positive ones sum to what the unlearnable prior ones leave.

    Scores then stay in about [0, 1] like the hand-set ones (digest thresholds keep their meaning).
    """
    learned = {names[i]: float(w) for i, w in zip(columns, coefficients, strict=True)}
    # a variant weight the data could not learn is left out: those candidates keep the plain weight
    kept = {name: prior.get(name, 0.0) for name in names if name not in learned and "@" not in name}
    budget = max(0.0, 1.0 - sum(v for v in kept.values() if v > 0))
    positive = sum(w for w in learned.values() if w > 0)
    scale = budget / positive if positive > 0 else 0.0
    return {
        name: round(learned[name] * scale, 4) if name in learned else round(kept[name], 4)
        for name in names
        if name in learned or name in kept
    }


def train(
    engine: Any,
    data: Split,
    prior: dict[str, dict[str, float]],
    folds: int = 5,
    c: float = DEFAULT_C,
    progress: Callable[[str], None] | None = None,
    compare_boosted: bool = False,
) -> Training:
    """Cross-validated figures, then weights fitted on all queries, per direction."""
    say = progress or (lambda _message: None)
    say("computing features of every (query, candidate) pair")
    collected = collect(engine, data)
    weights: dict[str, dict[str, float]] = {}
    cv: dict[str, Metrics] = {}
    boosted: dict[str, Metrics] = {}
    held_out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    weights["supplier_for_query"] = {
        name: prior.get("supplier_for_query", {}).get(name, 0.0) for name in QUERY_FEATURES
    }
    for direction in TRAINED:
        queries = collected[direction]
        say(f"{direction}: {folds}-fold cross-validation over suppliers")
        cv[SIDE_OF[direction]] = cross_validate(queries, folds, c)
        if compare_boosted:
            say(f"{direction}: gradient-boosted trees, same folds")
            boosted[SIDE_OF[direction]] = cross_validate_boosted(queries, folds, data.seed)
        held_out[direction] = (
            out_of_fold_scores(queries, folds, prior.get(direction, {}), c),
            queries.relevant,
            queries.groups,
        )
        columns = queries.learnable()
        coefficients = fit(queries, np.arange(len(queries.groups)), columns, c)
        weights[direction] = to_weights(queries.names, columns, coefficients, prior.get(direction, {}))
    return Training(
        weights=weights,
        cv=cv,
        folds=folds,
        seed=data.seed,
        queries={SIDE_OF[d]: int(collected[d].features.shape[0]) for d in TRAINED},
        boosted=boosted,
        held_out_scores=held_out,
    )


def model_document(training: Training, source: str, suppliers: int) -> dict[str, Any]:
    """The JSON that `LinearScorer.load` reads, with where the weights come from."""
    today = datetime.now(UTC).date().isoformat()
    figures = ", ".join(f"{side} HR@10 {m.hr10:.3f} MRR@10 {m.mrr10:.3f}" for side, m in training.cv.items())
    document: dict[str, Any] = {
        "version": f"{today}.decp-seed{training.seed}",
        "description": (
            f"Pairwise logistic regression on the engine's features, trained on {Path(source).name} "
            f"(hold-out protocol, seed {training.seed}, {suppliers} suppliers); {training.folds}-fold "
            f"cross-validation over suppliers: {figures}. Features constant in that data, and free-text "
            "search (supplier_for_query), keep hand-set weights."
        ),
    }
    for direction in DIRECTIONS:
        document[direction] = training.weights[direction]
    return document


def save_model(document: dict[str, Any], path: Path) -> None:
    """Write the weights file atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
