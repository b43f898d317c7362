"""HTTP load test on loopback: `GET /startups/{id}/matches` under concurrent clients.

Run: .venv/bin/python benchmarks/bench_http.py [--tenders 100000] [--startups 10000] [--embedder minilm]
     [--clients 32] [--duration 60] [--workers 1] [--home DIR]

Fills a state folder with `matcher.datasets.synth` data (skipped when `--home` already holds enough), builds
the indexes, measures the in-process p50/p99 of `Engine.recommend_tenders`, then starts
`tremplin serve` on a free loopback port and measures one client alone (the bare HTTP overhead),
then drives it with `--clients` concurrent keep-alive clients (httpx + asyncio, one process) for
`--duration` seconds after a short warm-up. Prints throughput, client-side p50/p90/p99, the
server-side mean from /metrics, errors (exit code 1 if any), and the ratio of HTTP p50 to
in-process p50, alone and under load. The load driver shares the machine's cores
with the server, so the throughput is a floor, not a ceiling; the load-independent figure is the
server's CPU time per request (all its processes, from /proc), printed with the capacity it implies on
2 free cores, and the memory (PSS, and PSS/USS per process) before and after the load.
The per-key rate limit on matching is off for the server it starts (it would answer 429).
With several workers it also prints the keep-alive connections each server process holds (from /proc, at
the end of the warm-up, mid-run and near the end), the latency of the requests each worker served (the
connection's client port names the worker), each worker's GC pauses (its /metrics), and whether the slowest
1% of requests bunch in a few seconds (a stall) or spread over the run (queueing).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from bench_start import descendants, memory
from connections import peers_by_pid
from latency import percentile, time_recommendations

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (fields 14 and 15 of /proc/PID/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def pss_mb(pids: list[int]) -> float:
    return sum(memory(pid)["pss"] for pid in pids) / 1024


def memory_line(pids: list[int]) -> str:
    """Per process: PSS (its share of every page) / USS (pages only it holds), MB."""
    return ", ".join(f"{(m := memory(pid))['pss'] / 1024:.0f}/{m['uss'] / 1024:.0f}" for pid in pids)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(args: argparse.Namespace) -> tuple[list[str], str, list[float], list[float]]:
    """Data, indexes, a staff key and the in-process latencies (ms) of the same request."""
    from matcher.datasets.synth import synth_startups, synth_tenders
    from matcher.ingest import ingest_records
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings
    from matcher.store import Store, keys

    settings = get_settings()
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    counts = store.counts()
    if counts["tenders"] < args.tenders or counts["startups"] < args.startups:
        started = time.perf_counter()
        ingest_records(store, "startups", synth_startups(args.startups), source="synth")
        ingest_records(store, "tenders", synth_tenders(args.tenders), source="synth")
        print(f"ingest: {args.startups} startups + {args.tenders} tenders in {time.perf_counter() - started:.1f} s")
    with store.session() as session:
        _, staff_key = keys.create_key(session, "staff", name="bench_http")

    engine = Engine(store, settings)
    started = time.perf_counter()
    engine.load(progress=True)
    print(
        f"indexes ready in {time.perf_counter() - started:.1f} s: {len(engine.catalogue.tenders.records)} tenders, "
        f"{len(engine.catalogue.startups)} startups, model {engine.embedder.model_id}"
    )
    startup_ids = sorted(engine.catalogue.startups)
    rng = random.Random(0)
    for warm in startup_ids[:20]:
        engine.recommend_tenders(warm, limit=10)
    cpu_started = time.process_time()
    latencies = time_recommendations(engine, startup_ids, rng, args.inprocess_requests)
    print(f"in-process CPU per recommend: {(time.process_time() - cpu_started) * 1000 / len(latencies):.1f} ms")
    route_work = time_route_work(engine, startup_ids, random.Random(0), args.inprocess_requests)
    route_p50 = statistics.median(route_work)
    print(
        f"in-process, the route's whole work (page of matches, grades, localized explanations, JSON): "
        f"p50 {route_p50:.1f} ms, p99 {percentile(route_work, 0.99):.1f} ms"
    )
    gc.unfreeze()  # one source of tail latency: a full collection over everything the engine holds
    started = time.perf_counter()
    gc.collect()
    unfrozen = (time.perf_counter() - started) * 1000
    gc.freeze()
    started = time.perf_counter()
    gc.collect()
    frozen = (time.perf_counter() - started) * 1000
    print(
        f"full GC pause with the engine loaded: {unfrozen:.0f} ms over {len(gc.get_objects()) + gc.get_freeze_count()} "
        f"objects; {frozen:.0f} ms once they are frozen (Engine.load freezes them)"
    )
    del engine  # the server loads its own; do not hold two copies in memory
    gc.collect()
    store.dispose()
    return startup_ids, staff_key, latencies, route_work


def time_route_work(engine: Any, startup_ids: list[str], rng: random.Random, requests: int) -> list[float]:
    """What `GET /startups/{id}/matches` does once it has the engine, without a socket: HTTP's own cost
    is the difference between this and one client's latency."""
    from matcher.ranking.results import TenderFilters
    from service.localize import localize_matches
    from service.schemas import MatchesPublic

    latencies = []
    for _ in range(requests):
        startup_id = rng.choice(startup_ids)
        started = time.perf_counter()
        matches, total = engine.recommend_tenders_page(startup_id, TenderFilters(), limit=10, offset=0)
        body = MatchesPublic(data=localize_matches(matches, "fr"), total=total, limit=10, offset=0)
        body.model_dump_json()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def start_server(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("tremplin")),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",  # one access line per request would cost the server time and fill the terminal
    ]
    # The per-key limit on matching calls (120/minute) would answer 429 to the load driver's one key:
    # this measures capacity, so it is off here (it costs a few microseconds per request either way).
    # /metrics (off by default) gives the server-side latency and each worker's GC pauses.
    env = os.environ | {"TREMPLIN_RATE_LIMIT_ENABLED": "false", "TREMPLIN_METRICS_ENABLED": "true"}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + args.start_timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited during start-up (code {server.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"the server was not ready after {args.start_timeout} s")


def sequential_latencies(base_url: str, key: str, startup_ids: list[str], requests: int) -> list[float]:
    """One keep-alive client, one request at a time: the bare cost of going through HTTP."""
    rng = random.Random(1)
    latencies = []
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        for n in range(requests + 10):
            started = time.perf_counter()
            response = http.get(f"/startups/{rng.choice(startup_ids)}/matches", params={"limit": 10})
            response.raise_for_status()
            if n >= 10:  # the first few warm the connection and caches
                latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _client_port(response: httpx.Response) -> int | None:
    """The local port of the connection that carried this response (names the worker that served it)."""
    stream = response.extensions.get("network_stream")
    address = stream.get_extra_info("client_addr") if stream is not None else None
    return int(address[1]) if address else None


async def drive(
    base_url: str,
    key: str,
    startup_ids: list[str],
    clients: int,
    warmup: float,
    duration: float,
    watch: tuple[int, list[int]] | None = None,
) -> tuple[list[float], Counter[str], float, int, list[int | None], list[dict[int, set[int]]], list[float]]:
    """Each client loops on random startups; only requests started after the warm-up count.

    With `watch` = (server port, server pids), also samples which process holds which connection
    (at the end of the warm-up, mid-run and near the end), and returns each latency's client port."""
    latencies: list[float] = []
    ports: list[int | None] = []
    begun: list[float] = []  # when each measured request started, seconds into the measured window
    samples: list[dict[int, set[int]]] = []
    outcomes: Counter[str] = Counter()
    made = [0]  # every request, warm-up included: what the CPU time is divided by
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    loop = asyncio.get_running_loop()
    begin = loop.time()
    measure_from = begin + warmup
    stop_at = measure_from + duration

    async def client(number: int, http: httpx.AsyncClient) -> None:
        rng = random.Random(number)
        while True:
            started = loop.time()
            if started >= stop_at:
                return
            startup_id = rng.choice(startup_ids)
            port = None
            try:
                response = await http.get(f"/startups/{startup_id}/matches", params={"limit": 10})
                outcome = str(response.status_code)
                port = _client_port(response)
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            made[0] += 1
            if started >= measure_from:
                latencies.append((loop.time() - started) * 1000)
                ports.append(port)
                begun.append(started - measure_from)
                outcomes[outcome] += 1

    async def sample() -> None:
        if watch is None:
            return
        for at in (measure_from, measure_from + duration / 2, stop_at - min(1.0, duration / 4)):
            await asyncio.sleep(max(0.0, at - loop.time()))
            samples.append(peers_by_pid(*watch))

    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30) as http:
        await asyncio.gather(sample(), *(client(n, http) for n in range(clients)))
    return latencies, outcomes, loop.time() - measure_from, made[0], ports, samples, begun


def per_worker_lines(latencies: list[float], ports: list[int | None], samples: list[dict[int, set[int]]]) -> list[str]:
    """Connections each server process held at each sample, and the latency of the requests it served."""
    if not samples:
        return []
    lines = [
        "connections per server process (pid: ESTABLISHED, at end of warm-up / mid-run / end): "
        + "; ".join(
            f"{pid}: {' / '.join(str(len(sample.get(pid, ()))) for sample in samples)}"
            for pid in samples[0]
            if any(sample.get(pid) for sample in samples)
        )
    ]
    owner = {peer: pid for sample in samples for pid, peers in sample.items() for peer in peers}
    served: dict[int, list[float]] = {}
    for latency, port in zip(latencies, ports, strict=True):
        if port in owner:
            served.setdefault(owner[port], []).append(latency)
    for pid, values in sorted(served.items()):
        lines.append(
            f"   worker {pid}: {len(values)} requests, p50 {statistics.median(values):.1f} ms, "
            f"p90 {percentile(values, 0.90):.1f} ms, p99 {percentile(values, 0.99):.1f} ms"
        )
    return lines


def server_mean_ms(base_url: str) -> float | None:
    """Mean latency of the matches route as the server measured it (Prometheus histogram)."""
    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    route = r'method="GET",route="/startups/\{startup_id\}/matches"'
    total = re.search(rf"tremplin_http_request_duration_seconds_sum\{{{route}\}} ([0-9.e+-]+)", text)
    count = re.search(rf"tremplin_http_request_duration_seconds_count\{{{route}\}} ([0-9.e+-]+)", text)
    if not total or not count or float(count.group(1)) == 0:
        return None
    return 1000 * float(total.group(1)) / float(count.group(1))


def gc_pauses_by_worker(base_url: str, port: int, pids: list[int], tries: int = 12) -> dict[int, str]:
    """Each worker's garbage-collection pauses since it started, from its own /metrics (fresh
    connections until every worker has answered; the connection's owner names the worker)."""
    figures: dict[int, str] = {}
    for _ in range(tries):
        with httpx.Client(base_url=base_url, timeout=10) as http:
            response = http.get("/metrics")
            client_port = _client_port(response)
            owner = [pid for pid, peers in peers_by_pid(port, pids).items() if client_port in peers]
        values = {
            (name, generation): float(value)
            for name, generation, value in re.findall(
                r'tremplin_gc_(collections_total|pause_seconds_total|pause_max_seconds)\{generation="(\d)"\} (\S+)',
                response.text,
            )
        }
        if owner and values:
            figures[owner[0]] = ", ".join(
                f"gen{gen} {values[('collections_total', gen)]:.0f} collections, "
                f"{1000 * values[('pause_seconds_total', gen)]:.0f} ms in all, "
                f"longest {1000 * values[('pause_max_seconds', gen)]:.1f} ms"
                for gen in "012"
            )
        if len(figures) == len(pids) - 1:  # every worker (the master serves no request)
            break
    return figures


def when_line(latencies: list[float], begun: list[float]) -> str:
    """Is the tail spread over the run (queueing) or bunched in a few seconds (a stall of the machine or
    the process: GC, another program taking the cores)? Requests started per second, and where the slowest
    1% started."""
    per_second = Counter(int(start) for start in begun)
    seconds = range(int(max(begun)) + 1) if begun else range(0)
    rates = [per_second.get(second, 0) for second in seconds]
    slowest = sorted(range(len(latencies)), key=latencies.__getitem__)[-max(1, len(latencies) // 100) :]
    bunched = Counter(int(begun[index]) for index in slowest)
    return (
        f"requests started per second: min {min(rates, default=0)}, median {statistics.median(rates or [0]):.0f}, "
        f"max {max(rates, default=0)}; the slowest 1% ({len(slowest)}) started in {len(bunched)} distinct seconds, "
        f"the busiest of them holding {max(bunched.values(), default=0)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--startups", type=int, default=10_000)
    parser.add_argument("--embedder", default="minilm", help="'minilm', 'use', 'hashing' or a local model.")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="Measured seconds, after the warm-up.")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument(
        "--workers", type=int, default=1, help="Server worker processes (>1: forked from one loaded engine)."
    )
    parser.add_argument("--inprocess-requests", type=int, default=300)
    parser.add_argument("--sequential-requests", type=int, default=200, help="One-client requests before the load.")
    parser.add_argument("--start-timeout", type=float, default=900.0)
    parser.add_argument("--home", default=None, help="Reuse a state folder (skips ingest when filled).")
    parser.add_argument("--port", type=int, default=0, help="Server port (default: a free one).")
    args = parser.parse_args()

    home = Path(args.home or tempfile.mkdtemp(prefix="tremplin-bench-http-"))
    os.environ["TREMPLIN_HOME"] = str(home)
    os.environ["TREMPLIN_EMBEDDER"] = args.embedder
    print(f"state folder: {home}")

    startup_ids, key, inprocess, route_work = prepare(args)
    inprocess_p50 = statistics.median(inprocess)
    print(
        f"in-process recommend_tenders (limit 10): p50 {inprocess_p50:.1f} ms, "
        f"p99 {percentile(inprocess, 0.99):.1f} ms over {len(inprocess)} requests"
    )

    port = args.port or _free_port()
    base_url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = start_server(args, port)
    print(f"server ready in {time.perf_counter() - started:.1f} s ({args.workers} worker(s)) at {base_url}")
    try:
        sequential = sequential_latencies(base_url, key, startup_ids, args.sequential_requests)
        sequential_p50 = statistics.median(sequential)
        print(
            f"one client, {len(sequential)} requests in a row: p50 {sequential_p50:.1f} ms, "
            f"p99 {percentile(sequential, 0.99):.1f} ms"
        )
        pids = [server.pid, *descendants(server.pid)]
        memory_before, processes_before = pss_mb(pids), memory_line(pids)
        cpu_before, client_before = cpu_seconds(pids), time.process_time()
        latencies, outcomes, elapsed, made, ports, samples, begun = asyncio.run(
            drive(base_url, key, startup_ids, args.clients, args.warmup, args.duration, watch=(port, pids))
        )
        server_cpu, client_cpu = cpu_seconds(pids) - cpu_before, time.process_time() - client_before
        memory_after, processes_after = pss_mb(pids), memory_line(pids)
        server_side = server_mean_ms(base_url)
        try:
            gc_figures = gc_pauses_by_worker(base_url, port, pids) if args.workers > 1 else {}
        except (httpx.HTTPError, KeyError) as exc:  # an extra figure: never lose the run's others for it
            gc_figures = {0: f"unavailable ({exc!r})"}
    finally:
        server.terminate()
        server.wait(timeout=60)

    total = sum(outcomes.values())
    errors = total - outcomes.get("200", 0)
    http_p50 = statistics.median(latencies) if latencies else float("nan")
    print(
        f"HTTP GET /startups/{{id}}/matches, {args.clients} clients, {elapsed:.0f} s: {total} requests, "
        f"{total / elapsed:.1f} req/s, errors {errors} {dict(outcomes) if errors else ''}"
    )
    if latencies:
        server_note = (
            f"{server_side:.1f} ms"
            if server_side is not None
            else "unavailable (the worker that answered /metrics served none: metrics are per process)"
        )
        print(
            f"client latency: p50 {http_p50:.1f} ms, p90 {percentile(latencies, 0.90):.1f} ms, "
            f"p99 {percentile(latencies, 0.99):.1f} ms; server-side mean {server_note}"
        )
        for line in per_worker_lines(latencies, ports, samples):
            print(line)
        print(when_line(latencies, begun))
        for pid, line in sorted(gc_figures.items()):
            print(f"   worker {pid} GC pauses since it started: {line}")
        print(
            "one-client HTTP p50 / in-process p50 of the route's work: "
            f"{sequential_p50 / statistics.median(route_work):.2f}"
            " (what HTTP itself adds: socket, server, middleware, auth)"
        )
        print(
            f"HTTP p50 / in-process recommend_tenders p50: {sequential_p50 / inprocess_p50:.2f} with one client "
            f"(HTTP, auth and JSON overhead), {http_p50 / inprocess_p50:.1f} with {args.clients} clients "
            "(adds queueing behind the CPU-bound ranking)"
        )
    cpu_ms = 1000 * server_cpu / max(made, 1)
    print(
        f"server CPU per request: {cpu_ms:.1f} ms over {made} requests ({len(pids)} processes; load-independent), "
        f"so 2 free cores would serve about {2000 / cpu_ms:.0f} req/s; the load driver used "
        f"{1000 * client_cpu / max(made, 1):.1f} ms of CPU per request besides"
    )
    print(f"server memory (PSS, all processes): {memory_before:.0f} MB before the load, {memory_after:.0f} MB after")
    print(
        f"   per process, PSS/USS MB (first: the one that loaded and forked): before {processes_before}; "
        f"after {processes_after}"
    )
    sys.exit(1 if errors or not latencies else 0)


if __name__ == "__main__":
    main()
