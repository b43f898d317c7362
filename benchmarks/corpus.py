"""What the scale benchmarks share: a state folder filled with `tremplin synth` data and built indexes.

Run alone to prepare one: .venv/bin/python benchmarks/corpus.py --home DIR [--tenders 100000]
[--startups 10000] [--embedder hashing]. Reusing the folder skips the ingest (and the build when the
snapshot is current), so several benchmarks can measure the same 100k corpus.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def fill(home: Path, tenders: int, startups: int, embedder: str) -> None:
    """Ingest synthetic data into `home` (when short of it) and build/load the indexes once."""
    os.environ["TREMPLIN_HOME"] = str(home)
    os.environ["TREMPLIN_EMBEDDER"] = embedder
    from matcher.datasets.synth import synth_startups, synth_tenders
    from matcher.ingest import ingest_records
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings
    from matcher.store import Store

    settings = get_settings()
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    counts = store.counts()
    if counts["tenders"] < tenders or counts["startups"] < startups:
        started = time.perf_counter()
        ingest_records(store, "startups", synth_startups(startups), source="synth")
        ingest_records(store, "tenders", synth_tenders(tenders), source="synth")
        print(f"ingest: {startups} startups + {tenders} tenders in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    engine = Engine(store, settings)
    report = engine.load(progress=False)
    getattr(engine, "close", lambda: None)()  # flushes a pending snapshot
    print(f"engine load/build: {report} in {time.perf_counter() - started:.1f} s")
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", required=True)
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--startups", type=int, default=10_000)
    parser.add_argument("--embedder", default="hashing")
    args = parser.parse_args()
    fill(Path(args.home), args.tenders, args.startups, args.embedder)


if __name__ == "__main__":
    main()
