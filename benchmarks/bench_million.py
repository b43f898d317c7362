"""A million tenders on one node: index choice, build time, bytes per tender, recall@10, search latency.

Run: .venv/bin/python benchmarks/bench_million.py [--items 1000000] [--dimension 384] [--queries 300]
     [--lexical-home DIR]

Vectors are *precomputed random-but-clustered* unit vectors (2,000 Gaussian clusters, the spread of
sentence embeddings of short titles), not the output of an embedding model: embedding a million texts
with USE would take hours on this machine and says nothing about the index. Queries are drawn the same
way. The index follows FAISS's "Guidelines to choose an index" (github.com/facebookresearch/faiss/wiki):
at 1M vectors with memory a concern, an IVF index (the wiki: 4-16·sqrt(N) lists; 1024 = sqrt(N) here,
to keep k-means training within minutes on 2 shared cores) with compressed codes,
re-ranked from finer codes ("IVF1024,PQ48x8,Refine(SQ8)"). HNSW,Flat would need (4·d + 2·M·4) bytes,
1.8 KB per vector at d=384, M=32: over the budget before any lexical data. Exact ground truth is
FAISS's flat inner-product search over the same vectors.

Memory per tender is measured as the serialised index size (FAISS keeps the codes, ids and lists in
RAM exactly as written); lexical bytes come from a real lexical bundle (`--lexical-home`, e.g. the
100k corpus of benchmarks/corpus.py): its matrix bytes per document (the TF-IDF rows grow linearly
with documents; the vocabulary is bounded).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import faiss
import numpy as np
from latency import percentile


def clustered(rng: np.random.Generator, centres: np.ndarray, n: int, spread: float) -> np.ndarray:
    labels = rng.integers(0, len(centres), size=n)
    out = centres[labels] + rng.normal(scale=spread, size=(n, centres.shape[1])).astype(np.float32)
    faiss.normalize_L2(out)
    return out


def lexical_bytes_per_document(home: Path | None) -> float | None:
    if home is None:
        return None
    folder = home / "indexes" / "tenders" / "lexical"
    manifest = json.loads((folder / "manifest.json").read_text())
    matrix = sum(entry["bytes"] for name, entry in manifest["files"].items() if name.startswith("matrix"))
    return float(matrix) / max(int(manifest["count"]), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--dimension", type=int, default=384)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--nlist", type=int, default=1024, help="Inverted lists (the wiki: 4-16 x sqrt(N)).")
    parser.add_argument("--pq", type=int, default=48, help="PQ sub-quantisers (bytes per code).")
    parser.add_argument("--nprobe", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--k-factor", type=int, default=10, help="Candidates re-ranked per result.")
    parser.add_argument("--lexical-home", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("/tmp/tremplin-million.faiss"))
    parser.add_argument("--reuse", action="store_true", help="Measure the index already in --out.")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)  # OpenMP spin-waits on a shared, loaded machine: one thread is faster
    rng = np.random.default_rng(0)
    d = args.dimension
    print(f"{args.items} tenders, d={d}: precomputed clustered vectors; load average {os.getloadavg()[0]:.1f}")
    centres = rng.normal(size=(2000, d)).astype(np.float32)
    started = time.perf_counter()
    vectors = np.concatenate(
        [clustered(rng, centres, min(100_000, args.items - i), 0.35) for i in range(0, args.items, 100_000)]
    )
    queries = clustered(rng, centres, args.queries, 0.35)
    print(f"vectors made in {time.perf_counter() - started:.1f} s ({vectors.nbytes / 2**20:.0f} MB as float32)")

    started = time.perf_counter()
    scores = np.concatenate([queries @ vectors[i : i + 100_000].T for i in range(0, len(vectors), 100_000)], axis=1)
    truth = np.argpartition(-scores, 10, axis=1)[:, :10]
    del scores
    print(f"exact top-10 (numpy, chunked) for {args.queries} queries in {time.perf_counter() - started:.1f} s")

    factory = f"IVF{args.nlist},PQ{args.pq}x8,Refine(SQ8)"
    if args.reuse and args.out.exists():
        print(f"reusing {args.out} (built by an earlier run with the same seed)")
        report(args, args.out, queries, truth)
        return
    started = time.perf_counter()
    index = faiss.index_factory(d, factory, faiss.METRIC_INNER_PRODUCT)
    sample = vectors[rng.choice(len(vectors), size=min(len(vectors), 40 * args.nlist), replace=False)]
    index.train(sample)
    trained = time.perf_counter() - started
    for start in range(0, len(vectors), 100_000):
        index.add(vectors[start : start + 100_000])
    build = time.perf_counter() - started
    print(f"build {factory}: {build:.0f} s (training {trained:.0f} s, {args.items / build:.0f} tenders/s)")
    faiss.write_index(index, str(args.out))
    del vectors
    report(args, args.out, queries, truth)


def report(args: argparse.Namespace, path: Path, queries: np.ndarray, truth: np.ndarray) -> None:
    disk = path.stat().st_size
    lexical = lexical_bytes_per_document(args.lexical_home)
    print(f"vector index on disk and in memory: {disk / args.items:.0f} bytes per tender ({disk / 2**20:.0f} MB)")
    if lexical is not None:
        print(f"lexical TF-IDF rows: {lexical:.0f} bytes per tender (measured on {args.lexical_home})")
        print(f"vectors + lexical: {(disk / args.items + lexical) / 1024:.2f} KB per tender")
    loaded = faiss.read_index(str(path), faiss.IO_FLAG_MMAP)
    ivf = faiss.extract_index_ivf(loaded)
    faiss.omp_set_num_threads(1)
    for nprobe in args.nprobe:
        ivf.nprobe = nprobe
        params = faiss.IndexRefineSearchParameters()
        params.k_factor = args.k_factor
        latencies, hits = [], 0
        for row in range(args.queries):
            began = time.perf_counter()
            _, found = loaded.search(queries[row : row + 1], 10, params=params)
            latencies.append((time.perf_counter() - began) * 1000)
            hits += len(set(found[0].tolist()) & set(truth[row].tolist()))
        print(
            f"nprobe {nprobe:3d}, k_factor {args.k_factor}: recall@10 {hits / (10 * args.queries):.3f}, "
            f"search p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms"
        )


if __name__ == "__main__":
    main()
