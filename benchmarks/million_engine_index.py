"""The engine's own VectorIndex at 1M (bench_million.py --engine-index): what the product would serve.

`VectorIndex(d)` with kind "auto" and the default thresholds (IVF-PQ from 500k, see
matcher/index/vector_index.py) is built over the benchmark's vectors, saved as a bundle, dropped, and
loaded back as a serving process would load it. Printed: build / save / load times, bytes per tender
resident (the FAISS file, read into memory: codes, ids, centroids; and the id map file) and on disk
(the float16 vectors, memory-mapped: re-rank, `vector()`, filtered exact search), recall@10 against
exact search (strict and within 1e-3 of the exact 10th, as in bench_million) and single-query search
p50 / p99 through `VectorIndex.search`.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from latency import percentile

from matcher.index.vector_index import VectorIndex

MODEL = "bench-million"
EPSILON = 1e-3
K = 10


def rss_anon_mb() -> float:
    """This process's private resident memory (RssAnon: not the file pages it maps), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def engine_index_stage(
    work: Path, vectors: np.ndarray, queries: np.ndarray, truth: tuple[np.ndarray, np.ndarray]
) -> str:
    """Build, save, load and measure; returns one summary line."""
    folder = work / f"engine-index-{len(vectors)}"
    shutil.rmtree(folder, ignore_errors=True)  # our own bundle only: a fresh build is what is timed
    ids = [f"T-{row:07d}" for row in range(len(vectors))]
    started = time.perf_counter()
    index = VectorIndex(vectors.shape[1])
    index.build(ids, vectors)
    built = time.perf_counter() - started
    kind = index.kind_in_use
    started = time.perf_counter()
    index.save(folder, MODEL)
    saved = time.perf_counter() - started
    del index
    before = rss_anon_mb()
    started = time.perf_counter()
    loaded = VectorIndex.load(folder, MODEL)
    load_s = time.perf_counter() - started
    private = (rss_anon_mb() - before) * 1024 * 1024 / len(vectors)  # FAISS codes + Python id map, as loaded

    manifest = json.loads((folder / "manifest.json").read_text())
    sizes = {name: entry["bytes"] / len(vectors) for name, entry in manifest["files"].items()}
    resident = sizes["vectors"] + sizes["ids"]
    disk = sizes.get("half", 0.0)

    scores, found_ids = truth
    latencies, strict, by_distance = [], 0, 0
    for row, query in enumerate(queries):
        began = time.perf_counter()
        hits = loaded.search(query, K)
        latencies.append((time.perf_counter() - began) * 1000)
        rows = np.array([int(hit[2:]) for hit, _ in hits], dtype=np.int64)
        strict += len(set(rows.tolist()) & set(found_ids[row, :K].tolist()))
        exact = vectors[rows] @ query
        by_distance += int(np.sum(exact >= scores[row, K - 1] - EPSILON))
    n = K * len(queries)
    result: dict[str, Any] = {
        "kind": kind,
        "build_s": built,
        "save_s": saved,
        "load_s": load_s,
        "resident": resident,
        "faiss": sizes["vectors"],
        "ids": sizes["ids"],
        "disk": disk,
        "private_after_load": private,
        "strict": strict / n,
        "distance": by_distance / n,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
    }
    (work / f"engine-index-{len(vectors)}.json").write_text(json.dumps(result, indent=1))
    return (
        f"engine VectorIndex (auto → {kind}) over {len(vectors)}: build {built:.0f} s, save {saved:.0f} s, "
        f"load {load_s:.1f} s; resident {resident:.0f} B per tender (FAISS file {sizes['vectors']:.0f}, id map "
        f"{sizes['ids']:.0f}); the load grew private memory by {private:.0f} B per tender (FAISS index and the "
        f"Python id list and map); on disk {disk:.0f} B more (float16, mapped); "
        f"recall@10 strict {result['strict']:.3f}, "
        f"distance {result['distance']:.3f}; search p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms "
        f"({len(queries)} queries); load average {os.getloadavg()[0]:.1f}"
    )
