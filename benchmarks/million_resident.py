"""Vectors + lexical at a million tenders in one process, loaded as a serving process loads them.

Run: .venv/bin/python benchmarks/million_resident.py --work W (a folder where `bench_million.py --engine-index`
and the lexical stage left `engine-index-1000000/` and `lexical-1000000-f2/`).

Prints the process's memory growth per tender after loading both and after 300 queries of each: private
(RssAnon: FAISS codes and centroids, lexical postings, the id maps, Python objects) and file-backed pages
read in (RssFile: the mapped float16 vectors and lexical rows the queries touched), so the "resident" figure
counts everything a serving process holds, id maps included, not only the index files. Mapped pages
"read in" include the kernel's fault-around (neighbouring pages already in the page cache are mapped at
each fault): clean, shared by every process, and dropped first under memory pressure.
"""

from __future__ import annotations

import argparse
import gc
import json
from pathlib import Path

import numpy as np
from bench_million import profile_texts

from matcher.index.lexical import LexicalIndex
from matcher.index.vector_index import VectorIndex


def memory() -> dict[str, float]:
    """RssAnon and RssFile of this process, in bytes."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("RssAnon:", "RssFile:")):
            key, value = line.split(":")
            found[key] = int(value.split()[0]) * 1024.0
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    gc.collect()
    start = memory()
    vectors = VectorIndex.load(args.work / f"engine-index-{args.items}", "bench-million")
    lexical = LexicalIndex.load(args.work / f"lexical-{args.items}-f2")
    gc.collect()
    loaded = memory()
    n = len(vectors)
    queries = np.load(args.work / f"synth-text-{args.items}.queries.npy")[: args.queries]
    for query in queries:
        vectors.search(query, 10)
    for text in profile_texts(args.queries):
        lexical.search(text, 128)
    gc.collect()
    served = memory()
    manifest = json.loads((args.work / f"lexical-{args.items}-f2" / "manifest.json").read_text())
    postings = sum(e["bytes"] for name, e in manifest["files"].items() if name.startswith("by_feature")) / n
    private = (served["RssAnon"] - start["RssAnon"]) / n
    print(
        f"what every query touches, per tender: private {private:.0f} B (FAISS codes and centroids, id maps, "
        f"lexical counters) + lexical postings file {postings:.0f} B ({manifest.get('postings')}) = "
        f"{private + postings:.0f} B; the lexical rows and float16 vectors are read per query for its candidates only"
    )
    for label, now in (("after loading", loaded), (f"after {args.queries} queries of each", served)):
        private = (now["RssAnon"] - start["RssAnon"]) / n
        mapped = (now["RssFile"] - start["RssFile"]) / n
        print(
            f"{n} tenders, vectors ({vectors.kind_in_use}) + lexical, {label}: private {private:.0f} B per tender, "
            f"mapped pages read in {mapped:.0f} B per tender"
        )


if __name__ == "__main__":
    main()
