"""Garbage-collector pauses per process, for /metrics: one suspect for a latency tail.

A collection stops every thread of the process (it holds the GIL) for as long as it walks the tracked
objects; `gc.freeze` keeps the loaded engine out of that walk, and these figures show what is left.
`gc.callbacks` brackets every collection; the totals are per process (each worker counts its own, from
its fork: the master's collections while it loads the engine are not the serving's).
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

GENERATIONS = ("0", "1", "2")


class _Pauses:
    def __init__(self) -> None:
        self._started = 0.0
        self.reset()

    def reset(self) -> None:
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.longest = [0.0, 0.0, 0.0]

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        generation = int(info.get("generation", 0))
        self.count[generation] += 1
        self.seconds[generation] += pause
        self.longest[generation] = max(self.longest[generation], pause)


PAUSES = _Pauses()


def watch() -> None:
    """Start timing collections in this process (once; forked workers inherit the callback)."""
    if PAUSES not in gc.callbacks:
        gc.callbacks.append(PAUSES)
        os.register_at_fork(after_in_child=PAUSES.reset)  # a forked worker counts its own, not the loading


class GcPauseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        count = CounterMetricFamily("tremplin_gc_collections", "Garbage collections.", labels=["generation"])
        total = CounterMetricFamily(
            "tremplin_gc_pause_seconds", "Time spent in garbage collections.", labels=["generation"]
        )
        longest = GaugeMetricFamily(
            "tremplin_gc_pause_max_seconds", "Longest garbage-collection pause.", labels=["generation"]
        )
        for generation, name in enumerate(GENERATIONS):
            count.add_metric([name], PAUSES.count[generation])
            total.add_metric([name], PAUSES.seconds[generation])
            longest.add_metric([name], PAUSES.longest[generation])
        yield from (count, total, longest)
