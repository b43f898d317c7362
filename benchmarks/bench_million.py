"""A million tenders on one node: index choice, build time, bytes per tender, recall@10, search latency.

Run: .venv/bin/python benchmarks/bench_million.py [--items 1000000] [--data synth-text|clustered]
     [--factories "IVF1024,PQ32x8" ...] [--train 100000] [--lexical-home DIR] [--work DIR]
     [--engine-index]  (the project's own VectorIndex over the same vectors: benchmarks/million_engine_index.py)

Data (say which when quoting figures):
- ``synth-text`` (default): tender texts from the project's generator (``matcher.datasets.synth``, the text
  ``documents.tender_text`` builds: title, description, CPV label) followed by the buyer's name and a
  reference number ("…, Acheteur synthétique 17, AO n° 4821/2025"), embedded with the project's
  ``hashing`` embedder (d=256). The generator alone repeats itself (63k distinct texts in 200k: exact
  duplicates, so a strict top-10 is a coin toss among equals); the buyer and reference spread them the
  way real tenders differ. The hashing embedder is a sum of per-feature vectors before normalisation,
  so each distinct part is hashed once and the parts are added (the trigrams straddling a join are
  left out): a million vectors in about a minute instead of 5 with one call per text. Queries are
  synthetic startup profiles (name, description, sectors, tags, CPV labels) embedded the same way.
- ``clustered``: random unit vectors around 2,000 Gaussian centres (d=384), the earlier benchmark.

Recall@10 is reported two ways: *strict* (share of the exact top-10 ids returned) and *distance*, as
ANN-benchmarks counts it: a returned item counts when its exact cosine is within 1e-3 of the exact
10th (distance ≤ 10th distance + 1e-3). With near-ties strict recall is ill-defined; the table prints
how many items lie within that 1e-3 of the 10th, per query (median).

Index (FAISS wiki, "Guidelines to choose an index"): 1M vectors with memory a concern → IVF (the wiki:
4–16·√N lists, 1024 here to keep k-means within minutes on 2 shared cores) with PQ codes, re-ranked:
from SQ8 codes kept in memory, or from full-precision float16 vectors kept on disk and memory-mapped
(only the k·k_factor candidate rows are read per query). Training uses a sample (``--train``), and
the PQ codes are trained without FAISS's polysemous re-ordering (the ``np`` suffix): that annealing step,
on by default for IVF-PQ, serves only Hamming pre-filtering, which this search does not use (training
took 729 s with it in the earlier run, d=384, one thread; 25–28 s without it here, d=256, two threads).

Memory per tender: *resident* counts what every query may touch (the serialised FAISS index — codes,
ids, centroids — plus SQ8 refine codes when used); the float16 refine file is counted *on disk* only:
a query reads k·k_factor random rows of it (a few hundred KB), so it can live in the page cache or not.
The process RSS after the queries is printed too. Lexical bytes come from a real lexical bundle
(``--lexical-home``, a folder made by benchmarks/corpus.py): its files per document. With
``--lexical-items`` the lexical index over these texts is built (or reused, a format-1 snapshot converted
to the compact postings of format 2) and counted the same way as the vectors: the postings resident, the
float32 rows on disk (mapped; read only for the shortlist's exact re-scoring); its top 10 is compared
with an exhaustive search over every row (100 queries).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from latency import percentile

EPSILON = 1e-3
K = 10


# --- data ----------------------------------------------------------------------------------------


def clustered(items: int, queries: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2000, d)).astype(np.float32)

    def draw(n: int) -> np.ndarray:
        out = centres[rng.integers(0, len(centres), size=n)] + rng.normal(scale=0.35, size=(n, d)).astype(np.float32)
        faiss.normalize_L2(out)
        return out

    vectors = np.concatenate([draw(min(100_000, items - i)) for i in range(0, items, 100_000)])
    return vectors, draw(queries)


class RawHashing:
    """The project's hashing embedder before normalisation, one distinct string at a time."""

    def __init__(self) -> None:
        from matcher.index.embedding import HashingEmbedder
        from matcher.text import normalize

        self.embedder, self.normalize = HashingEmbedder(), normalize
        self.d = self.embedder.dimension

    def table(self, strings: list[str]) -> np.ndarray:
        out = np.zeros((len(strings), self.d), dtype=np.float32)
        for row, text in enumerate(strings):
            self.embedder._encode_one(self.normalize(text), out[row])
        return out


def _codes(values: Iterable[str]) -> tuple[list[str], np.ndarray]:
    position: dict[str, int] = {}
    codes = np.fromiter((position.setdefault(v, len(position)) for v in values), dtype=np.int64)
    return list(position), codes


def tender_parts(items: int) -> tuple[list[str], list[str], list[str]]:
    """Per tender: the generator's text (as documents.tender_text joins it), buyer name, reference."""
    from matcher import cpv
    from matcher.datasets.synth import synth_tenders

    rng = random.Random(7)
    bases, buyers, refs = [], [], []
    for record in synth_tenders(items):
        labels = [cpv.label(code, "fr", official=False) for code in record["cpv_codes"][:3]]
        bases.append(". ".join(part for part in [record["title"], record["description"], *labels] if part))
        buyers.append(record["buyer_name"])
        refs.append(f"AO n° {rng.randint(1, 9999)}/{rng.randint(2023, 2026)}")
    return bases, buyers, refs


def profile_texts(queries: int) -> list[str]:
    """Synthetic startup profiles (name, description, sectors, tags, CPV labels): the queries."""
    from matcher import cpv
    from matcher.datasets.synth import synth_startups

    profiles = []
    for record in synth_startups(queries, seed=11):
        labels = [cpv.label(code, "fr", official=False) for code in record["cpv_codes"]]
        fields = [record["name"], record["description"], ", ".join(record["sectors"]), ", ".join(record["tags"])]
        profiles.append(". ".join([*fields, *labels]))
    return profiles


def synth_text(items: int, queries: int) -> tuple[np.ndarray, np.ndarray]:
    hashing = RawHashing()
    parts = [_codes(column) for column in tender_parts(items)]
    print(f"  distinct texts: {len(parts[0][0])} bases, {len(parts[1][0])} buyers, {len(parts[2][0])} references")
    tables = [hashing.table(strings) for strings, _ in parts]
    vectors = np.empty((items, hashing.d), dtype=np.float32)
    for start in range(0, items, 100_000):
        chunk = slice(start, min(items, start + 100_000))
        vectors[chunk] = sum(table[codes[chunk]] for table, (_, codes) in zip(tables, parts, strict=True))
    faiss.normalize_L2(vectors)
    query_vectors = hashing.table(profile_texts(queries))
    faiss.normalize_L2(query_vectors)
    return vectors, query_vectors


def exact_top(vectors: np.ndarray, queries: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact best `depth` scores and ids per query (FAISS flat inner product, chunked)."""
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    scores, ids = flat.search(queries, depth)
    return scores, ids


# --- indexes -------------------------------------------------------------------------------------


def build(factory: str, vectors: np.ndarray, train: int, path: Path, reuse: bool) -> dict[str, float]:
    if reuse and path.exists():
        return json.loads(path.with_suffix(".json").read_text())
    rng = np.random.default_rng(1)
    started = time.perf_counter()
    index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    sample = vectors[np.sort(rng.choice(len(vectors), size=min(len(vectors), train), replace=False))]
    index.train(sample)
    trained = time.perf_counter() - started
    for start in range(0, len(vectors), 100_000):
        index.add(vectors[start : start + 100_000])
    timings = {"train_s": trained, "add_s": time.perf_counter() - started - trained}
    faiss.write_index(index, str(path))
    path.with_suffix(".json").write_text(json.dumps(timings))
    return timings


def refine_stores(vectors: np.ndarray, work: Path, reuse: bool) -> dict[str, Any]:
    """SQ8 codes (kept in memory) and a float16 copy on disk (memory-mapped) to re-rank candidates."""
    sq_path, half_path = work / "refine-sq8.index", work / "refine-fp16.npy"
    if not (reuse and sq_path.exists() and half_path.exists()):
        started = time.perf_counter()
        sq = faiss.IndexScalarQuantizer(vectors.shape[1], faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        sq.train(vectors[:: max(1, len(vectors) // 200_000)])
        sq.add(vectors)
        faiss.write_index(sq, str(sq_path))
        np.save(half_path, vectors.astype(np.float16))
        print(f"  refine stores (SQ8 codes, float16 file) in {time.perf_counter() - started:.0f} s")
    sq = faiss.read_index(str(sq_path))
    codes = faiss.vector_to_array(sq.codes).reshape(len(vectors), -1)
    return {
        "sq8": (sq, codes, sq_path.stat().st_size),
        "fp16": (np.load(half_path, mmap_mode="r"), half_path.stat().st_size),
    }


def _params(index: Any, probe: int) -> Any:
    if isinstance(index, faiss.IndexHNSW):
        return faiss.SearchParametersHNSW(efSearch=probe)
    return faiss.SearchParametersIVF(nprobe=probe)


def search_one(index: Any, params: Any, refine: str, stores: dict[str, Any], query: np.ndarray, kf: int) -> np.ndarray:
    _, found = index.search(query, K * kf if refine != "none" else K, params=params)
    candidates = found[0][found[0] >= 0]
    if refine == "none":
        return candidates
    if refine == "sq8":
        sq, codes, _ = stores["sq8"]
        rows = sq.sa_decode(codes[candidates])
    else:
        rows = np.asarray(stores["fp16"][0][np.sort(candidates)], dtype=np.float32)
        candidates = np.sort(candidates)
    scores = rows @ query[0]
    return candidates[np.argsort(-scores)[:K]]


def measure(
    index: Any, refine: str, stores: dict[str, Any], probe: int, kf: int, data: dict[str, np.ndarray]
) -> dict[str, float]:
    params = _params(index, probe)
    vectors, queries, truth_ids, truth_scores = data["vectors"], data["queries"], data["ids"], data["scores"]
    latencies, strict, by_distance = [], 0, 0
    for row in range(len(queries)):
        query = queries[row : row + 1]
        began = time.perf_counter()
        found = search_one(index, params, refine, stores, query, kf)
        latencies.append((time.perf_counter() - began) * 1000)
        strict += len(set(found.tolist()) & set(truth_ids[row, :K].tolist()))
        exact = vectors[found] @ query[0]
        by_distance += int(np.sum(exact >= truth_scores[row, K - 1] - EPSILON))
    n = K * len(queries)
    return {
        "strict": strict / n,
        "distance": by_distance / n,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
    }


def lexical_bytes_per_document(home: Path | None) -> dict[str, float] | None:
    if home is None:
        return None
    folder = home / "indexes" / "tenders" / "lexical"
    manifest = json.loads((folder / "manifest.json").read_text())
    count = max(int(manifest["count"]), 1)
    out: dict[str, float] = {}
    for name, entry in manifest["files"].items():
        part = name.split(".")[0]
        out[part] = out.get(part, 0.0) + entry["bytes"] / count
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- main ----------------------------------------------------------------------------------------


def vector_stage(
    args: argparse.Namespace, vectors: np.ndarray, queries: np.ndarray, factories: list[str], lexical_total: float
) -> list[tuple[Any, ...]]:
    """Exact ground truth, then each index x refine x nprobe x k_factor: bytes, recall, latency."""
    started = time.perf_counter()
    scores, ids = exact_top(vectors, queries, 1000)
    near = (scores >= scores[:, K - 1 : K] - EPSILON).sum(axis=1)
    print(
        f"exact top-1000 for {len(queries)} queries in {time.perf_counter() - started:.0f} s; per query (median): "
        f"10th cosine {np.median(scores[:, K - 1]):.3f}, 10th-11th gap {np.median(scores[:, 9] - scores[:, 10]):.5f}, "
        f"10th-100th gap {np.median(scores[:, 9] - scores[:, 99]):.4f}, items within {EPSILON} of the 10th: "
        f"{np.median(near):.0f} (p10 {np.percentile(near, 10):.0f}, p90 {np.percentile(near, 90):.0f})"
    )
    data = {"vectors": vectors, "queries": queries, "ids": ids, "scores": scores}

    stores = refine_stores(vectors, args.work, args.reuse)
    rows = []
    for factory in factories:
        path = args.work / f"{args.data}-{args.items}-{factory.replace(',', '_')}.index"
        timings = build(factory, vectors, args.train, path, args.reuse)
        print(f"build {factory}: training {timings['train_s']:.0f} s, adding {timings['add_s']:.0f} s")
        index = faiss.read_index(str(path))
        faiss.omp_set_num_threads(1)  # one query, one thread (see matcher.index.vector_index.one_omp_thread)
        base = path.stat().st_size / len(vectors)
        for refine in ("none", "sq8", "fp16"):
            for kf in [1] if refine == "none" else args.k_factor:
                for probe in args.nprobe:
                    result = measure(index, refine, stores, probe, kf, data)
                    resident = base + (stores["sq8"][2] / len(vectors) if refine == "sq8" else 0.0)
                    disk = resident + (stores["fp16"][1] / len(vectors) if refine == "fp16" else 0.0)
                    rows.append((factory, refine, probe, kf, resident, disk, result))
                    print(_line(rows[-1], lexical_total), flush=True)
        faiss.omp_set_num_threads(args.threads)
        del index
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--data", choices=["synth-text", "clustered"], default="synth-text")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--factories", nargs="+", default=None, help="FAISS factory strings (default by d).")
    parser.add_argument("--train", type=int, default=100_000, help="Training sample size.")
    parser.add_argument("--nprobe", type=int, nargs="+", default=[16, 32, 64], help="nprobe (efSearch for HNSW).")
    parser.add_argument("--k-factor", type=int, nargs="+", default=[5, 10, 20], help="Candidates re-ranked per hit.")
    parser.add_argument("--lexical-home", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tremplin-million"))
    parser.add_argument("--reuse", action="store_true", help="Reuse vectors and indexes already in --work.")
    parser.add_argument("--threads", type=int, default=2, help="OpenMP threads for building (search uses 1).")
    parser.add_argument("--skip-vectors", action="store_true", help="Only the lexical and recommend stages.")
    parser.add_argument("--lexical-items", type=int, default=0, help="Build a LexicalIndex over this many tenders.")
    parser.add_argument("--engine-home", type=Path, default=None, help="A 100k folder (corpus.py) to time recommend.")
    parser.add_argument("--serve-index", default=None, help="Factory used for recommend (default IVF1024,PQ{d/4}x8np).")
    parser.add_argument("--serve-nprobe", type=int, default=16)
    parser.add_argument("--serve-k-factor", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="recommend calls timed.")
    parser.add_argument(
        "--engine-index", action="store_true", help="Build, save, load and measure the engine's own VectorIndex."
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    faiss.omp_set_num_threads(args.threads)
    print(f"{args.items} tenders, data {args.data}; load average {os.getloadavg()[0]:.1f}")

    stem = args.work / f"{args.data}-{args.items}"
    started = time.perf_counter()
    if args.reuse and stem.with_suffix(".vectors.npy").exists():
        vectors = np.load(stem.with_suffix(".vectors.npy"))
        queries = np.load(stem.with_suffix(".queries.npy"))
    else:
        make = synth_text if args.data == "synth-text" else lambda n, q: clustered(n, q, 384)
        vectors, queries = make(args.items, args.queries)
        np.save(stem.with_suffix(".vectors.npy"), vectors)
        np.save(stem.with_suffix(".queries.npy"), queries)
    queries = queries[: args.queries]
    d = vectors.shape[1]
    print(f"vectors: {len(vectors)} x d={d} in {time.perf_counter() - started:.0f} s")

    factories = args.factories or [f"IVF1024,PQ{d // 8}x8np", f"IVF1024,PQ{d // 4}x8np"]
    lexical = lexical_bytes_per_document(args.lexical_home)
    lexical_total = sum(lexical.values()) if lexical else 0.0
    if lexical:
        parts = ", ".join(f"{name} {value:.0f}" for name, value in sorted(lexical.items()))
        print(f"lexical bundle per tender ({args.lexical_home}): {lexical_total:.0f} B ({parts})")
    rows = [] if args.skip_vectors else vector_stage(args, vectors, queries, factories, lexical_total)
    engine_line = ""
    if args.engine_index:
        from million_engine_index import engine_index_stage

        started = time.perf_counter()
        truth = exact_top(vectors, queries, K + 1)
        print(f"exact top-{K} for {len(queries)} queries in {time.perf_counter() - started:.0f} s")
        engine_line = engine_index_stage(args.work, vectors, queries, truth)
        print(engine_line, flush=True)
    print(f"\nprocess max RSS {rss_mb():.0f} MB (includes the float32 vectors and exact ground truth of the benchmark)")
    del vectors
    serving = serve(args, d, stem)
    print(f"\n{_header()}")
    for row in rows:
        print(_line(row, serving.get("lexical_bytes", lexical_total)))
    for line in serving.get("lines", []):
        print(line)
    if engine_line:
        print(engine_line)


def serve(args: argparse.Namespace, d: int, stem: Path) -> dict[str, Any]:
    """The lexical index at --lexical-items and recommend on --engine-home with the 1M retrieval."""
    from million_serving import MillionRetrieval, lexical_stage, recommend_stage, summary

    out: dict[str, Any] = {"lines": []}
    lexical = None
    if args.lexical_items:
        texts = [f"{b}. {u}, {r}" for b, u, r in zip(*tender_parts(args.lexical_items), strict=True)]
        # The engine asks the lexical index for fetch // 2 ≈ 128 hits (candidate_pool 120, 70% open, x1.5).
        lexical, report = lexical_stage(texts, profile_texts(args.queries), args.work, args.reuse, 128)
        del texts
        parts = report["bytes"]
        total = sum(parts.values())
        # Resident: what every query may touch (postings, frequencies, ids, vectorizers); the rows are read
        # only for the shortlist (k x 4 rows) and stay mapped on disk, like the float16 re-rank file.
        resident = total - parts.get("matrix", 0.0)
        out["lexical_bytes"] = resident
        detail = ", ".join(f"{name} {value:.0f}" for name, value in sorted(parts.items()))
        print(
            f"lexical over {args.lexical_items} tenders (lexical format {report['format']}): built in "
            f"{report.get('build_s', float('nan')):.0f} s, converted in {report.get('convert_s', float('nan')):.0f} s, "
            f"loaded (mapped) in {report['load_s']:.1f} s; {report['entries_per_row']:.0f} entries per row, "
            f"{report['posted_per_row']:.0f} posted; {total:.0f} B per tender on disk ({detail}); a full float32 "
            f"transpose would be {report['full_transpose']:.0f} B; search ({128} hits) {summary(report['search'])}; "
            f"top-10 overlap with exhaustive search {report['overlap']:.3f}"
        )
        out["lines"].append(
            f"\nlexical, {args.lexical_items} tenders: {resident:.0f} B per tender resident (postings), "
            f"{parts.get('matrix', 0.0):.0f} B more on disk (rows, mapped); search p50 "
            f"{statistics.median(report['search']):.1f} ms, p99 {percentile(report['search'], 0.99):.1f} ms; "
            f"top-10 overlap with exhaustive {report['overlap']:.3f}; load average {os.getloadavg()[0]:.1f}"
        )
    if args.engine_home is not None:
        factory = args.serve_index or f"IVF1024,PQ{d // 4}x8np"
        path = args.work / f"{args.data}-{args.items}-{factory.replace(',', '_')}.index"
        retrieval = MillionRetrieval(
            path, args.work / "refine-fp16.npy", lexical, args.serve_nprobe, args.serve_k_factor
        )
        timed = recommend_stage(args.engine_home, retrieval, args.requests)
        what = f"{factory}, nprobe {args.serve_nprobe}, refine float16 mapped" + (
            f" + lexical over {args.lexical_items}" if lexical is not None else ""
        )
        out["lines"].append(
            f"recommend tenders (limit 10), {args.requests} calls: 100k engine {summary(timed['100k'])}; "
            f"with the 1M retrieval added ({what}) {summary(timed['1M'])}; that retrieval alone "
            f"{summary(timed['1M retrieval'])}"
        )
        print(out["lines"][-1])
    return out


def _header() -> str:
    return (
        "| index | refine | nprobe | k_factor | vectors resident B | vectors on disk B | + lexical KB "
        "| recall@10 strict | recall@10 distance | search p50 ms | p99 ms |\n|" + "---|" * 11
    )


def _line(row: tuple[Any, ...], lexical: float) -> str:
    factory, refine, probe, kf, resident, disk, r = row
    refine_name = {"none": "none", "sq8": "SQ8 in memory", "fp16": "float16 on disk (mmap)"}[refine]
    return (
        f"| {factory} | {refine_name} | {probe} | {kf if refine != 'none' else '-'} | {resident:.0f} | {disk:.0f} "
        f"| {(resident + lexical) / 1024:.2f} | {r['strict']:.3f} | {r['distance']:.3f} "
        f"| {r['p50']:.2f} | {r['p99']:.2f} |"
    )


if __name__ == "__main__":
    main()
