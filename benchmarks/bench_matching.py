"""Matching benchmark: index build and request latency at 100k tenders / 10k startups.

Run: .venv/bin/python benchmarks/bench_matching.py [--tenders 100000] [--startups 10000] [--embedder minilm]
Prints build time and items/s, index memory per item, and p50/p99 latency of `recommend tenders` and of
free-text supplier search including query encoding. Figures are medians over many requests, not asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from latency import percentile, time_recommendations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--startups", type=int, default=10_000)
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--requests", type=int, default=300, help="Requests per round.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds of recommend-tenders requests.")
    parser.add_argument("--home", default=None, help="Reuse a state folder (skips ingest when filled).")
    args = parser.parse_args()

    home = Path(args.home or tempfile.mkdtemp(prefix="tremplin-bench-"))
    os.environ["TREMPLIN_HOME"] = str(home)
    os.environ["TREMPLIN_EMBEDDER"] = args.embedder

    from matcher.datasets.synth import synth_startups, synth_tenders
    from matcher.ingest import ingest_records
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings
    from matcher.store import Store

    settings = get_settings()
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    if store.counts()["tenders"] < args.tenders:
        started = time.perf_counter()
        ingest_records(store, "startups", synth_startups(args.startups), source="synth")
        ingest_records(store, "tenders", synth_tenders(args.tenders), source="synth")
        print(f"ingest: {args.startups} startups + {args.tenders} tenders in {time.perf_counter() - started:.1f} s")

    engine = Engine(store, settings)
    started = time.perf_counter()
    report = engine.load(progress=True)
    build = time.perf_counter() - started
    items = len(engine.catalogue.tenders.records) + len(engine.catalogue.startups)
    print(
        f"index load/build: {report} in {build:.1f} s ({items / build:.0f} items/s), model {engine.embedder.model_id}"
    )
    for name, folder in (("tenders", settings.index_dir / "tenders"), ("startups", settings.index_dir / "startups")):
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0
        count = len(engine.catalogue.tenders.records) if name == "tenders" else len(engine.catalogue.startups)
        print(f"index files {name}: {size / 1e6:.1f} MB, {size / max(count, 1):.0f} bytes per item")
    print(f"tender vector index kind: {engine.indexes.tender_vectors.kind_in_use}")

    rng = random.Random(0)
    startup_ids = list(engine.catalogue.startups)
    for warm in startup_ids[:20]:
        engine.recommend_tenders(warm)
    # Several rounds: on a shared machine one round's median can be off by a few ms; the spread shows it.
    latencies = []
    medians = []
    for _ in range(args.rounds):
        round_latencies = time_recommendations(engine, startup_ids, rng, args.requests)
        medians.append(statistics.median(round_latencies))
        latencies.extend(round_latencies)
    print(
        f"recommend tenders (limit 10): p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms over {len(latencies)} requests "
        f"(round medians {', '.join(f'{m:.1f}' for m in medians)} ms)"
    )

    queries = [
        "plateforme de paiement mobile pour la commune", "audit de sécurité informatique et tests d'intrusion",
        "منصة الأداء الإلكتروني", "solar pumping for irrigation", "système d'information hospitalier",
        "travaux de voirie", "e-learning platform for teachers", "تدبير الأسطول المتصل",
    ]  # fmt: skip
    latencies = []
    for n in range(args.requests):
        query = f"{rng.choice(queries)} {n}"  # distinct text: no query-cache hits
        started = time.perf_counter()
        engine.search_suppliers(query, limit=10)
        latencies.append((time.perf_counter() - started) * 1000)
    print(
        f"supplier search incl. query encoding: p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms over {len(latencies)} requests"
    )


if __name__ == "__main__":
    main()
