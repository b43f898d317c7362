"""Infer CPV codes from text, for notices and profiles that carry none (see models/CPV_MODEL_CARD.md).

Moroccan purchase orders, most private calls and a founder's first profile have no CPV code, and
the CPV features are worth much of the ranking. A linear classifier on character 2–5-grams (folded
text) predicts the CPV group (3 digits, e.g. 45200000) of a title; a logistic map of its top score
and margin turns that into a confidence. Inferred codes are kept apart from published ones (the
`inferred_cpv` of a record), used by the CPV features and shown as inferred. The model ships in
`models/` and needs no network; text with no known character n-gram (e.g. Arabic script only)
gets no code rather than a guess.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from matcher.text import fold

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "cpv-inference.npz"
LEVEL = 3  # digits predicted: the CPV group
KEEP_PER_CLASS = 1500  # strongest n-gram weights kept per class (the rest are ~0; keeps the file small)
PROFILE_CODES = 5
TOPICS = 8  # groups kept in a text's distribution (the rest of the mass is negligible)
Topics = tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class InferredCode:
    code: str
    confidence: float


def group_code(code: str, level: int = LEVEL) -> str:
    return code[:level].ljust(8, "0")


class CPVInferrer:
    """A trained classifier: n-gram vocabulary and idf, sparse class weights, confidence map."""

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        weights: sp.csr_matrix,
        intercept: np.ndarray,
        classes: Sequence[str],
        confidence_map: np.ndarray,
        version: str,
        temperature: float = 0.2,
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.weights = weights.tocsr().astype(np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.classes = list(classes)
        self.confidence_map = np.asarray(confidence_map, dtype=np.float64)  # (a_top, a_margin, b)
        self.version = version
        self.temperature = float(temperature)
        self._counter = CountVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            preprocessor=fold,
            lowercase=False,
            vocabulary={gram: i for i, gram in enumerate(self.vocabulary)},
        )

    # -- using ------------------------------------------------------------------------------
    def _features(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts = self._counter.transform(list(texts)).astype(np.float32).tocsr()
        counts.data = 1.0 + np.log(counts.data)
        weighted = counts.multiply(self.idf[None, :]).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)

    def _scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        features = self._features(texts)
        scores = np.asarray((features @ self.weights.T).toarray()) + self.intercept[None, :]
        known = np.diff(features.indptr) > 0
        return scores, known

    def confidence(self, top: np.ndarray, margin: np.ndarray) -> np.ndarray:
        a_top, a_margin, b = self.confidence_map
        return 1.0 / (1.0 + np.exp(-(a_top * top + a_margin * margin + b)))

    def predict(self, texts: Sequence[str], top: int = 1) -> list[tuple[InferredCode, ...]]:
        """Up to `top` groups per text, best first, each with its confidence; () for unreadable text."""
        if not texts:
            return []
        scores, known = self._scores(texts)
        out: list[tuple[InferredCode, ...]] = []
        for row, readable in zip(scores, known, strict=True):
            if not readable or len(row) < 2:
                out.append(())
                continue
            order = np.argsort(-row)[: top + 1]
            picks = []
            for rank in range(min(top, len(order) - 1)):
                first, second = row[order[rank]], row[order[rank + 1]]
                value = float(self.confidence(np.array([first]), np.array([first - second]))[0])
                picks.append(InferredCode(self.classes[order[rank]], round(value, 3)))
            out.append(tuple(picks))
        return out

    def topics(self, texts: Sequence[str], limit: int = TOPICS) -> list[Topics]:
        """Each text's distribution over CPV groups (softmax of the scores), its `limit` largest parts."""
        if not texts:
            return []
        scores, known = self._scores(texts)
        return [
            _top(_softmax(row, self.temperature), limit) if readable else ()
            for row, readable in zip(scores, known, strict=True)
        ]

    def profile_topics(self, texts: Sequence[str], limit: int = TOPICS) -> Topics:
        """A profile's distribution: the mean of its past contracts' (or stated activity's)."""
        rows = [t for t in texts if t and t.strip()]
        if not rows:
            return ()
        scores, known = self._scores(rows)
        if not known.any():
            return ()
        mean = np.mean([_softmax(row, self.temperature) for row, ok in zip(scores, known, strict=True) if ok], axis=0)
        return _top(mean, limit)

    def divisions(self, topics: Topics) -> Topics:
        """The same distribution summed per CPV division (2 digits, keyed by their number).

        Groups of one division are neighbours ("electrical installation" and "plumbing" are both
        45: building completion work), yet two distinct groups have a cosine of 0; a supplier whose
        record sits next to the tender's group is closer than one in another trade.
        """
        return division_topics(topics, self.classes)

    def for_profile(self, texts: Sequence[str], limit: int = PROFILE_CODES) -> tuple[InferredCode, ...]:
        """A profile's codes: the group of each past contract or stated activity, most frequent first."""
        votes: dict[str, list[float]] = {}
        for picks in self.predict([t for t in texts if t and t.strip()]):
            for pick in picks:
                votes.setdefault(pick.code, []).append(pick.confidence)
        ranked = sorted(votes.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:limit]
        return tuple(InferredCode(code, round(max(values), 3)) for code, values in ranked)

    # -- storing ----------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            vocabulary=np.array(self.vocabulary, dtype=object).astype(str),
            idf=self.idf.astype(np.float16),
            data=self.weights.data.astype(np.float16),
            indices=self.weights.indices.astype(np.int32),
            indptr=self.weights.indptr.astype(np.int32),
            intercept=self.intercept,
            classes=np.array(self.classes, dtype=str),
            confidence_map=self.confidence_map,
            version=np.array(self.version),
            temperature=np.array(self.temperature),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> CPVInferrer:
        path = path or DEFAULT_MODEL
        with np.load(path, allow_pickle=False) as stored:
            vocabulary = [str(v) for v in stored["vocabulary"]]
            weights = sp.csr_matrix(
                (stored["data"].astype(np.float32), stored["indices"], stored["indptr"]),
                shape=(len(stored["classes"]), len(vocabulary)),
            )
            return cls(
                vocabulary,
                stored["idf"].astype(np.float32),
                weights,
                stored["intercept"],
                [str(c) for c in stored["classes"]],
                stored["confidence_map"],
                str(stored["version"]),
                float(stored["temperature"]) if "temperature" in stored else 0.2,
            )


def _softmax(row: np.ndarray, temperature: float) -> np.ndarray:
    shifted = (row - row.max()) / max(temperature, 1e-3)
    weights = np.exp(shifted)
    return np.asarray(weights / weights.sum())


def _top(distribution: np.ndarray, limit: int) -> Topics:
    order = np.argsort(-distribution)[:limit]
    return tuple((int(i), round(float(distribution[i]), 4)) for i in order if distribution[i] > 1e-4)


def division_topics(topics: Topics, classes: Sequence[str]) -> Topics:
    """Sum a distribution over CPV groups (class indexes) per division, keyed by its 2-digit number."""
    sums: dict[int, float] = {}
    for index, p in topics:
        if 0 <= index < len(classes) and classes[index][:2].isdigit():
            key = int(classes[index][:2])
            sums[key] = sums.get(key, 0.0) + p
    return tuple((key, round(value, 4)) for key, value in sorted(sums.items(), key=lambda kv: (-kv[1], kv[0])))


def topic_similarity(left: Topics, right: Topics) -> float:
    """Cosine of two sparse distributions over CPV groups (0 when either is unknown)."""
    if not left or not right:
        return 0.0
    other = dict(right)
    dot = sum(p * other.get(i, 0.0) for i, p in left)
    norm = (sum(p * p for _, p in left) * sum(p * p for _, p in right)) ** 0.5
    return float(dot / norm) if norm > 0 else 0.0


def topic_scorer(left: Topics) -> Callable[[Topics], float]:
    """`topic_similarity(left, right)` with `left` prepared once: a request compares one profile with
    hundreds of tenders (the same cosine, summed in the other side's order)."""
    if not left:
        return lambda right: 0.0
    weights = dict(left)
    left_norm = sum(p * p for _, p in left)

    def score(right: Topics) -> float:
        if not right:
            return 0.0
        dot = right_norm = 0.0
        for group, p in right:
            dot += p * weights.get(group, 0.0)
            right_norm += p * p
        norm = (left_norm * right_norm) ** 0.5
        return float(dot / norm) if norm > 0 else 0.0

    return score


@lru_cache(maxsize=4)
def shipped_inferrer(path: Path | None = None) -> CPVInferrer | None:
    """The model in models/ (None when absent: records then simply get no inferred code)."""
    target = path or DEFAULT_MODEL
    return CPVInferrer.load(target) if target.is_file() else None


def train(
    texts: Sequence[str],
    codes: Sequence[str],
    labels: Mapping[str, str] | None = None,
    version: str = "",
    c: float = 0.5,
    keep: int = KEEP_PER_CLASS,
    seed: int = 7,
) -> CPVInferrer:
    """Fit on titles with known codes (plus the official label of each group, when given).

    The confidence map is fitted on a fifth of the titles held out from a first fit: whether the
    top group was right, from its score and its margin over the second.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    groups = [group_code(code) for code in codes]
    extra = sorted((code, text) for code, text in (labels or {}).items() if len(code.rstrip("0")) <= LEVEL)
    all_texts = list(texts) + [text for _, text in extra]
    all_groups = groups + [code for code, _ in extra]
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    held = set(order[: len(order) // 5])

    def fit(rows: list[int]) -> tuple[TfidfVectorizer, LinearSVC]:
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=fold, lowercase=False, min_df=2
        )
        matrix = vectorizer.fit_transform([all_texts[i] for i in rows])
        model = LinearSVC(C=c, random_state=seed).fit(matrix, [all_groups[i] for i in rows])  # liblinear shuffles
        return vectorizer, model

    vectorizer, model = fit([i for i in range(len(all_texts)) if i not in held])
    held_rows = sorted(held)
    confidence_map = np.array([4.0, 4.0, -1.0])
    temperature = 0.2
    if held_rows:
        scores = model.decision_function(vectorizer.transform([all_texts[i] for i in held_rows]))
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        ranked = np.sort(scores, axis=1)
        top, margin = ranked[:, -1], ranked[:, -1] - ranked[:, -2]
        right = model.classes_[scores.argmax(axis=1)] == np.array([all_groups[i] for i in held_rows])
        truth = np.array([all_groups[i] for i in held_rows])
        temperature = _fit_temperature(scores, model.classes_, truth)
        if 0 < right.sum() < len(right):
            platt = LogisticRegression().fit(np.column_stack([top, margin]), right)
            confidence_map = np.array([platt.coef_[0][0], platt.coef_[0][1], platt.intercept_[0]])
    vectorizer, model = fit(list(range(len(all_texts))))
    coefficients = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if len(model.classes_) == 2:  # a binary SVM keeps one row: score of the second class
        coefficients, intercept = np.vstack([-coefficients, coefficients]), np.concatenate([-intercept, intercept])
    if keep and coefficients.shape[1] > keep:
        cut = -np.sort(-np.abs(coefficients), axis=1)[:, keep - 1 : keep]
        coefficients[np.abs(coefficients) < cut] = 0.0
    vocabulary = [""] * len(vectorizer.vocabulary_)
    for gram, index in vectorizer.vocabulary_.items():
        vocabulary[index] = gram
    return CPVInferrer(
        vocabulary,
        vectorizer.idf_,
        sp.csr_matrix(coefficients),
        intercept,
        [str(c) for c in model.classes_],
        confidence_map,
        version,
        temperature,
    )


def _fit_temperature(scores: np.ndarray, classes: np.ndarray, truth: np.ndarray) -> float:
    """Softmax temperature with the lowest log-loss on held-out titles (a grid is enough)."""
    index = {c: i for i, c in enumerate(classes)}
    rows = [(r, index[t]) for r, t in enumerate(truth) if t in index]
    if not rows:
        return 0.2
    best, best_loss = 0.2, float("inf")
    for temperature in (0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8):
        loss = -float(np.mean([np.log(_softmax(scores[r], temperature)[c] + 1e-9) for r, c in rows]))
        if loss < best_loss:
            best, best_loss = temperature, loss
    return best
