"""Index freshness as seen from the store: built from what, and is the store still the same."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from matcher.store import IndexState, Store


def index_freshness(store: Store) -> dict[str, dict[str, Any]]:
    from matcher.store.fingerprint import source_fingerprint

    report: dict[str, dict[str, Any]] = {}
    with store.session() as session:
        states = {state.name: state for state in session.scalars(select(IndexState))}
        for name in ("tenders", "startups"):
            state = states.get(name)
            if state is None:
                report[name] = {"state": "missing"}
                continue
            fresh = state.source_fingerprint == source_fingerprint(session, name)
            report[name] = {
                "state": "fresh" if fresh else "stale",
                "items": state.item_count,
                "model": state.model_id,
                "built_at": state.built_at.isoformat(timespec="seconds"),
            }
    return report
