"""Index and embedding benchmark: build time, memory per item, HNSW recall, search and encode latency.

    .venv/bin/python benchmarks/bench_index.py              # 100k x 384, ~2-3 minutes on 2 cores
    .venv/bin/python benchmarks/bench_index.py --n 20000 --skip-models

Vectors are synthetic: unit vectors around 100 topic centres with 20 sub-topics each plus noise,
tuned so that a query's nearest neighbour has cosine ~0.7 and its 10th ~0.6 (like sentence
embeddings of tender texts). Encoding 100k real texts would take most of the time budget and
measure the model, not the index; the model figures are measured separately on generated texts
(matcher.datasets.synth when present). Prints figures only; nothing asserts on time.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from matcher.index.lexical import LexicalIndex
from matcher.index.vector_index import IdSelection, VectorIndex


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def clustered(n: int, dimension: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((100, dimension)).astype(np.float32)
    subs = rng.standard_normal((100, 20, dimension)).astype(np.float32)
    out = np.empty((n, dimension), dtype=np.float32)
    for start in range(0, n, 20_000):  # chunks keep the transient memory small
        size = min(20_000, n - start)
        topic, sub = rng.integers(0, 100, size), rng.integers(0, 20, size)
        chunk = topics[topic] + 0.7 * subs[topic, sub] + rng.standard_normal((size, dimension)).astype(np.float32)
        out[start : start + size] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def percentiles(samples: list[float]) -> str:
    values = np.asarray(samples) * 1000
    return f"p50 {np.percentile(values, 50):7.2f} ms   p99 {np.percentile(values, 99):7.2f} ms"


def time_each(call: Callable[[int], object], count: int) -> list[float]:
    out = []
    for i in range(count):
        start = time.perf_counter()
        call(i)
        out.append(time.perf_counter() - start)
    return out


def search_one(
    index: VectorIndex, queries: np.ndarray, k: int, allowed: IdSelection | set[str] | None, i: int
) -> object:
    return index.search(queries[i], k, allowed=allowed)


def generated_texts(n: int, seed: int = 5) -> list[str]:
    try:
        from matcher.datasets.synth import synth_tenders
    except ImportError:  # the generator ships with the engine; fall back to simple templates
        rng = np.random.default_rng(seed)
        subjects = ["paiement électronique", "travaux de voirie", "audit de sécurité", "irrigation solaire",
                    "dossier patient informatisé", "نظام الدفع الإلكتروني", "e-learning platform"]  # fmt: skip
        return [f"Appel d'offres n°{i} : {rng.choice(subjects)} et {rng.choice(subjects)}" for i in range(n)]
    return [f"{row['title']}. {row['description']}" for row in synth_tenders(n, seed)]


def bench_vectors(n: int, dimension: int, queries: int) -> None:
    print(f"== vector index: {n:,} synthetic clustered vectors x {dimension} (float32, unit rows)")
    both = clustered(n + queries, dimension)
    vectors, query_vectors = both[:n], both[n:]
    ids = [f"SYN-AO-{i:07d}" for i in range(n)]
    truth = np.argsort(-(query_vectors @ vectors.T), axis=1)[:, :10]
    built: dict[str, VectorIndex] = {}
    for kind in ("flat", "hnsw"):
        gc.collect()
        before = rss_bytes()
        index = VectorIndex(dimension, kind=kind)
        start = time.perf_counter()
        index.build(ids, vectors)
        elapsed = time.perf_counter() - start
        per_item = (rss_bytes() - before) / n
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            index.save(Path(folder), "bench")
            saved = time.perf_counter() - start
            on_disk = sum(path.stat().st_size for path in Path(folder).iterdir())
            start = time.perf_counter()
            VectorIndex.load(Path(folder), "bench")
            loaded = time.perf_counter() - start
        print(
            f"{kind:5s} build {elapsed:6.2f} s  ({n / elapsed:10,.0f} items/s)   memory {per_item:6,.0f} B/item "
            f"(incl. the {dimension * 4} B float32 matrix)   disk {on_disk / n:5,.0f} B/item   "
            f"save {saved:4.2f} s  load {loaded:4.2f} s"
        )
        built[kind] = index
    for kind, index in built.items():
        found = index.search_many(query_vectors, 10)
        recall = np.mean([len({ids[i] for i in truth[q]} & {hit for hit, _ in found[q]}) for q in range(queries)]) / 10
        latencies = time_each(functools.partial(search_one, index, query_vectors, 10, None), queries)
        print(f"{kind:5s} recall@10 vs exact {recall:.4f}   single-query search k=10: {percentiles(latencies)}")
    rng = np.random.default_rng(3)
    for share in (0.01, 0.3):
        plain = set(rng.choice(ids, int(n * share), replace=False).tolist())
        reused = IdSelection(plain)
        for label, allowed in (("set", plain), ("IdSelection", reused)):
            for kind, index in built.items():
                call = functools.partial(search_one, index, query_vectors, 10, allowed)
                latencies = time_each(call, min(200, queries))
                count = len(index.search(query_vectors[0], 10, allowed=allowed))
                print(
                    f"{kind:5s} filtered search, {share:4.0%} allowed as {label:11s} ({count} results): "
                    f"{percentiles(latencies)}"
                )


def bench_lexical(n: int, queries: int) -> None:
    print(f"\n== lexical index: {n:,} generated tender texts (TF-IDF words 1-2 + char_wb 3-5)")
    texts = generated_texts(n)
    ids = [f"SYN-AO-{i:07d}" for i in range(n)]
    gc.collect()
    before = rss_bytes()
    index = LexicalIndex()
    start = time.perf_counter()
    index.build(ids, texts)
    elapsed = time.perf_counter() - start
    index.search("paiement", 1)  # builds the feature-major copy
    per_item = (rss_bytes() - before) / n
    print(f"build {elapsed:6.2f} s  ({n / elapsed:8,.0f} docs/s)   memory {per_item:6,.0f} B/doc")
    probes = generated_texts(queries, seed=99)
    short = [" ".join(text.split()[:4]) for text in probes]
    print(f"search, 4-word query:        {percentiles(time_each(lambda i: index.search(short[i], 50), queries))}")
    print(f"search, full tender text:    {percentiles(time_each(lambda i: index.search(probes[i], 50), queries))}")


def bench_models(sentences: int) -> None:
    from matcher.index.embedding import SentenceTransformerEmbedder, UniversalSentenceEncoderEmbedder

    texts = generated_texts(sentences, seed=11)
    queries = [f"fournisseur {text.split('.')[0][:60]}" for text in generated_texts(300, seed=12)]
    print(f"\n== encoders: {sentences:,} generated sentences (mean {np.mean([len(t) for t in texts]):.0f} chars)")
    for name, make in (
        ("minilm", lambda: SentenceTransformerEmbedder("minilm")),
        ("use", UniversalSentenceEncoderEmbedder),
    ):
        start = time.perf_counter()
        embedder = make()
        load = time.perf_counter() - start
        start = time.perf_counter()
        embedder.encode_documents(texts)
        elapsed = time.perf_counter() - start
        latencies = time_each(lambda i: embedder.encode_queries([queries[i]]), len(queries))  # noqa: B023
        print(
            f"{name:6s} load {load:4.1f} s   documents {sentences / elapsed:6,.0f} texts/s   "
            f"single query: {percentiles(latencies)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="items in the vector and lexical indexes")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--sentences", type=int, default=2000, help="texts encoded per model")
    parser.add_argument("--skip-models", action="store_true")
    parser.add_argument("--skip-lexical", action="store_true")
    args = parser.parse_args()
    import faiss

    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"cores {os.cpu_count()}   load average {load}   faiss {faiss.__version__}")
    started = time.perf_counter()
    bench_vectors(args.n, args.dim, args.queries)
    if not args.skip_lexical:
        bench_lexical(args.n, min(args.queries, 300))
    if not args.skip_models:
        bench_models(args.sentences)
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\ntotal {time.perf_counter() - started:.0f} s   load average {load}")


if __name__ == "__main__":
    main()
