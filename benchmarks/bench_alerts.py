"""Saved-search alerts benchmark: `tremplin alerts run` with 10,000 saved searches against 1,000 new tenders.

Run: .venv/bin/python benchmarks/bench_alerts.py [--searches 10000] [--tenders 1000] [--embedder use]
     [--startups 1000] [--no-smtp]

Every e-mail goes over SMTP to an aiosmtpd sink in another process (as in production, one connection
for the run), unless --no-smtp. Prints the time of the first run (match + render + send + record), of
an idempotent second run (must send nothing), and the matching step alone. Indexes are built before
timing (that is `tremplin index`'s job). Target: first run ≤ 60 s on the project machine.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fresh(tenders: Any, now: datetime, seed: int = 3) -> Any:
    """Synthetic tenders, all open and published in the last day: new for every saved search."""
    rng = random.Random(seed)
    for tender in tenders:
        published = now - timedelta(hours=rng.randint(1, 24))
        yield tender | {
            "status": "open",
            "published_at": published.isoformat(),
            "deadline_at": (published + timedelta(days=rng.randint(10, 60))).isoformat(),
        }


def _searches(count: int, startups: int, seed: int = 5) -> list[dict[str, Any]]:
    """Founders' saved searches: need phrases from the synthetic vocabulary (alone or two together, in the
    three languages) with a realistic mix of filters."""
    from matcher.datasets.synth import SECTORS
    from matcher.schemas import MOROCCAN_REGIONS

    rng = random.Random(seed)
    phrases = [p for vocab in SECTORS.values() for lang in ("fr", "en", "ar") for p in vocab[lang]]
    divisions = sorted({code[:2] for vocab in SECTORS.values() for code in vocab["cpv"]})
    rows = []
    for n in range(count):
        query = rng.choice(phrases)
        if rng.random() < 0.4:
            query = f"{query} {rng.choice(phrases)}"
        if rng.random() < 0.1:
            query = ""
        filters: dict[str, Any] = {}
        if rng.random() < 0.3 or not query:
            filters["region"] = rng.choice(MOROCCAN_REGIONS)
        if rng.random() < 0.3:
            filters["cpv_prefix"] = rng.choice(divisions)
        if rng.random() < 0.2:
            filters["max_value"] = float(rng.choice([500_000, 2_000_000, 10_000_000]))
        if rng.random() < 0.1:
            filters["reserved_for_sme"] = True
        if rng.random() < 0.1:
            filters["buyer_kind"] = rng.choice(["ministry", "public_enterprise", "local_authority", "corporate"])
        rows.append(
            {
                "startup": n % startups,
                "name": f"alerte {n}",
                "query": query[:200],
                "filters": filters,
                "frequency": rng.choice(["instant", "daily", "weekly"]),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--searches", type=int, default=10_000)
    parser.add_argument("--tenders", type=int, default=1_000)
    parser.add_argument("--startups", type=int, default=1_000, help="Owners of the searches (≤ 25 each).")
    parser.add_argument("--embedder", default="use", help="'use' (default), 'minilm' or 'hashing'.")
    parser.add_argument("--no-smtp", action="store_true", help="Skip the SMTP sink (matching + recording only).")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="tremplin-bench-alerts-"))
    port = _free_port()
    os.environ.update(
        {
            "TREMPLIN_HOME": str(home),
            "TREMPLIN_EMBEDDER": args.embedder,
            "TREMPLIN_SMTP_HOST": "127.0.0.1",
            "TREMPLIN_SMTP_PORT": str(port),
        }
    )
    import secrets

    from sqlalchemy import insert, select

    from matcher.alerts.run import run_alerts
    from matcher.datasets.synth import synth_startups, synth_tenders
    from matcher.ingest import ingest_records
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings
    from matcher.store import SavedSearch, Startup, Store

    settings = get_settings()
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    now = datetime.now(UTC)
    started = time.perf_counter()
    ingest_records(store, "startups", synth_startups(args.startups), source="synth")
    ingest_records(store, "tenders", _fresh(synth_tenders(args.tenders, now=now), now), source="synth")
    rows = _searches(args.searches, args.startups)
    with store.session() as session:
        pk = {external_id: id_ for external_id, id_ in session.execute(select(Startup.external_id, Startup.id))}
        session.execute(
            insert(SavedSearch),
            [
                {
                    "startup_id": pk[f"SYN-ST-{row['startup']:06d}"],
                    "name": row["name"],
                    "query": row["query"],
                    "filters": row["filters"],
                    "frequency": row["frequency"],
                    "active": True,
                    "feed_token": secrets.token_urlsafe(24),
                    "created_at": now,
                }
                for row in rows
            ],
        )
    now = datetime.now(UTC)  # the run starts after the tenders were stored
    distinct = len({r["query"] for r in rows})
    print(f"setup: {args.startups} startups, {args.tenders} new tenders, {args.searches} saved searches "
          f"({distinct} distinct queries) in {time.perf_counter() - started:.1f} s")  # fmt: skip

    engine = Engine(store, settings)
    started = time.perf_counter()
    engine.load()
    print(f"index load/build: {time.perf_counter() - started:.1f} s (model {engine.embedder.model_id}; not timed)")

    sink = None
    send = None
    if args.no_smtp:
        send = lambda recipient, data: None  # noqa: E731
    else:
        sink = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
    try:
        from matcher.alerts.matching import ProfileSpec, match_profiles

        with store.session() as session:
            specs = [ProfileSpec(s.id, s.query, dict(s.filters)) for s in session.scalars(select(SavedSearch))]
        started = time.perf_counter()
        matched = match_profiles(engine, specs, [r.external_id for r in engine.catalogue.tenders.records], now)
        alone = time.perf_counter() - started
        pairs = sum(len(v) for v in matched.found.values())
        print(f"matching alone: {alone:.1f} s for {len(specs)} searches × {args.tenders} tenders "
              f"({len(matched.found)} searches with a match, {pairs} pairs kept, top 20 each)")  # fmt: skip

        started = time.perf_counter()
        first = run_alerts(engine, settings, now=now, send=send)
        elapsed = time.perf_counter() - started
        print(f"first run: {elapsed:.1f} s — {first.due} due, {first.emails} e-mails, {first.tenders} tenders, "
              f"{len(first.failures)} failures{' (SMTP to an aiosmtpd sink)' if sink else ' (no SMTP)'}")  # fmt: skip
        started = time.perf_counter()
        second = run_alerts(engine, settings, now=now + timedelta(days=8), send=send)
        print(f"second run: {time.perf_counter() - started:.1f} s — {second.due} due, {second.emails} e-mails "
              f"(nothing new: must be 0)")  # fmt: skip
        print(f"target: first run ≤ 60 s → {'met' if elapsed <= 60 else 'NOT met'}")
    finally:
        if sink is not None:
            sink.terminate()
            sink.wait(timeout=10)


if __name__ == "__main__":
    main()
