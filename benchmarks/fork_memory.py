"""Where a forked worker's private memory comes from: load an engine, fork, rank, count copied pages.

Run: .venv/bin/python benchmarks/fork_memory.py --home H [--requests 500] [--stage full]

The parent loads the engine from `H` (a folder prepared by `benchmarks/corpus.py`, hashing embedder),
prepares the fork as `tremplin serve --workers N` does (`Engine.prepare_fork`: collect, `gc.freeze`),
notes the memory pages of the loaded Python objects by structure, then forks one child that serves
`--requests` `recommend_tenders` calls (limit 10, random startups) and reports:
- its private dirty memory per kind of mapping (smaps: [heap], anonymous mmaps = pymalloc arenas and
  numpy buffers, file-backed = the mapped snapshot), before and after the requests;
- per structure, how many of the pages holding its objects' headers (where the reference count is)
  the child now holds alone (`/proc/self/pagemap` bit 56, exclusively mapped), in MB: the pages it
  copied because a request read one of these objects. A page shared by two structures counts once,
  for the first listed.
`--stage candidates` stops each request after candidate retrieval, `matrix` after the feature matrix,
`full` (default) runs the whole ranking: the differences show what each step copies.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

PAGE = os.sysconf("SC_PAGE_SIZE")
_SKIP = {id(None), id(True), id(False), id(())}


def _addresses(values: Iterable[Any], deep: bool = False) -> list[int]:
    """Object addresses (their headers), with the members of tuples when `deep`."""
    out: list[int] = []
    for value in values:
        if id(value) in _SKIP or (type(value) is int and -5 <= value <= 256):
            continue
        out.append(id(value))
        if deep and isinstance(value, tuple):
            out += _addresses(value, deep=True)
            for member in value:
                if hasattr(member, "__slots__"):  # InferredCode
                    out += _addresses(getattr(member, name) for name in member.__slots__)
    return out


def structures(engine: Any) -> dict[str, list[int]]:
    """Object addresses per structure of the loaded engine, most specific first."""
    from matcher.ranking.catalogue import TenderRecord

    table = engine.catalogue.tenders
    records = table.records
    found: dict[str, list[int]] = {"tender records (objects)": [id(r) for r in records]}
    for name in TenderRecord.__slots__:
        found[f"tender .{name}"] = _addresses((getattr(r, name) for r in records), deep=True)
    found["catalogue position ints"] = _addresses(table.position.values())
    startups = list(engine.catalogue.startups.values())
    found["startup records + fields"] = [id(s) for s in startups] + [
        a for name in type(startups[0]).__slots__ for a in _addresses((getattr(s, name) for s in startups), True)
    ]
    for label, index in (("vectors", engine.indexes.tender_vectors), ("lexical", engine.indexes.tender_lexical)):
        found[f"tender {label} ids"] = _addresses(index._external)
        found[f"tender {label} row ints"] = _addresses(index._row_of.values())
    vocabularies: list[int] = []
    for vectorizer, _ in engine.indexes.tender_lexical._blocks + engine.indexes.startup_lexical._blocks:
        if vectorizer is not None:
            vocabularies += _addresses(vectorizer.vocabulary_.keys()) + _addresses(vectorizer.vocabulary_.values())
    for name in ("_vectorizer", "_words"):
        vectorizer = getattr(engine.casebase, name, None)
        if vectorizer is not None:
            vocabularies += _addresses(vectorizer.vocabulary_.keys()) + _addresses(vectorizer.vocabulary_.values())
    found["tf-idf vocabularies (terms, ints)"] = vocabularies
    found["case base tender rows"] = _addresses(engine.casebase._tender_rows.values(), deep=True)
    found["case base entries"] = _addresses(engine.casebase._entries.values())
    warm = engine.casebase._warm
    if warm is not None:
        found["case base warm row ints"] = _addresses(warm.row.values())
        texts = warm.texts if isinstance(warm.texts, list) else []
        found["case base warm texts"] = _addresses(texts)
    return found


def page_sets(found: dict[str, list[int]]) -> dict[str, np.ndarray]:
    """Distinct pages per structure, each page given to the first structure that holds it."""
    taken: set[int] = set()
    out = {}
    for name, addresses in found.items():
        pages = {a // PAGE for a in addresses} - taken
        taken |= pages
        out[name] = np.array(sorted(pages), dtype=np.int64)
    return out


def exclusive(pages: np.ndarray) -> int:
    """How many of these pages this process maps alone (bit 56 of its pagemap entries)."""
    count = 0
    with open("/proc/self/pagemap", "rb") as pagemap:
        for page in pages.tolist():
            entry = int.from_bytes(os.pread(pagemap.fileno(), 8, page * 8), "little")
            count += (entry >> 63) & 1 and (entry >> 56) & 1
    return count


def private_by_kind() -> dict[str, int]:
    """kB of Private_Dirty per kind of mapping (/proc/self/smaps)."""
    kinds: dict[str, int] = {}
    kind = "?"
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if "-" in head[0] and len(head) >= 5:
            name = head[5] if len(head) > 5 else ""
            kind = name if name.startswith("[") else ("file " + Path(name).suffix or "file") if name else "anonymous"
            if name and "/indexes/" in name:
                kind = "mapped snapshot"
            elif name.endswith(".so") or ".so." in name:
                kind = "shared libraries"
        elif head[0] == "Private_Dirty:":
            kinds[kind] = kinds.get(kind, 0) + int(head[1])
    return kinds


def run(engine: Any, stage: str, startup_ids: list[str], requests: int) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    for _ in range(requests):
        startup_id = rng.choice(startup_ids)
        if stage == "full":
            engine.recommend_tenders_page(startup_id, limit=10, now=now)
            continue
        startup = engine.startup(startup_id)
        vector = engine.indexes.startup_vectors.vector(startup_id)
        mask = engine.catalogue.open_tender_mask(now, engine.settings.min_days_before_deadline)
        table = engine.catalogue.tenders

        def admissible(external_id: str, table: Any = table, mask: np.ndarray = mask) -> bool:
            position = table.position.get(external_id)
            return position is not None and bool(mask[position])

        candidates = engine._candidates(
            engine.indexes.tender_vectors, engine.indexes.tender_lexical, vector, startup.text,
            admissible, None, need=10, population=int(mask.sum()),
        )  # fmt: skip
        if stage == "matrix":
            engine.tender_matrix(startup, candidates, now, vector, case_limit=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", required=True)
    parser.add_argument("--embedder", default="hashing")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--stage", choices=("candidates", "matrix", "full"), default="full")
    parser.add_argument("--trace", action="store_true", help="Also list what the requests left allocated.")
    args = parser.parse_args()
    os.environ["TREMPLIN_HOME"] = args.home
    os.environ["TREMPLIN_EMBEDDER"] = args.embedder
    os.environ["TREMPLIN_SNAPSHOT_CHECK_SECONDS"] = "0"
    from matcher.ranking.engine import Engine
    from matcher.settings import Settings

    started = time.perf_counter()
    engine = Engine.open(Settings())
    print(f"engine loaded in {time.perf_counter() - started:.1f} s")
    startup_ids = sorted(engine.catalogue.startups)
    engine.prepare_fork()
    pages = page_sets(structures(engine))
    gc.collect()
    gc.freeze()
    child = os.fork()
    if child:
        _, status = os.waitpid(child, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
    before = private_by_kind()
    held_before = {name: exclusive(p) for name, p in pages.items()}
    if args.trace:
        tracemalloc.start()
    started = time.perf_counter()
    run(engine, args.stage, startup_ids, args.requests)
    elapsed = time.perf_counter() - started
    after = private_by_kind()
    print(f"child: {args.requests} requests (stage {args.stage}) in {elapsed:.1f} s")
    print("private dirty MB by mapping, before -> after the requests:")
    for kind in sorted(set(before) | set(after), key=lambda k: -after.get(k, 0)):
        if max(before.get(kind, 0), after.get(kind, 0)) >= 256:
            print(f"  {kind:28s} {before.get(kind, 0) / 1024:8.1f} -> {after.get(kind, 0) / 1024:8.1f}")
    total_before, total_after = sum(before.values()) / 1024, sum(after.values()) / 1024
    print(f"  {'total':28s} {total_before:8.1f} -> {total_after:8.1f}")
    print("pages holding these objects' headers that the child now holds alone, MB (of MB in all):")
    copied = 0.0
    for name, structure in pages.items():
        held = (exclusive(structure) - held_before[name]) * PAGE / 2**20
        copied += held
        if len(structure):
            print(f"  {name:36s} {held:7.1f} of {len(structure) * PAGE / 2**20:7.1f}")
    print(f"  {'all listed structures':36s} {copied:7.1f}")
    if args.trace:
        print("still allocated after the requests (tracemalloc), by line:")
        for stat in tracemalloc.take_snapshot().statistics("lineno")[:12]:
            print(f"  {stat.size / 2**20:7.2f} MB {stat.count:8d} blocks  {stat.traceback[0]}")
    os._exit(0)


if __name__ == "__main__":
    main()
