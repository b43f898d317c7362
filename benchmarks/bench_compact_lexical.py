"""What the compact lexical postings (used from COMPACT_POSTINGS_FROM documents) change in `recommend`.

Run: .venv/bin/python benchmarks/bench_compact_lexical.py --engine-home DIR [--requests 200]

A 100k engine (a folder made by benchmarks/corpus.py) is below the threshold, so it serves with the exact
CSR postings. Here its tender lexical index is switched to the compact postings (float16, impact-ordered,
common features cut, 40-feature probe, shortlist 8k; see matcher.index.lexical) as it would be at scale,
and the top 10 of `recommend tenders` is compared with the shipped path, with both timed. It prints the
top-10 overlap (share of the shipped top 10 still there), the postings bytes per tender and p50/p99.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from latency import percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine-home", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    os.environ["TREMPLIN_HOME"] = str(args.engine_home)
    os.environ["TREMPLIN_EMBEDDER"] = "hashing"
    import matcher.index.lexical as lexical
    from matcher.index.impact_postings import ImpactPostings
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings
    from matcher.store import Store

    settings = get_settings()
    store = Store(settings)
    engine = Engine(store, settings)
    engine.load(progress=False)
    index = engine.indexes.tender_lexical
    startups = random.Random(0).sample(sorted(engine.catalogue.startups), args.requests)

    def run() -> tuple[list[list[str]], list[float]]:
        for warm in startups[:20]:
            engine.recommend_tenders(warm, limit=10)
        tops, latencies = [], []
        for startup_id in startups:
            began = time.perf_counter()
            matches = engine.recommend_tenders(startup_id, limit=10)
            latencies.append((time.perf_counter() - began) * 1000)
            tops.append([match.tender_id for match in matches])
        return tops, latencies

    shipped, shipped_ms = run()
    exact_bytes = index._feature_major().data.nbytes + index._feature_major().indices.nbytes
    lexical.COMPACT_POSTINGS_FROM = 0
    index._by_feature = None
    compact = index._feature_major()
    assert isinstance(compact, ImpactPostings)
    changed, changed_ms = run()
    overlap = [len(set(a) & set(b)) / max(len(a), 1) for a, b in zip(shipped, changed, strict=True) if a]
    documents = len(index)
    print(
        f"recommend tenders over {documents} tenders, {args.requests} startups, load average "
        f"{os.getloadavg()[0]:.1f}:\n"
        f"  shipped postings (float32 CSR): {exact_bytes / documents:.0f} B per tender, "
        f"p50 {statistics.median(shipped_ms):.1f} ms, p99 {percentile(shipped_ms, 0.99):.1f} ms\n"
        f"  compact postings (float16, impact-ordered): {compact.nbytes / documents:.0f} B per tender, "
        f"p50 {statistics.median(changed_ms):.1f} ms, p99 {percentile(changed_ms, 0.99):.1f} ms\n"
        f"  top-10 overlap with the shipped recommend: {statistics.mean(overlap):.3f} "
        f"(identical top 10 for {sum(1 for o in overlap if o == 1.0)} of {len(overlap)} startups)"
    )
    store.dispose()


if __name__ == "__main__":
    main()
