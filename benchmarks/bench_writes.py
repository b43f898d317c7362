"""Write latency at scale: create / update / delete a tender through the store and the engine.

Run: .venv/bin/python benchmarks/bench_writes.py --home DIR [--writes 200] [--embedder hashing]
(prepare DIR once with benchmarks/corpus.py; 100k tenders + 10k startups by default).

Each write is what the API does: commit the row, then `Engine.refresh`/`remove` (index and catalogue
updated in memory, snapshot scheduled in the background). Prints p50/p99 of the whole write and of
the engine part alone, checks each new tender is served right after
the write (in both indexes and the catalogue), then times the background snapshot that the writes
no longer pay for.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from latency import percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", required=True)
    parser.add_argument("--embedder", default="hashing")
    parser.add_argument("--writes", type=int, default=200, help="Writes of each kind (create, update, delete).")
    args = parser.parse_args()
    os.environ["TREMPLIN_HOME"] = str(Path(args.home))
    os.environ["TREMPLIN_EMBEDDER"] = args.embedder

    from matcher.datasets.synth import synth_tenders
    from matcher.ingest import ingest_records
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings
    from matcher.store import Store, Tender

    settings = get_settings()
    store = Store(settings)
    store.migrate()
    engine = Engine(store, settings)
    started = time.perf_counter()
    engine.load()
    print(f"engine loaded in {time.perf_counter() - started:.1f} s: {len(engine.indexes.tender_vectors)} tenders")
    template = next(synth_tenders(1, seed=99))
    run = int(time.time())
    total: dict[str, list[float]] = {"create": [], "update": [], "delete": []}
    engine_only: dict[str, list[float]] = {"create": [], "update": [], "delete": []}
    misses = 0
    for n in range(args.writes):
        external_id = f"BENCH-{run}-{n}"
        title = f"Travaux de réfection numéro {run}{n} zxq{n}"
        for kind in ("create", "update"):
            if kind == "update":
                title = f"Fourniture corrigée numéro {run}{n} wqy{n}"
            record = {**template, "external_id": external_id, "title": title, "description": title}
            began = time.perf_counter()
            ingest_records(store, "tenders", [record], source="bench")
            middle = time.perf_counter()
            engine.refresh("tenders", [external_id])
            ended = time.perf_counter()
            total[kind].append((ended - began) * 1000)
            engine_only[kind].append((ended - middle) * 1000)
            # Matchable: in both indexes and the catalogue (searching here would time the lexical
            # re-stacking a write leaves for the next search, not the write; the tests search).
            indexes = engine.indexes
            found = external_id in indexes.tender_vectors and external_id in indexes.tender_lexical
            misses += not (found and external_id in engine.catalogue.tenders.position)
    for n in range(args.writes):
        external_id = f"BENCH-{run}-{n}"
        began = time.perf_counter()
        with store.session() as session:
            row = session.query(Tender).filter_by(external_id=external_id).one()
            session.delete(row)
        middle = time.perf_counter()
        engine.remove("tenders", [external_id])
        ended = time.perf_counter()
        total["delete"].append((ended - began) * 1000)
        engine_only["delete"].append((ended - middle) * 1000)
        misses += external_id in engine.indexes.tender_vectors
    for kind in total:
        print(
            f"{kind:6s} x{len(total[kind])}: write p50 {statistics.median(total[kind]):.1f} ms, "
            f"p99 {percentile(total[kind], 0.99):.1f} ms; "
            f"engine part p50 {statistics.median(engine_only[kind]):.1f} ms, "
            f"p99 {percentile(engine_only[kind], 0.99):.1f} ms"
        )
    print(f"writes not visible right after they returned: {misses}")
    print(f"snapshots written in the background meanwhile: {engine.indexes.snapshots.snapshots}")
    began = time.perf_counter()
    engine.indexes.save()
    print(f"one full snapshot (both collections, off the request path): {time.perf_counter() - began:.1f} s")
    engine.close()


if __name__ == "__main__":
    main()
