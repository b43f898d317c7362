"""Award rows and the supplier profiles built from them (DECP titulaires, OCDS award suppliers).

A supplier first seen in award data becomes a Startup row (source 'decp' or 'ocds', no digest
e-mails). Its references (titles of the contracts it won, most recent first), reference count and
CPV codes (union over its awards, most frequent first) are recomputed from *all* its stored awards
whenever a file mentions them, so importing the same file twice, or two files in any order, ends
in the same profile. Profiles of startups that registered themselves (source 'file', 'api', …) are
never rewritten: they only gain Award rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.ingest.upsert import CHUNK, assign, fetch
from matcher.ingest.validate import AwardDraft
from matcher.store import Award, Startup, Tender
from matcher.store.documents import startup_hash

AWARD_SOURCES = ("decp", "ocds")


def apply_awards(session: Session, tenders: list[tuple[Tender, list[AwardDraft]]], source: str) -> dict[str, int]:
    """Make the Award rows of these tenders exactly the given ones; refresh the suppliers touched."""
    names: dict[str, str] = {}
    for _, awards in tenders:
        for award in awards:
            names.setdefault(award.supplier_id, award.supplier_name)
    suppliers = fetch(session, Startup, names)
    created = set()
    for external_id, name in names.items():
        if external_id not in suppliers:
            suppliers[external_id] = _new_supplier(external_id, name, source)
            session.add(suppliers[external_id])
            created.add(external_id)
    session.flush()

    counts = Counter[str]()
    touched: set[int] = set()
    existing = _awards_of(session, [tender.id for tender, _ in tenders])
    for tender, awards in tenders:
        wanted: dict[int, AwardDraft] = {}
        for award in awards:
            wanted.setdefault(suppliers[award.supplier_id].id, award)
        stored = existing.get(tender.id, {})
        for startup_id, award in wanted.items():
            values = {"amount": award.amount, "awarded_at": award.awarded_at}
            row = stored.get(startup_id)
            if row is None:
                session.add(Award(tender_id=tender.id, startup_id=startup_id, **values))
                counts["awards_created"] += 1
                touched.add(startup_id)
            elif assign(row, values):
                counts["awards_updated"] += 1
                touched.add(startup_id)
        for startup_id, row in stored.items():
            if startup_id not in wanted:
                session.delete(row)
                counts["awards_removed"] += 1
                touched.add(startup_id)
        counts["awards"] += len(wanted)
        touched.update(wanted)  # a tender's title or CPV codes may have changed: refresh its suppliers too
    session.flush()

    by_id = {startup.id: startup for startup in suppliers.values()}
    refreshed = _refresh_profiles(session, touched, by_id)
    counts["suppliers"] = len(names)
    counts["suppliers_created"] = len(created)
    counts["suppliers_updated"] = len(refreshed - {suppliers[i].id for i in created})
    return {
        key: counts[key]
        for key in (
            "awards",
            "awards_created",
            "awards_updated",
            "awards_removed",
            "suppliers",
            "suppliers_created",
            "suppliers_updated",
        )
    }


def _new_supplier(external_id: str, name: str, source: str) -> Startup:
    return Startup(
        external_id=external_id,
        name=name[:300] or external_id,
        description="",
        sectors=[],
        tags=[],
        cpv_codes=[],
        technologies=[],
        certifications=[],
        references_count=0,
        references=[],
        labels=[],
        languages=[],
        preferred_language="fr",
        digest_opt_in=False,
        source=source,
        content_hash="",
        revenue_currency="EUR" if source == "decp" else "MAD",
    )


def _awards_of(session: Session, tender_ids: list[int]) -> dict[int, dict[int, Award]]:
    found: dict[int, dict[int, Award]] = {}
    for start in range(0, len(tender_ids), CHUNK):
        chunk = tender_ids[start : start + CHUNK]
        for award in session.scalars(select(Award).where(Award.tender_id.in_(chunk))):
            found.setdefault(award.tender_id, {})[award.startup_id] = award
    return found


def _refresh_profiles(session: Session, startup_ids: set[int], by_id: dict[int, Startup]) -> set[int]:
    """Recompute references and CPV codes of award-built suppliers; ids of those that changed."""
    ids = [startup_id for startup_id in startup_ids if by_id.get(startup_id) is not None]
    ids += [startup_id for startup_id in startup_ids if startup_id not in by_id]
    history: dict[int, list[tuple[datetime | None, str, str, list[str]]]] = {i: [] for i in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = (
            select(Award.startup_id, Award.awarded_at, Tender.external_id, Tender.title, Tender.cpv_codes)
            .join(Tender, Tender.id == Award.tender_id)
            .where(Award.startup_id.in_(chunk))
        )
        for startup_id, awarded_at, tender_id, title, cpv_codes in session.execute(query):
            history[startup_id].append((awarded_at, tender_id, title, list(cpv_codes or [])))
    missing = [i for i in ids if i not in by_id]
    for start in range(0, len(missing), CHUNK):
        for startup in session.scalars(select(Startup).where(Startup.id.in_(missing[start : start + CHUNK]))):
            by_id[startup.id] = startup
    changed: set[int] = set()
    for startup_id in ids:
        startup = by_id[startup_id]
        if startup.source not in AWARD_SOURCES:
            continue
        if _apply_history(startup, history[startup_id]):
            changed.add(startup_id)
    return changed


def _apply_history(startup: Startup, awards: list[tuple[datetime | None, str, str, list[str]]]) -> bool:
    # Most recent first; undated awards last; ties broken by tender id so the order is stable.
    awards.sort(key=lambda item: (item[0] is None, -(item[0].timestamp()) if item[0] else 0.0, item[1]))
    references = list(dict.fromkeys(title for _, _, title, _ in awards if title))
    frequency = Counter(code for *_, codes in awards for code in dict.fromkeys(codes))
    cpv_codes = [code for code, _ in sorted(frequency.items(), key=lambda item: (-item[1], item[0]))]
    changed = assign(startup, {"references": references, "references_count": len(awards), "cpv_codes": cpv_codes})
    digest = startup_hash(startup)
    if startup.content_hash != digest:
        startup.content_hash = digest
        changed = True
    return changed
