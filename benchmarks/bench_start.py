"""Time to /ready and memory of `tremplin serve` with 1 and 2 workers over the same snapshot.

Run: .venv/bin/python benchmarks/bench_start.py --home DIR [--workers 1 2] [--embedder hashing]
(prepare DIR once with benchmarks/corpus.py: 100k tenders + 10k startups, snapshot written).

For each worker count: start the server, poll /ready, then read /proc/<pid>/smaps_rollup of every
uvicorn process. RSS counts shared pages once per process (the memory-mapped FAISS vectors and
case-base matrices appear in each worker's RSS); PSS splits each shared page between the processes
mapping it, so the sum of PSS is the real total; USS (private pages) is what one more worker costs.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def memory(pid: int) -> dict[str, int]:
    """kB of Rss, Pss and private (Private_Clean + Private_Dirty) pages of one process."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        path = task / "children"
        if path.exists():
            children += [int(child) for child in path.read_text().split()]
    return children + [grand for child in children for grand in descendants(child)]


def measure(workers: int, timeout: float) -> tuple[float, list[dict[str, int]]]:
    port = _free_port()
    command = [str(Path(sys.executable).with_name("tremplin")), "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    started = time.perf_counter()
    server = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = 0
        while time.perf_counter() - started < timeout:
            try:  # with several workers, wait until each has answered ready (connections spread)
                if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                    ready += 1
                    if ready >= 4 * workers:
                        break
                    continue
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit(f"not ready after {timeout} s")
        elapsed = time.perf_counter() - started
        time.sleep(2)
        processes = [server.pid, *descendants(server.pid)]
        return elapsed, [memory(pid) | {"pid": pid} for pid in processes]
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", required=True)
    parser.add_argument("--embedder", default="hashing")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    os.environ["TREMPLIN_HOME"] = str(Path(args.home))
    os.environ["TREMPLIN_EMBEDDER"] = args.embedder
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    totals: dict[int, dict[str, int]] = {}
    for workers in args.workers:
        elapsed, processes = measure(workers, args.timeout)
        # The uvicorn supervisor (with --workers > 1) is small; count every process of the server.
        total = {key: sum(p[key] for p in processes) for key in ("rss", "pss", "uss")}
        totals[workers] = total
        print(
            f"{workers} worker(s): /ready in {elapsed:.1f} s; {len(processes)} processes, "
            f"RSS {total['rss'] / 1024:.0f} MB, PSS {total['pss'] / 1024:.0f} MB, USS {total['uss'] / 1024:.0f} MB"
        )
        for p in processes:
            print(
                f"   pid {p['pid']}: RSS {p['rss'] / 1024:.0f} MB, PSS {p['pss'] / 1024:.0f} MB, "
                f"USS {p['uss'] / 1024:.0f} MB"
            )
    if 1 in totals and 2 in totals:
        print(
            f"2 workers / 1 worker: PSS {totals[2]['pss'] / totals[1]['pss']:.2f}x, "
            f"RSS {totals[2]['rss'] / totals[1]['rss']:.2f}x (RSS counts shared pages twice)"
        )


if __name__ == "__main__":
    main()
