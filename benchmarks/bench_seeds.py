"""Is a ranking change real or the luck of one draw? Cross-validated buyer HR@10 / MRR@10 over many seeds.

One seed's cross-validated MRR@10 moves by about ±0.012 with the held-out draw alone, as much as most
changes a feature brings. This runs the protocol for each seed (same suppliers, another held-out award
where a supplier has several), collects the feature tensors through the engine, and cross-validates
(5 folds over suppliers) the linear model twice: with the weight variants the scorer applies
(`reference_terms@works`) and with each variant column merged back into its plain feature (one weight
for all candidates). Prints one row per seed, the means and on how many seeds the variants win.

    .venv/bin/python benchmarks/bench_seeds.py ../shared/data/decp-2019-dev.json --seeds 7-23
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from matcher.evaluation.protocol import load_awards, split
from matcher.evaluation.regimes import apply as apply_regime
from matcher.evaluation.runner import cached_embedder, default_cpv_list, evaluation_inferrer, workspace
from matcher.evaluation.train import Queries, collect, cross_validate
from matcher.settings import get_settings


def merged(queries: Queries) -> Queries:
    """Each `name@variant` column added back into `name`: the model without weight variants."""
    names = list(queries.names)
    features = queries.features.copy()
    keep = [i for i, name in enumerate(names) if "@" not in name]
    for i, name in enumerate(names):
        if "@" in name:
            features[:, :, names.index(name.split("@")[0])] += features[:, :, i]
    return Queries(
        queries.direction, tuple(names[i] for i in keep), features[:, :, keep], queries.relevant, queries.groups
    )


def seeds_of(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--seeds", default="7-23", help="a range such as 7-23, or one seed")
    parser.add_argument("--regime", default="standard", choices=["standard", "no_cpv", "thin_profile"])
    args = parser.parse_args()
    settings = get_settings()
    awards = load_awards(args.file)
    embedder = cached_embedder(settings, settings.embedder)
    cpv_list = default_cpv_list(args.file)
    rows = []
    print(f"regime {args.regime}; buyer side, 5-fold cross-validation over suppliers")
    print("seed | with variants HR@10 / MRR@10 | one weight HR@10 / MRR@10 | seconds")
    for seed in seeds_of(args.seeds):
        started = time.perf_counter()
        data = split(awards, seed)
        variant = apply_regime(args.regime, data)
        with workspace(variant, settings, embedder, cpv_list, evaluation_inferrer(awards, data, cpv_list)) as engine:
            queries = collect(engine, variant)["supplier_for_tender"]
        with_variants, one_weight = cross_validate(queries, 5), cross_validate(merged(queries), 5)
        rows.append((with_variants.hr10, with_variants.mrr10, one_weight.hr10, one_weight.mrr10))
        print(
            f"{seed:>4} | {with_variants.hr10:.3f} / {with_variants.mrr10:.3f}"
            f"                | {one_weight.hr10:.3f} / {one_weight.mrr10:.3f}"
            f"             | {time.perf_counter() - started:.0f}",
            flush=True,
        )
    table = np.array(rows)
    mean = table.mean(axis=0)
    better = int((table[:, 1] > table[:, 3] + 1e-9).sum())
    equal = int((np.abs(table[:, 1] - table[:, 3]) <= 1e-9).sum())
    print(f"mean | {mean[0]:.4f} / {mean[1]:.4f}              | {mean[2]:.4f} / {mean[3]:.4f}")
    print(f"variants give a higher MRR@10 on {better} of {len(rows)} seeds, equal on {equal}")


if __name__ == "__main__":
    main()
