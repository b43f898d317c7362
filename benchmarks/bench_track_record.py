"""Does the buyer-side track-record feature earn a weight? Buyer HR@10 / MRR@10 on DECP, by its weight.

The evaluation's workspace stores each profile's other awards (official DECP records, all with public
buyers) as its verified contracts, as an award import does, so `track_record` counts them per CPV
division; the buyer side is ranked with the shipped weights, `track_record` set to several weights.
Prints one row per weight (no assertion).

    .venv/bin/python benchmarks/bench_track_record.py ../shared/data/decp-2019-dev.json
"""

from __future__ import annotations

import argparse
from pathlib import Path

from matcher.evaluation.metrics import first_relevant_rank, summarize
from matcher.evaluation.protocol import DEFAULT_SEED, load_awards, split, startup_id
from matcher.evaluation.runner import EVAL_NOW, TOP, cached_embedder, default_cpv_list, workspace
from matcher.ranking.scoring import LinearScorer
from matcher.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--weights", default="0,0.01,0.02,0.05,0.1,0.2")
    args = parser.parse_args()
    settings = get_settings()
    data = split(load_awards(args.file), args.seed)
    embedder = cached_embedder(settings, settings.embedder)
    with workspace(data, settings, embedder, default_cpv_list(args.file)) as engine:
        shipped = engine.scorer
        print(f"{len(data.winners)} held-out tenders, {len(data.suppliers)} suppliers; weights {shipped.version}")
        print("track_record weight | buyer HR@10 | buyer MRR@10")
        for weight in (float(w) for w in args.weights.split(",")):
            tables = {d: dict(t) for d, t in shipped.weights.items()}
            tables["supplier_for_tender"]["track_record"] = weight
            engine.scorer = LinearScorer(shipped.version, tables)
            ranks = []
            for tender, winners in sorted(data.winners.items()):
                matches = engine.suppliers_for_tender(
                    tender, limit=TOP, include_ineligible=True, now=EVAL_NOW, min_grade="any"
                )
                ranks.append(
                    first_relevant_rank([m.startup_id for m in matches], {startup_id(w) for w in winners}, TOP)
                )
            metrics = summarize(ranks)
            print(f"{weight:>19.2f} | {metrics.hr10:.3f}       | {metrics.mrr10:.3f}")


if __name__ == "__main__":
    main()
