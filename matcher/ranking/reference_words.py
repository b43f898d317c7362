"""BM25 of a tender's title over each candidate supplier's past contract titles, on word stems.

`reference_terms` compares the tender *with its CPV labels* to the references *with the labels of
the supplier's codes*: strong when codes are published, but when they are inferred from the text
(Moroccan purchase orders, private calls) the labels are guesses that blur it. This signal reads the
titles alone. BM25 rewards a rare word shared with a past contract more than a common one, and
saturates repeated words; document frequencies are those of the candidate list (no index to keep
in sync), and scores are relative to the best candidate of the list (1 = the closest track record).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from matcher.ranking.casebase import MAX_REFERENCES, stems
from matcher.ranking.catalogue import StartupRecord

K1 = 1.2
B = 0.75


@lru_cache(maxsize=20_000)
def _bag(references: tuple[str, ...], fallback: str) -> tuple[Counter[str], int]:
    """Stem counts and length of a supplier's references (its profile text when it has none yet)."""
    words = [w for title in references[:MAX_REFERENCES] for w in stems(title)] or stems(fallback)
    return Counter(words), len(words)


def reference_words(title: str, startups: Sequence[StartupRecord]) -> np.ndarray:
    """Per candidate: BM25 of the title's stems over its references, divided by the list's best."""
    bags = [_bag(record.references, record.text) for record in startups]
    query = set(stems(title))
    scores = np.zeros(len(bags), dtype=np.float64)
    if not bags or not query:
        return scores.astype(np.float32)
    count = len(bags)
    average = max(sum(length for _, length in bags) / count, 1.0)
    frequency = Counter(word for bag, _ in bags for word in query if word in bag)
    for word, df in frequency.items():
        idf = math.log(1.0 + (count - df + 0.5) / (df + 0.5))
        for row, (bag, length) in enumerate(bags):
            tf = bag.get(word, 0)
            if tf:
                scores[row] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
    best = float(scores.max())
    return (scores / best if best > 0 else scores).astype(np.float32)
