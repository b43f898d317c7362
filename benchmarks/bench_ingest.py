"""Ingestion memory benchmark: peak RSS of `ingest_file` for 10k, 100k and 1M startup rows, and the time
for a 1M-row Parquet upload to be refused by the row limit.

Run: .venv/bin/python benchmarks/bench_ingest.py [--sizes 10000 100000 1000000] [--format parquet|csv]
Each size is ingested in its own subprocess into a fresh SQLite store (so peak RSS is that import's
alone, measured with resource.getrusage); the file is written beforehand by the parent. The figure to
watch is how peak RSS grows with rows: reading and writing in chunks keeps it near the baseline of
the imported libraries instead of growing with the file.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTORS = ["fintech", "agritech", "healthtech", "edtech", "logistique", "énergie", "eau", "BTP numérique"]
CITIES = ["Casablanca", "Rabat", "Tanger", "Fès", "Marrakech", "Agadir", "Oujda", "Kénitra"]


def write_file(path: Path, rows: int, fmt: str) -> None:
    """Startups with realistic text (every row distinct), written in slices to keep the parent small."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    step = 50_000
    for start in range(0, rows, step):
        ids = range(start, min(rows, start + step))
        table = pa.table(
            {
                "external_id": [f"S-{n:07d}" for n in ids],
                "name": [f"Startup {n} {SECTORS[n % 8]}" for n in ids],
                "description": [
                    f"Solutions {SECTORS[n % 8]} pour les collectivités de {CITIES[n % 8]}, plateforme n°{n}, "
                    "capteurs, tableaux de bord et accompagnement des équipes sur le terrain."
                    for n in ids
                ],
                "sectors": [f"{SECTORS[n % 8]};{SECTORS[(n + 3) % 8]}" for n in ids],
                "city": [CITIES[n % 8] for n in ids],
                "founding_year": [2010 + n % 15 for n in ids],
                "headcount": [3 + n % 40 for n in ids],
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema) if fmt == "parquet" else pacsv.CSVWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def child(path: str, home: str, max_rows: int) -> None:
    """One import in this process; prints JSON with peak RSS and timings."""
    from matcher.ingest import ingest_file
    from matcher.settings import Settings
    from matcher.store import Store

    store = Store(Settings(home=Path(home)))
    store.migrate()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = ingest_file(store, "startups", Path(path), max_rows=max_rows)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": report.rows, "created": report.created, "seconds": seconds,
                      "baseline_mb": baseline / 1024, "peak_mb": peak / 1024}))  # fmt: skip


def refuse_upload(path: Path, home: Path) -> dict[str, float]:
    """A 1M-row Parquet file POSTed to /imports/startups with the default row limit."""
    from fastapi.testclient import TestClient

    from matcher.settings import Settings
    from matcher.store import Store, keys
    from service.app import create_app

    settings = Settings(home=home, embedder="hashing", max_upload_bytes=200 * 1024 * 1024)
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    with store.session() as session:
        _, key = keys.create_key(session, "staff", name="bench")
    data = path.read_bytes()
    with TestClient(create_app(settings, load_engine=False)) as client:
        started = time.perf_counter()
        response = client.post(
            "/imports/startups", files={"file": ("big.parquet", data)}, headers={"Authorization": f"Bearer {key}"}
        )
        seconds = time.perf_counter() - started
    return {"status": response.status_code, "seconds": seconds, "bytes": len(data), "answer": len(response.content)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--child", nargs=3, metavar=("FILE", "HOME", "MAX_ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        root = Path(tmp)
        print(f"{'rows':>9} {'file MB':>8} {'seconds':>8} {'baseline MB':>12} {'peak RSS MB':>12} {'growth MB':>10}")
        for size in args.sizes:
            path = root / f"startups-{size}.{args.format}"
            write_file(path, size, args.format)
            home = root / f"home-{size}"
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(path), str(home), str(size)],
                cwd=ROOT, check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            result = json.loads(out.strip().splitlines()[-1])
            assert result["created"] == size, result
            print(
                f"{size:>9} {path.stat().st_size / 1e6:>8.1f} {result['seconds']:>8.1f} {result['baseline_mb']:>12.0f} "
                f"{result['peak_mb']:>12.0f} {result['peak_mb'] - result['baseline_mb']:>10.0f}"
            )
        big = root / "refuse-1000000.parquet"
        write_file(big, 1_000_000, "parquet")
        refused = refuse_upload(big, root / "home-refuse")
        print(
            f"1M-row Parquet upload ({refused['bytes'] / 1e6:.1f} MB): HTTP {refused['status']} in "
            f"{refused['seconds'] * 1000:.0f} ms, answer {refused['answer']} bytes"
        )


if __name__ == "__main__":
    main()
