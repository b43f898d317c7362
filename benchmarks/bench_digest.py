"""Digest build benchmark: 1,000 opted-in startups against 10,000 tenders published this week.

Run: .venv/bin/python benchmarks/bench_digest.py [--startups 1000] [--tenders 10000] [--embedder hashing]
Prints the time of the first build (rank + write every digest), of an idempotent rebuild, and the
ranking time per startup. The target is a first build under 30 s on the project machine. Indexes
are built before timing (that is `tremplin index`'s job, not the digest's).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _fresh(tenders: Iterator[dict[str, Any]], now: datetime, seed: int = 3) -> Iterator[dict[str, Any]]:
    """Synthetic tenders, all open and published in the last six days (new for every digest)."""
    rng = random.Random(seed)
    for tender in tenders:
        published = now - timedelta(hours=rng.randint(1, 6 * 24))
        yield tender | {
            "status": "open",
            "published_at": published.isoformat(),
            "deadline_at": (published + timedelta(days=rng.randint(10, 60))).isoformat(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--startups", type=int, default=1_000)
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--embedder", default="hashing", help="'hashing' (fast), 'minilm', 'use' or a local model.")
    parser.add_argument("--home", default=None, help="Reuse a state folder (skips ingest when filled).")
    args = parser.parse_args()

    home = Path(args.home or tempfile.mkdtemp(prefix="tremplin-bench-digest-"))
    os.environ["TREMPLIN_HOME"] = str(home)
    os.environ["TREMPLIN_EMBEDDER"] = args.embedder

    from matcher.datasets.synth import synth_startups, synth_tenders
    from matcher.digests.build import build_batch
    from matcher.digests.weeks import current_week
    from matcher.ingest import ingest_records
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings
    from matcher.store import Store

    settings = get_settings()
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    now = datetime.now(UTC)
    if store.counts()["tenders"] < args.tenders:
        started = time.perf_counter()
        ingest_records(store, "startups", synth_startups(args.startups), source="synth")
        ingest_records(store, "tenders", _fresh(synth_tenders(args.tenders, now=now), now), source="synth")
        print(f"ingest: {args.startups} startups + {args.tenders} tenders in {time.perf_counter() - started:.1f} s")

    engine = Engine(store, settings)
    started = time.perf_counter()
    engine.load()
    print(f"index load/build: {time.perf_counter() - started:.1f} s (model {engine.embedder.model_id}; not timed)")

    week = current_week(settings.default_timezone)
    started = time.perf_counter()
    report = build_batch(store, engine, week, "startup", actor="benchmark", settings=settings)
    first = time.perf_counter() - started
    print(
        f"first build {week}: {first:.1f} s for {report.recipients} startups × {args.tenders} new tenders "
        f"({1000 * first / max(report.recipients, 1):.1f} ms per startup); {report.created} digests, "
        f"{report.items} items, {report.without_match} without a good match"
    )
    started = time.perf_counter()
    again = build_batch(store, engine, week, "startup", actor="benchmark", settings=settings)
    print(
        f"rebuild (idempotent): {time.perf_counter() - started:.1f} s; {again.unchanged} unchanged, "
        f"{again.updated} updated, {again.created} created"
    )
    print(f"target: first build under 30 s → {'met' if first < 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
