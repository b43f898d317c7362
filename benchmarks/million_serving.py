"""The lexical index and `recommend` at a million tenders (stages of bench_million.py).

Lexical: the project's LexicalIndex over the same synthetic tender texts, built, saved as a snapshot and
loaded back memory-mapped (as `tremplin serve` does); bytes per tender from the snapshot's files.

Recommend: a full engine over a million tenders needs a million-row store, catalogue and case base,
out of reach here, so `recommend tenders` is timed on a 100k engine (a folder made by
benchmarks/corpus.py) twice: as is, and with its retrieval step (`Engine._candidates`) also running the
million-tender retrieval — the IVF-PQ index re-ranked from the mapped float16 file, plus the 1M lexical
index, at the depths the engine asks for — before the engine's own. The second figure is an upper
bound for recommend at 1M: it pays for the 100k retrieval as well, and features, eligibility and
scoring cost the same for the same number of candidates whatever the collection size.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from latency import percentile, time_recommendations


def summary(latencies: list[float]) -> str:
    return f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms"


def lexical_stage(texts: list[str], queries: list[str], work: Path, reuse: bool, depth: int) -> tuple[Any, dict]:
    """Build (or reuse) the 1M lexical snapshot, load it mapped, time `depth`-hit searches and compare
    their top 10 with an exhaustive search (every row scored). A reused snapshot of lexical format 1
    (a float32 CSR transpose) is converted to the compact postings of format 2 from its rows."""
    from matcher.index.lexical import LexicalIndex

    folder = work / f"lexical-{len(texts)}"
    report: dict[str, Any] = {}
    if reuse and (folder / "manifest.json").exists():
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest.get("lexical_format", 1) == 1 and (work / f"lexical-{len(texts)}-f2").exists() is False:
            started = time.perf_counter()
            old = LexicalIndex.load(folder)
            old._by_feature = None
            old._feature_major()
            old.save(work / f"lexical-{len(texts)}-f2")
            report["convert_s"] = time.perf_counter() - started
            del old
        if manifest.get("lexical_format", 1) == 1:
            folder = work / f"lexical-{len(texts)}-f2"
    if not (reuse and (folder / "manifest.json").exists()):
        started = time.perf_counter()
        index = LexicalIndex()
        index.build([f"T{n}" for n in range(len(texts))], texts)
        index._feature_major()
        report["build_s"] = time.perf_counter() - started
        started = time.perf_counter()
        index.save(folder)
        report["save_s"] = time.perf_counter() - started
        del index
    started = time.perf_counter()
    index = LexicalIndex.load(folder)
    report["load_s"] = time.perf_counter() - started
    manifest = json.loads((folder / "manifest.json").read_text())
    parts: dict[str, float] = {}
    for name, entry in manifest["files"].items():
        parts[name.split(".")[0]] = parts.get(name.split(".")[0], 0.0) + entry["bytes"] / len(texts)
    rows = index._matrix()
    report["bytes"] = parts
    report["format"] = manifest.get("lexical_format", 1)
    report["entries_per_row"] = rows.nnz / rows.shape[0]
    report["posted_per_row"] = index._feature_major().nnz / rows.shape[0]
    report["full_transpose"] = (rows.nnz * 8 + (rows.shape[1] + 1) * 8) / rows.shape[0]
    latencies, found = [], []
    for query in queries:
        began = time.perf_counter()
        hits = index.search(query, depth)
        latencies.append((time.perf_counter() - began) * 1000)
        found.append([int(hit[1:]) for hit, _ in hits[:10]])
    report["search"] = latencies
    exhaustive = exhaustive_top10(
        index, queries[:100], work / f"lexical-exhaustive-{len(texts)}-{len(queries[:100])}.npy"
    )
    overlap = [len(set(got) & set(best.tolist())) / 10 for got, best in zip(found, exhaustive, strict=False)]
    report["overlap"] = float(np.mean(overlap))
    return index, report


def exhaustive_top10(index: Any, queries: list[str], cache: Path) -> np.ndarray:
    """The exact lexical top 10 of each query, every row scored (about 1 s a query at 1M; cached)."""
    if cache.exists():
        return np.load(cache)
    rows = index._matrix()
    out = np.zeros((len(queries), 10), dtype=np.int64)
    for position, query in enumerate(queries):
        row = index._query_row(query)
        dense = np.zeros(rows.shape[1], dtype=np.float32)
        if row is not None:
            dense[row.indices] = row.data
        scores = np.asarray(rows @ dense).ravel()
        best = np.argpartition(-scores, 10)[:10]
        out[position] = best[np.argsort(-scores[best], kind="stable")]
    np.save(cache, out)
    return out


class MillionRetrieval:
    """The retrieval a recommend would run over a million tenders (results discarded)."""

    def __init__(self, ivf_path: Path, refine_path: Path, lexical: Any, nprobe: int, k_factor: int) -> None:
        self.index = faiss.read_index(str(ivf_path), faiss.IO_FLAG_MMAP)
        self.refine = np.load(refine_path, mmap_mode="r")
        self.lexical, self.k_factor = lexical, k_factor
        self.params = faiss.SearchParametersIVF(nprobe=nprobe)
        self.total = self.index.ntotal

    def __call__(self, query_vector: np.ndarray, query_text: str, fetch: int) -> None:
        query = np.ascontiguousarray(query_vector, dtype=np.float32).reshape(1, -1)
        _, found = self.index.search(query, max(10 * self.k_factor, 2 * fetch), params=self.params)
        candidates = np.sort(found[0][found[0] >= 0])
        scores = np.asarray(self.refine[candidates], dtype=np.float32) @ query[0]
        candidates[np.argsort(-scores)[:fetch]]
        if self.lexical is not None:
            self.lexical.search(query_text, fetch // 2)


def recommend_stage(home: Path, retrieval: MillionRetrieval, requests: int) -> dict[str, list[float]]:
    os.environ["TREMPLIN_HOME"] = str(home)
    os.environ["TREMPLIN_EMBEDDER"] = "hashing"
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings
    from matcher.store import Store

    settings = get_settings()
    store = Store(settings)
    engine = Engine(store, settings)
    started = time.perf_counter()
    engine.load(progress=False)
    print(
        f"  engine over {len(engine.catalogue.tenders.records)} tenders loaded in {time.perf_counter() - started:.0f} s"
    )
    startup_ids = sorted(engine.catalogue.startups)
    for warm in startup_ids[:20]:
        engine.recommend_tenders(warm, limit=10)
    out = {"100k": time_recommendations(engine, startup_ids, random.Random(0), requests)}
    original = engine._candidates
    spent: list[float] = []

    def with_million(
        vectors: Any, lexical: Any, query_vector: Any, query_text: str, admissible: Any, allowed: Any, **sizes: int
    ) -> list[str]:
        began = time.perf_counter()
        share = sizes["population"] / max(len(vectors), 1)  # open share of the 100k, the same at 1M
        pool = max(settings.candidate_pool, sizes["need"] * 3)
        fetch = min(retrieval.total, int(pool * max(1.0, 1 / max(share, 1e-9)) * 1.5))
        retrieval(query_vector, query_text, fetch)
        spent.append((time.perf_counter() - began) * 1000)
        return original(vectors, lexical, query_vector, query_text, admissible, allowed, **sizes)

    engine._candidates = with_million  # type: ignore[method-assign]
    out["1M"] = time_recommendations(engine, startup_ids, random.Random(0), requests)
    out["1M retrieval"] = spent
    engine._candidates = original  # type: ignore[method-assign]
    getattr(engine, "close", lambda: None)()
    store.dispose()
    return out
