"""What the benchmarks share: percentiles and the in-process `recommend tenders` timing loop."""

from __future__ import annotations

import random
import time
from typing import Any


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_recommendations(engine: Any, startup_ids: list[str], rng: random.Random, requests: int) -> list[float]:
    """Milliseconds of `engine.recommend_tenders` (limit 10) for startups drawn at random."""
    latencies = []
    for _ in range(requests):
        startup_id = rng.choice(startup_ids)
        started = time.perf_counter()
        engine.recommend_tenders(startup_id, limit=10)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies
