"""Reference rankers computed on the same split as the engine, to show what the engine adds.

Each baseline fills a score matrix (rows = held-out tenders, columns = suppliers) from the same
indexed texts and profile fields the engine sees; both sides are read from that one matrix
(buyer side: a row, startup side: a column). Ties are broken by popularity, then by id, so that
a baseline never gets lucky from the input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher import cpv
from matcher.index.embedding import Embedder
from matcher.text import fold


@dataclass(frozen=True)
class Side:
    """What a baseline needs to know about one side of the split."""

    ids: list[str]
    texts: list[str]
    cpv_codes: list[tuple[str, ...]]


@dataclass(frozen=True)
class Problem:
    """Tenders (queries of the buyer side) and suppliers (queries of the startup side), aligned."""

    tenders: Side
    suppliers: Side
    references_count: list[int]


def supplier_popularity(problem: Problem) -> np.ndarray:
    """Number of past awards of each supplier: the 'most-awarded first' prior."""
    return np.asarray(problem.references_count, dtype=np.float64)


def tender_popularity(problem: Problem) -> np.ndarray:
    """How many suppliers work in each tender's CPV division: busy markets first."""
    divisions = [{code[:2] for code in codes} for codes in problem.suppliers.cpv_codes]
    return np.array(
        [
            sum(1 for owned in divisions if any(code[:2] in owned for code in codes))
            for codes in problem.tenders.cpv_codes
        ],
        dtype=np.float64,
    )


def popularity(problem: Problem) -> np.ndarray:
    """Buyer side: most-awarded supplier first; startup side: tenders of the busiest markets first."""
    return np.zeros((len(problem.tenders.ids), len(problem.suppliers.ids)))


def cpv_only(problem: Problem) -> np.ndarray:
    """Deepest CPV prefix a tender shares with any code of a supplier's past awards."""
    scores = np.zeros((len(problem.tenders.ids), len(problem.suppliers.ids)))
    for row, tender_codes in enumerate(problem.tenders.cpv_codes):
        for column, supplier_codes in enumerate(problem.suppliers.cpv_codes):
            depths = [cpv.shared_depth(a, b) for a in tender_codes for b in supplier_codes]
            scores[row, column] = max(depths, default=0)
    return scores


def char_tfidf(problem: Problem) -> np.ndarray:
    """Cosine of character 2–5-gram TF-IDF vectors (folded text), fitted on both sides."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=fold)
    vectorizer.fit(problem.tenders.texts + problem.suppliers.texts)
    tenders = vectorizer.transform(problem.tenders.texts)
    suppliers = vectorizer.transform(problem.suppliers.texts)
    return np.asarray((tenders @ suppliers.T).toarray())


def dense(problem: Problem, embedder: Embedder) -> np.ndarray:
    """Cosine of sentence embeddings of the indexed texts (documents on both sides, as indexed)."""
    tenders = embedder.encode_documents(problem.tenders.texts)
    suppliers = embedder.encode_documents(problem.suppliers.texts)
    return np.asarray(tenders @ suppliers.T, dtype=np.float64)


def ranked(scores: np.ndarray, prior: np.ndarray, ids: Sequence[str]) -> list[list[str]]:
    """Per row, ids by score, then prior, then id (all descending except the id)."""
    order_by_id = np.argsort(np.array(ids, dtype=object), kind="stable")
    out = []
    for row in scores:
        order = np.lexsort((order_by_id.argsort(), -prior, -row))
        out.append([ids[i] for i in order])
    return out


def rankings(problem: Problem, scores: np.ndarray) -> tuple[list[list[str]], list[list[str]]]:
    """(suppliers per tender, tenders per supplier) from one score matrix."""
    buyer = ranked(scores, supplier_popularity(problem), problem.suppliers.ids)
    startup = ranked(scores.T, tender_popularity(problem), problem.tenders.ids)
    return buyer, startup
