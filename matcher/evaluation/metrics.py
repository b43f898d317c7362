"""Ranking metrics for one relevant item per query: hit rate, reciprocal rank and nDCG at a cut-off.

A query's outcome is the 1-based rank of its first relevant item, or None when that item is not in
the top k returned. With a single relevant item, the ideal DCG is 1, so nDCG@k = 1 / log2(1 + rank).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Metrics:
    queries: int
    hr1: float
    hr10: float
    mrr10: float
    ndcg10: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def first_relevant_rank(ranked: Sequence[Hashable], relevant: Iterable[Hashable], k: int = 10) -> int | None:
    """1-based position of the first relevant item within the top k, None if absent."""
    wanted = set(relevant)
    for position, item in enumerate(ranked[:k], start=1):
        if item in wanted:
            return position
    return None


def hit_rate(ranks: Sequence[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr(ranks: Sequence[int | None], k: int) -> float:
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def ndcg(ranks: Sequence[int | None], k: int) -> float:
    return sum(1.0 / math.log2(1 + r) for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def summarize(ranks: Sequence[int | None]) -> Metrics:
    """The four figures of a report from the ranks of every query (None = missed in the top 10)."""
    return Metrics(
        queries=len(ranks),
        hr1=hit_rate(ranks, 1),
        hr10=hit_rate(ranks, 10),
        mrr10=mrr(ranks, 10),
        ndcg10=ndcg(ranks, 10),
    )
