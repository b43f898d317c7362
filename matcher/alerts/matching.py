"""Which new tenders each saved search matches, for thousands of searches at once.

The work is batched the way the data repeats: each distinct query is encoded once and scored against
the tenders in one dense product and one sparse product; each distinct filter set becomes one boolean
row over the tenders; profiles then only gather rows (profiles × tenders boolean and score matrices),
drop the pairs already sent, and keep their best tenders. No Python loop runs over the pairs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ValidationError

from matcher.ranking.tender_search import SearchFilters, columns_of, relevance

if TYPE_CHECKING:
    from matcher.ranking.engine import Engine

TENDER_CHUNK = 2_000  # tenders scored per step: bounds memory at profiles × chunk


@dataclass(frozen=True)
class ProfileSpec:
    key: int  # the saved search id
    query: str
    filters: dict[str, object]
    since: datetime | None = None  # only tenders stored after this moment are new for it (None: all)


@dataclass
class MatchResult:
    found: dict[int, list[tuple[str, float]]] = field(default_factory=dict)  # best first, at most max_items
    counts: dict[int, int] = field(default_factory=dict)  # every new match, shown or not
    errors: dict[int, str] = field(default_factory=dict)  # a profile that could not be matched, and why


def match_profiles(
    engine: Engine,
    profiles: Sequence[ProfileSpec],
    tender_ids: Sequence[str],
    now: datetime,
    already_sent: dict[int, set[str]] | None = None,
    max_items: int = 20,
    stored_at: dict[str, datetime] | None = None,
) -> MatchResult:
    """Best open tenders among `tender_ids` for each profile: new for it (stored after its `since`, when
    `stored_at` tells when each tender was stored) and not in `already_sent`."""
    result = MatchResult()
    table = engine.catalogue.tenders
    columns = columns_of(table)
    open_mask = columns.open_mask(now)
    rows = np.array([p for t in tender_ids if (p := table.position.get(t)) is not None and open_mask[p]], dtype=int)

    # distinct filter sets and queries; a profile whose stored filters no longer validate is reported
    filter_keys: dict[str, int] = {}
    filter_sets: list[SearchFilters] = []
    query_keys: dict[str, int] = {"": 0}
    profile_filter: list[int] = []
    profile_query: list[int] = []
    kept: list[ProfileSpec] = []
    for profile in profiles:
        key = json.dumps(profile.filters, sort_keys=True, ensure_ascii=False, default=str)
        if key not in filter_keys:
            try:
                filter_sets.append(SearchFilters.model_validate(profile.filters))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first.get("loc", ())) or "filters"
                result.errors[profile.key] = f"filters.{where}: {first.get('msg', 'invalid')}"
                continue
            filter_keys[key] = len(filter_sets) - 1
        query = (profile.query or "").strip()
        query_keys.setdefault(query, len(query_keys))
        profile_filter.append(filter_keys[key])
        profile_query.append(query_keys[query])
        kept.append(profile)
    if not kept or len(rows) == 0:
        return result
    queries = list(query_keys)  # position 0 is the empty query: every tender passes it with score 0
    query_vectors = engine.embedder.encode_queries(queries[1:]) if len(queries) > 1 else None
    p_filter, p_query = np.array(profile_filter), np.array(profile_query)
    p_since = np.array([p.since.timestamp() if p.since else -np.inf for p in kept])

    best: dict[int, list[tuple[str, float]]] = {}
    for start in range(0, len(rows), TENDER_CHUNK):
        chunk = rows[start : start + TENDER_CHUNK]
        ids = [columns.ids[i] for i in chunk]
        passes = np.stack([columns.mask(f, now, rows=chunk) for f in filter_sets])  # filters × tenders
        score = np.zeros((len(queries), len(chunk)), dtype=np.float32)
        ok = np.ones((len(queries), len(chunk)), dtype=bool)
        if query_vectors is not None:
            semantic = query_vectors @ engine.indexes.tender_vectors.vectors(ids).T
            lexical = engine.indexes.tender_lexical.score_matrix(queries[1:], ids)
            score[1:], ok[1:] = relevance(semantic, lexical)
        keep = passes[p_filter] & ok[p_query]  # profiles × tenders
        if stored_at is not None:
            stored = np.array([stored_at[i].timestamp() if i in stored_at else np.inf for i in ids])
            keep &= stored[None, :] > p_since[:, None]
        if already_sent:
            column_of = {external_id: c for c, external_id in enumerate(ids)}
            sent_rows, sent_cols = [], []
            for r, profile in enumerate(kept):
                for external_id in already_sent.get(profile.key, ()):
                    c = column_of.get(external_id)
                    if c is not None:
                        sent_rows.append(r)
                        sent_cols.append(c)
            keep[sent_rows, sent_cols] = False
        pr, pc = np.nonzero(keep)
        if len(pr) == 0:
            continue
        values = score[p_query[pr], pc]
        order = np.lexsort((-values, pr))  # by profile, best first
        pr, pc, values = pr[order], pc[order], values[order]
        bounds = np.flatnonzero(np.diff(pr)) + 1
        for group_rows, group_cols, group_values in zip(
            np.split(pr, bounds), np.split(pc, bounds), np.split(values, bounds), strict=True
        ):
            profile_key = kept[int(group_rows[0])].key
            result.counts[profile_key] = result.counts.get(profile_key, 0) + len(group_rows)
            best.setdefault(profile_key, []).extend(
                (ids[int(c)], round(float(v), 4))
                for c, v in zip(group_cols[:max_items], group_values[:max_items], strict=True)
            )
    for profile_id, items in best.items():
        items.sort(key=lambda item: -item[1])
        result.found[profile_id] = items[:max_items]
    return result
