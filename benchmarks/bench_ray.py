"""Ray batch work against one process: embedding a large import, and ranking the weekly digests.

Run: .venv/bin/python benchmarks/bench_ray.py [--tenders 10000] [--embedder use] [--repeats 3]
     [--digest-startups 300] [--digest-tenders 3000]

Embedding: N synthetic tender texts (title + description) encoded in this process (the embedder's own
threads), then by 1 and 2 Ray workers on a local instance (`ray.init(num_cpus=W)`, one actor per
CPU, batches of 512). Ray's start and the workers' model load are timed apart from the embedding;
the vectors are checked against the single-process ones. Digests: the startup batch of a corpus
built in-process, then with `ray_ranker` on 1 and 2 workers (each worker loads a read-only engine
from the published snapshot: that load is part of the time). Medians of `--repeats` runs. On a
shared machine the load average is printed with the figures: read the ratios with it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from matcher.batch import ray_runner
from matcher.datasets.synth import synth_startups, synth_tenders
from matcher.index.embedding import load_embedder
from matcher.settings import Settings


def _median(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _speed_up(rows: dict[int, float], alone: float) -> None:
    print(
        f"  speed-up 2 vs 1 Ray worker: {rows[1] / rows[2]:.2f}x; 2 workers vs single process: {alone / rows[2]:.2f}x"
    )


def _row(workers: int, took: float) -> str:
    return f"  Ray, {workers} worker{'s' if workers > 1 else ' '}            {took:7.2f} s"


def bench_embedding(settings: Settings, count: int, repeats: int) -> None:
    texts = [f"{t['title']}. {t.get('description') or ''}" for t in synth_tenders(count, 11)]
    local = load_embedder(settings, cached=False)
    local.encode_documents(texts[:64])  # warm-up
    alone, reference = _median(lambda: local.encode_documents(texts), repeats)
    print(f"embedding {count} tenders with {local.model_id} (load average {_load()})")
    print(f"  single process           {alone:7.2f} s  {count / alone:8.0f} texts/s")
    rows = {}
    for workers in (1, 2):
        started = time.perf_counter()
        ray_runner.connect("local", cpus=workers)
        embedder = ray_runner.RayEmbedder(local, settings, workers)
        embedder.encode_documents(texts[: embedder.batch * workers + 1])  # starts the actors, loads the model
        ready = time.perf_counter() - started
        took, vectors = _median(lambda e=embedder: e.encode_documents(texts), repeats)
        difference = float(np.abs(vectors - reference).max())
        embedder.close()
        ray_runner.shutdown()
        rows[workers] = took
        print(
            f"{_row(workers, took)}  {count / took:8.0f} texts/s"
            f"  (start + model load {ready:.1f} s; max |Δ| vs single {difference:.1e}; load {_load()})"
        )
    _speed_up(rows, alone)


def bench_digests(settings: Settings, startups: int, tenders: int, repeats: int) -> None:
    from matcher.digests.build import build_batch
    from matcher.ingest import ingest_records
    from matcher.ranking.engine import Engine
    from matcher.store import Store

    settings = settings.model_copy(update={"embedder": "hashing", "snapshot_check_seconds": 0.0})
    store = Store(settings)
    store.migrate()
    ingest_records(store, "startups", synth_startups(startups, 5), source="synth")
    ingest_records(store, "tenders", synth_tenders(tenders, 6), source="synth")
    engine = Engine(store, settings)
    engine.load()
    engine.indexes.flush()
    now = datetime.now(UTC) + timedelta(hours=1)
    weeks = iter(f"2030-W{n:02d}" for n in range(1, 53))

    def build(ranker: Any = None) -> Any:
        return build_batch(store, engine, next(weeks), settings=settings, now=now, ranker=ranker)

    alone, report = _median(build, repeats)
    print(f"digests: {report.recipients} startups x {tenders} tenders, hashing embedder (load average {_load()})")
    print(f"  single process           {alone:7.2f} s  ({report.items} items)")
    rows = {}
    for workers in (1, 2):
        ray_runner.connect("local", cpus=workers)
        took, ray_report = _median(lambda w=workers: build(ray_runner.ray_ranker(settings, w)), repeats)
        ray_runner.shutdown()
        rows[workers] = took
        same = "same items" if ray_report.items == report.items else f"{ray_report.items} items (differs!)"
        print(f"{_row(workers, took)}  ({same}; load {_load()})")
    _speed_up(rows, alone)
    engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenders", type=int, default=10_000, help="Texts to embed.")
    parser.add_argument("--embedder", default="use", help="'use' (default), 'minilm', 'hashing' or a local model.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--digest-startups", type=int, default=300, help="0 skips the digest part.")
    parser.add_argument("--digest-tenders", type=int, default=3_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as folder:
        settings = Settings(home=Path(folder), embedder=args.embedder)
        settings.ensure_home()
        print(f"{os.cpu_count()} CPUs on this machine")
        bench_embedding(settings, args.tenders, args.repeats)
        if args.digest_startups:
            bench_digests(settings, args.digest_startups, args.digest_tenders, args.repeats)


if __name__ == "__main__":
    main()
